/** Lobby: the listed rooms, live; choosing one opens the join form with its code filled in. */
import { useEffect, useState } from 'preact/hooks';
import type { LobbyEvent, RoomSummary } from '../../shared/protocol.ts';
import { lobbyEventsUrl, listRoomsWith, rememberPasscode, rememberedPasscode } from '../net/api.ts';
import { followEvents, type StreamStatus } from '../net/event-stream.ts';
import { reduceLobby } from '../state/lobby.ts';

/** The list of open rooms; with a teacher passcode on the server, only once it is given. */
export function Lobby(props: { passcodeRequired: boolean; onRoomSelect: (code: string) => void }) {
  const [passcode, setPasscode] = useState(rememberedPasscode);
  if (props.passcodeRequired && !passcode) return <PasscodeForm onPasscodeAccept={setPasscode} />;
  return <RoomList passcode={passcode} onRoomSelect={props.onRoomSelect} />;
}

function PasscodeForm(props: { onPasscodeAccept: (passcode: string) => void }) {
  const [typed, setTyped] = useState('');
  const [error, setError] = useState<string | null>(null);
  const submit = (e: Event) => {
    e.preventDefault();
    listRoomsWith(typed.trim()).then(
      () => {
        rememberPasscode(typed.trim());
        props.onPasscodeAccept(typed.trim());
      },
      (failure: Error) => setError(failure.message),
    );
  };
  return (
    <form class="narrow" onSubmit={submit}>
      <h1>Open rooms</h1>
      <p>This school shows the list of rooms to teachers only.</p>
      <div class="field">
        <label for="lobby-passcode">Teacher passcode</label>
        <input
          id="lobby-passcode"
          type="password"
          value={typed}
          onInput={(e) => setTyped(e.currentTarget.value)}
          required
          aria-describedby={error ? 'lobby-passcode-error' : undefined}
        />
        {error && (
          <span id="lobby-passcode-error" class="field-error" role="alert">
            {error}
          </span>
        )}
      </div>
      <button type="submit" class="primary big">
        Show rooms
      </button>
    </form>
  );
}

function RoomList(props: { passcode: string; onRoomSelect: (code: string) => void }) {
  const [rooms, setRooms] = useState<RoomSummary[] | null>(null);
  const [status, setStatus] = useState<StreamStatus>('connecting');
  useEffect(
    () =>
      followEvents<LobbyEvent>(
        lobbyEventsUrl(props.passcode),
        (event) => setRooms((current) => reduceLobby(current ?? [], event)),
        setStatus,
      ),
    [props.passcode],
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
