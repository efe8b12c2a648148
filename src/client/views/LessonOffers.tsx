/**
 * "Period 3 Biology has started — Join": the lessons of classes this device joined by their link,
 * offered the moment they start, joined with one tap as the name picked last time. One stream
 * follows every remembered class.
 */
import { useEffect, useState } from 'preact/hooks';
import type { ClassLinkEvent, JoinRoomResponse, WaitingResponse } from '../../shared/protocol.ts';
import * as api from '../net/api.ts';
import { followEvents } from '../net/event-stream.ts';
import { loadJoinedClasses, rememberJoinedClass, type JoinedClass } from '../state/classes-joined.ts';

interface LessonOffersProps {
  /** The room the person is in now, whose lesson needs no offer. */
  currentCode: string | null;
  onJoined: (reply: JoinRoomResponse | WaitingResponse) => void;
}

/** The live lessons of remembered classes, each with its Join button. */
export function LessonOffers(props: LessonOffersProps) {
  const [classes, setClasses] = useState<JoinedClass[]>([]);
  const [live, setLive] = useState<ReadonlyMap<string, string>>(new Map());
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<{ secret: string; message: string } | null>(null);

  useEffect(() => void loadJoinedClasses().then(setClasses), []);
  const secrets = classes.map((c) => c.secret);
  useEffect(() => {
    if (secrets.length === 0) return;
    return followEvents<ClassLinkEvent>(
      api.classLinksEventsUrl(secrets),
      (event) =>
        setLive((now) => {
          const next = new Map(now);
          if (event.live) next.set(event.link, event.live.roomCode);
          else next.delete(event.link);
          return next;
        }),
      () => undefined,
    );
  }, [secrets.join(',')]);

  const offered = classes.filter((c) => live.has(c.secret) && live.get(c.secret) !== props.currentCode);
  if (offered.length === 0) return null;

  const join = async (joined: JoinedClass) => {
    setBusy(joined.secret);
    setError(null);
    try {
      const body = joined.rosterEntryId ? { rosterEntryId: joined.rosterEntryId } : { name: joined.name };
      const reply = await api.joinClass(joined.secret, body);
      await rememberJoinedClass(joined);
      props.onJoined(reply);
    } catch (failure) {
      setError({ secret: joined.secret, message: (failure as api.ApiFailure).message });
    } finally {
      setBusy(null);
    }
  };

  return (
    <section class="lesson-offers" aria-label="Lessons starting now">
      {offered.map((c) => (
        <div class="banner info" role="status" key={c.secret}>
          <span>
            <strong>{c.className}</strong> has started.
          </span>
          <button
            type="button"
            class="primary"
            disabled={busy !== null}
            aria-label={`Join ${c.className} as ${c.name}`}
            onClick={() => void join(c)}
          >
            {busy === c.secret ? 'Joining…' : 'Join'}
          </button>
          {error?.secret === c.secret && (
            <span class="field-error" role="alert">
              {error.message} <a href={`/class/${encodeURIComponent(c.secret)}`}>Open the class link</a>
            </span>
          )}
        </div>
      ))}
    </section>
  );
}
