/**
 * Which relay worker takes a room: the least-loaded one that is up. Pure: the registry calls it when
 * a room has no worker yet (it opened, or its worker is gone from the configuration). It never moves
 * a room that has a worker: placement is stable while the room lives, only new rooms rebalance.
 */

/** One relay worker as placement sees it. */
export interface WorkerLoad {
  /** The worker's PeerServer id. */
  readonly peerId: string;
  /** Whether it is up and registered with PeerServer. */
  readonly up: boolean;
  /** Members in the rooms already placed on it (each student is one stream in, each supervisor some out). */
  readonly members: number;
  /** Rooms already placed on it. */
  readonly rooms: number;
}

/**
 * The peer id of the worker a new room goes to, or null when there is no worker (RELAY_MODE=off).
 * Up workers first (a room placed on a down worker would run peer to peer until it is back), then
 * fewest members, then fewest rooms, then the order given, so the choice is deterministic.
 */
export function placeRoom(workers: readonly WorkerLoad[]): string | null {
  let best: WorkerLoad | null = null;
  for (const worker of workers) {
    if (best === null || lighter(worker, best)) best = worker;
  }
  return best?.peerId ?? null;
}

/** The load on every worker of `workers` from the rooms placed so far (rooms on unknown workers count nowhere). */
export function workerLoads(
  workers: ReadonlyMap<string, boolean>,
  rooms: Iterable<{ readonly relayPeerId: string | null; readonly members: number }>,
): WorkerLoad[] {
  const loads = new Map([...workers].map(([peerId, up]) => [peerId, { peerId, up, members: 0, rooms: 0 }]));
  for (const room of rooms) {
    const load = room.relayPeerId === null ? undefined : loads.get(room.relayPeerId);
    if (!load) continue;
    load.members += room.members;
    load.rooms += 1;
  }
  return [...loads.values()];
}

function lighter(a: WorkerLoad, b: WorkerLoad): boolean {
  if (a.up !== b.up) return a.up;
  if (a.members !== b.members) return a.members < b.members;
  return a.rooms < b.rooms;
}
