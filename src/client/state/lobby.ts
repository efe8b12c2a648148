/** The lobby's list of rooms: a pure reducer over the lobby event stream, newest room first. */
import type { LobbyEvent, RoomSummary } from '../../shared/protocol.ts';

/** Applies one lobby event to the list. */
export function reduceLobby(rooms: readonly RoomSummary[], event: LobbyEvent): RoomSummary[] {
  switch (event.type) {
    case 'snapshot':
      return sorted(event.rooms);
    case 'room-added':
    case 'room-updated':
      return sorted([...rooms.filter((r) => r.code !== event.room.code), event.room]);
    case 'room-removed':
      return rooms.filter((r) => r.code !== event.code);
    case 'server-restarting':
      // The list stays as it is; the stream's snapshot after the restart brings it up to date.
      return [...rooms];
  }
}

function sorted(rooms: RoomSummary[]): RoomSummary[] {
  return [...rooms].sort((a, b) => b.createdAt - a.createdAt);
}
