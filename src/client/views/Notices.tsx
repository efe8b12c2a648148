/**
 * Notices everyone sees at once (host changes, connection lost, a student stopped sharing), in a
 * strip of their own in the page flow: they push content down rather than cover a control.
 * Routine (info) notices go by themselves; warnings stay until dismissed or replaced.
 */
import { useEffect } from 'preact/hooks';
import type { Notice } from '../state/session.ts';

/** How long an informational notice stays. */
const INFO_MS = 8000;

/** A polite live region, so screen readers announce each notice as it arrives. */
export function Notices(props: { notices: Notice[]; onNoticeDismiss: (id: number) => void }) {
  useEffect(() => {
    const timers = props.notices
      .filter((n) => n.tone === 'info')
      .map((n) => setTimeout(() => props.onNoticeDismiss(n.id), INFO_MS));
    return () => timers.forEach(clearTimeout);
  }, [props.notices]);
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
