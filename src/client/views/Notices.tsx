/**
 * Notices everyone sees at once (host changes, connection lost, a student stopped sharing), in a
 * strip of their own in the page flow: they push content down rather than cover a control.
 * Routine (info) notices go by themselves; warnings stay until dismissed or replaced.
 */
import { useEffect, useRef } from 'preact/hooks';
import type { Notice } from '../state/session.ts';

/** How long an informational notice stays. */
const INFO_MS = 8000;

/** A polite live region, so screen readers announce each notice as it arrives. */
export function Notices(props: { notices: Notice[]; onNoticeDismiss: (id: number) => void }) {
  // One timer per notice, from its arrival: a later notice must not restart an earlier one's clock.
  const timers = useRef(new Map<number, ReturnType<typeof setTimeout>>());
  const dismiss = useRef(props.onNoticeDismiss);
  dismiss.current = props.onNoticeDismiss;
  useEffect(() => {
    const ids = new Set(props.notices.map((n) => n.id));
    for (const [id, timer] of timers.current) {
      if (ids.has(id)) continue;
      clearTimeout(timer);
      timers.current.delete(id);
    }
    for (const notice of props.notices) {
      if (notice.tone !== 'info' || timers.current.has(notice.id)) continue;
      timers.current.set(
        notice.id,
        setTimeout(() => dismiss.current(notice.id), INFO_MS),
      );
    }
  }, [props.notices]);
  useEffect(() => () => timers.current.forEach(clearTimeout), []);
  return (
    <div class="notices" role="status" aria-live="polite">
      {props.notices.map((notice) => (
        <div key={notice.id} class={`notice ${notice.tone}`}>
          <span>{notice.text}</span>
          <button type="button" class="link" onClick={() => props.onNoticeDismiss(notice.id)}>
            <span aria-hidden="true">✕</span>
            <span class="visually-hidden">Dismiss notice</span>
          </button>
        </div>
      ))}
    </div>
  );
}
