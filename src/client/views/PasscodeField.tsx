/** The school's teacher passcode, typed where the server asks for it (creating a room, the lobby). */

/** A password field labelled "Teacher passcode", with the server's refusal under it when there is one. */
export function PasscodeField(props: {
  id: string;
  value: string;
  onValue: (value: string) => void;
  error?: string | null;
}) {
  const errorId = `${props.id}-error`;
  return (
    <div class="field">
      <label for={props.id}>Teacher passcode</label>
      <input
        id={props.id}
        type="password"
        value={props.value}
        onInput={(e) => props.onValue(e.currentTarget.value)}
        autoComplete="off"
        required
        aria-describedby={props.error ? errorId : undefined}
      />
      {props.error && (
        <span id={errorId} class="field-error" role="alert">
          {props.error}
        </span>
      )}
    </div>
  );
}
