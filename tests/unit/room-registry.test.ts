import { describe, expect, it } from 'vitest';
import { CODE_ALPHABET, CODE_LENGTH } from '../../src/shared/protocol.ts';
import { NETWORK_MEMORY_MS, networkOf } from '../../server/core/networks.ts';
import { WAITING_SEEN_STEP_MS, WAITING_TTL_MS } from '../../server/core/admission.ts';
import {
  admitStudent,
  askAfterAdmission,
  authenticate,
  authenticatePeer,
  createRoom,
  emptyRegistry,
  hostOf,
  joinRoom,
  kickMember,
  leaveRoom,
  maySignal,
  peerConnected,
  peerDisconnected,
  MAX_SUPERVISORS_PER_ROOM,
  requestAdmission,
  waitingIn,
  withdrawAdmission,
  reportConnectionFailure,
  reportDirectConnection,
  setRelayUp,
  setSharing,
  sweep,
  terminateRoom,
  transferHost,
  type Context,
  type Outcome,
  type RegistryEvent,
  type RegistryLimits,
  type RegistryState,
  type NewSeat,
} from '../../server/core/room-registry.ts';
import { resumeAfterRestart } from '../../server/core/restart.ts';
import { failedPairs, type RelayPolicy } from '../../server/core/routes.ts';

const limits: RegistryLimits = {
  maxRooms: 3,
  maxMembersPerRoom: 6,
  reconnectGraceMs: 20_000,
  emptyRoomTtlMs: 600_000,
  maxRoomsPerAddress: 10,
  unclaimedRoomTtlMs: 60_000,
};
const routing: RelayPolicy = { mode: 'auto', minSupervisors: 3, holdMs: 30_000 };

/** A fake clock and a deterministic byte source, so every run of a test sees the same ids. */
function world(start = 1_000_000, policy: RelayPolicy = routing) {
  let now = start;
  let counter = 0;
  const random = (n: number) =>
    Uint8Array.from({ length: n }, () => (counter = (counter * 1103515245 + 12345) >>> 0) >>> 16);
  return {
    ctx: (): Context => ({ now, random, limits, routing: policy }),
    advance: (ms: number) => (now += ms),
  };
}

function ok<T>(outcome: Outcome<T>): { state: RegistryState; events: RegistryEvent[]; value: T } {
  if (!outcome.ok) throw new Error(`expected success, got ${outcome.error}`);
  return outcome;
}

function types(events: RegistryEvent[]) {
  return events.map((e) => e.type);
}

/** A room with a host, a second supervisor and two students, all connected. */
function classroom(w = world()) {
  const created = ok(
    createRoom(emptyRegistry, { name: 'Maths 7B', hostName: 'Ms Lee', listed: true, address: '198.51.100.1' }, w.ctx()),
  );
  const code = created.value.room.code;
  const key = created.value.room.supervisorKey;
  let state = created.state;
  const join = (name: string, role: 'student' | 'supervisor'): NewSeat => {
    const out = ok(joinRoom(state, { code, name, role, supervisorKey: key }, w.ctx()));
    state = out.state;
    return out.value;
  };
  w.advance(1000);
  const coTeacher = join('Mr Ode', 'supervisor');
  w.advance(1000);
  const ada = join('Ada', 'student');
  const bo = join('Bo', 'student');
  for (const m of [created.value.member, coTeacher.member, ada.member, bo.member]) {
    state = ok(peerConnected(state, m.peerId, w.ctx())).state;
  }
  // Each member with the token handed out at join (the registry keeps only its hash).
  const withToken = (seat: NewSeat) => ({ ...seat.member, token: seat.token });
  return {
    w,
    code,
    key,
    host: withToken(created.value),
    coTeacher: withToken(coTeacher),
    ada: withToken(ada),
    bo: withToken(bo),
    state,
  };
}

describe('maySignal', () => {
  it('lets a student and a supervisor of one room talk, and the relay talk with any current member', () => {
    const { w, host, coTeacher, ada, bo, state, code } = classroom();
    const other = ok(
      createRoom(state, { name: 'B', hostName: 'Mr B', listed: true, address: '198.51.100.2' }, w.ctx()),
    );
    const otherHost = other.value.member;
    const s = other.state;
    expect(maySignal(s, ada.peerId, host.peerId, ['relay'])).toBe(true);
    expect(maySignal(s, coTeacher.peerId, bo.peerId, ['relay'])).toBe(true);
    expect(maySignal(s, ada.peerId, bo.peerId, ['relay'])).toBe(false);
    expect(maySignal(s, host.peerId, coTeacher.peerId, ['relay'])).toBe(false);
    expect(maySignal(s, ada.peerId, otherHost.peerId, ['relay'])).toBe(false);
    expect(maySignal(s, ada.peerId, ada.peerId, ['relay'])).toBe(false);
    expect(maySignal(s, ada.peerId, 'unknown', ['relay'])).toBe(false);
    // The relay: with members of any room (its calls linger after routes change), never with strangers.
    expect(maySignal(s, 'relay', otherHost.peerId, ['relay'])).toBe(true);
    expect(maySignal(s, bo.peerId, 'relay', ['relay'])).toBe(true);
    expect(maySignal(s, 'relay', 'unknown', ['relay'])).toBe(false);
    // Every relay worker may reach every member (a room's calls linger after it moves); not each other.
    expect(maySignal(s, 'relay2', ada.peerId, ['relay', 'relay2'])).toBe(true);
    expect(maySignal(s, otherHost.peerId, 'relay2', ['relay', 'relay2'])).toBe(true);
    expect(maySignal(s, 'relay', 'relay2', ['relay', 'relay2'])).toBe(false);
    expect(maySignal(s, ada.peerId, 'relay', [])).toBe(false);
    const gone = ok(leaveRoom(s, { code, memberId: ada.id }, w.ctx())).state;
    expect(maySignal(gone, ada.peerId, host.peerId, ['relay'])).toBe(false);
    expect(maySignal(gone, 'relay', ada.peerId, ['relay'])).toBe(false);
  });
});

describe('createRoom', () => {
  it('issues an unambiguous code, a supervisor key and the host as first supervisor', () => {
    const w = world();
    const out = ok(
      createRoom(emptyRegistry, { name: 'Art', hostName: 'Ms Lee', listed: false, address: '198.51.100.1' }, w.ctx()),
    );
    const { room, member } = out.value;
    expect(room.code).toHaveLength(CODE_LENGTH);
    expect([...room.code].every((c) => CODE_ALPHABET.includes(c))).toBe(true);
    expect(room.code).not.toMatch(/[01IO]/);
    expect(room.supervisorKey).toMatch(/^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$/);
    expect(room.listed).toBe(false);
    expect(member).toMatchObject({ role: 'supervisor', name: 'Ms Lee', connected: false });
    expect(room.hostId).toBe(member.id);
    expect(member.peerId).toMatch(/^[0-9a-f]{32}$/);
    expect(out.value.token.length).toBeGreaterThanOrEqual(43);
    // The registry keeps only the token's SHA-256, never the token.
    expect(member.tokenHash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify([...out.state.rooms.values()])).not.toContain(out.value.token);
    expect(types(out.events)).toEqual(['room-created']);
    expect(authenticatePeer(out.state, member.peerId, out.value.token)?.member.id).toBe(member.id);
  });

  it('refuses a room past the server limit without changing anything', () => {
    const w = world();
    let state = emptyRegistry;
    for (let i = 0; i < limits.maxRooms; i++)
      state = ok(
        createRoom(state, { name: `R${i}`, hostName: 'T', listed: true, address: '198.51.100.1' }, w.ctx()),
      ).state;
    expect(
      createRoom(state, { name: 'one more', hostName: 'T', listed: true, address: '198.51.100.1' }, w.ctx()),
    ).toEqual({
      ok: false,
      error: 'too-many-rooms',
    });
    expect(state.rooms.size).toBe(limits.maxRooms);
  });

  it('refuses a room past the per-address limit, while another address still creates one', () => {
    const w = world();
    const ctx = (): Context => ({ ...w.ctx(), limits: { ...limits, maxRooms: 10, maxRoomsPerAddress: 2 } });
    let state = emptyRegistry;
    for (const name of ['A', 'B'])
      state = ok(createRoom(state, { name, hostName: 'T', listed: true, address: '10.0.0.9' }, ctx())).state;
    expect(createRoom(state, { name: 'C', hostName: 'T', listed: true, address: '10.0.0.9' }, ctx())).toEqual({
      ok: false,
      error: 'too-many-rooms-from-address',
    });
    const teacher = ok(
      createRoom(state, { name: 'Maths', hostName: 'Ms Lee', listed: true, address: '198.51.100.2' }, ctx()),
    );
    expect(teacher.state.rooms.size).toBe(3);
    // An ended room frees its place.
    const code = [...state.rooms.keys()][0]!;
    const host = state.rooms.get(code)!.hostId!;
    state = ok(terminateRoom(teacher.state, { code, actorId: host })).state;
    expect(createRoom(state, { name: 'C', hostName: 'T', listed: true, address: '10.0.0.9' }, ctx()).ok).toBe(true);
  });

  it('never reuses a code that is taken', () => {
    // A byte source that repeats itself forces a collision on the second room.
    let calls = 0;
    const repeating = (n: number) => Uint8Array.from({ length: n }, (_, i) => (calls < 8 ? i : i + calls));
    const ctx = (): Context => ({ now: 0, random: (n) => (calls++, repeating(n)), limits, routing });
    const first = ok(
      createRoom(emptyRegistry, { name: 'A', hostName: 'T', listed: true, address: '198.51.100.1' }, ctx()),
    );
    calls = 0;
    const second = ok(
      createRoom(first.state, { name: 'B', hostName: 'T', listed: true, address: '198.51.100.1' }, ctx()),
    );
    expect(second.value.room.code).not.toBe(first.value.room.code);
    expect(second.state.rooms.size).toBe(2);
  });
});

describe('joinRoom', () => {
  it('lets a student in with the code alone, typed in any case and with spaces', () => {
    const { w, code, state } = classroom();
    const typed = `${code.slice(0, 3).toLowerCase()} ${code.slice(3)}`;
    const out = ok(joinRoom(state, { code: typed, name: 'Cy', role: 'student' }, w.ctx()));
    expect(out.value.member).toMatchObject({ role: 'student', name: 'Cy', share: 'never' });
    expect(types(out.events)).toEqual(['member-joined']);
  });

  it('needs the right supervisor key for a supervisor, however it is typed', () => {
    const { w, code, key, state } = classroom();
    expect(joinRoom(state, { code, name: 'X', role: 'supervisor' }, w.ctx())).toEqual({
      ok: false,
      error: 'wrong-supervisor-key',
    });
    expect(joinRoom(state, { code, name: 'X', role: 'supervisor', supervisorKey: 'AAAA-BBBB-CCCC' }, w.ctx())).toEqual({
      ok: false,
      error: 'wrong-supervisor-key',
    });
    const typed = key.toLowerCase().replace(/-/g, ' ');
    expect(joinRoom(state, { code, name: 'X', role: 'supervisor', supervisorKey: typed }, w.ctx()).ok).toBe(true);
  });

  it('says when the room does not exist', () => {
    const w = world();
    expect(joinRoom(emptyRegistry, { code: 'ZZZZZZ', name: 'A', role: 'student' }, w.ctx())).toEqual({
      ok: false,
      error: 'room-not-found',
    });
  });

  it('gives a duplicate name a visible suffix, ignoring case', () => {
    const { w, code, state } = classroom();
    const first = ok(joinRoom(state, { code, name: 'ada', role: 'student' }, w.ctx()));
    const second = ok(joinRoom(first.state, { code, name: 'Ada', role: 'student' }, w.ctx()));
    expect(first.value.member.name).toBe('ada (2)');
    expect(second.value.member.name).toBe('Ada (3)');
  });

  it('caps the room size', () => {
    const { w, code, state: s0 } = classroom();
    let state = ok(joinRoom(s0, { code, name: 'Cy', role: 'student' }, w.ctx())).state;
    state = ok(joinRoom(state, { code, name: 'Di', role: 'student' }, w.ctx())).state;
    expect(joinRoom(state, { code, name: 'Ed', role: 'student' }, w.ctx())).toEqual({ ok: false, error: 'room-full' });
    expect(state.rooms.get(code)?.members).toHaveLength(limits.maxMembersPerRoom);
  });

  it(`refuses a supervisor past MAX_SUPERVISORS_PER_ROOM and still seats students`, () => {
    const w = world();
    const created = ok(
      createRoom(emptyRegistry, { name: 'Big', hostName: 'Ms Lee', listed: true, address: '198.51.100.1' }, w.ctx()),
    );
    const { code, supervisorKey } = created.value.room;
    const ctx = { ...w.ctx(), limits: { ...limits, maxMembersPerRoom: 200 } };
    let state = created.state;
    for (let i = 1; i < MAX_SUPERVISORS_PER_ROOM; i++) {
      state = ok(joinRoom(state, { code, name: `T${i}`, role: 'supervisor', supervisorKey }, ctx)).state;
    }
    expect(joinRoom(state, { code, name: 'One more', role: 'supervisor', supervisorKey }, ctx)).toEqual({
      ok: false,
      error: 'too-many-supervisors',
    });
    expect(joinRoom(state, { code, name: 'Ada', role: 'student' }, ctx).ok).toBe(true);
  });

  it('issues distinct ids, peer ids and tokens to every member', () => {
    const { host, coTeacher, ada, bo } = classroom();
    const all = [host, coTeacher, ada, bo];
    for (const field of ['id', 'peerId', 'token'] as const) expect(new Set(all.map((m) => m[field])).size).toBe(4);
  });
});

describe('authenticate', () => {
  it('finds the member by token and refuses unknown tokens and rooms', () => {
    const { code, ada, state } = classroom();
    const found = authenticate(state, code, ada.token);
    expect(found.ok && found.value.member.id).toBe(ada.id);
    expect(authenticate(state, code, 'nope')).toEqual({ ok: false, error: 'unauthorized' });
    expect(authenticate(state, code, '')).toEqual({ ok: false, error: 'unauthorized' });
    expect(authenticate(state, 'ZZZZZZ', ada.token)).toEqual({ ok: false, error: 'room-not-found' });
  });

  it('admits a PeerServer connection only with the peer id and token of a current member', () => {
    const { ada, bo, state } = classroom();
    expect(authenticatePeer(state, ada.peerId, ada.token)?.member.id).toBe(ada.id);
    expect(authenticatePeer(state, ada.peerId, bo.token)).toBeUndefined();
    expect(authenticatePeer(state, 'f'.repeat(32), ada.token)).toBeUndefined();
  });
});

describe('leaving', () => {
  it('removes a student who leaves and forgets their peer id', () => {
    const { w, code, ada, state } = classroom();
    const out = ok(leaveRoom(state, { code, memberId: ada.id }, w.ctx()));
    expect(out.events).toEqual([
      expect.objectContaining({ type: 'member-left', reason: 'left', member: expect.objectContaining({ id: ada.id }) }),
    ]);
    expect(out.state.rooms.get(code)?.members.some((m) => m.id === ada.id)).toBe(false);
    expect(authenticatePeer(out.state, ada.peerId, ada.token)).toBeUndefined();
    expect(authenticate(out.state, code, ada.token)).toEqual({ ok: false, error: 'unauthorized' });
  });

  it('promotes the longest-present supervisor when the host leaves', () => {
    const { w, code, host, coTeacher, state } = classroom();
    const out = ok(leaveRoom(state, { code, memberId: host.id }, w.ctx()));
    expect(out.events.at(-1)).toEqual({
      type: 'host-changed',
      code,
      hostId: coTeacher.id,
      previousHostId: host.id,
      reason: 'promotion',
    });
    expect(out.state.rooms.get(code)?.hostId).toBe(coTeacher.id);
  });

  it('prefers a connected supervisor over a longer-present one who is offline', () => {
    const { w, code, key, host, coTeacher, ada, state: s0 } = classroom();
    let state = ok(leaveRoom(s0, { code, memberId: ada.id }, w.ctx())).state;
    const third = ok(joinRoom(state, { code, name: 'Dr Ng', role: 'supervisor', supervisorKey: key }, w.ctx()));
    state = ok(peerConnected(third.state, third.value.member.peerId, w.ctx())).state;
    state = ok(peerDisconnected(state, coTeacher.peerId, w.ctx())).state;
    const out = ok(leaveRoom(state, { code, memberId: host.id }, w.ctx()));
    expect(out.state.rooms.get(code)?.hostId).toBe(third.value.member.id);
  });

  it('leaves a room with no supervisor open, hostless, until a supervisor claims it', () => {
    const { w, code, key, host, coTeacher, state: s0 } = classroom();
    let state = ok(leaveRoom(s0, { code, memberId: coTeacher.id }, w.ctx())).state;
    const out = ok(leaveRoom(state, { code, memberId: host.id }, w.ctx()));
    expect(out.events.at(-1)).toMatchObject({ type: 'host-changed', hostId: null, reason: 'promotion' });
    state = out.state;
    expect(state.rooms.get(code)).toMatchObject({ hostId: null, orphanedSince: w.ctx().now });

    w.advance(60_000);
    const claimed = ok(joinRoom(state, { code, name: 'Sub', role: 'supervisor', supervisorKey: key }, w.ctx()));
    expect(types(claimed.events)).toEqual(['member-joined', 'host-changed']);
    expect(claimed.state.rooms.get(code)).toMatchObject({ hostId: claimed.value.member.id, orphanedSince: null });
  });

  it('says when the member is not in the room', () => {
    const { w, code, state } = classroom();
    expect(leaveRoom(state, { code, memberId: 'ghost' }, w.ctx())).toEqual({ ok: false, error: 'member-not-found' });
    expect(leaveRoom(state, { code: 'ZZZZZZ', memberId: 'ghost' }, w.ctx())).toEqual({
      ok: false,
      error: 'room-not-found',
    });
  });
});

describe('kickMember', () => {
  it('lets the host remove a student or a supervisor', () => {
    const { w, code, host, ada, coTeacher, state } = classroom();
    const out = ok(kickMember(state, { code, actorId: host.id, memberId: ada.id }, w.ctx()));
    expect(out.events).toEqual([expect.objectContaining({ type: 'member-left', reason: 'kicked' })]);
    expect(
      ok(kickMember(out.state, { code, actorId: host.id, memberId: coTeacher.id }, w.ctx())).state.rooms.get(code)
        ?.members,
    ).toHaveLength(2);
  });

  it('refuses anyone but the host, the host themself, and unknown members', () => {
    const { w, code, host, coTeacher, ada, bo, state } = classroom();
    expect(kickMember(state, { code, actorId: coTeacher.id, memberId: ada.id }, w.ctx())).toEqual({
      ok: false,
      error: 'not-host',
    });
    expect(kickMember(state, { code, actorId: bo.id, memberId: ada.id }, w.ctx())).toEqual({
      ok: false,
      error: 'not-host',
    });
    expect(kickMember(state, { code, actorId: host.id, memberId: host.id }, w.ctx())).toEqual({
      ok: false,
      error: 'invalid-target',
    });
    expect(kickMember(state, { code, actorId: host.id, memberId: 'ghost' }, w.ctx())).toEqual({
      ok: false,
      error: 'member-not-found',
    });
  });
});

describe('transferHost', () => {
  it('hands the role to another supervisor', () => {
    const { code, host, coTeacher, state } = classroom();
    const out = ok(transferHost(state, { code, actorId: host.id, memberId: coTeacher.id }));
    expect(out.events).toEqual([
      { type: 'host-changed', code, hostId: coTeacher.id, previousHostId: host.id, reason: 'transfer' },
    ]);
    expect(hostOf(out.value)?.id).toBe(coTeacher.id);
    expect(transferHost(out.state, { code, actorId: host.id, memberId: coTeacher.id })).toEqual({
      ok: false,
      error: 'not-host',
    });
  });

  it('refuses a student, yourself, a stranger, or a non-host', () => {
    const { code, host, coTeacher, ada, state } = classroom();
    expect(transferHost(state, { code, actorId: host.id, memberId: ada.id })).toEqual({
      ok: false,
      error: 'wrong-role',
    });
    expect(transferHost(state, { code, actorId: host.id, memberId: host.id })).toEqual({
      ok: false,
      error: 'invalid-target',
    });
    expect(transferHost(state, { code, actorId: host.id, memberId: 'ghost' })).toEqual({
      ok: false,
      error: 'member-not-found',
    });
    expect(transferHost(state, { code, actorId: coTeacher.id, memberId: host.id })).toEqual({
      ok: false,
      error: 'not-host',
    });
  });
});

describe('terminateRoom', () => {
  it('ends the room for everyone when the host asks, and only then', () => {
    const { code, host, coTeacher, ada, state } = classroom();
    expect(terminateRoom(state, { code, actorId: coTeacher.id })).toEqual({ ok: false, error: 'not-host' });
    const out = ok(terminateRoom(state, { code, actorId: host.id }));
    expect(out.events).toEqual([expect.objectContaining({ type: 'room-terminated', code, reason: 'ended-by-host' })]);
    expect(out.state.rooms.has(code)).toBe(false);
    expect(out.state.roomByPeer.size).toBe(0);
    expect(authenticatePeer(out.state, ada.peerId, ada.token)).toBeUndefined();
  });
});

describe('setSharing', () => {
  it('records a student starting and stopping, once each', () => {
    const { code, ada, state } = classroom();
    const started = ok(setSharing(state, { code, memberId: ada.id, sharing: true }, { now: 0 }));
    expect(types(started.events)).toEqual(['share-started']);
    expect(ok(setSharing(started.state, { code, memberId: ada.id, sharing: true }, { now: 0 })).events).toEqual([]);
    expect(types(ok(setSharing(started.state, { code, memberId: ada.id, sharing: false }, { now: 0 })).events)).toEqual(
      ['share-stopped'],
    );
  });

  it('remembers never shared, sharing and stopped as room state', () => {
    const { code, ada, state } = classroom();
    const shareOf = (s: typeof state) => s.rooms.get(code)!.members.find((m) => m.id === ada.id)!.share;
    expect(shareOf(state)).toBe('never');
    // Stopping before ever sharing changes nothing.
    const idle = ok(setSharing(state, { code, memberId: ada.id, sharing: false }, { now: 0 }));
    expect(idle.events).toEqual([]);
    expect(shareOf(idle.state)).toBe('never');
    const started = ok(setSharing(state, { code, memberId: ada.id, sharing: true }, { now: 0 }));
    expect(shareOf(started.state)).toBe('sharing');
    const stopped = ok(setSharing(started.state, { code, memberId: ada.id, sharing: false }, { now: 0 }));
    expect(shareOf(stopped.state)).toBe('stopped');
    const again = ok(setSharing(stopped.state, { code, memberId: ada.id, sharing: true }, { now: 0 }));
    expect(shareOf(again.state)).toBe('sharing');
  });

  it('refuses a supervisor', () => {
    const { code, host, state } = classroom();
    expect(setSharing(state, { code, memberId: host.id, sharing: true }, { now: 0 })).toEqual({
      ok: false,
      error: 'wrong-role',
    });
  });
});

describe('presence and deadlines', () => {
  it('marks members connected and disconnected, ignoring repeats and unknown peers', () => {
    const { w, code, ada, state } = classroom();
    expect(ok(peerConnected(state, ada.peerId, w.ctx())).events).toEqual([]);
    const down = ok(peerDisconnected(state, ada.peerId, w.ctx()));
    expect(down.events).toEqual([{ type: 'member-disconnected', code, memberId: ada.id }]);
    expect(ok(peerDisconnected(down.state, ada.peerId, w.ctx())).events).toEqual([]);
    expect(ok(peerConnected(down.state, ada.peerId, w.ctx())).events).toEqual([
      { type: 'member-connected', code, memberId: ada.id },
    ]);
    expect(ok(peerConnected(state, 'unknown', w.ctx())).events).toEqual([]);
  });

  it('keeps a disconnected member for the grace period, then removes them', () => {
    const { w, code, ada, state: s0 } = classroom();
    const state = ok(peerDisconnected(s0, ada.peerId, w.ctx())).state;
    w.advance(limits.reconnectGraceMs - 1);
    expect(ok(sweep(state, w.ctx())).events).toEqual([]);
    w.advance(1);
    const out = ok(sweep(state, w.ctx()));
    expect(out.events).toEqual([expect.objectContaining({ type: 'member-left', reason: 'timed-out' })]);
    expect(out.state.rooms.get(code)?.members.some((m) => m.id === ada.id)).toBe(false);
  });

  it('keeps a member who reconnects within the grace period', () => {
    const { w, ada, state: s0 } = classroom();
    let state = ok(peerDisconnected(s0, ada.peerId, w.ctx())).state;
    w.advance(limits.reconnectGraceMs - 1000);
    state = ok(peerConnected(state, ada.peerId, w.ctx())).state;
    w.advance(limits.reconnectGraceMs * 10);
    expect(ok(sweep(state, w.ctx())).events).toEqual([]);
  });

  it('removes a member who joined but never connected, after the grace period', () => {
    const w = world();
    const created = ok(
      createRoom(emptyRegistry, { name: 'R', hostName: 'T', listed: true, address: '198.51.100.1' }, w.ctx()),
    );
    w.advance(limits.reconnectGraceMs);
    const out = ok(sweep(created.state, w.ctx()));
    expect(types(out.events)).toEqual(['member-left', 'host-changed']);
    expect(out.state.rooms.get(created.value.room.code)?.members).toEqual([]);
  });

  it('promotes a new host when the host stays disconnected past the grace period', () => {
    const { w, code, host, coTeacher, state: s0 } = classroom();
    const state = ok(peerDisconnected(s0, host.peerId, w.ctx())).state;
    w.advance(limits.reconnectGraceMs);
    const out = ok(sweep(state, w.ctx()));
    expect(out.events).toEqual([
      expect.objectContaining({ type: 'member-left', reason: 'timed-out' }),
      { type: 'host-changed', code, hostId: coTeacher.id, previousHostId: host.id, reason: 'promotion' },
    ]);
  });

  it('closes a room that stays without a supervisor for the empty-room time', () => {
    const { w, code, host, coTeacher, state: s0 } = classroom();
    let state = ok(leaveRoom(s0, { code, memberId: coTeacher.id }, w.ctx())).state;
    state = ok(leaveRoom(state, { code, memberId: host.id }, w.ctx())).state;
    w.advance(limits.emptyRoomTtlMs - 1);
    expect(ok(sweep(state, w.ctx())).events).toEqual([]);
    w.advance(1);
    const out = ok(sweep(state, w.ctx()));
    expect(out.events).toEqual([expect.objectContaining({ type: 'room-terminated', code, reason: 'expired' })]);
    expect(out.state.rooms.size).toBe(0);
    expect(out.state.roomByPeer.size).toBe(0);
  });

  it('ends a room no supervisor ever connected to after the unclaimed-room time', () => {
    const w = world();
    const created = ok(createRoom(emptyRegistry, { name: 'R', hostName: 'T', listed: true, address: 'x' }, w.ctx()));
    const code = created.value.room.code;
    w.advance(limits.unclaimedRoomTtlMs - 1);
    const before = ok(sweep(created.state, w.ctx()));
    expect(before.state.rooms.has(code)).toBe(true);
    w.advance(1);
    const out = ok(sweep(before.state, w.ctx()));
    expect(out.events).toEqual([expect.objectContaining({ type: 'room-terminated', code, reason: 'expired' })]);
    expect(out.state.rooms.size).toBe(0);
  });

  it('keeps a room whose host connected once, for the empty-room time', () => {
    const w = world();
    const created = ok(createRoom(emptyRegistry, { name: 'R', hostName: 'T', listed: true, address: 'x' }, w.ctx()));
    const { room, member } = created.value;
    let state = ok(peerConnected(created.state, member.peerId, w.ctx())).state;
    state = ok(peerDisconnected(state, member.peerId, w.ctx())).state;
    w.advance(limits.reconnectGraceMs);
    state = ok(sweep(state, w.ctx())).state;
    expect(state.rooms.get(room.code)?.members).toEqual([]);
    w.advance(limits.unclaimedRoomTtlMs);
    state = ok(sweep(state, w.ctx())).state;
    expect(state.rooms.has(room.code)).toBe(true);
    w.advance(limits.emptyRoomTtlMs - limits.unclaimedRoomTtlMs);
    expect(ok(sweep(state, w.ctx())).state.rooms.has(room.code)).toBe(false);
  });

  it('does not change the state it was given', () => {
    const { w, code, ada, host, state } = classroom();
    const before = JSON.stringify([...state.rooms.values()]);
    leaveRoom(state, { code, memberId: ada.id }, w.ctx());
    setSharing(state, { code, memberId: ada.id, sharing: true }, { now: 0 });
    terminateRoom(state, { code, actorId: host.id });
    expect(JSON.stringify([...state.rooms.values()])).toBe(before);
    expect(state.roomByPeer.size).toBe(4);
  });
});

const always: RelayPolicy = { ...routing, mode: 'always' };

describe('routes', () => {
  it('are decided inside the operations: a third supervisor moves the room to the relay once the hold ran out', () => {
    const { w, code, key, state } = classroom();
    const up = ok(setRelayUp(state, { peerId: 'relay1', up: true }, w.ctx())).state;
    const created = up.rooms.get(code)!.routes.transportSince;
    const third = ok(joinRoom(up, { code, name: 'Ms Kay', role: 'supervisor', supervisorKey: key }, w.ctx()));
    // Held: the room has been peer to peer for less than the hold time.
    expect(types(third.events)).toEqual(['member-joined']);
    expect(third.state.rooms.get(code)!.routes.transport).toBe('mesh');
    const present = ok(peerConnected(third.state, third.value.member.peerId, w.ctx())).state;
    w.advance(routing.holdMs);
    // The sweep runs on the store's clock; the hold has run out since the room opened.
    const swept = ok(sweep(present, w.ctx()));
    expect(swept.events).toEqual([{ type: 'routes-changed', code }]);
    expect(swept.state.rooms.get(code)!.routes).toMatchObject({ transport: 'relay', transportSince: w.ctx().now });
    expect(w.ctx().now - created).toBeGreaterThanOrEqual(routing.holdMs);
    expect(ok(sweep(swept.state, w.ctx())).events).toEqual([]);
  });

  it('follow the relay up and down in one operation, once per change', () => {
    const { w, code, state } = classroom(world(1_000_000, always));
    expect(state.rooms.get(code)!.routes.transport).toBe('mesh');
    w.advance(5000);
    const up = ok(setRelayUp(state, { peerId: 'relay1', up: true }, w.ctx()));
    expect(up.events).toEqual([{ type: 'routes-changed', code }]);
    expect(up.state.relays.get('relay1')).toBe(true);
    expect(up.state.rooms.get(code)!.routes).toMatchObject({ transport: 'relay', transportSince: w.ctx().now });
    const again = ok(setRelayUp(up.state, { peerId: 'relay1', up: true }, w.ctx()));
    expect(again).toMatchObject({ events: [] });
    expect(again.state).toBe(up.state);
    const down = ok(setRelayUp(up.state, { peerId: 'relay1', up: false }, w.ctx()));
    expect(down.events).toEqual([{ type: 'routes-changed', code }]);
    expect(down.state.rooms.get(code)!.routes.transport).toBe('mesh');
  });

  it('are there from the start: a room opened while the relay is up is born relayed in always mode', () => {
    const w = world(1_000_000, always);
    const up = ok(setRelayUp(emptyRegistry, { peerId: 'relay1', up: true }, w.ctx())).state;
    const out = ok(
      createRoom(up, { name: 'Maths', hostName: 'Ms Lee', listed: false, address: '198.51.100.1' }, w.ctx()),
    );
    expect(types(out.events)).toEqual(['room-created']);
    expect(out.value.room.routes.transport).toBe('relay');
  });
});

describe('reportDirectConnection', () => {
  it('ends a room’s race at the first direct call up, and remembers the network, so its next room does not race', () => {
    const { w, code, state, ada, bo, host } = classroom();
    const up = ok(setRelayUp(state, { peerId: 'relay1', up: true }, w.ctx())).state;
    expect(up.rooms.get(code)!.routes).toMatchObject({ transport: 'mesh', racing: true });
    const first = ok(reportDirectConnection(up, { code, memberId: ada.id, with: host.id }, w.ctx()));
    expect(first.value).toBe(true);
    expect(first.events).toEqual([{ type: 'routes-changed', code }]);
    expect(first.state.rooms.get(code)!.routes).toMatchObject({ transport: 'mesh', racing: false });
    expect([...first.state.directNetworks]).toEqual([['198.51.100.0/24', w.ctx().now]]);
    // A second report changes nothing, and is said not to count.
    const second = ok(reportDirectConnection(first.state, { code, memberId: bo.id, with: host.id }, w.ctx()));
    expect(second).toMatchObject({ value: false, events: [] });
    expect(second.state).toBe(first.state);
    // The next lesson on that network goes peer to peer at once; another network races.
    const open = (from: RegistryState, address: string) =>
      ok(createRoom(from, { name: 'Maths 7C', hostName: 'Ms Lee', listed: true, address }, w.ctx())).value.room;
    w.advance(60_000);
    expect(open(first.state, '198.51.100.77').routes).toMatchObject({ transport: 'mesh', racing: false });
    expect(open(first.state, '203.0.113.5').routes).toMatchObject({ transport: 'mesh', racing: true });
    // Seen isolating devices since: what was seen last wins.
    const isolated = ok(reportConnectionFailure(first.state, { code, memberId: bo.id, with: host.id }, w.ctx())).state;
    const later = ok(reportConnectionFailure(isolated, { code, memberId: ada.id, with: host.id }, w.ctx())).state;
    expect(open(later, '198.51.100.77').routes).toMatchObject({ transport: 'relay', racing: false });
  });

  it('refuses a report about oneself or a member of one’s own role', () => {
    const { w, code, state, ada, bo } = classroom();
    expect(reportDirectConnection(state, { code, memberId: ada.id, with: bo.id }, w.ctx())).toMatchObject({
      ok: false,
      error: 'wrong-role',
    });
    expect(reportDirectConnection(state, { code, memberId: ada.id, with: ada.id }, w.ctx())).toMatchObject({
      ok: false,
      error: 'invalid-target',
    });
  });
});

describe('reportConnectionFailure', () => {
  it('remembers a network that keeps devices apart, so its next room starts on the relay; another network does not', () => {
    const { w, code, state, ada, bo, host } = classroom();
    const up = ok(setRelayUp(state, { peerId: 'relay1', up: true }, w.ctx())).state;
    const once = ok(reportConnectionFailure(up, { code, memberId: ada.id, with: host.id }, w.ctx())).state;
    expect(once.isolatedNetworks.size).toBe(0);
    const twice = ok(reportConnectionFailure(once, { code, memberId: bo.id, with: host.id }, w.ctx())).state;
    expect(twice.rooms.get(code)!.routes.transport).toBe('relay');
    expect([...twice.isolatedNetworks]).toEqual([['198.51.100.0/24', w.ctx().now]]);
    // The next lesson, from another device of that classroom's network: relayed before anyone shares.
    w.advance(24 * 60 * 60 * 1000);
    const open = (address: string) =>
      ok(createRoom(twice, { name: 'Maths 7C', hostName: 'Ms Lee', listed: true, address }, w.ctx())).value.room;
    expect(open('198.51.100.77').routes.transport).toBe('relay');
    expect(open('::ffff:198.51.100.78').routes.transport).toBe('relay');
    expect(open('203.0.113.5').routes.transport).toBe('mesh');
    // Remembered for NETWORK_MEMORY_MS from when it was last seen, then learnt again.
    w.advance(NETWORK_MEMORY_MS);
    expect(open('198.51.100.77').routes.transport).toBe('mesh');
  });

  it('marks a direct pair failed at its first report, whoever of the two sends it', () => {
    const { w, code, state, ada, bo, host } = classroom();
    const first = ok(reportConnectionFailure(state, { code, memberId: host.id, with: ada.id }, w.ctx()));
    expect(first.value).toBe(true);
    expect(failedPairs(first.state.rooms.get(code)!.routes)).toEqual([`${ada.id}/${host.id}`]);
    // Other pairs are untouched.
    const other = ok(reportConnectionFailure(first.state, { code, memberId: bo.id, with: host.id }, w.ctx()));
    expect(failedPairs(other.state.rooms.get(code)!.routes)).toEqual([`${ada.id}/${host.id}`, `${bo.id}/${host.id}`]);
  });

  it('relays the failed pair in the same operation while the relay is up, and when it comes up', () => {
    const { w, code, state, ada, host } = classroom();
    const pair = `${ada.id}/${host.id}`;
    const up = ok(setRelayUp(state, { peerId: 'relay1', up: true }, w.ctx())).state;
    const once = ok(reportConnectionFailure(up, { code, memberId: ada.id, with: host.id }, w.ctx()));
    expect(once.events).toEqual([{ type: 'routes-changed', code }]);
    expect(once.state.rooms.get(code)!.routes).toMatchObject({
      transport: 'mesh',
      relayedPairs: [pair],
      unroutablePairs: [],
    });
    // Without a relay the pair has no route, and every supervisor hears so; the relay coming up gives it one.
    const down = ok(reportConnectionFailure(state, { code, memberId: ada.id, with: host.id }, w.ctx()));
    expect(down.events).toEqual([{ type: 'routes-changed', code }]);
    expect(down.state.rooms.get(code)!.routes).toMatchObject({ relayedPairs: [], unroutablePairs: [pair] });
    expect(
      ok(setRelayUp(down.state, { peerId: 'relay1', up: true }, w.ctx())).state.rooms.get(code)!.routes,
    ).toMatchObject({ relayedPairs: [pair], unroutablePairs: [] });
  });

  it('does not count a direct failure of a pair that goes through the relay', () => {
    const { w, code, state, ada, host } = classroom(world(1_000_000, always));
    const relayed = ok(setRelayUp(state, { peerId: 'relay1', up: true }, w.ctx())).state;
    const out = ok(reportConnectionFailure(relayed, { code, memberId: ada.id, with: host.id }, w.ctx()));
    expect(out.value).toBe(false);
    expect(out.state).toBe(relayed);
  });

  it('sends a member who cannot reach the relay direct after two failures, and says so', () => {
    const { w, code, state, ada, host } = classroom(world(1_000_000, always));
    const relayed = ok(setRelayUp(state, { peerId: 'relay1', up: true }, w.ctx())).state;
    const once = ok(reportConnectionFailure(relayed, { code, memberId: ada.id, with: 'relay' }, w.ctx()));
    expect(once.events).toEqual([]);
    const twice = ok(reportConnectionFailure(once.state, { code, memberId: ada.id, with: 'relay' }, w.ctx()));
    expect(twice.events).toEqual([{ type: 'routes-changed', code }]);
    expect(twice.state.rooms.get(code)!.routes.directMembers).toEqual([ada.id]);
    // A supervisor's relay failures count for the supervisor.
    let next = twice.state;
    for (let i = 0; i < 2; i++)
      next = ok(reportConnectionFailure(next, { code, memberId: host.id, with: 'relay' }, w.ctx())).state;
    expect(next.rooms.get(code)!.routes.directMembers).toEqual([ada.id, host.id]);
  });

  it('ignores relay failures of members whose screens do not go through the relay', () => {
    const { w, code, state, ada, host } = classroom();
    for (const memberId of [ada.id, host.id]) {
      const out = ok(reportConnectionFailure(state, { code, memberId, with: 'relay' }, w.ctx()));
      expect(out).toMatchObject({ value: false, events: [] });
      expect(out.state).toBe(state);
    }
  });

  it('refuses reports that name no member of the other role', () => {
    const { w, code, state, ada, bo, host, coTeacher } = classroom();
    expect(reportConnectionFailure(state, { code, memberId: ada.id, with: bo.id }, w.ctx())).toEqual({
      ok: false,
      error: 'wrong-role',
    });
    expect(reportConnectionFailure(state, { code, memberId: host.id, with: coTeacher.id }, w.ctx())).toEqual({
      ok: false,
      error: 'wrong-role',
    });
    expect(reportConnectionFailure(state, { code, memberId: ada.id, with: ada.id }, w.ctx())).toEqual({
      ok: false,
      error: 'invalid-target',
    });
    expect(reportConnectionFailure(state, { code, memberId: ada.id, with: 'nobody' }, w.ctx())).toEqual({
      ok: false,
      error: 'member-not-found',
    });
  });

  it('forgets a member’s failures and routes when they leave', () => {
    const { w, code, state, ada, host } = classroom(world(1_000_000, always));
    let next = ok(setRelayUp(state, { peerId: 'relay1', up: true }, w.ctx())).state;
    for (let i = 0; i < 2; i++) {
      next = ok(reportConnectionFailure(next, { code, memberId: ada.id, with: 'relay' }, w.ctx())).state;
      next = ok(reportConnectionFailure(next, { code, memberId: host.id, with: ada.id }, w.ctx())).state;
    }
    expect(next.rooms.get(code)!.routes.directMembers).toEqual([ada.id]);
    const left = ok(leaveRoom(next, { code, memberId: ada.id }, w.ctx()));
    expect(left.events).toContainEqual({ type: 'routes-changed', code });
    const room = left.state.rooms.get(code)!;
    expect(room.routes).toMatchObject({ relayedPairs: [], directMembers: [] });
    expect(room.routes.failures.size).toBe(0);
  });
});

describe('networkOf', () => {
  it('names an address’s /24 or /64, and nothing for what is not an address', () => {
    expect(networkOf('198.51.100.23')).toBe('198.51.100.0/24');
    expect(networkOf('::ffff:198.51.100.23')).toBe('198.51.100.0/24');
    expect(networkOf('2001:db8:0:12::7')).toBe('2001:db8:0:12::/64');
    expect(networkOf('2001:0DB8:0000:0012:0:0:0:1%eth0')).toBe('2001:db8:0:12::/64');
    expect(networkOf('::1')).toBe('0:0:0:0::/64');
    for (const bad of ['', 'localhost', '2001:db8::1::2', '1:2:3:4:5:6:7:8:9', 'gggg::1'])
      expect(networkOf(bad), bad).toBe(null);
  });
});

describe('waiting to be let in to a rostered lesson', () => {
  /** A lesson of a class with a roster, its teacher connected, and Zed asking to join (signed in as acct-zed). */
  function lessonWithZedWaiting(w = world()) {
    const created = ok(
      createRoom(
        emptyRegistry,
        {
          name: 'Period 3 Biology',
          hostName: 'Ms Lee',
          listed: false,
          address: '198.51.100.1',
          lesson: { classId: 'c1', lessonId: 'l1', rostered: true },
        },
        w.ctx(),
      ),
    );
    const code = created.value.room.code;
    const host = created.value.member;
    const state = ok(peerConnected(created.state, host.peerId, w.ctx())).state;
    const zed = ok(requestAdmission(state, { code, name: 'Zed', accountId: 'acct-zed' }, w.ctx()));
    return { w, code, host, state: zed.state, token: zed.value.token, waitingId: zed.value.waiting.id };
  }
  const waitingNames = (state: RegistryState, code: string) =>
    state.rooms.get(code)!.lesson!.waiting.map((waiting) => waiting.name);

  it('drops a wait nobody asked after for WAITING_TTL_MS, and tells the teachers', () => {
    const { w, code, state, token } = lessonWithZedWaiting();
    w.advance(WAITING_TTL_MS - 1);
    const before = ok(sweep(state, w.ctx()));
    expect(waitingNames(before.state, code)).toEqual(['Zed']);
    expect(types(before.events)).not.toContain('waiting-changed');
    w.advance(1);
    const swept = ok(sweep(before.state, w.ctx()));
    expect(waitingNames(swept.state, code)).toEqual([]);
    expect(swept.events).toContainEqual({ type: 'waiting-changed', code });
    expect(waitingIn(swept.state, code, token)).toBeUndefined();
    expect(askAfterAdmission(swept.state, { code, token }, w.ctx())).toEqual({ ok: false, error: 'waiting-not-found' });
  });

  it('keeps a wait its app asks after every 2 s for as long as it asks, writing the ask down at most every WAITING_SEEN_STEP_MS', () => {
    const { w, code, token, ...start } = lessonWithZedWaiting();
    let state = start.state;
    let writes = 0;
    for (let t = 0; t < 10 * 60_000; t += 2_000) {
      w.advance(2_000);
      const asked = ok(askAfterAdmission(state, { code, token }, w.ctx()));
      expect(asked.events).toEqual([]);
      if (asked.state !== state) writes++;
      state = ok(sweep(asked.state, w.ctx())).state;
    }
    expect(waitingNames(state, code)).toEqual(['Zed']);
    expect(writes).toBe((10 * 60_000) / WAITING_SEEN_STEP_MS);
    expect(askAfterAdmission(state, { code, token: 'not-a-token' }, w.ctx())).toEqual({
      ok: false,
      error: 'waiting-not-found',
    });
  });

  it('drops only the waits that went quiet', () => {
    const { w, code, token, ...start } = lessonWithZedWaiting();
    const amy = ok(requestAdmission(start.state, { code, name: 'Amy' }, w.ctx()));
    let state = amy.state;
    for (let t = 0; t < WAITING_TTL_MS; t += 2_000) {
      w.advance(2_000);
      state = ok(askAfterAdmission(state, { code, token: amy.value.token }, w.ctx())).state;
      state = ok(sweep(state, w.ctx())).state;
    }
    expect(waitingNames(state, code)).toEqual(['Amy']);
    expect(waitingIn(state, code, token)).toBeUndefined();
  });

  it('lets a student stop waiting of their own accord', () => {
    const { w, code, state, token } = lessonWithZedWaiting();
    const withdrawn = ok(withdrawAdmission(state, { code, token }));
    expect(withdrawn.events).toEqual([{ type: 'waiting-changed', code }]);
    expect(waitingNames(withdrawn.state, code)).toEqual([]);
    expect(withdrawAdmission(withdrawn.state, { code, token })).toEqual({ ok: false, error: 'waiting-not-found' });
    expect(askAfterAdmission(withdrawn.state, { code, token }, w.ctx()).ok).toBe(false);
  });

  it('counts a wait from the start after a restart, as it does a seat', () => {
    const { w, code, state } = lessonWithZedWaiting();
    w.advance(WAITING_TTL_MS + 60_000);
    const resumed = resumeAfterRestart(state, w.ctx().now);
    expect(resumed.rooms.get(code)!.lesson!.waiting[0]!.lastSeenAt).toBe(w.ctx().now);
    w.advance(WAITING_TTL_MS - 1);
    expect(waitingNames(ok(sweep(resumed, w.ctx())).state, code)).toEqual(['Zed']);
  });

  it('seats an admitted signed-in student with their account, which their attendance keeps', () => {
    const { w, code, host, state, waitingId } = lessonWithZedWaiting();
    const admitted = ok(admitStudent(state, { code, actorId: host.id, waitingId }, w.ctx()));
    expect(admitted.value.member).toMatchObject({ name: 'Zed', accountId: 'acct-zed' });
    const room = admitted.state.rooms.get(code)!;
    expect(room.classroom.attendance).toMatchObject([{ name: 'Zed', accountId: 'acct-zed' }]);
    // A supervisor is never recorded by account, a student joining as a roster entry is.
    const key = room.supervisorKey;
    const bo = ok(
      joinRoom(
        admitted.state,
        { code, name: 'Bo Chen', role: 'student', rosterEntry: { id: 'e-bo', name: 'Bo C.' }, accountId: 'acct-bo' },
        w.ctx(),
      ),
    );
    expect(bo.value.member).toMatchObject({ name: 'Bo Chen', rosterEntryId: 'e-bo', accountId: 'acct-bo' });
    const coTeacher = ok(
      joinRoom(
        bo.state,
        { code, name: 'Mr Ode', role: 'supervisor', supervisorKey: key, accountId: 'acct-ode' },
        w.ctx(),
      ),
    );
    expect(coTeacher.value.member).not.toHaveProperty('accountId');
  });
});
