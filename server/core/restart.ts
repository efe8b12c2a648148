/**
 * The restart rule: what saved rooms look like to a server that has just started. Pure: takes the
 * loaded state and the start time, returns the state to serve.
 */
import type { RegistryState, Room } from './room-registry.ts';

/**
 * Every member keeps their seat, offline since `startedAt`, so the reconnect grace counts from the
 * start (not from before a crash) and presence rebuilds as each reconnects. Hosts, sharing flags,
 * routes (with each room's relay worker) and each room's empty-room deadline carry on as saved; the
 * relay workers count as down until the new process's workers report themselves up.
 */
export function resumeAfterRestart(state: RegistryState, startedAt: number): RegistryState {
  const rooms = new Map<string, Room>();
  for (const [code, room] of state.rooms) {
    const members = room.members.map((m) => ({ ...m, connected: false, offlineSince: startedAt }));
    rooms.set(code, { ...room, members });
  }
  // The relay workers of the new process are not up yet; each reports itself when it is.
  return { rooms, roomByPeer: state.roomByPeer, relays: new Map() };
}
