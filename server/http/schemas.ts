/**
 * Request schemas (zod): shape, types and lengths of what clients send. Room rules (who may do what)
 * belong to the registry, not here. Unknown fields are refused so typos surface at once.
 */
import { z } from 'zod';
import type {
  AddTeacherRequest,
  AdmitRequest,
  ClassJoinRequest,
  AttentionRequest,
  SetSitesRequest,
  CreateClassRequest,
  OneRosterClassesRequest,
  RosterImportRequest,
  StartLessonRequest,
  UpdateClassRequest,
  ConnectionFailureReport,
  CreateRoomRequest,
  JoinRoomRequest,
  RaiseHandRequest,
  SendMessageRequest,
  SharingRequest,
  SnapshotNoticeRequest,
  StartPresentationRequest,
  TransferHostRequest,
} from '../../src/shared/protocol.ts';
import {
  ATTENTION_MESSAGE_MAX_LENGTH,
  HAND_NOTE_MAX_LENGTH,
  MESSAGE_MAX_LENGTH,
  NAME_MAX_LENGTH,
  ROOM_NAME_MAX_LENGTH,
  URL_MAX_LENGTH,
} from '../../src/shared/protocol.ts';
import { ApiError } from './errors.ts';

/** A UTF-16 surrogate without its other half: not text, and shown as garbage (or not at all). */
export const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/**
 * Characters a name cannot show: controls, format characters (zero-width spaces and joiners,
 * direction overrides), private-use and unassigned code points, line and paragraph separators, and
 * letters that render as blank (Hangul fillers, braille blank, combining grapheme joiner).
 */
export const INVISIBLE = /[\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Zl}\p{Zp}\u034F\u115F\u1160\u2800\u3164\uFFA0]/u;

/**
 * A name or title people see: refused with a message naming the field when it holds a lone
 * surrogate or an invisible character, otherwise trimmed, with runs of spaces made one, in NFC.
 * Roster files (`server/classes/`) check their names with it too, since those become room names.
 */
export const displayText = (what: string, max: number) =>
  z
    .string({ error: `${what} must be text` })
    .refine((text) => !LONE_SURROGATE.test(text), `${what} is not valid Unicode text (it has a lone surrogate)`)
    .refine((text) => !INVISIBLE.test(text), `${what} must not contain invisible or control characters`)
    .transform((text) => text.normalize('NFC').replace(/\s+/gu, ' ').trim())
    .pipe(z.string().min(1, `${what} must not be empty`).max(max, `${what} must be at most ${max} characters`));

/** `POST /api/rooms`. */
export const createRoomBody = z.strictObject({
  name: displayText('name (the room name)', ROOM_NAME_MAX_LENGTH),
  hostName: displayText('hostName (your name)', NAME_MAX_LENGTH),
  listed: z.boolean({ error: 'listed must be true or false' }).default(true),
  passcode: z.string({ error: 'passcode must be text' }).max(128, 'passcode is too long').optional(),
});

/** `POST /api/rooms/:code/members`. */
export const joinRoomBody = z.strictObject({
  name: displayText('name (your name)', NAME_MAX_LENGTH),
  role: z.enum(['student', 'supervisor'], { error: 'role must be "student" or "supervisor"' }),
  supervisorKey: z.string({ error: 'supervisorKey must be text' }).max(64, 'supervisorKey is too long').optional(),
});

/** `POST /api/rooms/:code/host`. */
export const transferHostBody = z.strictObject({
  memberId: z.string({ error: 'memberId must be text' }).min(1, 'memberId must not be empty').max(64),
});

/** `PUT /api/rooms/:code/members/me/share`. */
export const shareBody = z.strictObject({
  sharing: z.boolean({ error: 'sharing must be true or false' }),
});

/** `POST /api/rooms/:code/connection-failures`. */
export const connectionFailureBody = z.strictObject({
  with: z
    .string({ error: 'with must be text: a member id or "relay"' })
    .min(1, 'with must not be empty: give a member id or "relay"')
    .max(64, 'with is too long: give a member id or "relay"'),
});

/** `POST /api/rooms/:code/direct-connections`. */
export const directConnectionBody = z.strictObject({
  with: z
    .string({ error: 'with must be text: the member id of the supervisor the call came up with' })
    .min(1, 'with must not be empty: give the member id of the supervisor the call came up with')
    .max(64, 'with is too long: give the member id of the supervisor the call came up with'),
});

/** Parses `body` or throws a 400 that names the field at fault and what it should be. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new ApiError('invalid-request', 'Send a JSON object with Content-Type: application/json.');
  }
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.join(', ');
    throw new ApiError('invalid-request', `Unknown field(s): ${keys}; remove them (see docs/api.md).`, issue.keys[0]);
  }
  const field = issue.path.join('.') || undefined;
  const missing = issue.path.length === 1 && !Object.hasOwn(body, issue.path[0]!);
  const message = missing ? `${field} is required` : issue.message;
  throw new ApiError('invalid-request', `${message}.`, field);
}

/** Invisible characters, as for names, but line breaks and tabs are allowed: a message may have paragraphs. */
const INVISIBLE_IN_TEXT = /(?![\n\r\t])\p{Cc}|[\p{Cf}\p{Co}\p{Cn}\p{Zl}\p{Zp}\u034F\u2800\u3164\uFFA0]/u;

/**
 * Words a person writes (a note, a message): plain text, shown as text and never as HTML. Refused
 * with a message naming the field when it holds a lone surrogate or an invisible character;
 * otherwise in NFC with Windows line ends made one and the ends trimmed. May be empty.
 */
const plainText = (what: string, max: number, multiline: boolean) =>
  z
    .string({ error: `${what} must be text` })
    .refine((text) => !LONE_SURROGATE.test(text), `${what} is not valid Unicode text (it has a lone surrogate)`)
    .refine(
      (text) => !INVISIBLE_IN_TEXT.test(text) && (multiline || !/[\n\r\t]/.test(text)),
      `${what} must not contain invisible or control characters${multiline ? '' : ' or line breaks'}`,
    )
    .transform((text) => text.normalize('NFC').replace(/\r\n?/g, '\n').trim())
    .pipe(z.string().max(max, `${what} must be at most ${max} characters`));

/** The one message a refused link gets, so a teacher knows what to send instead. */
export const URL_SCHEME_MESSAGE =
  'Only http(s) links can be sent: give a web address starting with https:// or http://';

/** What a link too long once written as a web address is told. */
export const URL_STORED_LENGTH_MESSAGE = `url must be at most ${URL_MAX_LENGTH} characters once written as a web address, where a letter outside A–Z takes 6 to 12; shorten it, or use a link shortener your school trusts`;

/** A web address: http or https only (no javascript:, data:, file: ...), kept in its parsed, canonical form. */
const webUrl = z
  .string({ error: 'url must be text' })
  .max(URL_MAX_LENGTH, `url must be at most ${URL_MAX_LENGTH} characters`)
  .transform((text, context) => {
    let parsed: URL | null;
    try {
      parsed = new URL(text.trim());
    } catch {
      parsed = null;
    }
    if (!parsed || (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') || parsed.hostname === '') {
      context.addIssue({ code: 'custom', message: URL_SCHEME_MESSAGE });
      return z.NEVER;
    }
    // The length that counts is the stored one: a letter outside ASCII is written as 6 to 12
    // characters (漢 becomes %E6%BC%A2), so 2,000 typed characters could be stored as 18,000.
    if (parsed.href.length > URL_MAX_LENGTH) {
      context.addIssue({ code: 'custom', message: URL_STORED_LENGTH_MESSAGE });
      return z.NEVER;
    }
    return parsed.href;
  });

/** `POST /api/rooms/:code/hands`. */
export const raiseHandBody = z.strictObject({
  note: plainText('note', HAND_NOTE_MAX_LENGTH, false).default(''),
});

/** `POST /api/rooms/:code/messages`: words, a link, or both. */
export const sendMessageBody = z
  .strictObject({
    to: z
      .string({ error: 'to must be text: "class", a student\'s member id, or "teachers"' })
      .min(1)
      .max(64)
      .optional(),
    text: plainText('text', MESSAGE_MAX_LENGTH, true).default(''),
    url: webUrl.optional(),
  })
  .refine((body) => body.text !== '' || body.url !== undefined, {
    message: 'text must not be empty: write a message, or give a url',
    path: ['text'],
  });

/** `PUT /api/rooms/:code/attention`. */
export const attentionBody = z.strictObject({
  message: plainText('message', ATTENTION_MESSAGE_MAX_LENGTH, false).default(''),
});

/** Longest site list text taken: 200 sites of a few dozen characters each, with room to spare. */
export const SITE_LIST_TEXT_MAX = 64 * 1024;

/** `PUT /api/rooms/:code/sites`: the text is read by `parseSiteList` in the route. */
export const setSitesBody = z.strictObject({
  kind: z.enum(['allow', 'block'], { error: 'kind must be "allow" (only these sites) or "block" (not these sites)' }),
  sites: z
    .string({ error: 'sites must be text: one site a line, like example.org' })
    .max(SITE_LIST_TEXT_MAX, `sites must be at most ${SITE_LIST_TEXT_MAX / 1024} KB of text`),
});

/** `POST /api/rooms/:code/snapshots`. */
export const snapshotBody = z.strictObject({
  studentId: z.string({ error: 'studentId must be text' }).min(1, 'studentId must not be empty').max(64),
});

/** `PUT /api/rooms/:code/presentation`: absent `studentId` shows the supervisor's own screen. */
export const presentationBody = z.strictObject({
  studentId: z.string({ error: 'studentId must be text' }).min(1, 'studentId must not be empty').max(64).optional(),
});

/** Longest roster text accepted in one field (a district's OneRoster users.csv fits; the body limit is the real bound). */
const ROSTER_TEXT_MAX = 16 * 1024 * 1024;

const passcodeField = z.string({ error: 'passcode must be text' }).max(128, 'passcode is too long').optional();

/** `POST /api/classes`. */
export const createClassBody = z.strictObject({
  name: displayText('name (the class name)', ROOM_NAME_MAX_LENGTH),
  passcode: passcodeField,
});

/** `POST /api/classes/:classId/teachers`. */
export const addTeacherBody = z.strictObject({
  email: z
    .string({ error: 'email must be text' })
    .trim()
    .toLowerCase()
    .pipe(z.email({ error: 'email must be a school e-mail address (like lee@school.example)' }).max(254)),
});

/** `PATCH /api/classes/:classId`. */
export const updateClassBody = z.strictObject({
  name: displayText('name (the class name)', ROOM_NAME_MAX_LENGTH).optional(),
  archived: z.boolean({ error: 'archived must be true or false' }).optional(),
});

const rosterText = (what: string) =>
  z.string({ error: `${what} must be text` }).max(ROSTER_TEXT_MAX, `${what} is too large`);

const oneRosterFiles = z.strictObject(
  {
    users: rosterText('files.users (users.csv)'),
    classes: rosterText('files.classes (classes.csv)'),
    enrollments: rosterText('files.enrollments (enrollments.csv)'),
  },
  { error: 'files must be an object with the text of users, classes and enrollments (OneRoster 1.1 CSV)' },
);

const importMode = z.enum(['replace', 'merge'], { error: 'mode must be "replace" or "merge"' });

/** `PUT /api/classes/:classId/roster`: typed lines, a CSV file's text, or a OneRoster export's chosen classes. */
export const rosterImportBody = z.discriminatedUnion(
  'from',
  [
    z.strictObject({ mode: importMode, from: z.literal('typed'), text: rosterText('text') }),
    z.strictObject({ mode: importMode, from: z.literal('csv'), csv: rosterText('csv') }),
    z.strictObject({
      mode: importMode,
      from: z.literal('oneroster'),
      files: oneRosterFiles,
      classIds: z
        .array(z.string({ error: 'classIds must be OneRoster class sourcedIds' }).min(1).max(256), {
          error: 'classIds must be a list of OneRoster class sourcedIds',
        })
        .min(1, 'classIds must name at least one class (list them first: POST …/roster/oneroster-classes)')
        .max(100, 'classIds may name at most 100 classes'),
    }),
  ],
  { error: 'from must be "typed", "csv" or "oneroster"' },
);

/** `POST /api/classes/:classId/roster/oneroster-classes`. */
export const oneRosterClassesBody = z.strictObject({ files: oneRosterFiles });

/** `POST /api/classes/:classId/lessons`. */
export const startLessonBody = z.strictObject({
  hostName: displayText('hostName (your name)', NAME_MAX_LENGTH),
  listed: z.boolean({ error: 'listed must be true or false' }).default(false),
});

/** `POST /api/join/:joinSecret/members`: a roster name picked from the link, or a typed name. */
export const classJoinBody = z.union(
  [
    z.strictObject({ rosterEntryId: z.string({ error: 'rosterEntryId must be text' }).min(1).max(64) }),
    z.strictObject({ name: displayText('name (your name)', NAME_MAX_LENGTH) }),
  ],
  { error: 'send {"rosterEntryId": "<the id of your name on the list>"} or {"name": "<your name>"}' },
);

/** `POST /api/rooms/:code/waiting/:id/admit`. */
export const admitBody = z.strictObject({
  addToRoster: z.boolean({ error: 'addToRoster must be true or false' }).optional(),
});

/** True when `A` and `B` are the same type. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

/**
 * Compile-time check that each schema accepts exactly the request type the client sends
 * (src/shared/protocol.ts): change one without the other and the typecheck fails here.
 */
export const REQUESTS_MATCH_PROTOCOL: [
  Same<z.input<typeof createRoomBody>, CreateRoomRequest>,
  Same<z.input<typeof joinRoomBody>, JoinRoomRequest>,
  Same<z.input<typeof transferHostBody>, TransferHostRequest>,
  Same<z.input<typeof shareBody>, SharingRequest>,
  Same<z.input<typeof connectionFailureBody>, ConnectionFailureReport>,
  Same<z.input<typeof raiseHandBody>, RaiseHandRequest>,
  Same<z.input<typeof sendMessageBody>, SendMessageRequest>,
  Same<z.input<typeof attentionBody>, AttentionRequest>,
  Same<z.input<typeof setSitesBody>, SetSitesRequest>,
  Same<z.input<typeof snapshotBody>, SnapshotNoticeRequest>,
  Same<z.input<typeof presentationBody>, StartPresentationRequest>,
  Same<z.input<typeof createClassBody>, CreateClassRequest>,
  Same<z.input<typeof updateClassBody>, UpdateClassRequest>,
  Same<z.input<typeof rosterImportBody>, RosterImportRequest>,
  Same<z.input<typeof oneRosterClassesBody>, OneRosterClassesRequest>,
  Same<z.input<typeof startLessonBody>, StartLessonRequest>,
  Same<z.input<typeof classJoinBody>, ClassJoinRequest>,
  Same<z.input<typeof admitBody>, AdmitRequest>,
  Same<z.input<typeof addTeacherBody>, AddTeacherRequest>,
] = [true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true];
