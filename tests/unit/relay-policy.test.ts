import { describe, expect, it } from 'vitest';
import { chooseTransport, type RelayPolicy, type RoomSituation } from '../../server/core/relay-policy.ts';

const auto: RelayPolicy = { mode: 'auto', minSupervisors: 3, holdMs: 30_000 };
const room = (patch: Partial<RoomSituation> = {}): RoomSituation => ({
  transport: 'mesh',
  transportSince: 0,
  supervisors: 1,
  relayUp: true,
  ...patch,
});

describe('the relay policy', () => {
  it('never relays when off, always when always, and never without a working relay', () => {
    expect(chooseTransport({ ...auto, mode: 'off' }, room({ supervisors: 50 }), 1e9)).toBe('mesh');
    expect(chooseTransport({ ...auto, mode: 'always' }, room(), 0)).toBe('relay');
    expect(chooseTransport({ ...auto, mode: 'always' }, room({ relayUp: false, transport: 'relay' }), 0)).toBe('mesh');
  });

  it('relays a room from the supervisor threshold up, in auto mode', () => {
    expect(chooseTransport(auto, room({ supervisors: 2 }), 60_000)).toBe('mesh');
    expect(chooseTransport(auto, room({ supervisors: 3 }), 60_000)).toBe('relay');
    expect(chooseTransport(auto, room({ supervisors: 2, transport: 'relay' }), 60_000)).toBe('mesh');
  });

  it('holds a transport for the hold time in both directions, so a room never flaps', () => {
    expect(chooseTransport(auto, room({ supervisors: 3, transportSince: 10_000 }), 39_999)).toBe('mesh');
    expect(chooseTransport(auto, room({ supervisors: 3, transportSince: 10_000 }), 40_000)).toBe('relay');
    expect(chooseTransport(auto, room({ supervisors: 2, transport: 'relay', transportSince: 10_000 }), 39_999)).toBe(
      'relay',
    );
    expect(chooseTransport(auto, room({ supervisors: 2, transport: 'relay', transportSince: 10_000 }), 40_000)).toBe(
      'mesh',
    );
  });

  it('falls back to the mesh at once when the relay goes down, hold or not', () => {
    expect(
      chooseTransport(auto, room({ supervisors: 9, transport: 'relay', transportSince: 0, relayUp: false }), 1),
    ).toBe('mesh');
  });
});
