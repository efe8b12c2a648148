/** Lobby: the listed rooms, live; choosing one opens the join form with its code filled in. */
import { useState } from 'preact/hooks';
import { useLobbyPasscode, useLobbyRooms } from '../hooks/lobby.ts';
import { PasscodeField } from './PasscodeField.tsx';

/** The list of open rooms; with a teacher passcode on the server, only once it is given. */
export function Lobby(props: { passcodeRequired: boolean; onRoomSelect: (code: string) => void }) {
  const [passcode, check] = useLobbyPasscode();
  if (props.passcodeRequired && !passcode) return <PasscodeForm onPasscodeCheck={check} />;
  return <RoomList passcode={passcode} onRoomSelect={props.onRoomSelect} />;
}

function PasscodeForm(props: { onPasscodeCheck: (typed: string) => Promise<void> }) {
  const [typed, setTyped] = useState('');
  const [error, setError] = useState<string | null>(null);
  const submit = (e: Event) => {
    e.preventDefault();
    props.onPasscodeCheck(typed.trim()).catch((failure: Error) => setError(failure.message));
  };
  return (
    <form class="narrow" onSubmit={submit}>
      <h1>Open rooms</h1>
      <p>This school shows the list of rooms to teachers only.</p>
      <PasscodeField id="lobby-passcode" value={typed} onValue={setTyped} error={error} />
      <button type="submit" class="primary big">
        Show rooms
      </button>
    </form>
  );
}

function RoomList(props: { passcode: string; onRoomSelect: (code: string) => void }) {
  const { rooms, status } = useLobbyRooms(props.passcode);

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
