/**
 * Inviting without leaking: the host's invitation (code, QR code and student link; the supervisor
 * key and link hidden until revealed, copyable while hidden) and the projector view, which shows
 * what students need and nothing else. Neither view renders a secret it is not asked to show.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { formatKey, studentLink, supervisorLink } from '../state/links.ts';

/** The QR code of a link as SVG markup, once the encoder (loaded on first use) has made it. */
function useQrSvg(link: string): string | null {
  const [qr, setQr] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    void import('uqr').then(({ renderSVG }) => live && setQr(renderSVG(link, { border: 2 })));
    return () => {
      live = false;
    };
  }, [link]);
  return qr;
}

/** The QR code of a student join link (a room's or a class's). */
export function Qr({ link }: { link: string }) {
  const qr = useQrSvg(link);
  return qr ? (
    <div class="qr" role="img" aria-label="QR code of the student join link" dangerouslySetInnerHTML={{ __html: qr }} />
  ) : (
    <p class="muted">Preparing QR code…</p>
  );
}

/** The host's invitation; the supervisor key and link appear only when revealed. */
export function InvitePanel(props: { code: string; supervisorKey: string; onClose: () => void }) {
  const student = studentLink(location.origin, props.code);
  const supervisor = supervisorLink(location.origin, props.code, props.supervisorKey);
  const [revealed, setRevealed] = useState(false);
  return (
    <section id="invite-panel" class="card invite" aria-labelledby="invite-heading">
      <div class="row" style="justify-content:space-between">
        <h2 id="invite-heading">Invite students and teachers</h2>
        <button type="button" onClick={props.onClose}>
          Hide invitation
        </button>
      </div>
      <div class="invite-columns">
        <div>
          <p>
            Room code: <span class="room-code">{props.code}</span>
          </p>
          <Qr link={student} />
        </div>
        <div>
          <CopyField id="student-link" label="Student link" value={student} />
          <h3>Invite a teacher</h3>
          <p class="muted">The supervisor key lets anyone watch every screen: give it to teachers only.</p>
          <div class="row">
            <CopyButton label="Copy supervisor link" value={supervisor} />
            <CopyButton label="Copy supervisor key" value={formatKey(props.supervisorKey)} />
            <button type="button" aria-expanded={revealed} onClick={() => setRevealed(!revealed)}>
              {revealed ? 'Hide supervisor key and link' : 'Show supervisor key and link'}
            </button>
          </div>
          {revealed && (
            <div style="margin-top:0.75rem">
              <CopyField
                id="supervisor-link"
                label="Supervisor invite link (share only with teachers)"
                value={supervisor}
              />
              <p class="muted">
                Supervisor key: <span class="room-code">{formatKey(props.supervisorKey)}</span>
              </p>
            </div>
          )}
        </div>
      </div>
    </section>
  );
}

/** The view to put on the projector: a big room code, the QR code and the student link, nothing else. */
export function ProjectorView(props: { code: string; onClose: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const student = studentLink(location.origin, props.code);
  useEffect(() => {
    const previous = document.activeElement as HTMLElement | null;
    dialog.current?.showModal();
    return () => {
      dialog.current?.close();
      previous?.focus();
    };
  }, []);
  return (
    <dialog
      ref={dialog}
      class="projector"
      aria-label="Join code"
      onCancel={(event) => {
        event.preventDefault();
        props.onClose();
      }}
    >
      <button type="button" class="projector-close" onClick={props.onClose}>
        Close
      </button>
      <p class="projector-lead">Join with the code</p>
      <p class="projector-code">{props.code}</p>
      <Qr link={student} />
      <p class="projector-link">{student}</p>
    </dialog>
  );
}

/** Copies text, also where the Clipboard API is missing (plain http on a school LAN). */
async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // The old way, through an off-screen field that is removed at once, so the text never shows.
    const field = document.createElement('textarea');
    field.value = text;
    field.setAttribute('readonly', '');
    field.style.position = 'fixed';
    field.style.left = '-9999px';
    document.body.append(field);
    field.select();
    const ok = document.execCommand('copy');
    field.remove();
    return ok;
  }
}

/** A button that copies `value`, saying "Copied" for a moment; `label` is its text, `hiddenLabel` extra words for screen readers. */
export function CopyButton(props: { label: string; value: string; hiddenLabel?: string }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    if (!(await copyText(props.value))) return;
    setCopied(true);
    setTimeout(() => setCopied(false), 2000);
  };
  return (
    <button type="button" onClick={copy}>
      {copied ? 'Copied' : props.label}
      {props.hiddenLabel && <span class="visually-hidden"> {props.hiddenLabel}</span>}
    </button>
  );
}

/** A read-only, labelled field holding `value`, with a button that copies it. */
export function CopyField(props: { id: string; label: string; value: string }) {
  return (
    <div class="field" style="margin-bottom:0.75rem">
      <label for={props.id}>{props.label}</label>
      <div class="copy-row">
        <input id={props.id} type="text" readOnly value={props.value} onFocus={(e) => e.currentTarget.select()} />
        <CopyButton label="Copy" value={props.value} hiddenLabel={props.label} />
      </div>
    </div>
  );
}
