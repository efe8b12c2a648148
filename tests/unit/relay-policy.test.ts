import { describe, expect, it } from 'vitest';
import { chooseRoutes, type RelayPolicy, type RoomSituation } from '../../server/core/relay-policy.ts';

const auto: RelayPolicy = { mode: 'auto', minSupervisors: 3, holdMs: 30_000 };
const room = (patch: Partial<RoomSituation> = {}): RoomSituation => ({
  transport: 'mesh',
  transportSince: 0,
  supervisors: 1,
  failedPairs: [],
  relayUp: true,
  ...patch,
});
const transport = (policy: RelayPolicy, situation: RoomSituation, now: number) =>
  chooseRoutes(policy, situation, now).transport;

describe('the relay policy', () => {
  it('never relays when off, always when always, and never without a working relay', () => {
    expect(transport({ ...auto, mode: 'off' }, room({ supervisors: 50 }), 1e9)).toBe('mesh');
    expect(transport({ ...auto, mode: 'always' }, room(), 0)).toBe('relay');
    expect(transport({ ...auto, mode: 'always' }, room({ relayUp: false, transport: 'relay' }), 0)).toBe('mesh');
  });

  it('relays a room from the supervisor threshold up, in auto mode', () => {
    expect(transport(auto, room({ supervisors: 2 }), 60_000)).toBe('mesh');
    expect(transport(auto, room({ supervisors: 3 }), 60_000)).toBe('relay');
    expect(transport(auto, room({ supervisors: 2, transport: 'relay' }), 60_000)).toBe('mesh');
  });

  it('holds a transport for the hold time in both directions, so a room never flaps', () => {
    expect(transport(auto, room({ supervisors: 3, transportSince: 10_000 }), 39_999)).toBe('mesh');
    expect(transport(auto, room({ supervisors: 3, transportSince: 10_000 }), 40_000)).toBe('relay');
    expect(transport(auto, room({ supervisors: 2, transport: 'relay', transportSince: 10_000 }), 39_999)).toBe('relay');
    expect(transport(auto, room({ supervisors: 2, transport: 'relay', transportSince: 10_000 }), 40_000)).toBe('mesh');
  });

  it('falls back to the mesh at once when the relay goes down, hold or not', () => {
    expect(transport(auto, room({ supervisors: 9, transport: 'relay', transportSince: 0, relayUp: false }), 1)).toBe(
      'mesh',
    );
  });

  it('relays a pair whose direct connection failed on its own, at once, however small the room', () => {
    const failedPairs = ['s1/t1'];
    expect(chooseRoutes(auto, room({ supervisors: 1, failedPairs, transportSince: 5 }), 6)).toEqual({
      transport: 'mesh',
      relayedPairs: ['s1/t1'],
    });
    // They stay relayed when the whole room moves to the relay and back, so they never flap either.
    expect(chooseRoutes(auto, room({ supervisors: 3, failedPairs }), 60_000).relayedPairs).toEqual(['s1/t1']);
    expect(chooseRoutes({ ...auto, mode: 'always' }, room({ failedPairs }), 0).relayedPairs).toEqual(['s1/t1']);
  });

  it('relays no pair when the relay is off or down: the direct attempt is all there is', () => {
    const failedPairs = ['s1/t1'];
    expect(chooseRoutes({ ...auto, mode: 'off' }, room({ failedPairs }), 0).relayedPairs).toEqual([]);
    expect(chooseRoutes(auto, room({ failedPairs, relayUp: false }), 0).relayedPairs).toEqual([]);
  });
});
