/**
 * A class's page for its teachers: start (or go back to) its lesson, the students' join link and
 * QR code, the co-teacher invite link, the roster, the past lessons and the class's settings.
 */
import { useEffect, useState } from 'preact/hooks';
import {
  NAME_MAX_LENGTH,
  ROOM_NAME_MAX_LENGTH,
  type ClassResponse,
  type ClassTeacherView,
} from '../../../shared/protocol.ts';
import { hasWebRtc, NO_WEBRTC_TEXT } from '../../browser-support.ts';
import { useClassPage, type ClassPage as ClassPageActions } from '../../hooks/classes.ts';
import { classJoinLink, teacherInviteLink } from '../../state/links.ts';
import type { SavedSeat } from '../../state/storage.ts';
import { CopyButton, CopyField, Qr } from '../InvitePanel.tsx';
import { TextField } from '../TextField.tsx';
import { ConfirmButton } from './ConfirmButton.tsx';
import { LessonsSection } from './LessonsSection.tsx';
import { RosterSection } from './RosterSection.tsx';

interface ClassPageProps {
  classId: string;
  /** The key from a co-teacher invite link, when the page was opened from one. */
  inviteKey: string | null;
  /** Shown on top, e.g. why the last lesson's seat ended. */
  notice: string | null;
  /** The name last used, to start or open a lesson with. */
  name: string;
  /** Whether this server offers sign-in: a co-teacher added by e-mail then opens the class by signing in. */
  signInAvailable: boolean;
  /** A seat this browser still holds, to go back to its lesson rather than join it again. */
  currentSeat: SavedSeat | null;
  /** The invite link's key is in hand: take it out of the address bar. */
  onInviteOpen: () => void;
  onSeatTaken: (seat: SavedSeat) => void;
  onRoomReturn: () => void;
  onClassesOpen: () => void;
}

/** The `/classes/<id>` screen. */
export function ClassPage(props: ClassPageProps) {
  const [inviteKey] = useState(props.inviteKey);
  const actions = useClassPage(props.classId, inviteKey);
  useEffect(() => {
    if (inviteKey) props.onInviteOpen();
  }, []);
  const { state } = actions;

  if (state.status === 'loading') return <p class="narrow">Loading the class…</p>;
  if (state.status === 'no-key' || state.status === 'failed') {
    const retired = state.status === 'failed' && state.failure.code === 'wrong-class-key';
    return (
      <div class="narrow">
        <h1>Class not available</h1>
        <p class="alert" role="alert">
          {state.status === 'no-key'
            ? props.signInAvailable
              ? 'This device does not teach this class. Sign in with the school account a teacher of the class added, or open the invite link they gave you.'
              : 'This device does not teach this class. Open the invite link a teacher of the class gave you.'
            : retired && state.saved
              ? 'This device’s key for the class no longer works: a teacher of the class retired the invite link. Ask them for the new one.'
              : retired
                ? 'This invite link no longer works: a teacher of the class retired it. Ask them for the new one.'
                : state.failure.message}
        </p>
        <div class="row">
          {retired && state.saved && (
            <button type="button" onClick={() => void actions.forget().then(props.onClassesOpen)}>
              Take the class off this device
            </button>
          )}
          <button type="button" onClick={props.onClassesOpen}>
            Your classes
          </button>
        </div>
      </div>
    );
  }

  const { page, teacherKey } = state;
  const archived = page.class.archivedAt !== null;
  return (
    <div class="class-page">
      {props.notice && (
        <p class="alert" role="alert">
          {props.notice}
        </p>
      )}
      <p>
        <a
          href="/classes"
          onClick={(e) => {
            e.preventDefault();
            props.onClassesOpen();
          }}
        >
          Your classes
        </a>
      </p>
      <h1>
        {page.class.name} {archived && <span class="badge">Archived</span>}
      </h1>
      <div class="cards">
        <LessonSection page={page} actions={actions} {...props} />
        <JoinLinkSection page={page} actions={actions} />
        <CoTeacherSection classId={props.classId} teacherKey={teacherKey} teachers={page.teachers} actions={actions} />
      </div>
      <RosterSection roster={page.roster} actions={actions} />
      <LessonsSection
        lessons={[...page.lessons, ...state.olderLessons]}
        moreLessons={state.moreLessons}
        actions={actions}
      />
      <SettingsSection
        page={page}
        actions={actions}
        keptHere={teacherKey !== null}
        onClassesOpen={props.onClassesOpen}
      />
    </div>
  );
}

/** The message of the last action of a section that failed (null once one succeeds), and how to run one. */
function useActionError(): [string | null, (action: Promise<string | null>) => Promise<void>] {
  const [error, setError] = useState<string | null>(null);
  return [error, async (action) => setError(await action)];
}

/** An action's refusal, said at once. */
function ActionError({ error }: { error: string | null }) {
  return error ? (
    <p class="field-error" role="alert">
      {error}
    </p>
  ) : null;
}

/** Start a lesson, or go back to the live one; an archived class can only be brought back. */
function LessonSection(props: ClassPageProps & { page: ClassResponse; actions: ClassPageActions }) {
  const { page, actions } = props;
  const [name, setName] = useState(props.name);
  useEffect(() => setName((current) => current || props.name), [props.name]);
  const [busy, setBusy] = useState(false);
  const [error, run] = useActionError();
  const live = page.liveLesson;
  const mine = live !== null && props.currentSeat?.code === live.roomCode;
  const submit = async (event: Event) => {
    event.preventDefault();
    if (mine) return props.onRoomReturn();
    setBusy(true);
    await run(live ? actions.joinLesson(name, props.onSeatTaken) : actions.startLesson(name, props.onSeatTaken));
    setBusy(false);
  };
  let body;
  if (page.class.archivedAt !== null) {
    body = (
      <>
        <p>This class is archived: it keeps its roster and record, but starts no lessons.</p>
        <button type="button" onClick={() => void run(actions.update({ archived: false }))}>
          Bring the class back
        </button>
      </>
    );
  } else {
    body = (
      <form onSubmit={submit}>
        {live ? (
          <p role="status">
            <span class="badge live">Live</span> A lesson started at {clockTime(live.startedAt)} (room code{' '}
            <span class="room-code">{live.roomCode}</span>).
          </p>
        ) : (
          <p class="muted">Students with the class link are let in as soon as it starts.</p>
        )}
        {!mine && (
          <TextField
            id="lesson-name"
            label="Your name (students see it)"
            value={name}
            onValue={setName}
            autoComplete="name"
            required
            maxLength={NAME_MAX_LENGTH}
          />
        )}
        {!hasWebRtc() && (
          <p class="alert" role="alert">
            {NO_WEBRTC_TEXT}
          </p>
        )}
        <button type="submit" class="primary big" disabled={busy || !hasWebRtc()}>
          {live ? 'Open lesson' : busy ? 'Starting…' : 'Start lesson'}
        </button>
      </form>
    );
  }
  return (
    <section class="card" aria-labelledby="lesson-heading">
      <h2 id="lesson-heading">Lesson</h2>
      {body}
      <ActionError error={error} />
    </section>
  );
}

/** The students' join link and QR code, valid from lesson to lesson until a teacher makes a new one. */
function JoinLinkSection(props: { page: ClassResponse; actions: ClassPageActions }) {
  const link = classJoinLink(location.origin, props.page.class.joinSecret);
  return (
    <section class="card" aria-labelledby="join-link-heading">
      <h2 id="join-link-heading">Students’ join link</h2>
      {props.page.class.archivedAt !== null && (
        <p class="alert">The class is archived: this link lets no one in until it is brought back.</p>
      )}
      <Qr link={link} />
      <CopyField id="class-join-link" label="Student join link" value={link} />
      <RotateAction
        label="New link"
        question="Make a new link? The current link and QR code, printed or shared, stop working."
        confirm="Make a new link"
        done="New link made; the old one no longer works."
        onRotate={props.actions.rotateJoinLink}
      />
    </section>
  );
}

/** The co-teacher invite link (the class teacher key in its fragment), and retiring it. */
function CoTeacherSection(props: {
  classId: string;
  /** Null when the page was opened by sign-in: this device has no key, so no invite link to give. */
  teacherKey: string | null;
  teachers: readonly ClassTeacherView[];
  actions: ClassPageActions;
}) {
  const link = props.teacherKey === null ? null : teacherInviteLink(location.origin, props.classId, props.teacherKey);
  const [shown, setShown] = useState(false);
  const [email, setEmail] = useState('');
  const [result, setResult] = useState<string | null>(null);
  const add = async (event: Event) => {
    event.preventDefault();
    const failed = await props.actions.addTeacher(email);
    setResult(failed);
    if (!failed) setEmail('');
  };
  return (
    <section class="card" aria-labelledby="co-teacher-heading">
      <h2 id="co-teacher-heading">Co-teachers</h2>
      <p class="muted">
        Teachers added by their school e-mail open this class by signing in with their school account (when this server
        has sign-in), with no link to pass round.
      </p>
      {props.teachers.length > 0 && (
        <ul class="plain" aria-label="Teachers by school account">
          {props.teachers.map((t) => (
            <li key={t.email ?? 'account'} class="list-row">
              <span>
                {t.email ?? 'A teacher by account'}{' '}
                <span class="muted">{t.signedIn ? '· has signed in' : '· not signed in yet'}</span>
              </span>
              {t.email && (
                <button type="button" onClick={() => void props.actions.removeTeacher(t.email!).then(setResult)}>
                  Remove<span class="visually-hidden"> {t.email}</span>
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      <form class="row-form" onSubmit={(e) => void add(e)}>
        <TextField
          id="co-teacher-email"
          label="Add a co-teacher by school e-mail"
          value={email}
          onValue={setEmail}
          autoComplete="off"
          required
          maxLength={254}
        />
        <button type="submit">Add</button>
      </form>
      {result && (
        <p class="field-error" role="alert">
          {result}
        </p>
      )}
      <p>
        <strong>Whoever has the invite link is a teacher of this class:</strong> they see its roster and record and can
        start and watch its lessons. Send it to teachers only.
      </p>
      {link === null ? (
        <p class="muted">
          You opened this class by signing in, so this device holds no invite link; the device that made the class has
          it. Retiring it gives this device the new one.
        </p>
      ) : (
        <>
          <div class="row">
            <CopyButton label="Copy co-teacher invite link" value={link} />
            <button type="button" aria-expanded={shown} onClick={() => setShown(!shown)}>
              {shown ? 'Hide invite link' : 'Show invite link'}
            </button>
          </div>
          {shown && <CopyField id="co-teacher-link" label="Co-teacher invite link (teachers only)" value={link} />}
        </>
      )}
      <p class="muted">Retiring the link locks out every other device that opened it, until they get the new one.</p>
      <RotateAction
        label="Retire invite link"
        question="Retire the invite link? Other teachers’ devices lose this class until you send them the new link."
        confirm="Retire invite link"
        done="Invite link retired. This device has the new one."
        onRotate={props.actions.retireInvite}
      />
    </section>
  );
}

/** Replacing a link's secret, after a confirmation that says what stops working; then `done`, or the refusal. */
function RotateAction(props: {
  label: string;
  question: string;
  confirm: string;
  done: string;
  onRotate: () => Promise<string | null>;
}) {
  const [error, run] = useActionError();
  const [rotated, setRotated] = useState(false);
  const rotate = async () => {
    setRotated(false);
    await run(props.onRotate().then((failure) => (setRotated(failure === null), failure)));
  };
  return (
    <>
      <ConfirmButton
        label={props.label}
        question={props.question}
        confirm={props.confirm}
        danger
        onConfirm={() => void rotate()}
      />
      <p role="status">{rotated ? props.done : ''}</p>
      <ActionError error={error} />
    </>
  );
}

/** Rename, archive, or take the class off this device (when it keeps the class's key). */
function SettingsSection(props: {
  page: ClassResponse;
  actions: ClassPageActions;
  keptHere: boolean;
  onClassesOpen: () => void;
}) {
  const { page, actions } = props;
  const [name, setName] = useState(page.class.name);
  const [error, run] = useActionError();
  return (
    <section class="card class-section" aria-labelledby="settings-heading">
      <h2 id="settings-heading">Class settings</h2>
      <form
        class="row-form"
        onSubmit={(event) => {
          event.preventDefault();
          void run(actions.update({ name }));
        }}
      >
        <TextField
          id="class-name"
          label="Class name"
          value={name}
          onValue={setName}
          required
          maxLength={ROOM_NAME_MAX_LENGTH}
        />
        <button type="submit">Rename</button>
      </form>
      <div class="row">
        {page.class.archivedAt === null ? (
          <ConfirmButton
            label="Archive class"
            question="Archive this class? It keeps its roster and record, but starts no lessons and its join link stops working until it is brought back."
            confirm="Archive class"
            onConfirm={() => void run(actions.update({ archived: true }))}
          />
        ) : (
          <span class="muted">Archived {new Date(page.class.archivedAt).toLocaleDateString()}.</span>
        )}
        {props.keptHere && (
          <ConfirmButton
            label="Take off this device"
            question="Take this class off this device? It stays on the server for its other teachers; opening it here again needs an invite link."
            confirm="Take off this device"
            danger
            onConfirm={() => void actions.forget().then(props.onClassesOpen)}
          />
        )}
      </div>
      <ActionError error={error} />
    </section>
  );
}

/** "14:05" in this device's time zone. */
function clockTime(ms: number): string {
  return new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' }).format(ms);
}
