import { describe, expect, it } from 'vitest';
import { placeRoom, workerLoads, type WorkerLoad } from '../../server/core/placement.ts';
import { resumeAfterRestart } from '../../server/core/restart.ts';
import {
  createRoom,
  emptyRegistry,
  joinRoom,
  keepRelays,
  setRelayUp,
  setRelaysUp,
  type Context,
  type Outcome,
  type RegistryState,
} from '../../server/core/room-registry.ts';

const worker = (peerId: string, patch: Partial<WorkerLoad> = {}): WorkerLoad => ({
  peerId,
  up: true,
  members: 0,
  rooms: 0,
  ...patch,
});

describe('placeRoom', () => {
  it('puts a room on the worker with the fewest members, then fewest rooms, then the first', () => {
    expect(placeRoom([worker('a', { members: 31 }), worker('b', { members: 30 })])).toBe('b');
    expect(placeRoom([worker('a', { members: 30, rooms: 2 }), worker('b', { members: 30, rooms: 1 })])).toBe('b');
    expect(placeRoom([worker('a', { members: 30, rooms: 1 }), worker('b', { members: 30, rooms: 1 })])).toBe('a');
  });

  it('prefers a worker that is up, however loaded, and still places on a down one when none is up', () => {
    expect(placeRoom([worker('a', { up: false }), worker('b', { members: 500 })])).toBe('b');
    expect(placeRoom([worker('a', { up: false, members: 3 }), worker('b', { up: false })])).toBe('b');
  });

  it('places nowhere without workers (RELAY_MODE=off)', () => {
    expect(placeRoom([])).toBeNull();
  });

  it('counts each room on its worker, and rooms on unknown workers nowhere', () => {
    const workers = new Map([
      ['a', true],
      ['b', false],
    ]);
    const rooms = [
      { relayPeerId: 'a', members: 30 },
      { relayPeerId: 'a', members: 2 },
      { relayPeerId: 'b', members: 5 },
      { relayPeerId: 'gone', members: 9 },
      { relayPeerId: null, members: 9 },
    ];
    expect(workerLoads(workers, rooms)).toEqual([
      { peerId: 'a', up: true, members: 32, rooms: 2 },
      { peerId: 'b', up: false, members: 5, rooms: 1 },
    ]);
  });
});

describe('placement in the registry', () => {
  let seed = 0;
  const ctx = (): Context => ({
    now: 1000,
    random: (n) => Uint8Array.from({ length: n }, () => seed++ % 256),
    limits: {
      maxRooms: 100,
      maxMembersPerRoom: 100,
      reconnectGraceMs: 20_000,
      emptyRoomTtlMs: 600_000,
      maxRoomsPerAddress: 100,
      unclaimedRoomTtlMs: 600_000,
    },
    routing: { mode: 'always', minSupervisors: 3, holdMs: 0 },
  });
  const ok = <T>(outcome: Outcome<T>) => {
    if (!outcome.ok) throw new Error(outcome.error);
    return outcome;
  };
  const twoWorkers = (): RegistryState => {
    const one = ok(setRelayUp(emptyRegistry, { peerId: 'relay1', up: true }, ctx())).state;
    return ok(setRelayUp(one, { peerId: 'relay2', up: true }, ctx())).state;
  };
  const open = (state: RegistryState, students: number) => {
    const created = ok(
      createRoom(state, { name: 'Class', hostName: 'Host', listed: false, address: '10.0.0.1' }, ctx()),
    );
    let next = created.state;
    for (let i = 0; i < students; i++)
      next = ok(joinRoom(next, { code: created.value.room.code, name: `S${i}`, role: 'student' }, ctx())).state;
    return { state: next, code: created.value.room.code };
  };
  const workerOf = (state: RegistryState, code: string) => state.rooms.get(code)!.routes.relayPeerId;

  it('spreads new rooms over the workers and keeps each room on its worker as it grows', () => {
    const first = open(twoWorkers(), 29);
    const second = open(first.state, 0);
    expect(workerOf(second.state, first.code)).toBe('relay1');
    expect(workerOf(second.state, second.code)).toBe('relay2');
    // The second room outgrows the first: neither moves; the next room goes to the lighter worker.
    const grown = open(second.state, 0);
    let state = grown.state;
    for (let i = 0; i < 40; i++)
      state = ok(joinRoom(state, { code: second.code, name: `T${i}`, role: 'student' }, ctx())).state;
    const third = open(state, 0);
    expect(workerOf(third.state, first.code)).toBe('relay1');
    expect(workerOf(third.state, second.code)).toBe('relay2');
    expect(workerOf(third.state, third.code)).toBe('relay1');
  });

  it('runs a room peer to peer while its worker is down, and relayed on the same worker when it is back', () => {
    const { state, code } = open(twoWorkers(), 3);
    expect(state.rooms.get(code)!.routes).toMatchObject({ transport: 'relay', relayPeerId: 'relay1' });
    const down = ok(setRelayUp(state, { peerId: 'relay1', up: false }, ctx()));
    expect(down.state.rooms.get(code)!.routes).toMatchObject({ transport: 'mesh', relayPeerId: 'relay1' });
    expect(down.events).toEqual([{ type: 'routes-changed', code }]);
    const back = ok(setRelayUp(down.state, { peerId: 'relay1', up: true }, ctx())).state;
    expect(back.rooms.get(code)!.routes).toMatchObject({ transport: 'relay', relayPeerId: 'relay1' });
  });

  it('places a room again when its worker is no longer configured', () => {
    const { state, code } = open(twoWorkers(), 3);
    const fewer = ok(keepRelays(state, { peerIds: ['relay2'] }, ctx()));
    expect(fewer.state.rooms.get(code)!.routes).toMatchObject({ transport: 'relay', relayPeerId: 'relay2' });
    expect(fewer.events).toEqual([{ type: 'routes-changed', code }]);
  });

  it('after a restart, keeps every room on its relay when a worker and a node are made known together', () => {
    const worker = open(twoWorkers(), 3);
    const node = open(worker.state, 0);
    expect([workerOf(node.state, worker.code), workerOf(node.state, node.code)]).toEqual(['relay1', 'relay2']);
    // A new process knows no relay yet; its worker (relay1, down while it starts) and the node of
    // the last process (relay2, still forwarding) are learnt in one operation.
    const restarted = resumeAfterRestart(node.state, 2000);
    const known = ok(
      setRelaysUp(
        restarted,
        {
          relays: [
            ['relay1', false],
            ['relay2', true],
          ],
        },
        ctx(),
      ),
    ).state;
    expect(known.rooms.get(node.code)!.routes).toMatchObject({ transport: 'relay', relayPeerId: 'relay2' });
    expect(known.rooms.get(worker.code)!.routes).toMatchObject({ transport: 'mesh', relayPeerId: 'relay1' });
    // One at a time, the first relay made known takes the other's room.
    const oneByOne = ok(setRelayUp(restarted, { peerId: 'relay1', up: false }, ctx())).state;
    expect(workerOf(oneByOne, node.code)).toBe('relay1');
  });

  it('places rooms opened before any worker was known as soon as one is', () => {
    const { state, code } = open(emptyRegistry, 1);
    expect(state.rooms.get(code)!.routes).toMatchObject({ transport: 'mesh', relayPeerId: null });
    const up = ok(setRelayUp(state, { peerId: 'relay1', up: true }, ctx())).state;
    expect(up.rooms.get(code)!.routes).toMatchObject({ transport: 'relay', relayPeerId: 'relay1' });
  });
});
