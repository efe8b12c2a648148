/** "Leave room", with the server's refusal (if any) shown beside it. */
import { useState } from 'preact/hooks';

/** A button that leaves the room. */
export function LeaveButton(props: { onLeave: () => Promise<string | null> }) {
  const [error, setError] = useState<string | null>(null);
  return (
    <div class="row">
      <button type="button" onClick={async () => setError(await props.onLeave())}>
        Leave room
      </button>
      {error && (
        <span class="field-error" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}
