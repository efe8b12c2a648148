/**
 * A student's classroom tools: the "Eyes up" overlay, teachers' messages and links until they are
 * acknowledged, the raised hand, an answer to the teachers, and the offer of notifications. They
 * render and call back; nothing here opens a link or asks for a permission by itself.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { useNotificationPermission } from '../hooks/notifications.ts';
import {
  HAND_NOTE_MAX_LENGTH,
  MESSAGE_MAX_LENGTH,
  type AttentionView,
  type HandView,
  type MessageView,
} from '../../shared/protocol.ts';

/** What the overlay says about the device, plainly: a web app cannot lock anything. */
export const NOT_LOCKED_TEXT = 'This does not lock your device: it is a request from your teacher.';

/**
 * The full-window "Eyes up" request, a modal dialog until the teacher releases it. The student
 * acknowledges it; it stays (saying so) until released.
 */
export function AttentionOverlay(props: { attention: AttentionView; you: string; onAck: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const acked = props.attention.ackedBy.includes(props.you);
  useEffect(() => {
    dialog.current?.showModal();
    return () => dialog.current?.close();
  }, []);
  return (
    <dialog
      ref={dialog}
      class="attention-overlay"
      aria-labelledby="attention-heading"
      aria-describedby="attention-text"
      // Escape would close a modal dialog; the request lasts until the teacher releases it.
      onCancel={(e) => e.preventDefault()}
    >
      <h2 id="attention-heading">Eyes up</h2>
      <p id="attention-text" class="attention-message">
        {props.attention.message || 'Your teacher asks for your attention.'}
      </p>
      <p>
        From {props.attention.byName}. {NOT_LOCKED_TEXT}
      </p>
      {acked ? (
        <p role="status">Thanks — this closes when {props.attention.byName} continues.</p>
      ) : (
        <button type="button" class="primary big" onClick={props.onAck}>
          I’m listening
        </button>
      )}
    </dialog>
  );
}

/** Offers notifications for "Eyes up" while the browser has not been asked; asks only on a tap. */
export function NotificationOffer() {
  const [permission, ask] = useNotificationPermission();
  if (permission !== 'default') return null;
  return (
    <p class="muted">
      <button type="button" class="link" onClick={ask}>
        Allow notifications
      </button>{' '}
      so you see when a teacher asks for attention while this app is in the background.
    </p>
  );
}

/** Teachers' messages and links not yet acknowledged, prominently; a link opens only on a tap. */
export function TeacherMessages(props: { messages: MessageView[]; onAck: (id: string) => void }) {
  if (props.messages.length === 0) return null;
  return (
    <section class="card teacher-messages" aria-labelledby="inbox-heading">
      <h2 id="inbox-heading">From your teachers</h2>
      <ul class="plain">
        {props.messages.map((m) => (
          <li key={m.id} class="message-entry">
            <p class="message-head">
              <strong>{m.fromName}</strong>
              {m.to.kind === 'student' ? ' to you' : ' to the class'}
            </p>
            {m.text && <p class="message-text">{m.text}</p>}
            {m.url && (
              <p class="message-url">
                <span class="url">{m.url}</span>{' '}
                <a class="button primary" href={m.url} target="_blank" rel="noopener noreferrer">
                  Open<span class="visually-hidden"> link from {m.fromName}</span>
                </a>
              </p>
            )}
            <button type="button" aria-label={`Got it: message from ${m.fromName}`} onClick={() => props.onAck(m.id)}>
              Got it
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** Raise a hand (with an optional note), see it up, lower it; and who answered it last. */
export function HandCard(props: {
  hand: HandView | null;
  answeredBy: string | null;
  onRaise: (note: string) => Promise<string | null>;
  onLower: () => Promise<string | null>;
}) {
  const [note, setNote] = useState('');
  const [error, setError] = useState<string | null>(null);
  return (
    <section class="card" aria-labelledby="hand-heading">
      <h2 id="hand-heading">{props.hand ? 'Your hand is raised' : 'Need help?'}</h2>
      {props.hand ? (
        <>
          {props.hand.note && <p class="hand-note">“{props.hand.note}”</p>}
          <p class="muted">Your teachers see it in their queue.</p>
          <button type="button" onClick={async () => setError(await props.onLower())}>
            Lower my hand
          </button>
        </>
      ) : (
        <form
          onSubmit={async (e) => {
            e.preventDefault();
            const failed = await props.onRaise(note);
            setError(failed);
            if (!failed) setNote('');
          }}
        >
          {props.answeredBy && (
            <p role="status" class="hand-answered">
              {props.answeredBy} answered your raised hand.
            </p>
          )}
          <div class="field">
            <label for="hand-note">Note for your teacher (optional)</label>
            <input
              id="hand-note"
              type="text"
              value={note}
              maxLength={HAND_NOTE_MAX_LENGTH}
              onInput={(e) => setNote(e.currentTarget.value)}
            />
          </div>
          <button type="submit" class="primary">
            Raise hand
          </button>
        </form>
      )}
      {error && (
        <p class="field-error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}

/** A short answer to the teachers (never to other students), and the messages already read. */
export function TeachersReply(props: {
  earlier: MessageView[];
  you: string;
  onSend: (text: string) => Promise<string | null>;
}) {
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [sent, setSent] = useState(false);
  return (
    <section class="card" aria-labelledby="reply-heading">
      <h2 id="reply-heading">Write to your teachers</h2>
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          const failed = await props.onSend(text);
          setError(failed);
          setSent(!failed);
          if (!failed) setText('');
        }}
      >
        <div class="field">
          <label for="reply-text">Message (only your teachers see it)</label>
          <textarea
            id="reply-text"
            value={text}
            rows={2}
            maxLength={MESSAGE_MAX_LENGTH}
            onInput={(e) => {
              setText(e.currentTarget.value);
              setSent(false);
            }}
          />
        </div>
        <button type="submit">Send to teachers</button>
        {sent && <p role="status">Sent.</p>}
        {error && (
          <p class="field-error" role="alert">
            {error}
          </p>
        )}
      </form>
      {props.earlier.length > 0 && (
        <details class="earlier">
          <summary>Earlier messages ({props.earlier.length})</summary>
          <ul class="plain">
            {[...props.earlier].reverse().map((m) => (
              <li key={m.id} class="message-entry">
                <p class="message-head">
                  <strong>{m.fromId === props.you ? 'You' : m.fromName}</strong>
                  {m.to.kind === 'teachers' ? ' to the teachers' : ''}
                </p>
                {m.text && <p class="message-text">{m.text}</p>}
                {m.url && (
                  <p class="message-url">
                    <span class="url">{m.url}</span>{' '}
                    <a href={m.url} target="_blank" rel="noopener noreferrer">
                      Open<span class="visually-hidden"> link from {m.fromName}</span>
                    </a>
                  </p>
                )}
              </li>
            ))}
          </ul>
        </details>
      )}
    </section>
  );
}
