/**
 * The restart rule: what saved rooms look like to a server that has just started. Pure: takes the
 * loaded state and the start time, returns the state to serve.
 */
import type { RegistryState, Room } from './room-registry.ts';

/**
 * Every member keeps their seat, offline since `startedAt`, so the reconnect grace counts from the
 * start (not from before a crash) and presence rebuilds as each reconnects; whoever waits to be let
 * in is last seen at `startedAt`. Hosts, sharing flags,
 * routes (with each room's relay worker) and each room's empty-room deadline carry on as saved; the
 * relay workers count as down until the new process's workers report themselves up. Networks seen
 * isolated stay remembered.
 */
export function resumeAfterRestart(state: RegistryState, startedAt: number): RegistryState {
  const rooms = new Map<string, Room>();
  for (const [code, room] of state.rooms) {
    const members = room.members.map((m) => ({ ...m, connected: false, offlineSince: startedAt }));
    // A wait, like a seat, is counted from the start: the app could not ask while the server was down.
    const lesson = room.lesson && {
      ...room.lesson,
      waiting: room.lesson.waiting.map((w) => ({ ...w, lastSeenAt: startedAt })),
    };
    rooms.set(code, { ...room, members, ...(lesson === undefined ? {} : { lesson }) });
  }
  // The relay workers of the new process are not up yet; each reports itself when it is.
  return {
    rooms,
    roomByPeer: state.roomByPeer,
    relays: new Map(),
    isolatedNetworks: state.isolatedNetworks,
    directNetworks: state.directNetworks,
  };
}
