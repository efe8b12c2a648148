/** Home: join a room (by code, or from a join link), create one, or go to the classes you teach. */
import { useEffect, useRef, useState } from 'preact/hooks';
import { CODE_LENGTH, NAME_MAX_LENGTH, ROOM_NAME_MAX_LENGTH, type Role } from '../../shared/protocol.ts';
import { rememberedPasscode, useCreateRoom, useJoinRoom } from '../hooks/seat-forms.ts';
import type { SignInState } from '../hooks/sign-in.ts';
import { formatKey } from '../state/links.ts';
import type { Waiting } from '../state/classes-joined.ts';
import type { SavedSeat } from '../state/storage.ts';
import { NO_WEBRTC_TEXT, hasWebRtc, noWebRtcText } from '../browser-support.ts';
import { PasscodeField } from './PasscodeField.tsx';
import { RadioGroup } from './RadioGroup.tsx';
import { TextField } from './TextField.tsx';
import { SignInPanel } from './SignInPanel.tsx';

interface HomeProps {
  /** Shown on top, e.g. why the last seat ended. */
  notice: string | null;
  /** Creating a room needs the school's teacher passcode. */
  passcodeRequired: boolean;
  /** The name last used. */
  name: string;
  /** From a join link: the room code, and for supervisors the key. */
  joinCode: string;
  supervisorKey: string | null;
  /** A seat the person still holds, to offer a way back. */
  currentSeat: SavedSeat | null;
  onSeatTaken: (seat: SavedSeat) => void;
  /** A join that waits for a teacher to let the student in. */
  onWaiting: (waiting: Waiting) => void;
  onLobbyOpen: () => void;
  onClassesOpen: () => void;
  onRoomReturn: () => void;
  /** Sign-in with the school account, when the server offers it. */
  signIn: SignInState;
}

/** The first screen. */
export function Home(props: HomeProps) {
  const fromLink = props.joinCode !== '';
  return (
    <div class="narrow">
      {props.notice && (
        <p class="alert" role="alert">
          {props.notice}
        </p>
      )}
      {props.currentSeat && (
        <p class="alert" role="status">
          You are still in “{props.currentSeat.roomName}”.{' '}
          <button type="button" class="primary" onClick={props.onRoomReturn}>
            Back to {props.currentSeat.roomName}
          </button>
        </p>
      )}
      <h1>{fromLink ? 'Join the room' : 'Watch and share classroom screens'}</h1>
      <SignInPanel signIn={props.signIn} />
      <div class="cards">
        <section class="card" aria-labelledby="join-heading">
          <h2 id="join-heading">Join a room</h2>
          <JoinForm {...props} />
          <p class="muted">
            Or{' '}
            <button type="button" class="link" onClick={props.onLobbyOpen}>
              browse open rooms
            </button>
          </p>
        </section>
        {!fromLink && (
          <section class="card" aria-labelledby="create-heading">
            <h2 id="create-heading">Create a room</h2>
            <CreateForm
              name={props.signIn.account?.name ?? props.name}
              // A signed-in teacher needs no passcode.
              passcodeRequired={props.passcodeRequired && !props.signIn.account?.teaches}
              onSeatTaken={props.onSeatTaken}
            />
          </section>
        )}
        {!fromLink && (
          <section class="card" aria-labelledby="classes-heading">
            <h2 id="classes-heading">Classes</h2>
            <p>
              Teach the same class every week? A class keeps its roster, its students’ join link and its attendance from
              one lesson to the next, and starts each lesson with one tap.
            </p>
            <button type="button" class="primary" onClick={props.onClassesOpen}>
              Your classes
            </button>
          </section>
        )}
      </div>
    </div>
  );
}

/** The roles a person joining can pick, in the words they read. */
const ROLE_CHOICES: readonly (readonly [Role, string])[] = [
  ['student', 'A student: I share my screen'],
  ['supervisor', 'A teacher: I watch screens'],
];

function JoinForm(props: HomeProps) {
  const [code, setCode] = useState(props.joinCode);
  const [name, setName] = useState(props.name);
  const [role, setRole] = useState<Role>(props.supervisorKey ? 'supervisor' : 'student');
  const [key, setKey] = useState(props.supervisorKey ? formatKey(props.supervisorKey) : '');
  const nameInput = useRef<HTMLInputElement>(null);
  useEffect(() => setName((current) => current || props.name), [props.name]);
  useEffect(() => {
    setCode(props.joinCode);
    if (props.joinCode) nameInput.current?.focus();
  }, [props.joinCode]);

  const join = useJoinRoom(props.onSeatTaken, props.onWaiting);
  const { busy, error, fieldError } = join;
  // Signed in, the name is the school account's: the server uses it whatever is sent.
  const verifiedName = props.signIn.account?.name ?? null;
  const submit = (event: Event) =>
    join.submit(event, code, {
      name: verifiedName ?? name,
      role,
      ...(role === 'supervisor' ? { supervisorKey: key } : {}),
    });
  return (
    <form onSubmit={submit}>
      <TextField
        id="join-code"
        label="Room code"
        class="code"
        value={code}
        onValue={setCode}
        autoComplete="off"
        autoCapitalize="characters"
        spellcheck={false}
        required
        maxLength={CODE_LENGTH + 2}
        placeholder="K7QM3X"
      />
      <TextField
        id="join-name"
        label="Your name"
        ref={nameInput}
        value={verifiedName ?? name}
        onValue={setName}
        autoComplete="name"
        required
        maxLength={NAME_MAX_LENGTH}
        error={fieldError('name')}
        {...(verifiedName === null ? {} : { readOnly: true, hint: 'The name on your school account.' })}
      />
      <RadioGroup legend="I am" name="role" choices={ROLE_CHOICES} value={role} onValue={setRole} />
      {role === 'supervisor' && (
        <TextField
          id="join-key"
          label="Supervisor key"
          class="code"
          value={key}
          onValue={setKey}
          autoComplete="off"
          spellcheck={false}
          required
          placeholder="XXXX-XXXX-XXXX"
        />
      )}
      {error && !fieldError('name') && (
        <p class="field-error" role="alert">
          {error.message}
        </p>
      )}
      {!hasWebRtc() && (
        <p class="alert" role="alert">
          {noWebRtcText(role)}
        </p>
      )}
      <button type="submit" class="primary big" disabled={busy || !hasWebRtc()}>
        {busy ? 'Joining…' : 'Join'}
      </button>
    </form>
  );
}

function CreateForm(props: { name: string; passcodeRequired: boolean; onSeatTaken: (seat: SavedSeat) => void }) {
  const [roomName, setRoomName] = useState('');
  const [name, setName] = useState(props.name);
  const [listed, setListed] = useState(true);
  const [passcode, setPasscode] = useState(rememberedPasscode);
  useEffect(() => setName((current) => current || props.name), [props.name]);

  const create = useCreateRoom(props.onSeatTaken);
  const { busy, error } = create;
  const submit = (event: Event) =>
    create.submit(event, { name: roomName, hostName: name, listed, ...(props.passcodeRequired ? { passcode } : {}) });
  return (
    <form onSubmit={submit}>
      <TextField
        id="create-room"
        label="Room name"
        value={roomName}
        onValue={setRoomName}
        required
        maxLength={ROOM_NAME_MAX_LENGTH}
        placeholder="Maths 7B"
      />
      <TextField
        id="create-name"
        label="Your name"
        value={name}
        onValue={setName}
        autoComplete="name"
        required
        maxLength={NAME_MAX_LENGTH}
      />
      <label class="choice">
        <input type="checkbox" checked={listed} onChange={(e) => setListed(e.currentTarget.checked)} />
        Show this room in the list of open rooms
      </label>
      {props.passcodeRequired && <PasscodeField id="create-passcode" value={passcode} onValue={setPasscode} />}
      {error && (
        <p class="field-error" role="alert">
          {error.message}
        </p>
      )}
      {!hasWebRtc() && (
        <p class="alert" role="alert">
          {NO_WEBRTC_TEXT}
        </p>
      )}
      <button type="submit" class="primary big" disabled={busy || !hasWebRtc()}>
        {busy ? 'Creating…' : 'Create room'}
      </button>
    </form>
  );
}
