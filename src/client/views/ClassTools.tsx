/**
 * A supervisor's classroom tools: buttons in the room's head ("Eyes up", a message or link) with
 * the panel they open below it, and the attendance sheet beside the roster (the hand queue and the
 * message log are ClassroomLists.tsx). They render the session and call back; the controller does
 * the work.
 */
import { useState } from 'preact/hooks';
import {
  ATTENTION_MESSAGE_MAX_LENGTH,
  MESSAGE_MAX_LENGTH,
  URL_MAX_LENGTH,
  type MemberView,
  type SitesView,
} from '../../shared/protocol.ts';
import type { SiteListKind } from '../../shared/site-rules.ts';
import { canCaptureScreen, NO_SCREEN_CAPTURE_TEXT } from '../browser-support.ts';
import { captureErrorText, type CaptureError } from '../media/media.ts';
import type { RoomController } from '../room/room-controller.ts';
import { RadioGroup } from './RadioGroup.tsx';
import { tools, type Session } from '../state/session.ts';

/** The form a supervisor has open below the room's head. */
type ToolForm = 'attention' | 'message' | 'show' | 'sites';

/** Which tool form is open and the last tool error, shared by the buttons and the panel. */
export function useClassTools() {
  const [open, setOpen] = useState<ToolForm | null>(null);
  const [error, setError] = useState<string | null>(null);
  /** Runs an action, keeping its error (or clearing the last one); true when it worked. */
  const run = async (action: Promise<string | null>) => {
    const failed = await action;
    setError(failed);
    return failed === null;
  };
  const toggle = (form: ToolForm) => setOpen((current) => (current === form ? null : form));
  return { open, setOpen, toggle, error, run };
}

/** What `useClassTools` returns. */
export type ClassTools = ReturnType<typeof useClassTools>;

interface ToolProps {
  controller: RoomController;
  session: Session;
  tools: ClassTools;
}

/**
 * "Eyes up" and "Message", in the room's head beside its other buttons so the wall keeps its
 * height; what they open shows below the head (`ClassToolsPanel`).
 */
export function ClassToolButtons({ controller, session, tools: ui }: ToolProps) {
  const { attention, presentation } = tools(session);
  return (
    <div class="row" role="group" aria-label="Class tools">
      {attention ? (
        <button type="button" class="danger" onClick={() => void ui.run(controller.endAttention())}>
          Release attention
        </button>
      ) : (
        <FormToggle form="attention" ui={ui} label="Eyes up" />
      )}
      <FormToggle form="message" ui={ui} label="Message" />
      {presentation ? (
        <button type="button" class="danger" onClick={() => void ui.run(controller.stopPresentation())}>
          Stop showing
        </button>
      ) : (
        <FormToggle form="show" ui={ui} label="Show to class" />
      )}
      {controller.extensionServed && <FormToggle form="sites" ui={ui} label="Sites" />}
    </div>
  );
}

/** A button that opens and closes one tool's form (`<form id="<form>-form">` in the panel). */
function FormToggle({ form, ui, label }: { form: ToolForm; ui: ClassTools; label: string }) {
  return (
    <button
      type="button"
      aria-expanded={ui.open === form}
      aria-controls={`${form}-form`}
      onClick={() => ui.toggle(form)}
    >
      {label}
    </button>
  );
}

/** The open tool's form, who has acknowledged "Eyes up" while it lasts, and a tool's error; nothing otherwise. */
export function ClassToolsPanel({
  controller,
  session,
  tools: ui,
  captureError,
}: ToolProps & { captureError: CaptureError | null }) {
  const attention = tools(session).attention;
  const students = session.members.filter((m) => m.role === 'student');
  const presentation = tools(session).presentation;
  const sites = tools(session).sites;
  const showing =
    attention ||
    presentation ||
    sites ||
    ui.open === 'sites' ||
    (ui.open === 'attention' && !attention) ||
    ui.open === 'message' ||
    ui.open === 'show' ||
    ui.error;
  if (!showing) return null;
  return (
    <div class="card class-tools">
      {attention && <AttentionStatus session={session} students={students} />}
      {presentation && (
        <p class="attention-status" role="status">
          <strong>Shown to the class:</strong> {presentation.name}’s screen, by {presentation.presenterName}.
        </p>
      )}
      {sites && (
        <p class="attention-status" role="status">
          <strong>{sites.kind === 'allow' ? 'Kept to these sites:' : 'Kept from these sites:'}</strong>{' '}
          {sites.sites.join(', ')}, by {sites.byName}. Students with the companion extension are held to it.{' '}
          <button type="button" class="link" onClick={() => void ui.run(controller.liftSites())}>
            Lift
          </button>
        </p>
      )}
      {ui.open === 'sites' && (
        <SitesForm
          current={sites}
          onSubmit={async (kind, list) => {
            const failed = await controller.setSites(kind, list);
            if (failed === null) ui.setOpen(null);
            return failed;
          }}
          onCancel={() => ui.setOpen(null)}
        />
      )}
      {ui.open === 'show' && !presentation && (
        <ShowForm
          sharing={students.filter((s) => s.sharing)}
          onShowOwn={async () => {
            if (await ui.run(controller.showOwnScreen())) ui.setOpen(null);
          }}
          onShowStudent={async (studentId) => {
            if (await ui.run(controller.showStudentScreen(studentId))) ui.setOpen(null);
          }}
          onCancel={() => ui.setOpen(null)}
        />
      )}
      {captureError && ui.open === 'show' && (
        <p class="field-error" role="alert">
          {captureErrorText(captureError)}
        </p>
      )}
      {ui.open === 'attention' && !attention && (
        <AttentionForm
          onSubmit={async (message) => {
            if (await ui.run(controller.startAttention(message))) ui.setOpen(null);
          }}
          onCancel={() => ui.setOpen(null)}
        />
      )}
      {ui.open === 'message' && (
        <MessageForm
          students={students}
          onSubmit={async (body) => {
            const failed = await controller.sendMessage(body);
            if (failed === null) ui.setOpen(null);
            return failed;
          }}
          onCancel={() => ui.setOpen(null)}
        />
      )}
      {ui.error && (
        <p class="field-error" role="alert">
          {ui.error}
        </p>
      )}
    </div>
  );
}

/** Show this device's screen, or a sharing student's, to every student. */
function ShowForm(props: {
  sharing: MemberView[];
  onShowOwn: () => Promise<void>;
  onShowStudent: (studentId: string) => Promise<void>;
  onCancel: () => void;
}) {
  const [studentId, setStudentId] = useState('');
  const chosen = props.sharing.some((s) => s.id === studentId) ? studentId : (props.sharing[0]?.id ?? '');
  const capturable = canCaptureScreen();
  return (
    <form
      id="show-form"
      class="tool-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (chosen) void props.onShowStudent(chosen);
      }}
    >
      <p class="muted">Every student sees it in the app, named, while they keep sharing with you.</p>
      <div class="row">
        <button
          type="button"
          class="primary"
          disabled={!capturable}
          aria-describedby={capturable ? undefined : 'show-own-unsupported'}
          onClick={() => void props.onShowOwn()}
        >
          Show my screen
        </button>
        {!capturable && (
          <span id="show-own-unsupported" class="muted">
            {NO_SCREEN_CAPTURE_TEXT}
          </span>
        )}
      </div>
      <div class="field">
        <label for="show-student">A student’s screen</label>
        <select id="show-student" value={chosen} onChange={(e) => setStudentId(e.currentTarget.value)}>
          {props.sharing.length === 0 && <option value="">Nobody is sharing</option>}
          <StudentOptions students={props.sharing} />
        </select>
      </div>
      <FormActions submit="Show this student’s screen" disabled={!chosen} onCancel={props.onCancel} />
    </form>
  );
}

/** Who has acknowledged "Eyes up", and who not yet. */
function AttentionStatus({ session, students }: { session: Session; students: MemberView[] }) {
  const attention = tools(session).attention!;
  const acked = students.filter((s) => attention.ackedBy.includes(s.id));
  const waiting = students.filter((s) => !attention.ackedBy.includes(s.id));
  return (
    <p class="attention-status" role="status">
      <strong>Eyes up</strong>
      {attention.message ? ` (“${attention.message}”)` : ''}: {acked.length} of {students.length} acknowledged
      {acked.length > 0 ? ` — ${acked.map((s) => s.name).join(', ')}` : ''}.
      {waiting.length > 0 ? ` Waiting for ${waiting.map((s) => s.name).join(', ')}.` : ''}
    </p>
  );
}

function AttentionForm(props: { onSubmit: (message: string) => Promise<void>; onCancel: () => void }) {
  const [message, setMessage] = useState('');
  return (
    <form
      id="attention-form"
      class="tool-form"
      onSubmit={(e) => {
        e.preventDefault();
        void props.onSubmit(message);
      }}
    >
      <p class="muted">
        Every student’s app shows a full-window message until you release it. It cannot lock their device.
      </p>
      <div class="field">
        <label for="attention-message">Message (optional)</label>
        <input
          id="attention-message"
          type="text"
          value={message}
          maxLength={ATTENTION_MESSAGE_MAX_LENGTH}
          placeholder="Eyes on the board, please"
          onInput={(e) => setMessage(e.currentTarget.value)}
        />
      </div>
      <FormActions submit="Ask for attention" primary onCancel={props.onCancel} />
    </form>
  );
}

function MessageForm(props: {
  students: MemberView[];
  onSubmit: (body: { to: string; text: string; url?: string }) => Promise<string | null>;
  onCancel: () => void;
}) {
  const [to, setTo] = useState('class');
  const [text, setText] = useState('');
  const [url, setUrl] = useState('');
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    const link = url.trim();
    setError(await props.onSubmit({ to, text, ...(link ? { url: link } : {}) }));
  };
  return (
    <form id="message-form" class="tool-form" onSubmit={submit}>
      <div class="field">
        <label for="message-to">To</label>
        <select id="message-to" value={to} onChange={(e) => setTo(e.currentTarget.value)}>
          <option value="class">The whole class</option>
          <StudentOptions students={props.students} />
        </select>
      </div>
      <div class="field">
        <label for="message-text">Message</label>
        <textarea
          id="message-text"
          value={text}
          rows={3}
          maxLength={MESSAGE_MAX_LENGTH}
          onInput={(e) => setText(e.currentTarget.value)}
        />
      </div>
      <div class="field">
        <label for="message-url">Link (optional, http or https)</label>
        <input
          id="message-url"
          type="text"
          inputMode="url"
          autoComplete="url"
          value={url}
          maxLength={URL_MAX_LENGTH}
          placeholder="https://"
          aria-describedby={error ? 'message-error' : undefined}
          onInput={(e) => setUrl(e.currentTarget.value)}
        />
      </div>
      {error && (
        <p id="message-error" class="field-error" role="alert">
          {error}
        </p>
      )}
      <FormActions submit="Send" primary onCancel={props.onCancel} />
    </form>
  );
}

/** "Keep to these sites": an allow list or a block list for the lesson, one site a line. */
function SitesForm(props: {
  current: SitesView | null;
  onSubmit: (kind: SiteListKind, sites: string) => Promise<string | null>;
  onCancel: () => void;
}) {
  const [kind, setKind] = useState<SiteListKind>(props.current?.kind ?? 'allow');
  const [list, setList] = useState(props.current?.sites.join('\n') ?? '');
  const [error, setError] = useState<string | null>(null);
  return (
    <form
      id="sites-form"
      class="tool-form"
      onSubmit={async (e) => {
        e.preventDefault();
        setError(await props.onSubmit(kind, list));
      }}
    >
      <p class="muted">
        Students whose Chromebook has the school’s companion extension are held to this list until the lesson ends; a
        page outside it says which lesson blocked it and whom to ask. This app always stays open.
      </p>
      <RadioGroup
        legend="Keep the class"
        name="sites-kind"
        choices={[
          ['allow', 'to these sites only'],
          ['block', 'away from these sites'],
        ]}
        value={kind}
        onValue={setKind}
      />
      <div class="field">
        <label for="sites-list">Sites, one a line</label>
        <textarea
          id="sites-list"
          value={list}
          rows={4}
          placeholder={'docs.google.com\nen.wikipedia.org'}
          aria-describedby={error ? 'sites-error' : 'sites-help'}
          onInput={(e) => setList(e.currentTarget.value)}
        />
        <small id="sites-help" class="muted">
          example.org covers its subdomains and pages; docs.example.org/lesson only that part.
        </small>
      </div>
      {error && (
        <p id="sites-error" class="field-error" role="alert">
          {error}
        </p>
      )}
      <FormActions submit="Apply" primary onCancel={props.onCancel} />
    </form>
  );
}

/** One option per student, by name. */
function StudentOptions({ students }: { students: readonly MemberView[] }) {
  return (
    <>
      {students.map((s) => (
        <option key={s.id} value={s.id}>
          {s.name}
        </option>
      ))}
    </>
  );
}

/** A tool form's last row: its submit button, then Cancel. */
function FormActions(props: { submit: string; primary?: boolean; disabled?: boolean; onCancel: () => void }) {
  return (
    <div class="row">
      <button type="submit" class={props.primary ? 'primary' : undefined} disabled={props.disabled}>
        {props.submit}
      </button>
      <button type="button" onClick={props.onCancel}>
        Cancel
      </button>
    </div>
  );
}

/** Host: the attendance sheet as a CSV file, made in this browser. */
export function AttendanceButton(props: { controller: RoomController; tools: ClassTools }) {
  return (
    <button type="button" onClick={() => void props.tools.run(props.controller.exportAttendance())}>
      Attendance (CSV)
    </button>
  );
}
