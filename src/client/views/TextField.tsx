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
  ref?: Ref<HTMLInputElement>;
}) {
  const { id, label, value, onValue, error, ...input } = props;
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <input
        id={id}
        type="text"
        value={value}
        onInput={(e) => onValue(e.currentTarget.value)}
        aria-describedby={error ? `${id}-error` : undefined}
        {...input}
      />
      {error && (
        <span id={`${id}-error`} class="field-error">
          {error}
        </span>
      )}
    </div>
  );
}
