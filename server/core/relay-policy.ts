/**
 * When a room's screens go through the relay. Pure: takes the room's situation and `now`, returns
 * the transport it should have. No I/O, no clock.
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
  /** Whether the relay is up and registered with PeerServer. */
  readonly relayUp: boolean;
}

/** The transport a room should use now. */
export function chooseTransport(policy: RelayPolicy, room: RoomSituation, now: number): Transport {
  // Without a working relay there is only the mesh, at once: holding would mean black tiles.
  if (policy.mode === 'off' || !room.relayUp) return 'mesh';
  if (policy.mode === 'always') return 'relay';
  const wanted: Transport = room.supervisors >= policy.minSupervisors ? 'relay' : 'mesh';
  if (wanted === room.transport) return wanted;
  return now - room.transportSince >= policy.holdMs ? wanted : room.transport;
}
