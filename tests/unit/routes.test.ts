import { describe, expect, it } from 'vitest';
import {
  DIRECT_FAILURES_TO_RELAY,
  PRESENTATION_MESH_MAX_STUDENTS,
  RELAY_FAILURES_TO_GO_DIRECT,
  decideRoutes,
  failedPairs,
  initialRoutes,
  usesRelay,
  withFailure,
  withoutMember,
  type RelayPolicy,
  type RoomRoutes,
  type RouteInputs,
} from '../../server/core/routes.ts';
import {
  PEER_TO_PEER_ROUTES,
  isRelayed,
  pairKey,
  pairRoute,
  presentsThroughRelay,
  relayCarries,
  sendsToRelay,
  watchesThroughRelay,
  type Routes,
} from '../../src/shared/protocol.ts';

const routes = (patch: Partial<Routes> = {}): Routes => ({ ...PEER_TO_PEER_ROUTES, ...patch });

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

const auto: RelayPolicy = { mode: 'auto', minSupervisors: 3, holdMs: 30_000 };
/** A room's routes as the registry holds them, with the students and supervisors named. */
function situation(
  patch: Partial<RoomRoutes> & { supervisors?: number; students?: string[]; relayUp?: boolean } = {},
): [RoomRoutes, RouteInputs] {
  const { supervisors = 1, students = ['s1'], relayUp = true, ...routes } = patch;
  const members = [
    ...students.map((id) => ({ id, role: 'student' as const })),
    ...Array.from({ length: supervisors }, (_, i) => ({ id: `t${i + 1}`, role: 'supervisor' as const })),
  ];
  return [
    { ...initialRoutes(0), ...routes },
    { members, relayUp },
  ];
}
const decide = (policy: RelayPolicy, [routes, inputs]: [RoomRoutes, RouteInputs], now: number) =>
  decideRoutes(policy, routes, inputs, now);
const transport = (policy: RelayPolicy, s: [RoomRoutes, RouteInputs], now: number) => decide(policy, s, now).transport;
const failed = (...keys: string[]) => new Map(keys.map((key) => [key, DIRECT_FAILURES_TO_RELAY]));

describe('deciding routes', () => {
  it('never relays when off, always when always, and never without a working relay', () => {
    expect(transport({ ...auto, mode: 'off' }, situation({ supervisors: 50 }), 1e9)).toBe('mesh');
    expect(transport({ ...auto, mode: 'always' }, situation(), 0)).toBe('relay');
    expect(transport({ ...auto, mode: 'always' }, situation({ relayUp: false, transport: 'relay' }), 0)).toBe('mesh');
  });

  it('relays a room from the supervisor threshold up, in auto mode', () => {
    expect(transport(auto, situation({ supervisors: 2 }), 60_000)).toBe('mesh');
    expect(transport(auto, situation({ supervisors: 3 }), 60_000)).toBe('relay');
    expect(transport(auto, situation({ supervisors: 2, transport: 'relay' }), 60_000)).toBe('mesh');
  });

  it('holds a transport for the hold time in both directions, so a room never flaps', () => {
    expect(transport(auto, situation({ supervisors: 3, transportSince: 10_000 }), 39_999)).toBe('mesh');
    expect(transport(auto, situation({ supervisors: 3, transportSince: 10_000 }), 40_000)).toBe('relay');
    const relayed = { supervisors: 2, transport: 'relay', transportSince: 10_000 } as const;
    expect(transport(auto, situation(relayed), 39_999)).toBe('relay');
    expect(transport(auto, situation(relayed), 40_000)).toBe('mesh');
    // The switch restarts the hold time.
    expect(decide(auto, situation(relayed), 40_000).transportSince).toBe(40_000);
  });

  it('falls back to the mesh at once when the relay goes down, hold or not', () => {
    const down = situation({ supervisors: 9, transport: 'relay', transportSince: 0, relayUp: false });
    expect(transport(auto, down, 1)).toBe('mesh');
  });

  it('relays a pair whose direct connection failed on its own, at once, however small the room', () => {
    const failures = failed('s1/t1');
    expect(decide(auto, situation({ supervisors: 1, failures, transportSince: 5 }), 6)).toMatchObject({
      transport: 'mesh',
      transportSince: 5,
      relayedPairs: ['s1/t1'],
    });
    // They stay relayed when the whole room moves to the relay and back, so they never flap either.
    expect(decide(auto, situation({ supervisors: 3, failures }), 60_000).relayedPairs).toEqual(['s1/t1']);
    expect(decide({ ...auto, mode: 'always' }, situation({ failures }), 0).relayedPairs).toEqual(['s1/t1']);
    // One report is enough: the student sends it while the direct call keeps trying in parallel.
    expect(DIRECT_FAILURES_TO_RELAY).toBe(1);
    expect(decide(auto, situation({ failures: new Map([['s1/t1', 1]]) }), 0).relayedPairs).toEqual(['s1/t1']);
    expect(decide(auto, situation({ failures, transportSince: 5 }), 6).unroutablePairs).toEqual([]);
  });

  it('relays no pair when the relay is off or down, and says the failed pair has no route', () => {
    const failures = failed('s1/t1');
    for (const [policy, relayUp] of [
      [{ ...auto, mode: 'off' }, true],
      [auto, false],
    ] as const) {
      expect(decide(policy, situation({ failures, relayUp }), 0)).toMatchObject({
        relayedPairs: [],
        unroutablePairs: ['s1/t1'],
      });
    }
    // The relay coming back gives the pair a route again.
    const down = decide(auto, situation({ failures, relayUp: false }), 0);
    const [, inputs] = situation({ failures });
    expect(decideRoutes(auto, down, inputs, 1)).toMatchObject({ relayedPairs: ['s1/t1'], unroutablePairs: [] });
  });

  it('says a failed pair has no route when one of the two cannot reach the relay either', () => {
    const failures = new Map([
      ['s1/t1', 1],
      ['s2/t1', 1],
      ['relay/s1', RELAY_FAILURES_TO_GO_DIRECT],
    ]);
    const routes = decide(auto, situation({ failures, students: ['s1', 's2'] }), 0);
    expect(routes).toMatchObject({ directMembers: ['s1'], unroutablePairs: ['s1/t1'] });
    expect(pairRoute(routes, 's1', 't1')).toBe('none');
    expect(pairRoute(routes, 's2', 't1')).toBe('rerouted');
  });

  it('sends members who cannot reach the relay direct, in the order they failed', () => {
    const failures = new Map([
      ['relay/t1', RELAY_FAILURES_TO_GO_DIRECT],
      ['relay/s1', RELAY_FAILURES_TO_GO_DIRECT + 1],
      ['relay/s2', 1],
    ]);
    const routes = decide({ ...auto, mode: 'always' }, situation({ failures, students: ['s1', 's2'] }), 0);
    expect(routes.directMembers).toEqual(['t1', 's1']);
  });

  it('moves the whole room to the relay at once when direct connections fail in two different pairs', () => {
    // One failure in one pair is no pattern yet.
    expect(transport(auto, situation({ failures: new Map([['s1/t1', 1]]), students: ['s1', 's2'] }), 1)).toBe('mesh');
    // Two pairs failing once each: the network isolates devices. No hold, whatever the room's size.
    const isolated = situation({
      failures: new Map([
        ['s1/t1', 1],
        ['s2/t1', 1],
      ]),
      students: ['s1', 's2', 's3'],
      transportSince: 0,
    });
    expect(decide(auto, isolated, 1)).toMatchObject({ transport: 'relay', transportSince: 1 });
    // So a student who joins later starts on the relay, and the room never flaps back.
    const [, inputs] = isolated;
    expect(isRelayed(decide(auto, isolated, 1), 's3', 't1')).toBe(true);
    expect(decideRoutes(auto, decide(auto, isolated, 1), inputs, 1e9).transport).toBe('relay');
    // Failures with the relay are not isolation; nor is anything without a working relay.
    const relayFailures = new Map([
      ['relay/s1', 1],
      ['relay/s2', 1],
    ]);
    expect(transport(auto, situation({ failures: relayFailures }), 1)).toBe('mesh');
    expect(transport(auto, [isolated[0], { ...inputs, relayUp: false }], 1)).toBe('mesh');
    expect(transport({ ...auto, mode: 'off' }, isolated, 1)).toBe('mesh');
  });

  it('races the relay beside direct calls until one comes up, only where the network is unknown', () => {
    const racing = (s: [RoomRoutes, RouteInputs], policy = auto) => decide(policy, s, 1).racing;
    // A room's first shares on a network the server knows nothing of: students send to the relay
    // as well as to each supervisor, and the relay forwards to every supervisor.
    const fresh = decide(auto, situation({ students: ['s1', 's2'], supervisors: 2 }), 1);
    expect(fresh).toMatchObject({ transport: 'mesh', racing: true });
    expect(sendsToRelay(fresh, 's1')).toBe(true);
    expect(isRelayed(fresh, 's1', 't1')).toBe(false);
    expect(relayCarries(fresh, 's1', 't2')).toBe(true);
    // ...but not for a member who cannot reach the relay.
    const unreachable = situation({ supervisors: 2, failures: new Map([['relay/t2', RELAY_FAILURES_TO_GO_DIRECT]]) });
    expect(relayCarries(decide(auto, unreachable, 1), 's1', 't2')).toBe(false);
    expect(relayCarries(decide(auto, unreachable, 1), 's1', 't1')).toBe(true);
    // A direct call came up (here, or in an earlier room on this network): no race.
    expect(racing(situation({ directSeen: true }))).toBe(false);
    const [r, i] = situation();
    expect(racing([r, { ...i, network: 'direct' }])).toBe(false);
    // A network known to isolate devices starts on the relay outright.
    expect(decide(auto, [r, { ...i, network: 'isolated' }], 1)).toMatchObject({ transport: 'relay', racing: false });
    // Nothing to race without a working relay, or where every screen goes through it anyway.
    expect(racing(situation({ relayUp: false }))).toBe(false);
    expect(racing(situation(), { ...auto, mode: 'off' })).toBe(false);
    expect(racing(situation(), { ...auto, mode: 'always' })).toBe(false);
    // Isolation seen in this room ends the race on the relay.
    expect(racing(situation({ failures: failed('s1/t1', 's1/t2'), supervisors: 2 }))).toBe(false);
  });

  it('returns the very same routes when nothing changed, so a caller can tell a change by identity', () => {
    const [routes, inputs] = situation({ failures: failed('s1/t1'), relayedPairs: ['s1/t1'], racing: true });
    expect(decideRoutes(auto, routes, inputs, 99)).toBe(routes);
  });

  it('forgets everything about a member who left', () => {
    const [routes] = situation({
      failures: new Map([
        ['s1/t1', 2],
        ['relay/s1', 2],
        ['s2/t1', 1],
      ]),
      relayedPairs: ['s1/t1'],
      directMembers: ['s1'],
    });
    const after = withoutMember(withFailure(routes, 's2/t1'), 's1');
    expect(after).toMatchObject({ relayedPairs: [], directMembers: [] });
    expect([...after.failures]).toEqual([['s2/t1', 2]]);
    expect(failedPairs(after)).toEqual(['s2/t1']);
  });
});

describe('the route of a screen shown to the class', () => {
  const students = (n: number) => Array.from({ length: n }, (_, i) => `s${i + 1}`);
  const presentation = (policy: RelayPolicy, s: [RoomRoutes, RouteInputs]) =>
    decide(policy, s, 60_000).presentationTransport;

  it('goes through the relay in a relayed room, and in any room once the class is larger than a few', () => {
    expect(presentation(auto, situation({ students: students(PRESENTATION_MESH_MAX_STUDENTS) }))).toBe('mesh');
    expect(presentation(auto, situation({ students: students(PRESENTATION_MESH_MAX_STUDENTS + 1) }))).toBe('relay');
    expect(presentation(auto, situation({ supervisors: 3 }))).toBe('relay');
    expect(presentation({ ...auto, mode: 'always' }, situation())).toBe('relay');
  });

  it('stays on the relay when the class shrinks again, so a student leaving moves nobody', () => {
    const [routes, inputs] = situation({ students: students(PRESENTATION_MESH_MAX_STUDENTS + 1) });
    const large = decideRoutes(auto, routes, inputs, 1);
    const [, small] = situation({ students: students(2) });
    expect(decideRoutes(auto, large, small, 2).presentationTransport).toBe('relay');
  });

  it('goes peer to peer with the relay off or down, whatever the size', () => {
    const many = students(30);
    expect(presentation({ ...auto, mode: 'off' }, situation({ students: many }))).toBe('mesh');
    const down = situation({ students: many, presentationTransport: 'relay', relayUp: false });
    expect(presentation(auto, down)).toBe('mesh');
  });

  it('reaches students who cannot use the relay, and all of them from a presenter who cannot, directly', () => {
    const r = routes({ presentationTransport: 'relay', relayPeerId: 'relay-1', directMembers: ['ada'] });
    expect(presentsThroughRelay(r, 'lee')).toBe(true);
    expect(watchesThroughRelay(r, 'lee', 'bo')).toBe(true);
    expect(watchesThroughRelay(r, 'lee', 'ada')).toBe(false);
    const cutOff = { ...r, directMembers: ['lee'] };
    expect(presentsThroughRelay(cutOff, 'lee')).toBe(false);
    expect(watchesThroughRelay(cutOff, 'lee', 'bo')).toBe(false);
    expect(presentsThroughRelay(routes({ presentationTransport: 'relay' }), 'lee')).toBe(false);
  });
});

describe('whether a room uses the relay', () => {
  it('does for a relayed room, a rerouted pair, or a shown screen that goes through the relay', () => {
    expect(usesRelay(routes(), null)).toBe(false);
    expect(usesRelay(routes({ transport: 'relay' }), null)).toBe(true);
    expect(usesRelay(routes({ relayedPairs: ['s1/t1'] }), null)).toBe(true);
    expect(usesRelay(routes({ racing: true }), null)).toBe(true);
    const shownByRelay = routes({ presentationTransport: 'relay', relayPeerId: 'relay-1' });
    expect(usesRelay(shownByRelay, 'lee')).toBe(true);
    // Nothing shown, or a presenter who cannot reach the relay and calls every student directly.
    expect(usesRelay(shownByRelay, null)).toBe(false);
    expect(usesRelay({ ...shownByRelay, directMembers: ['lee'] }, 'lee')).toBe(false);
  });
});
