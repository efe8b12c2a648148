import { describe, expect, it } from 'vitest';
import { isRelayed, pairKey, sendsToRelay, type Routes } from '../../src/shared/protocol.ts';

const routes = (patch: Partial<Routes> = {}): Routes => ({
  transport: 'mesh',
  relayedPairs: [],
  directMembers: [],
  ...patch,
});

describe('routes', () => {
  it('send every pair of a relayed room through the relay, and none of a peer-to-peer room', () => {
    expect(isRelayed(routes({ transport: 'relay' }), 'ada', 'lee')).toBe(true);
    expect(sendsToRelay(routes({ transport: 'relay' }), 'ada')).toBe(true);
    expect(isRelayed(routes(), 'ada', 'lee')).toBe(false);
    expect(sendsToRelay(routes(), 'ada')).toBe(false);
  });

  it('relay a failed pair alone in a peer-to-peer room', () => {
    const r = routes({ relayedPairs: [pairKey('ada', 'lee')] });
    expect(isRelayed(r, 'ada', 'lee')).toBe(true);
    expect(isRelayed(r, 'ada', 'ode')).toBe(false);
    expect(isRelayed(r, 'bo', 'lee')).toBe(false);
    expect(sendsToRelay(r, 'ada')).toBe(true);
    expect(sendsToRelay(r, 'bo')).toBe(false);
  });

  it('keep members who cannot reach the relay on direct connections, whatever else says', () => {
    const r = routes({ transport: 'relay', relayedPairs: [pairKey('ada', 'lee')], directMembers: ['ada', 'ode'] });
    expect(isRelayed(r, 'ada', 'lee')).toBe(false);
    expect(sendsToRelay(r, 'ada')).toBe(false);
    expect(isRelayed(r, 'bo', 'ode')).toBe(false);
    expect(isRelayed(r, 'bo', 'lee')).toBe(true);
  });
});
