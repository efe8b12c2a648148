/**
 * What sits beside the wall for supervisors: the queue of raised hands (oldest first, each with a
 * button to lower it) and the log of messages and links with who acknowledged them. Render only.
 */
import type { MessageView, WaitingView } from '../../shared/protocol.ts';
import { handQueue, notAcknowledged, tools, type Session } from '../state/session.ts';

/**
 * Students waiting to be let into a lesson whose class list does not have their name, oldest first:
 * let in once, let in and add to the class list, or turn away.
 */
export function WaitingList(props: {
  waiting: readonly WaitingView[];
  onAdmit: (id: string, addToRoster: boolean) => void;
  onRefuse: (id: string) => void;
}) {
  if (props.waiting.length === 0) return null;
  return (
    <section aria-labelledby="waiting-heading" class="hands">
      <h2 id="waiting-heading">Waiting to be let in ({props.waiting.length})</h2>
      <ul class="plain" aria-label="Waiting to be let in, oldest first">
        {props.waiting.map((w) => (
          <li key={w.id} class="list-row">
            <span>
              <strong>{w.name}</strong> <span class="muted">not on the class list · {clock(w.since)}</span>
            </span>
            <span class="row">
              <button type="button" class="primary" onClick={() => props.onAdmit(w.id, false)}>
                Let in<span class="visually-hidden"> {w.name}</span>
              </button>
              <button type="button" onClick={() => props.onAdmit(w.id, true)}>
                Add to class list<span class="visually-hidden"> and let {w.name} in</span>
              </button>
              <button type="button" class="danger" onClick={() => props.onRefuse(w.id)}>
                Turn away<span class="visually-hidden"> {w.name}</span>
              </button>
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** Raised hands, oldest first, each with its note and a button that answers it. */
export function HandQueue(props: { session: Session; onHandLower: (studentId: string) => void }) {
  const hands = handQueue(props.session);
  const nameOf = (id: string) => props.session.members.find((m) => m.id === id)?.name ?? 'A student';
  if (hands.length === 0) return null;
  return (
    <section aria-labelledby="hands-heading" class="hands">
      <h2 id="hands-heading">Raised hands ({hands.length})</h2>
      <ol class="plain" aria-label="Raised hands, oldest first">
        {hands.map((hand) => (
          <li key={hand.studentId} class="list-row">
            <span>
              <strong>{nameOf(hand.studentId)}</strong> <span class="muted">{clock(hand.raisedAt)}</span>
              {hand.note && <span class="hand-note">{hand.note}</span>}
            </span>
            <button type="button" onClick={() => props.onHandLower(hand.studentId)}>
              Lower hand<span class="visually-hidden"> of {nameOf(hand.studentId)}</span>
            </button>
          </li>
        ))}
      </ol>
    </section>
  );
}

/** Messages and links sent in this room, newest first, with who has not read them yet; and students' answers. */
export function MessageLog({ session }: { session: Session }) {
  const messages = [...tools(session).messages].reverse().slice(0, 20);
  if (messages.length === 0) return null;
  return (
    <section aria-labelledby="messages-heading" class="message-log">
      <h2 id="messages-heading">Messages</h2>
      <ul class="plain" aria-label="Messages, newest first">
        {messages.map((m) => (
          <li key={m.id} class="message-entry">
            <MessageLine session={session} message={m} />
          </li>
        ))}
      </ul>
    </section>
  );
}

function MessageLine({ session, message }: { session: Session; message: MessageView }) {
  const to =
    message.to.kind === 'class'
      ? 'the class'
      : message.to.kind === 'teachers'
        ? 'the teachers'
        : (session.members.find((m) => m.id === (message.to as { studentId: string }).studentId)?.name ??
          'a student who left');
  const unread = notAcknowledged(session, message);
  return (
    <>
      <p class="message-head">
        <strong>{message.fromName}</strong> to {to} <span class="muted">{clock(message.sentAt)}</span>
      </p>
      {message.text && <p class="message-text">{message.text}</p>}
      {message.url && (
        <p class="message-url">
          Link: <span class="url">{message.url}</span>
        </p>
      )}
      {message.to.kind !== 'teachers' && (
        <p class="muted">
          {unread.length === 0 ? 'Read by all' : `Not yet read by ${unread.map((s) => s.name).join(', ')}`}
        </p>
      )}
    </>
  );
}

/** "14:05", in the teacher's own time. */
function clock(ms: number): string {
  return new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}
