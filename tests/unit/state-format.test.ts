import { afterEach, describe, expect, it, vi } from 'vitest';
import { emptyClassroom } from '../../server/core/classroom.ts';
import { resumeAfterRestart } from '../../server/core/restart.ts';
import {
  classroomAction,
  createRoom,
  emptyRegistry,
  joinRoom,
  peerConnected,
  requestAdmission,
  setSharing,
  sweep,
  type Context,
  type Outcome,
  type RegistryState,
} from '../../server/core/room-registry.ts';
import { SAVE_BUSY_FACTOR, SAVE_DELAY_MS, StateSaver } from '../../server/store/persistence.ts';
import { parseState, serializeState, STATE_VERSION, type Migration } from '../../server/store/state-format.ts';
import type { StateStore } from '../../server/store/state-store.ts';

const limits = {
  maxRooms: 10,
  maxMembersPerRoom: 10,
  reconnectGraceMs: 20_000,
  emptyRoomTtlMs: 600_000,
  maxRoomsPerAddress: 10,
  unclaimedRoomTtlMs: 60_000,
};
let counter = 1;
const ctx = (now: number): Context => ({
  now,
  random: (n) => Uint8Array.from({ length: n }, () => (counter = (counter * 48271) % 2147483647) & 255),
  limits,
  routing: { mode: 'auto', minSupervisors: 3, holdMs: 30_000 },
});

function ok<T>(outcome: Outcome<T>): { state: RegistryState; value: T } {
  if (!outcome.ok) throw new Error(outcome.error);
  return outcome;
}

function classroom(now: number) {
  const created = ok(
    createRoom(emptyRegistry, { name: 'Bio', hostName: 'Ms Lee', listed: true, address: '10.0.0.1' }, ctx(now)),
  );
  const code = created.value.room.code;
  const ada = ok(joinRoom(created.state, { code, name: 'Ada', role: 'student' }, ctx(now)));
  let state = ada.state;
  for (const m of state.rooms.get(code)!.members) state = ok(peerConnected(state, m.peerId, ctx(now))).state;
  return { state, code, hostId: created.value.member.id };
}

/** A saved state as a version-1 server from before `field` wrote it: every room without it. */
function withoutField(text: string, field: string): string {
  const [header, ...rooms] = text.trim().split('\n');
  const older = rooms.map((line) => {
    const room = JSON.parse(line) as Record<string, unknown>;
    delete room[field];
    return JSON.stringify(room);
  });
  return [JSON.stringify({ ...JSON.parse(header!), version: 1 }), ...older].join('\n');
}

describe('state format', () => {
  it('keeps hands, messages, attention, attendance and the site list across a restart; a room saved before them has none', () => {
    const { state, code, hostId } = classroom(1000);
    const adaId = state.rooms.get(code)!.members.find((m) => m.role === 'student')!.id;
    let next = state;
    const act = (actorId: string, action: Parameters<typeof classroomAction>[1]['action']) =>
      (next = ok(classroomAction(next, { code, actorId, action }, ctx(2000))).state);
    act(adaId, { type: 'raise-hand', note: 'Help' });
    act(hostId, { type: 'send-message', to: adaId, text: 'Coming', url: 'https://example.org/' });
    act(hostId, { type: 'start-attention', message: 'Eyes up' });
    act(hostId, { type: 'set-sites', kind: 'allow', sites: ['bio.example', '.docs.example:8080/lesson'] });
    const tools = next.rooms.get(code)!.classroom;
    expect(tools.sites).toMatchObject({ kind: 'allow', sites: ['bio.example', '.docs.example:8080/lesson'] });
    const parsed = parseState(serializeState({ registry: next, relayPeerIds: [], savedAt: 3000 }));
    if (!parsed.ok) throw new Error(parsed.detail);
    expect(parsed.saved.registry.rooms.get(code)!.classroom).toEqual(tools);
    expect(tools.attendance).toHaveLength(1);

    const before = parseState(
      withoutField(serializeState({ registry: state, relayPeerIds: [], savedAt: 3000 }), 'classroom'),
    );
    if (!before.ok) throw new Error(before.detail);
    expect(before.lost).toEqual([]);
    expect(before.saved.registry.rooms.get(code)!.classroom).toEqual(emptyClassroom);
  });

  it('remembers across a restart the networks seen keeping devices apart; a file from before has none', () => {
    const { state } = classroom(1000);
    const remembered = { ...state, isolatedNetworks: new Map([['198.51.100.0/24', 2000]]) };
    const text = serializeState({ registry: remembered, relayPeerIds: [], savedAt: 3000 });
    const parsed = parseState(text);
    if (!parsed.ok) throw new Error(parsed.detail);
    expect(resumeAfterRestart(parsed.saved.registry, 5000).isolatedNetworks).toEqual(remembered.isolatedNetworks);
    const [header, ...rooms] = text.split('\n');
    const { isolatedNetworks: _none, ...older } = JSON.parse(header!) as Record<string, unknown>;
    const before = parseState([JSON.stringify(older), ...rooms].join('\n'));
    if (!before.ok) throw new Error(before.detail);
    expect(before.saved.registry.isolatedNetworks).toEqual(new Map());
  });

  it('keeps the route of a shown screen across a restart; a room saved before it has the mesh', () => {
    const { state, code } = classroom(1000);
    const room = state.rooms.get(code)!;
    const relayed = new Map(state.rooms).set(code, {
      ...room,
      routes: { ...room.routes, presentationTransport: 'relay' as const },
    });
    const text = serializeState({ registry: { ...state, rooms: relayed }, relayPeerIds: [], savedAt: 3000 });
    const parsed = parseState(text);
    if (!parsed.ok) throw new Error(parsed.detail);
    expect(parsed.saved.registry.rooms.get(code)!.routes.presentationTransport).toBe('relay');

    const before = parseState(withoutField(text, 'presentationTransport'));
    if (!before.ok) throw new Error(before.detail);
    expect(before.saved.registry.rooms.get(code)!.routes.presentationTransport).toBe('mesh');
  });

  it('reads a file of the first release, before any field version 1 gained, as the rooms it held', () => {
    const code = 'K7QP2M';
    const first = [
      { format: 'classroom-screens-state', version: 1, savedAt: 5, relayPeerId: 'relay1' },
      {
        code,
        name: 'Bio',
        listed: true,
        supervisorKey: 'key',
        createdAt: 1000,
        hostId: 'm1',
        orphanedSince: null,
        transport: 'mesh',
        transportSince: 1000,
        relayedPairs: [],
        directMembers: [],
        failures: [],
        members: [
          { id: 'm1', role: 'supervisor', name: 'Ms Lee', peerId: 'p1', tokenHash: 'a'.repeat(64), joinedAt: 1000 },
          {
            id: 'm2',
            role: 'student',
            name: 'Ada',
            peerId: 'p2',
            tokenHash: 'b'.repeat(64),
            joinedAt: 1000,
            sharing: true,
          },
        ],
      },
    ]
      .map((line) => JSON.stringify(line))
      .join('\n');
    const parsed = parseState(first);
    if (!parsed.ok) throw new Error(parsed.detail);
    expect(parsed.lost).toEqual([]);
    expect(parsed.fromVersion).toBe(1);
    expect(parsed.saved.relayPeerIds).toEqual(['relay1']);
    const room = parsed.saved.registry.rooms.get(code)!;
    expect(room.members.map((m) => [m.name, m.share])).toEqual([
      ['Ms Lee', 'never'],
      ['Ada', 'sharing'],
    ]);
    expect(room.routes).toMatchObject({ unroutablePairs: [], relayPeerId: null, presentationTransport: 'mesh' });
    expect(room).toMatchObject({ createdBy: '', claimed: true });
    expect(room.classroom).toEqual(emptyClassroom);
    // Saved again, it is the current version and reads back the same.
    const again = parseState(serializeState(parsed.saved));
    expect(again.ok && again.fromVersion).toBe(STATE_VERSION);
    expect(again.ok && again.saved.registry.rooms.get(code)).toEqual(room);
  });

  it('keeps the lesson a room is, who waits to be admitted, roster entries, accounts and hand counts; a version-2 room is no lesson and counted no hands', () => {
    const created = ok(
      createRoom(
        emptyRegistry,
        {
          name: 'Bio',
          hostName: 'Ms Lee',
          listed: false,
          address: '10.0.0.1',
          lesson: { classId: 'c1', lessonId: 'l1', rostered: true },
        },
        ctx(1000),
      ),
    );
    const code = created.value.room.code;
    const ada = ok(
      joinRoom(
        created.state,
        { code, name: 'Ada', role: 'student', rosterEntry: { id: 'entry-ada', name: 'Ada' }, accountId: 'acct-ada' },
        ctx(1000),
      ),
    );
    const adaId = ada.value.member.id;
    const raised = ok(
      classroomAction(ada.state, { code, actorId: adaId, action: { type: 'raise-hand', note: '' } }, ctx(2000)),
    );
    // A new note on a raised hand is not another hand.
    const noted = ok(
      classroomAction(raised.state, { code, actorId: adaId, action: { type: 'raise-hand', note: 'Q' } }, ctx(2500)),
    );
    const zed = ok(requestAdmission(noted.state, { code, name: 'Zed', accountId: 'acct-zed' }, ctx(2600)));
    const text = serializeState({ registry: zed.state, relayPeerIds: [], savedAt: 3000 });
    const parsed = parseState(text);
    if (!parsed.ok) throw new Error(parsed.detail);
    const room = parsed.saved.registry.rooms.get(code)!;
    expect(room.lesson).toEqual({
      classId: 'c1',
      lessonId: 'l1',
      rostered: true,
      waiting: [
        {
          id: zed.value.waiting.id,
          name: 'Zed',
          tokenHash: zed.value.waiting.tokenHash,
          since: 2600,
          lastSeenAt: 2600,
          accountId: 'acct-zed',
        },
      ],
    });
    expect(room.members.find((m) => m.id === adaId)).toMatchObject({
      rosterEntryId: 'entry-ada',
      accountId: 'acct-ada',
    });
    expect(room.classroom.attendance.map((r) => [r.handsRaised, r.rosterEntryId, r.accountId])).toEqual([
      [1, 'entry-ada', 'acct-ada'],
    ]);
    // Saved before waits expired: a wait is last seen when it began.
    const unseen = text.replace('"lastSeenAt":2600,', '');
    expect(unseen).not.toBe(text);
    const reread = parseState(unseen);
    if (!reread.ok) throw new Error(reread.detail);
    expect(reread.saved.registry.rooms.get(code)!.lesson!.waiting[0]!.lastSeenAt).toBe(2600);

    const [header, ...rooms] = text.trim().split('\n');
    const v2 = [
      JSON.stringify({ ...JSON.parse(header!), version: 2 }),
      ...rooms.map((line) => {
        const {
          lesson: _lesson,
          classroom,
          members,
          ...rest
        } = JSON.parse(line) as {
          lesson: unknown;
          members: Record<string, unknown>[];
          classroom: { attendance: Record<string, unknown>[] };
        };
        const attendance = classroom.attendance.map(
          ({ handsRaised: _hands, rosterEntryId: _entry, accountId: _account, ...r }) => r,
        );
        const plain = members.map(({ rosterEntryId: _entry, accountId: _account, ...m }) => m);
        return JSON.stringify({ ...rest, members: plain, classroom: { ...classroom, attendance } });
      }),
    ].join('\n');
    const older = parseState(v2);
    if (!older.ok) throw new Error(older.detail);
    expect(older.lost).toEqual([]);
    expect(older.fromVersion).toBe(2);
    const migrated = older.saved.registry.rooms.get(code)!;
    expect(migrated.lesson).toBeNull();
    expect(migrated.classroom.attendance.map((r) => [r.name, r.handsRaised])).toEqual([['Ada', 0]]);
  });

  it('migrates an older version step by step before reading it', () => {
    const { state } = classroom(1000);
    const current = serializeState({ registry: state, relayPeerIds: ['relay1'], savedAt: 5 });
    // A made-up version 0 that called rooms' names "title": what a real migration would undo.
    const [header, ...rooms] = current.trim().split('\n');
    const v0 = [
      JSON.stringify({ ...JSON.parse(header!), version: STATE_VERSION - 1 }),
      ...rooms.map((line) => {
        const { name, ...rest } = JSON.parse(line) as { name: string };
        return JSON.stringify({ ...rest, title: name });
      }),
    ].join('\n');
    const migration: Migration = (doc) => ({
      header: { ...doc.header, version: STATE_VERSION },
      rooms: doc.rooms.map((r) => {
        const { title, ...rest } = r as { title: string };
        return { ...rest, name: title };
      }),
    });
    const parsed = parseState(v0, { [STATE_VERSION - 1]: migration });
    expect(parsed.ok && parsed.fromVersion).toBe(STATE_VERSION - 1);
    expect(parsed.ok && [...parsed.saved.registry.rooms.values()].map((r) => r.name)).toEqual(['Bio']);
    // Without the migration the old text is not guessed at.
    expect(parseState(v0, {})).toEqual({
      ok: false,
      problem: 'unreadable',
      detail: `no migration from format version ${STATE_VERSION - 1}`,
    });
  });

  it('drops a room that clashes with an earlier one instead of serving two rooms with one member', () => {
    const { state } = classroom(1000);
    const text = serializeState({ registry: state, relayPeerIds: [], savedAt: 5 });
    const [header, room] = text.trim().split('\n');
    const twin = JSON.stringify({ ...JSON.parse(room!), code: 'TWIN22' });
    const parsed = parseState([header, room, twin].join('\n'));
    expect(parsed.ok && [...parsed.saved.registry.rooms.keys()]).toHaveLength(1);
    expect(parsed.ok && parsed.lost).toEqual(['room TWIN22: a member id is used twice; the room is lost']);
  });
});

describe('resumeAfterRestart', () => {
  it('gives every member the full reconnect grace from the start, keeps the host, and lets the room TTL carry on', () => {
    const { state, code, hostId } = classroom(1000);
    const text = serializeState({ registry: state, relayPeerIds: [], savedAt: 2000 });
    const parsed = parseState(text);
    if (!parsed.ok) throw new Error(parsed.detail);
    // The server was down for an hour: longer than the grace.
    const startedAt = 1000 + 3_600_000;
    const resumed = resumeAfterRestart(parsed.saved.registry, startedAt);
    const room = resumed.rooms.get(code)!;
    expect(room.hostId).toBe(hostId);
    expect(room.members.map((m) => [m.connected, m.offlineSince])).toEqual([
      [false, startedAt],
      [false, startedAt],
    ]);
    // Nobody is swept just before the grace ends; everyone not back is swept at its end.
    expect(
      ok(sweep(resumed, ctx(startedAt + limits.reconnectGraceMs - 1))).state.rooms.get(code)!.members,
    ).toHaveLength(2);
    const host = room.members.find((m) => m.id === hostId)!;
    const back = ok(peerConnected(resumed, host.peerId, ctx(startedAt))).state;
    const swept = ok(sweep(back, ctx(startedAt + limits.reconnectGraceMs))).state.rooms.get(code)!;
    expect(swept.members.map((m) => m.name)).toEqual(['Ms Lee']);
    expect(swept.hostId).toBe(hostId);
  });
});

describe('StateSaver', () => {
  afterEach(() => vi.useRealTimers());

  /** A store that records writes and can be made to fail. */
  function fakeStore() {
    const writes: string[] = [];
    let failing = false;
    const store: StateStore = {
      kind: 'file',
      where: 'fake',
      read: async () => writes.at(-1) ?? null,
      write: async (text) => {
        if (failing) throw new Error('store away');
        writes.push(text);
      },
      keepAside: async () => 'aside',
      close: async () => undefined,
    };
    return { store, writes, fail: (on: boolean) => (failing = on) };
  }
  const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

  it('saves a burst of changes as one write, within SAVE_DELAY_MS of the first', async () => {
    vi.useFakeTimers();
    const { store, writes } = fakeStore();
    let { state } = classroom(1000);
    const saver = new StateSaver({
      store,
      read: () => ({ registry: state, relayPeerIds: [] }),
      clock: Date.now,
      log: quiet,
    });
    const code = [...state.rooms.keys()][0]!;
    for (let i = 0; i < 5; i++) {
      state = ok(joinRoom(state, { code, name: `S${i}`, role: 'student' }, ctx(1000))).state;
      saver.changed();
    }
    await vi.advanceTimersByTimeAsync(SAVE_DELAY_MS - 1);
    expect(writes).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(writes).toHaveLength(1);
    expect(writes[0]).toContain('"name":"S4"');
    await vi.advanceTimersByTimeAsync(10 * SAVE_DELAY_MS);
    expect(writes).toHaveLength(1);
  });

  it("serialises only the rooms that changed since the last save, and writes every room's line", async () => {
    vi.useFakeTimers();
    const { store, writes } = fakeStore();
    let state = emptyRegistry;
    for (let i = 0; i < 10; i++) {
      const input = { name: `Class ${i}`, hostName: 'Ms Lee', listed: true, address: '198.51.100.1' };
      state = ok(createRoom(state, input, ctx(1000))).state;
    }
    const saver = new StateSaver({
      store,
      read: () => ({ registry: state, relayPeerIds: [] }),
      clock: Date.now,
      log: quiet,
    });
    const stringify = vi.spyOn(JSON, 'stringify');
    saver.changed();
    await vi.advanceTimersByTimeAsync(SAVE_DELAY_MS);
    // The header and ten rooms.
    expect(stringify).toHaveBeenCalledTimes(11);
    stringify.mockClear();
    const code = [...state.rooms.keys()][3]!;
    state = ok(joinRoom(state, { code, name: 'Ada', role: 'student' }, ctx(2000))).state;
    saver.changed();
    await vi.advanceTimersByTimeAsync(SAVE_DELAY_MS);
    // The header and the one room Ada joined.
    expect(stringify).toHaveBeenCalledTimes(2);
    stringify.mockRestore();
    const parsed = parseState(writes.at(-1)!);
    expect(parsed.ok && parsed.saved.registry.rooms.size).toBe(10);
    expect(parsed.ok && parsed.saved.registry.rooms.get(code)!.members.map((m) => m.name)).toEqual(['Ms Lee', 'Ada']);
  });

  it(`spends at most 1 / (1 + ${SAVE_BUSY_FACTOR}) of the time saving when saves are slow`, async () => {
    vi.useFakeTimers();
    const writes: number[] = [];
    const slowStore: StateStore = {
      kind: 'file',
      where: 'slow',
      read: async () => null,
      // Each write takes one second, as a large state on a slow disk might.
      write: () => new Promise((resolve) => setTimeout(() => resolve(void writes.push(Date.now())), 1000)),
      keepAside: async () => 'aside',
      close: async () => undefined,
    };
    let { state } = classroom(1000);
    const code = [...state.rooms.keys()][0]!;
    const saver = new StateSaver({
      store: slowStore,
      read: () => ({ registry: state, relayPeerIds: [] }),
      clock: Date.now,
      log: quiet,
    });
    const started = Date.now();
    // A change every 50 ms for 30 s.
    for (let t = 0; t < 30_000; t += 50) {
      state = ok(
        setSharing(state, { code, memberId: state.rooms.get(code)!.members[1]!.id, sharing: t % 100 === 0 }, ctx(1000)),
      ).state;
      saver.changed();
      await vi.advanceTimersByTimeAsync(50);
    }
    await vi.advanceTimersByTimeAsync(10_000);
    // One second of writing, then four of waiting: six saves in 30 s, and the last change saved.
    expect(writes.length).toBeGreaterThanOrEqual(6);
    expect(writes.length).toBeLessThanOrEqual(7);
    for (let i = 1; i < writes.length; i++) expect(writes[i]! - writes[i - 1]!).toBeGreaterThanOrEqual(5000);
    expect(writes.at(-1)! - started).toBeGreaterThan(30_000);
    // A change that comes after a quiet moment shorter than the rest is saved once the rest is over.
    const quietFrom = Date.now();
    state = ok(
      setSharing(state, { code, memberId: state.rooms.get(code)!.members[1]!.id, sharing: false }, ctx(1000)),
    ).state;
    saver.changed();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(writes.at(-1)! - quietFrom).toBeLessThanOrEqual(SAVE_DELAY_MS + 1000);
    const lastWrite = writes.at(-1)!;
    await vi.advanceTimersByTimeAsync(100);
    state = ok(
      setSharing(state, { code, memberId: state.rooms.get(code)!.members[1]!.id, sharing: true }, ctx(1000)),
    ).state;
    saver.changed();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(writes.at(-1)! - lastWrite).toBeGreaterThanOrEqual(SAVE_BUSY_FACTOR * 1000 + 1000);
  });

  it('keeps the change while the store fails and writes it once the store is back', async () => {
    vi.useFakeTimers();
    const { store, writes, fail } = fakeStore();
    const { state } = classroom(1000);
    const saver = new StateSaver({
      store,
      read: () => ({ registry: state, relayPeerIds: [] }),
      clock: Date.now,
      log: quiet,
    });
    fail(true);
    saver.changed();
    await vi.advanceTimersByTimeAsync(SAVE_DELAY_MS);
    expect(saver.status).toBe('failing');
    fail(false);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(saver.status).toBe('ok');
    expect(writes).toHaveLength(1);
  });
});
