/** A labelled text input, the kind every form of the app is made of. */
import type { Ref } from 'preact';

/** A labelled text input with its error (if any) announced and tied to it. */
export function TextField(props: {
  id: string;
  label: string;
  value: string;
  onValue: (value: string) => void;
  error?: string | null;
  class?: string;
  autoComplete?: string;
  autoCapitalize?: 'off' | 'characters';
  spellcheck?: boolean;
  required?: boolean;
  maxLength?: number;
  placeholder?: string;
  readOnly?: boolean;
  /** A line under the field saying more about it. */
  hint?: string;
  ref?: Ref<HTMLInputElement>;
}) {
  const { id, label, value, onValue, error, hint, ...input } = props;
  const describedBy = [hint && `${id}-hint`, error && `${id}-error`].filter(Boolean).join(' ');
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <input
        id={id}
        type="text"
        value={value}
        onInput={(e) => onValue(e.currentTarget.value)}
        aria-describedby={describedBy || undefined}
        {...input}
      />
      {hint && (
        <span id={`${id}-hint`} class="muted">
          {hint}
        </span>
      )}
      {error && (
        <span id={`${id}-error`} class="field-error">
          {error}
        </span>
      )}
    </div>
  );
}
