/**
 * The store contract, run against every store: the file in DATA_DIR and a real redis-server on
 * loopback. Save, load, damaged copies kept aside, and tokens never in clear.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  authenticate,
  createRoom,
  emptyRegistry,
  joinRoom,
  peerConnected,
  setSharing,
  type Context,
  type NewSeat,
  type Outcome,
  type RegistryState,
} from '../../server/core/room-registry.ts';
import { openFileStore, STATE_FILE } from '../../server/store/file-store.ts';
import { openStateStore, StoreUnavailable } from '../../server/store/open-store.ts';
import { loadState, StateSaver } from '../../server/store/persistence.ts';
import { STATE_VERSION } from '../../server/store/state-format.ts';
import { STATE_KEY } from '../../server/store/redis-store.ts';
import { serializeState } from '../../server/store/state-format.ts';
import type { StateStore } from '../../server/store/state-store.ts';
import { startRedis, type TestRedis } from '../helpers/redis.ts';

const ctx = (): Context => ({
  now: Date.now(),
  random: (n) => randomBytes(n),
  limits: {
    maxRooms: 100,
    maxMembersPerRoom: 100,
    reconnectGraceMs: 20_000,
    emptyRoomTtlMs: 600_000,
    maxRoomsPerAddress: 100,
    unclaimedRoomTtlMs: 60_000,
  },
  routing: { mode: 'auto', minSupervisors: 3, holdMs: 30_000 },
});

function ok<T>(outcome: Outcome<T>): { state: RegistryState; value: T } {
  if (!outcome.ok) throw new Error(outcome.error);
  return outcome;
}

/** Two rooms: a host, a co-teacher and students (some sharing), everyone connected; with every token handed out. */
function twoClasses() {
  let state = emptyRegistry;
  const tokens: string[] = [];
  const seats: NewSeat[] = [];
  for (const name of ['Maths 7B', 'Art 9A']) {
    const created = ok(createRoom(state, { name, hostName: 'Ms Lee', listed: true, address: '198.51.100.1' }, ctx()));
    state = created.state;
    seats.push(created.value);
    const { code, supervisorKey } = created.value.room;
    for (const [who, role] of [
      ['Mr Ode', 'supervisor'],
      ['Ada', 'student'],
      ['Bo', 'student'],
    ] as const) {
      const joined = ok(joinRoom(state, { code, name: who, role, supervisorKey }, ctx()));
      state = joined.state;
      seats.push(joined.value);
    }
  }
  for (const seat of seats) {
    state = ok(peerConnected(state, seat.member.peerId, ctx())).state;
    tokens.push(seat.token);
    if (seat.member.name === 'Ada') {
      state = ok(
        setSharing(state, { code: seat.room.code, memberId: seat.member.id, sharing: true }, { now: 0 }),
      ).state;
    }
  }
  return { state, seats, tokens };
}

/** A logger that keeps what it was told. */
function memoryLog() {
  const lines: { level: string; obj: object; msg: string }[] = [];
  const at = (level: string) => (obj: object, msg: string) => lines.push({ level, obj, msg });
  return { lines, info: at('info'), warn: at('warn'), error: at('error') };
}

interface Harness {
  store: StateStore;
  /** Every stored value, as raw text, to look for secrets. */
  raw(): Promise<string[]>;
  /** The text kept at an aside name. */
  aside(name: string): Promise<string | null>;
}

let redis: TestRedis;
const admins: Redis[] = [];
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await Promise.all(admins.map((a) => a.quit()));
  await redis?.stop();
});

const stores: [string, () => Promise<Harness>][] = [
  [
    'file store',
    async () => {
      const dir = join(mkdtempSync(join(tmpdir(), 'classroom-store-')), 'data');
      const store = await openFileStore(dir);
      return {
        store,
        raw: async () => readdirSync(dir).map((f) => readFileSync(join(dir, f), 'utf8')),
        aside: async (name) => readFileSync(name, 'utf8'),
      };
    },
  ],
  [
    'redis store',
    async () => {
      const admin = new Redis(redis.url);
      admins.push(admin);
      await admin.flushdb();
      const store = (await openStateStore({ kind: 'redis', url: redis.url }, () => undefined))!;
      return {
        store,
        raw: async () => {
          const keys = await admin.keys('*');
          return Promise.all(keys.map(async (k) => (await admin.get(k)) ?? ''));
        },
        aside: (name) => admin.get(name),
      };
    },
  ],
];

describe.each(stores)('%s', (_name, open) => {
  it('has nothing before the first save, then reads back exactly what was written, the latest write winning', async () => {
    const { store } = await open();
    expect(await store.read()).toBeNull();
    await store.write('first\n');
    await store.write('second\n');
    expect(await store.read()).toBe('second\n');
    await store.close();
  });

  it('saves a class and loads it back: same rooms, names, host, sharing, and the same tokens still work', async () => {
    const { store } = await open();
    const { state, seats, tokens } = twoClasses();
    await store.write(serializeState({ registry: state, relayPeerIds: ['relayabc123'], savedAt: Date.now() }));
    const log = memoryLog();
    const loaded = await loadState(store, log, Date.now());
    expect(loaded.lost).toEqual([]);
    expect(loaded.keptAside).toBeNull();
    expect(loaded.relayPeerIds).toEqual(['relayabc123']);
    expect([...loaded.registry.rooms.keys()]).toEqual([...state.rooms.keys()]);
    for (const [code, room] of state.rooms) {
      const back = loaded.registry.rooms.get(code)!;
      expect(back).toMatchObject({ name: room.name, hostId: room.hostId, supervisorKey: room.supervisorKey });
      expect(back.members.map((m) => [m.id, m.name, m.role, m.peerId, m.share])).toEqual(
        room.members.map((m) => [m.id, m.name, m.role, m.peerId, m.share]),
      );
    }
    seats.forEach((seat, i) => {
      const found = authenticate(loaded.registry, seat.room.code, tokens[i]!);
      expect(found.ok && found.value.member.id).toBe(seat.member.id);
    });
    expect(authenticate(loaded.registry, seats[0]!.room.code, 'not-a-token')).toEqual({
      ok: false,
      error: 'unauthorized',
    });
    await store.close();
  });

  it('never holds a member token in clear, only its SHA-256', async () => {
    const harness = await open();
    const { state, tokens, seats } = twoClasses();
    await harness.store.write(serializeState({ registry: state, relayPeerIds: [], savedAt: Date.now() }));
    const everything = (await harness.raw()).join('\n');
    expect(everything).toContain(seats[0]!.member.tokenHash);
    for (const token of tokens) expect(everything).not.toContain(token);
    await harness.store.close();
  });

  it('starts with the rooms a damaged copy still holds, keeps the copy aside and says what was lost', async () => {
    const harness = await open();
    const { state } = twoClasses();
    const [first, second] = [...state.rooms.keys()];
    const lines = serializeState({ registry: state, relayPeerIds: [], savedAt: Date.now() }).split('\n');
    // The second room's line is cut short, and a line of garbage follows (a disk error, a bad edit).
    const damaged = [lines[0], lines[1], lines[2]!.slice(0, 60), '{"code":"ZZZZZZ","name":7}', ''].join('\n');
    await harness.store.write(damaged);
    const log = memoryLog();
    const loaded = await loadState(harness.store, log, Date.now());
    expect([...loaded.registry.rooms.keys()]).toEqual([first]);
    expect(loaded.registry.rooms.has(second!)).toBe(false);
    expect(loaded.lost).toEqual([
      'line 3: not JSON (damaged or cut short); the room on it is lost',
      'room ZZZZZZ: name is not valid; the room is lost',
    ]);
    // Kept aside under a timestamped name, byte for byte; the next save starts a fresh copy.
    expect(loaded.keptAside).toMatch(/damaged-\d{4}-\d\d-\d\dT/);
    expect(await harness.aside(loaded.keptAside!)).toBe(damaged);
    expect(await harness.store.read()).toBeNull();
    expect(log.lines).toEqual([
      expect.objectContaining({ level: 'error', msg: expect.stringContaining('1 room(s) loaded') }),
    ]);
    await harness.store.close();
  });

  it('starts empty from a copy it cannot read at all, without throwing it away', async () => {
    const harness = await open();
    await harness.store.write('\u0000\u0001 not a state file');
    const log = memoryLog();
    const loaded = await loadState(harness.store, log, Date.now());
    expect(loaded.registry.rooms.size).toBe(0);
    expect(await harness.aside(loaded.keptAside!)).toBe('\u0000\u0001 not a state file');
    expect(log.lines[0]!.msg).toContain('could not be read');
    await harness.store.close();
  });

  it('keeps a copy written by a newer server aside instead of overwriting it', async () => {
    const harness = await open();
    const newer = '{"format":"classroom-screens-state","version":99}\n{"rooms":"whatever v99 has"}\n';
    await harness.store.write(newer);
    const loaded = await loadState(harness.store, memoryLog(), Date.now());
    expect(loaded.lost).toEqual([
      `everything: written in format version 99 by a newer server; this one reads up to ${STATE_VERSION}`,
    ]);
    expect(await harness.aside(loaded.keptAside!)).toBe(newer);
    await harness.store.close();
  });

  it('saves every change through the saver, and flush waits until the store has it', async () => {
    const harness = await open();
    let { state } = twoClasses();
    const saver = new StateSaver({
      store: harness.store,
      read: () => ({ registry: state, relayPeerIds: [] }),
      clock: Date.now,
      log: memoryLog(),
    });
    const code = [...state.rooms.keys()][0]!;
    const joined = ok(joinRoom(state, { code, name: 'Cy', role: 'student' }, ctx()));
    state = joined.state;
    saver.changed();
    await saver.flush();
    const loaded = await loadState(harness.store, memoryLog(), Date.now());
    expect(loaded.registry.rooms.get(code)!.members.map((m) => m.name)).toContain('Cy');
    expect(saver.status).toBe('ok');
    saver.stop();
    await harness.store.close();
  });
});

describe('file store', () => {
  it('creates DATA_DIR for the server user only (0700) and the file 0600, leaving no temporary file', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'classroom-store-')), 'nested', 'data');
    const store = await openFileStore(dir);
    await store.write('x\n');
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, STATE_FILE)).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual([STATE_FILE]);
  });

  it('narrows an existing DATA_DIR to 0700 and removes the temporary files a crash left', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'classroom-store-'));
    chmodSync(dir, 0o755);
    writeFileSync(join(dir, STATE_FILE), 'kept\n');
    writeFileSync(join(dir, `.${STATE_FILE}.4242.7.tmp`), 'half a sta');
    writeFileSync(join(dir, 'notes.txt'), 'not ours');
    const store = await openFileStore(dir);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(readdirSync(dir).sort()).toEqual(['notes.txt', STATE_FILE]);
    expect(await store.read()).toBe('kept\n');
  });

  it('reports a DATA_DIR it cannot use with the option to change', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'classroom-store-')), 'not-a-dir');
    writeFileSync(file, '');
    await expect(openStateStore({ kind: 'file', dataDir: file }, () => undefined)).rejects.toThrow(
      `Cannot use DATA_DIR=${file} for saved rooms`,
    );
  });
});

describe('redis store', () => {
  it('refuses to start on an unreachable Redis with a sentence naming STORE_URL', async () => {
    const url = 'redis://:secret@127.0.0.1:1/0';
    const opening = openStateStore({ kind: 'redis', url }, () => undefined);
    await expect(opening).rejects.toBeInstanceOf(StoreUnavailable);
    await expect(opening).rejects.toThrow(/^Cannot reach Redis at STORE_URL=redis:\/\/:\*\*\*@127\.0\.0\.1:1\/0 /);
  });

  it('keeps running when Redis goes away, says saving fails, and saves again once it is back', async () => {
    const own = await startRedis();
    try {
      const store = (await openStateStore({ kind: 'redis', url: own.url }, () => undefined))!;
      let { state } = twoClasses();
      const log = memoryLog();
      const saver = new StateSaver({
        store,
        read: () => ({ registry: state, relayPeerIds: [] }),
        clock: Date.now,
        log,
      });
      await own.kill();
      const code = [...state.rooms.keys()][0]!;
      state = ok(joinRoom(state, { code, name: 'Cy', role: 'student' }, ctx())).state;
      saver.changed();
      await expect.poll(() => saver.status, { timeout: 5_000 }).toBe('failing');
      expect(log.lines.map((l) => l.msg)).toContain(
        'cannot save room state; rooms keep running from memory and saving is retried',
      );
      await own.restart();
      await expect.poll(() => saver.status, { timeout: 15_000 }).toBe('ok');
      const loaded = await loadState(store, memoryLog(), Date.now());
      expect(loaded.registry.rooms.get(code)!.members.map((m) => m.name)).toContain('Cy');
      const check = new Redis(own.url);
      expect(await check.exists(STATE_KEY)).toBe(1);
      await check.quit();
      saver.stop();
      await store.close();
    } finally {
      await own.stop();
    }
  });
});
