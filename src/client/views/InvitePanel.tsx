/** The host's invitation: the code, a QR code of the student link, and both links to copy. */
import { useEffect, useState } from 'preact/hooks';
import { formatKey, studentLink, supervisorLink } from '../state/links.ts';

/** Shows how others join this room; starts open while the room is empty. */
export function InvitePanel(props: { code: string; supervisorKey: string; open: boolean }) {
  const student = studentLink(location.origin, props.code);
  const supervisor = supervisorLink(location.origin, props.code, props.supervisorKey);
  const [qr, setQr] = useState<string | null>(null);
  // Only the first render decides: the panel must not fold away while a class is still scanning it.
  const [initiallyOpen] = useState(props.open);
  useEffect(() => {
    // The QR encoder is loaded only when a host opens this panel.
    void import('uqr').then(({ renderSVG }) => setQr(renderSVG(student, { border: 2 })));
  }, [student]);

  return (
    <details class="invite" open={initiallyOpen}>
      <summary>Invite students and teachers</summary>
      <p>
        Room code: <span class="room-code">{props.code}</span>
      </p>
      {qr ? (
        <div
          class="qr"
          role="img"
          aria-label="QR code of the student join link"
          dangerouslySetInnerHTML={{ __html: qr }}
        />
      ) : (
        <p class="muted">Preparing QR code…</p>
      )}
      <CopyField id="student-link" label="Student link" value={student} />
      <CopyField id="supervisor-link" label="Supervisor invite link (share only with teachers)" value={supervisor} />
      <p class="muted">
        Supervisor key: <span class="room-code">{formatKey(props.supervisorKey)}</span>
      </p>
    </details>
  );
}

function CopyField(props: { id: string; label: string; value: string }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(props.value);
      setCopied(true);
      setTimeout(() => setCopied(false), 2000);
    } catch {
      (document.getElementById(props.id) as HTMLInputElement | null)?.select();
    }
  };
  return (
    <div class="field" style="margin-bottom:0.75rem">
      <label for={props.id}>{props.label}</label>
      <div class="copy-row">
        <input id={props.id} type="text" readOnly value={props.value} onFocus={(e) => e.currentTarget.select()} />
        <button type="button" onClick={copy}>
          {copied ? 'Copied' : 'Copy'}
          <span class="visually-hidden"> {props.label}</span>
        </button>
      </div>
    </div>
  );
}
