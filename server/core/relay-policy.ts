/**
 * When a room's screens go through the relay, and which pairs are relayed in a peer-to-peer room.
 * Pure: takes the room's situation and `now`, returns its routes. No I/O, no clock.
 */
import type { Transport } from '../../src/shared/protocol.ts';

/** RELAY_MODE: never relay, relay from a number of supervisors up, or always relay. */
export type RelayMode = 'off' | 'auto' | 'always';

/** The policy's settings. */
export interface RelayPolicy {
  readonly mode: RelayMode;
  /** In auto mode, rooms with at least this many supervisors use the relay. */
  readonly minSupervisors: number;
  /** A room keeps its transport at least this long before switching again, so it never flaps. */
  readonly holdMs: number;
}

/** What the policy looks at for one room. */
export interface RoomSituation {
  readonly transport: Transport;
  readonly transportSince: number;
  /** Supervisors in the room (connected or reconnecting). */
  readonly supervisors: number;
  /** Student–supervisor pairs whose direct connection failed too often (pair keys). */
  readonly failedPairs: readonly string[];
  /** Whether the relay is up and registered with PeerServer. */
  readonly relayUp: boolean;
}

/** The routes the policy chose for a room. */
export interface ChosenRoutes {
  readonly transport: Transport;
  /** Pairs relayed whatever the transport. */
  readonly relayedPairs: readonly string[];
}

/** The routes a room should use now. */
export function chooseRoutes(policy: RelayPolicy, room: RoomSituation, now: number): ChosenRoutes {
  // Without a working relay there is only the mesh, at once: holding would mean black tiles.
  if (policy.mode === 'off' || !room.relayUp) return { transport: 'mesh', relayedPairs: [] };
  // A pair that cannot connect directly is relayed on its own, however small the room.
  const relayedPairs = room.failedPairs;
  if (policy.mode === 'always') return { transport: 'relay', relayedPairs };
  const wanted: Transport = room.supervisors >= policy.minSupervisors ? 'relay' : 'mesh';
  if (wanted === room.transport) return { transport: wanted, relayedPairs };
  const held = now - room.transportSince >= policy.holdMs;
  return { transport: held ? wanted : room.transport, relayedPairs };
}
