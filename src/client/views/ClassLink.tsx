/**
 * A class's students' link (`/class/<secret>`): the class, and while its lesson runs, the roster's
 * names to pick one's own from (or a name to type, which a teacher then lets in); signed in with the
 * school account, one button, as the account says (where the school has students sign in, only that). Before the lesson the page waits and offers it
 * the moment it starts.
 */
import { useEffect, useState } from 'preact/hooks';
import {
  NAME_MAX_LENGTH,
  type ClassLinkEvent,
  type ClassLinkResponse,
  type JoinRoomResponse,
  type WaitingResponse,
} from '../../shared/protocol.ts';
import { hasWebRtc, noWebRtcText } from '../browser-support.ts';
import * as api from '../net/api.ts';
import { useSubmission } from '../hooks/seat-forms.ts';
import type { SignInState } from '../hooks/sign-in.ts';
import { followEvents } from '../net/event-stream.ts';
import { rememberJoinedClass } from '../state/classes-joined.ts';
import { SignInPanel } from './SignInPanel.tsx';
import { TextField } from './TextField.tsx';

interface ClassLinkProps {
  secret: string;
  /** The name last used, to prefill the typed name. */
  name: string;
  /** Signed in, the school account says who the student is: no name to pick or type. */
  signIn: SignInState;
  /** A join went through (a seat) or waits for a teacher. */
  onJoined: (reply: JoinRoomResponse | WaitingResponse) => void;
}

/** The class link screen. */
export function ClassLink(props: ClassLinkProps) {
  const { secret } = props;
  const [link, setLink] = useState<ClassLinkResponse | null>(null);
  const [failure, setFailure] = useState<api.ApiFailure | null>(null);

  // The link's state now, read again whenever its stream says a lesson started or ended.
  useEffect(() => {
    let live = true;
    const read = () =>
      api.getClassLink(secret).then(
        (body) => live && (setLink(body), setFailure(null)),
        (error: api.ApiFailure) => live && setFailure(error),
      );
    let lastLive: string | null | undefined;
    const stop = followEvents<ClassLinkEvent>(
      api.classLinksEventsUrl([secret]),
      (event) => {
        const code = event.live?.roomCode ?? null;
        if (code !== lastLive) void read();
        lastLive = code;
      },
      () => undefined,
    );
    void read();
    return () => {
      live = false;
      stop();
    };
  }, [secret]);

  if (failure && !link) {
    return (
      <div class="narrow">
        <h1>Class link</h1>
        <p class="alert" role="alert">
          {failure.message}
        </p>
      </div>
    );
  }
  if (!link) return <p class="narrow">Loading…</p>;
  const className = link.class.name;
  return (
    <div class="narrow">
      <h1>{className}</h1>
      {!hasWebRtc() && (
        <p class="alert" role="alert">
          {noWebRtcText('student')}
        </p>
      )}
      {link.live ? (
        <JoinLesson {...props} link={link} className={className} />
      ) : (
        <p role="status">
          No lesson right now. Keep this page open: it offers the lesson as soon as your teacher starts it.
        </p>
      )}
    </div>
  );
}

/** Joining the live lesson: pick your name from the roster, or type it. */
function JoinLesson(props: ClassLinkProps & { link: ClassLinkResponse; className: string }) {
  const { secret, link, className } = props;
  const names = link.names ?? [];
  const [typing, setTyping] = useState(!link.hasRoster);
  const [name, setName] = useState(props.name);
  const joining = useSubmission(async (body: { rosterEntryId: string; name: string } | { name: string }) => {
    const request = 'rosterEntryId' in body ? { rosterEntryId: body.rosterEntryId } : { name: body.name };
    const reply = await api.joinClass(secret, request);
    const rosterEntryId = 'rosterEntryId' in body ? body.rosterEntryId : null;
    await rememberJoinedClass({ secret, className, rosterEntryId, name: body.name });
    props.onJoined(reply);
  });
  const { busy, error } = joining;
  const { account } = props.signIn;
  // The school has students join signed in: nothing to pick or type, only the sign-in.
  const asName = !account && !link.signInRequired;

  return (
    <section aria-labelledby="join-lesson-heading">
      <h2 id="join-lesson-heading">The lesson has started</h2>
      {error && (
        <p class="field-error" role="alert">
          {error.message}
        </p>
      )}
      {account ? (
        <>
          {/* The server seats them as their account, whatever name is sent. */}
          <p>
            You join as <strong>{account.name}</strong>, the name on your school account.
          </p>
          <button
            type="button"
            class="primary big"
            disabled={busy || !hasWebRtc()}
            onClick={(event) => void joining.submit(event, { name: account.name })}
          >
            {busy ? 'Joining…' : 'Join the lesson'}
          </button>
        </>
      ) : (
        <>
          {link.signInRequired && <p>Your school has students join signed in with their school account.</p>}
          <SignInPanel signIn={props.signIn} />
        </>
      )}
      {asName && link.hasRoster && !typing && (
        <>
          {names.length > 0 ? (
            <>
              <p id="pick-hint">Pick your name to join.</p>
              <ul class="name-picker" aria-describedby="pick-hint">
                {names.map((entry) => (
                  <li key={entry.id}>
                    <button
                      type="button"
                      class="primary"
                      disabled={busy || !hasWebRtc()}
                      onClick={(event) => void joining.submit(event, { rosterEntryId: entry.id, name: entry.name })}
                    >
                      {entry.name}
                    </button>
                  </li>
                ))}
              </ul>
            </>
          ) : (
            <p>Everyone on the class list has joined.</p>
          )}
          <button type="button" class="link" onClick={() => setTyping(true)}>
            My name is not on the list
          </button>
        </>
      )}
      {asName && typing && (
        <form onSubmit={(event) => void joining.submit(event, { name })}>
          {link.hasRoster && <p>Your teacher lets you in once they see your name.</p>}
          <TextField
            id="class-join-name"
            label="Your name"
            value={name}
            onValue={setName}
            autoComplete="name"
            required
            maxLength={NAME_MAX_LENGTH}
            error={joining.fieldError('name')}
          />
          <button type="submit" class="primary big" disabled={busy || !hasWebRtc()}>
            {busy ? 'Joining…' : link.hasRoster ? 'Ask to join' : 'Join'}
          </button>
        </form>
      )}
    </section>
  );
}
