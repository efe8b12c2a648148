/**
 * Every API error: its HTTP status and the text a person reads, saying what to do next, and the
 * few registry errors a route rewords. No route logic lives here.
 */
import type { ErrorBody, ErrorCode } from '../../src/shared/protocol.ts';
import type { Outcome } from '../core/room-registry.ts';

const CONNECTION_FAILURE_TARGET =
  'Screens travel between a student and a supervisor: name a member of the other role, or "relay".';
const DIRECT_CONNECTION_TARGET = 'A direct call joins a student and a supervisor: name a member of the other role.';

/** Each error's text, by its HTTP status. */
const BY_STATUS = {
  400: {
    'invalid-request': 'The request is not valid; see docs/api.md.',
    'invalid-json': 'The body is not valid JSON; send a JSON object with Content-Type: application/json.',
    'invalid-roster': 'The roster could not be read; fix the file at the line and column named, and import it again.',
    'sign-in-failed':
      "The sign-in did not complete (it took too long, was cancelled, or your school's answer could not be checked); sign in again.",
  },
  413: {
    'body-too-large': 'The body is too large; requests to this API are a few hundred bytes.',
  },
  431: {
    'headers-too-large': 'The URL or headers are too large; requests to this server need well under 16 KB of them.',
  },
  401: {
    unauthorized: 'You are not a member of this room (no token, or your seat has ended); join the room again.',
    'passcode-required':
      "This server needs the school's teacher passcode to create rooms or see the lobby; ask your admin for it.",
    'sign-in-required':
      'Sign in with your school account to see the classes you teach; classes made on this device without signing in are listed here from its own storage.',
    'student-sign-in-required':
      'This school has students join signed in with their school account: sign in (the button on this page), then join.',
    'class-key-required':
      "This needs the class's teacher key: open the class from the app it was made in, or ask a teacher of the class for its invite link.",
  },
  403: {
    'wrong-supervisor-key': 'That supervisor key is not right for this room; ask the host for the invite link or key.',
    'not-host': 'Only the host can do this; ask the host, or ask them to hand the role to you.',
    'wrong-role': 'Your role in this room cannot do this.',
    'wrong-passcode': "That is not the school's teacher passcode; check it with your admin.",
    'sign-in-refused': 'This app does not take that account; sign in with your school account.',
    'csrf-token-invalid':
      'This request came without the sign-in’s CSRF token (X-CSRF-Token from GET /api/auth/me); reload the app and try again.',
    'wrong-class-key':
      'That teacher key does not open this class (it may have been replaced); ask a teacher of the class for the current invite link.',
  },
  404: {
    'room-not-found': 'There is no room with that code; check the code, or the room may have ended.',
    'member-not-found': 'That member is not in this room (any more).',
    'tab-not-found':
      "That tab is not among the ones the student's extension reports now: it may be closed already; see the student's tabs again.",
    'message-not-found': 'That message is not in this room (any more); reload the room to see the current ones.',
    'not-found': 'No such endpoint; see docs/api.md for the API.',
    'sign-in-off':
      'This server has no sign-in with school accounts set up (OIDC_ISSUER); join with a room code and your name, or ask your admin.',
    'class-link-not-found':
      'This class link does not work (any more): it may have been replaced or the class archived; ask your teacher for the current link or QR code.',
    'lesson-not-found':
      "That lesson is not in this class's record (any more): it was deleted, or is older than the school keeps records.",
    'waiting-not-found': 'That student is not waiting any more: someone admitted or refused them, or they left.',
    'not-waiting':
      'You are not waiting to join this lesson: your teacher did not admit you, the lesson ended, or the app stopped asking for two minutes. Ask your teacher, or ask to join again.',
    'roster-entry-not-found':
      "That name is not on the class's roster (any more); reload the class link and pick your name again.",
  },
  409: {
    'room-full': 'This room is full; ask the host to raise the limit or open a second room.',
    'too-many-supervisors':
      'This room has as many supervisors as one room may (20); ask one who no longer watches to leave.',
    'attendance-full':
      'This room has had as many different students as it keeps attendance for; students who were here can come back, others need a new room.',
    'too-many-rooms':
      'This server has as many rooms open as it allows; end an unused room or ask your admin to raise MAX_ROOMS.',
    'too-many-rooms-from-address':
      'Your device already has as many rooms open as one address may; end a room you no longer use, or ask your admin to raise ROOMS_PER_ADDRESS.',
    'invalid-target': 'You cannot do that to yourself.',
    'attention-not-active': 'No teacher is asking for attention with that request now; nothing to acknowledge.',
    'presentation-active': 'A screen is already being shown to the class; stop showing it first, then show this one.',
    'not-sharing': 'That student is not sharing their screen now; ask them to share, then show it to the class.',
    'class-archived': 'This class is archived and starts no lessons; bring it back first (archived: false).',
    'lesson-live':
      'This class has a lesson going on; join it, or end it (end its room) before starting or deleting one.',
    'admission-required':
      "This lesson seats students by the class's name list; open the class link and pick your name, or ask to be let in.",
    'roster-name-taken':
      'Someone is already in this lesson under that name; if that is not you, tell your teacher, or pick your own name.',
    'lesson-not-live':
      'This class has no lesson going on now; keep the class link open and it offers the lesson when your teacher starts it.',
    'waiting-full': 'Many students are already waiting for the teacher to let them in; wait a moment and try again.',
  },
  429: {
    'too-many-streams': 'Too many live connections from your address; close other tabs of this app and try again.',
    'rate-limited': 'Too many requests from your address; wait a minute and try again.',
  },
  503: {
    'sign-in-unavailable':
      "Your school's sign-in service cannot be reached right now; try again in a minute, or join with a room code.",
    'server-restarting':
      'The server is restarting and takes no new rooms or members for a moment; try again in a few seconds.',
  },
  500: {
    'internal-error': 'The server failed to handle this request; try again, and tell your admin if it persists.',
  },
} satisfies Record<number, Partial<Record<ErrorCode, string>>>;

/** The codes `BY_STATUS` gives a text. */
type Covered = { [S in keyof typeof BY_STATUS]: keyof (typeof BY_STATUS)[S] }[keyof typeof BY_STATUS];
/** Compile-time check: every error code has a status and a text (add a new code to `BY_STATUS`). */
export const EVERY_ERROR_HAS_TEXT: [ErrorCode] extends [Covered] ? true : false = true;

/** Every error code with its status and text. */
const ERRORS = Object.fromEntries(
  Object.entries(BY_STATUS).flatMap(([status, texts]) =>
    Object.entries(texts).map(([code, message]) => [code, { status: Number(status), message }]),
  ),
) as Record<ErrorCode, { status: number; message: string }>;

/** An error the API answers with; thrown by handlers, rendered by the error middleware. */
export class ApiError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string = ERRORS[code].message,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ApiError';
    this.status = ERRORS[code].status;
  }

  /** The JSON body to send. */
  toBody(): ErrorBody {
    return this.field === undefined
      ? { error: this.code, message: this.message }
      : { error: this.code, message: this.message, field: this.field };
  }
}

/** Registry errors that read better on one route: the text a person sees there and the field at fault. */
const ON_ROUTE = {
  'send-message-as-student': {
    'invalid-target': ['Students write to their teachers only: leave out "to", or send "teachers".', 'to'],
    'wrong-role': ['Only teachers send links; write your answer as text.', 'url'],
    'member-not-found': ['That student is not in this room (any more).', 'to'],
  },
  'send-message': {
    'invalid-target': ['Write to "class" or to one student\'s member id.', 'to'],
    'wrong-role': ['Only teachers send links; write your answer as text.', 'url'],
    'member-not-found': ['That student is not in this room (any more).', 'to'],
  },
  'start-presentation': {
    'member-not-found': ['That student is not in this room (any more).', 'studentId'],
    'invalid-target': [
      "Show a student's screen by their member id, or leave out studentId to show your own.",
      'studentId',
    ],
    'not-sharing': [ERRORS['not-sharing'].message, 'studentId'],
  },
  /** A signed-in student's roster entry is found by their account: they picked no name. */
  'join-signed-in': {
    'roster-name-taken': [
      'Someone is already in this lesson as you (your name on the class list); if that is not you, tell your teacher.',
      'account',
    ],
  },
  'connection-failure': {
    'wrong-role': [CONNECTION_FAILURE_TARGET, 'with'],
    'invalid-target': [CONNECTION_FAILURE_TARGET, 'with'],
  },
  'direct-connection': {
    'wrong-role': [DIRECT_CONNECTION_TARGET, 'with'],
    'invalid-target': [DIRECT_CONNECTION_TARGET, 'with'],
  },
} satisfies Record<string, Partial<Record<ErrorCode, [message: string, field: string]>>>;

/** A route whose registry errors `ON_ROUTE` rewords. */
export type ErrorRoute = keyof typeof ON_ROUTE;

/** The value of a registry outcome, or its error thrown as an ApiError (reworded for `route` when the table says so). */
export function succeed<T>(outcome: Outcome<T>, route?: ErrorRoute): T {
  if (outcome.ok) return outcome.value;
  const reworded: Partial<Record<ErrorCode, [string, string]>> | undefined = route && ON_ROUTE[route];
  const onRoute = reworded?.[outcome.error];
  throw onRoute ? new ApiError(outcome.error, onRoute[0], onRoute[1]) : new ApiError(outcome.error);
}
