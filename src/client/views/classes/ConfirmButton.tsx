/** A button whose action waits for a second, explicit tap, with the question said beside it. */
import { useEffect, useRef, useState } from 'preact/hooks';

/**
 * `label` opens the question; `confirm` does it, `Cancel` goes back. Focus moves to the confirming
 * button, and back to `label` on cancel, so a keyboard user never loses their place.
 */
export function ConfirmButton(props: {
  label: string;
  /** Extra words for screen readers after `label` ("for Monday's lesson"). */
  hiddenLabel?: string;
  question: string;
  confirm: string;
  danger?: boolean;
  onConfirm: () => void;
}) {
  const [asking, setAsking] = useState(false);
  const confirmButton = useRef<HTMLButtonElement>(null);
  const openButton = useRef<HTMLButtonElement>(null);
  const wasAsking = useRef(false);
  useEffect(() => {
    if (asking) confirmButton.current?.focus();
    else if (wasAsking.current) openButton.current?.focus();
    wasAsking.current = asking;
  }, [asking]);
  const tone = props.danger ? 'danger' : undefined;
  if (!asking) {
    return (
      <button ref={openButton} type="button" class={tone} onClick={() => setAsking(true)}>
        {props.label}
        {props.hiddenLabel && <span class="visually-hidden"> {props.hiddenLabel}</span>}
      </button>
    );
  }
  return (
    <div class="row" role="group" aria-label={props.question}>
      <span>{props.question}</span>
      <button
        ref={confirmButton}
        type="button"
        class={props.danger ? 'danger solid' : 'primary'}
        onClick={() => {
          setAsking(false);
          props.onConfirm();
        }}
      >
        {props.confirm}
      </button>
      <button type="button" onClick={() => setAsking(false)}>
        Cancel
      </button>
    </div>
  );
}
