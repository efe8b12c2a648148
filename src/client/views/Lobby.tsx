/** Lobby: the listed rooms, live; choosing one opens the join form with its code filled in. */
import { useEffect, useState } from 'preact/hooks';
import type { LobbyEvent, RoomSummary } from '../../shared/protocol.ts';
import { lobbyEventsUrl } from '../net/api.ts';
import { followEvents, type StreamStatus } from '../net/event-stream.ts';
import { reduceLobby } from '../state/lobby.ts';

/** The list of open rooms. */
export function Lobby(props: { onRoomSelect: (code: string) => void }) {
  const [rooms, setRooms] = useState<RoomSummary[] | null>(null);
  const [status, setStatus] = useState<StreamStatus>('connecting');
  useEffect(
    () =>
      followEvents<LobbyEvent>(
        lobbyEventsUrl,
        (event) => setRooms((current) => reduceLobby(current ?? [], event)),
        setStatus,
      ),
    [],
  );

  return (
    <div class="narrow">
      <h1>Open rooms</h1>
      {status === 'reconnecting' && (
        <p class="alert" role="status">
          Connection lost. Reconnecting…
        </p>
      )}
      {rooms === null ? (
        <p>Loading…</p>
      ) : rooms.length === 0 ? (
        <p class="muted">No rooms are open right now. Ask your teacher for the room code.</p>
      ) : (
        <ul class="plain card" aria-label="Open rooms">
          {rooms.map((room) => (
            <li key={room.code} class="list-row">
              <div>
                <strong>{room.name}</strong>
                <div class="muted">
                  {room.hostName ? `${room.hostName} · ` : ''}
                  {plural(room.students, 'student')} · {plural(room.supervisors, 'teacher')}
                </div>
              </div>
              <button type="button" class="primary" onClick={() => props.onRoomSelect(room.code)}>
                Join<span class="visually-hidden"> {room.name}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
