/**
 * The HTTP API client: one typed function per endpoint. Failures become an ApiFailure carrying the
 * server's error code and human message, or 'offline' when the server could not be reached.
 */
import type {
  AdmissionResponse,
  AdmitResponse,
  ClassJoinRequest,
  ClassLinkResponse,
  ClassListResponse,
  WaitingResponse,
  AttendanceResponse,
  ClassResponse,
  CreateClassRequest,
  CreateClassResponse,
  JoinSecretResponse,
  LessonsResponse,
  OneRosterClassesRequest,
  OneRosterClassesResponse,
  OneRosterFilesBody,
  RosterImportRequest,
  RosterImportResponse,
  StartLessonRequest,
  StartLessonResponse,
  TeacherKeyResponse,
  TeachersResponse,
  UpdateClassRequest,
  AuthMeResponse,
  LogoutResponse,
  AttentionRequest,
  RaiseHandRequest,
  SnapshotNoticeRequest,
  StartPresentationRequest,
  ClientConfig,
  ConnectionFailureReport,
  DirectConnectionReport,
  DirectConnectionResponse,
  CreateRoomRequest,
  CreateRoomResponse,
  ErrorBody,
  ErrorCode,
  IceServersResponse,
  JoinRoomRequest,
  JoinRoomResponse,
  SendMessageRequest,
  SetSitesRequest,
  SetSitesResponse,
  SendMessageResponse,
  StartPresentationResponse,
  ConnectionFailureResponse,
  ListRoomsResponse,
  RaiseHandResponse,
  RoomResponse,
  SharingRequest,
  SnapshotResponse,
  StartAttentionResponse,
  TabReport,
  TransferHostRequest,
} from '../../shared/protocol.ts';

/** A refused or failed request; `message` is fit to show a person. */
export class ApiFailure extends Error {
  constructor(
    readonly code: ErrorCode | 'offline',
    message: string,
    readonly status: number,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ApiFailure';
  }
}

/** The signed-in session's CSRF token, sent on every request once known (see `getSignedIn`). */
let csrfToken: string | null = null;

/** Sends a request; a refusal (4xx/5xx) or an unreachable server becomes an ApiFailure. */
async function send(
  method: string,
  path: string,
  options: { token?: string; body?: unknown; keepalive?: boolean } = {},
): Promise<Response> {
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  // The server refuses a changing request its sign-in cookie would authorise without this header.
  if (csrfToken !== null) headers['x-csrf-token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      // Lets a request sent from `pagehide` finish after the page is gone.
      keepalive: options.keepalive ?? false,
    });
  } catch {
    throw new ApiFailure('offline', 'Cannot reach the server. Check your connection; the app keeps trying.', 0);
  }
  if (res.ok) return res;
  const error = (await res.json().catch(() => null)) as Partial<ErrorBody> | null;
  throw new ApiFailure(
    error?.error ?? 'internal-error',
    error?.message ?? `The server answered ${res.status}.`,
    res.status,
    error?.field,
  );
}

async function request<T>(
  method: string,
  path: string,
  options: { token?: string; body?: unknown; keepalive?: boolean } = {},
): Promise<T> {
  const res = await send(method, path, options);
  if (res.status === 204) return undefined as T;
  return (await res.json().catch(() => null)) as T;
}

/** A file the server sends for download, with the name its Content-Disposition gives. */
async function requestFile(
  path: string,
  token: string | null,
  fallbackName: string,
): Promise<{ blob: Blob; fileName: string }> {
  const res = await send('GET', path, token === null ? {} : { token });
  const named = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '');
  return { blob: await res.blob(), fileName: named?.[1] ?? fallbackName };
}

/** Who is signed in on this browser; keeps the session's CSRF token for the requests that follow. */
export async function getSignedIn(): Promise<AuthMeResponse> {
  const me = await request<AuthMeResponse>('GET', '/api/auth/me');
  csrfToken = me.csrfToken;
  return me;
}

/** Signs out: the server ends the session, and says where the school provider's own sign-out page is, if it has one. */
export async function signOut(): Promise<LogoutResponse> {
  const reply = await request<LogoutResponse>('POST', '/api/auth/logout');
  csrfToken = null;
  return reply;
}

/** Where the browser goes to sign in with the school account, coming back to `returnTo` (a path here). */
export const signInUrl = (returnTo: string) => `/api/auth/login?returnTo=${encodeURIComponent(returnTo)}`;

/** Runtime settings for this server. */
export const getConfig = () => request<ClientConfig>('GET', '/api/config');

/** The ICE servers for this member's media, with TURN credentials made for them. */
export const getIceServers = (code: string, token: string) =>
  request<IceServersResponse>('GET', `/api/rooms/${code}/ice-servers`, { token });

/** Listed rooms. */
export const listRooms = () => request<ListRoomsResponse>('GET', '/api/rooms');

/** Opens a room; the caller becomes host. */
export const createRoom = (body: CreateRoomRequest) => request<CreateRoomResponse>('POST', '/api/rooms', { body });

/** Joins a room: a supervisor is always seated; a student may have to wait for a teacher (a rostered lesson). */
export function joinRoom(code: string, body: JoinRoomRequest & { role: 'supervisor' }): Promise<JoinRoomResponse>;
export function joinRoom(code: string, body: JoinRoomRequest): Promise<JoinRoomResponse | WaitingResponse>;
export function joinRoom(code: string, body: JoinRoomRequest): Promise<JoinRoomResponse | WaitingResponse> {
  return request<JoinRoomResponse | WaitingResponse>('POST', `/api/rooms/${encodeURIComponent(code)}/members`, {
    body,
  });
}

/** The room as this member sees it; fails with 401/404 once the seat has ended. */
export const getRoom = (code: string, token: string) =>
  request<RoomResponse>('GET', `/api/rooms/${encodeURIComponent(code)}`, { token });

/** Leaves the room. */
export const leaveRoom = (code: string, token: string) =>
  request<void>('DELETE', `/api/rooms/${encodeURIComponent(code)}/members/me`, { token });

/** Tells the room this student started or stopped sharing; `keepalive` lets it outlive a closing page. */
export const setSharing = (code: string, token: string, sharing: boolean, keepalive = false) =>
  request<SharingRequest>('PUT', `/api/rooms/${encodeURIComponent(code)}/members/me/share`, {
    token,
    body: { sharing } satisfies SharingRequest,
    keepalive,
  });

/**
 * A media connection with a member (or "relay") never came up. The server relays a direct pair at
 * its first report (DIRECT_FAILURES_TO_RELAY) and sends a member directly after two failed links to
 * the relay (RELAY_FAILURES_TO_GO_DIRECT); both rules are in server/core/routes.ts.
 */
export const reportConnectionFailure = (code: string, token: string, withId: string) =>
  request<ConnectionFailureResponse>('POST', `/api/rooms/${encodeURIComponent(code)}/connection-failures`, {
    token,
    body: { with: withId } satisfies ConnectionFailureReport,
  });

/**
 * A connection with the relay came up: the server forgets the failures reported with it (slow calls
 * are reported after 2.5 s, and a link that is only slow must not add up to going direct).
 */
export const reportRelayConnection = (code: string, token: string) =>
  request<ConnectionFailureResponse>('DELETE', `/api/rooms/${encodeURIComponent(code)}/connection-failures/relay`, {
    token,
  });

/** A direct call with a supervisor came up: in a room that races its paths, the race ends (server/core/rerouting.ts). */
export const reportDirectConnection = (code: string, token: string, withId: string) =>
  request<DirectConnectionResponse>('POST', `/api/rooms/${encodeURIComponent(code)}/direct-connections`, {
    token,
    body: { with: withId } satisfies DirectConnectionReport,
  });

/** Host: removes a member. */
export const kickMember = (code: string, token: string, memberId: string) =>
  request<void>('DELETE', `/api/rooms/${encodeURIComponent(code)}/members/${encodeURIComponent(memberId)}`, { token });

/** Host: hands the role to another supervisor. */
export const transferHost = (code: string, token: string, memberId: string) =>
  request<RoomResponse>('POST', `/api/rooms/${encodeURIComponent(code)}/host`, {
    token,
    body: { memberId } satisfies TransferHostRequest,
  });

/** Host: ends the room for everyone. */
export const endRoom = (code: string, token: string) =>
  request<void>('DELETE', `/api/rooms/${encodeURIComponent(code)}`, { token });

const room = (code: string) => `/api/rooms/${encodeURIComponent(code)}`;

/** Student: raises their hand, with an optional note. */
export const raiseHand = (code: string, token: string, note: string) =>
  request<RaiseHandResponse>('POST', `${room(code)}/hands`, { token, body: { note } satisfies RaiseHandRequest });

/** Lowers a student's hand: a student their own, a supervisor anyone's (answering it). */
export const lowerHand = (code: string, token: string, studentId: string) =>
  request<void>('DELETE', `${room(code)}/hands/${encodeURIComponent(studentId)}`, { token });

/** Sends a message or link (supervisor: to the class or a student; student: to the teachers). */
export const sendMessage = (code: string, token: string, body: SendMessageRequest) =>
  request<SendMessageResponse>('POST', `${room(code)}/messages`, { token, body });

/** Student: acknowledges a message. */
export const ackMessage = (code: string, token: string, messageId: string) =>
  request<void>('POST', `${room(code)}/messages/${encodeURIComponent(messageId)}/ack`, { token });

/** Supervisor: asks every student for attention. */
export const startAttention = (code: string, token: string, message: string) =>
  request<StartAttentionResponse>('PUT', `${room(code)}/attention`, {
    token,
    body: { message } satisfies AttentionRequest,
  });

/** Supervisor: releases the attention request. */
export const endAttention = (code: string, token: string) =>
  request<void>('DELETE', `${room(code)}/attention`, { token });

/** Student: acknowledges the attention request. */
export const ackAttention = (code: string, token: string, attentionId: string) =>
  request<void>('POST', `${room(code)}/attention/${encodeURIComponent(attentionId)}/ack`, { token });

/** Supervisor: tells a student a picture of their screen was saved (the picture itself never leaves this device). */
export const tellSnapshot = (code: string, token: string, studentId: string) =>
  request<SnapshotResponse>('POST', `${room(code)}/snapshots`, {
    token,
    body: { studentId } satisfies SnapshotNoticeRequest,
  });

/** Supervisor: shows their own screen (no `studentId`) or a sharing student's to the class. */
export const startPresentation = (code: string, token: string, studentId: string | null) =>
  request<StartPresentationResponse>('PUT', `${room(code)}/presentation`, {
    token,
    body: (studentId === null ? {} : { studentId }) satisfies StartPresentationRequest,
  });

/** Supervisor: stops showing a screen to the class. */
export const stopPresentation = (code: string, token: string) =>
  request<void>('DELETE', `${room(code)}/presentation`, { token });

/** Student: their open tabs, as their companion extension reported them. */
export const reportTabs = (code: string, token: string, report: TabReport) =>
  request<void>('PUT', `${room(code)}/members/me/tabs`, { token, body: report });

/** Student: their extension stopped reporting (not sharing any more, or gone); their tabs are shown no more. */
export const clearTabs = (code: string, token: string) =>
  request<void>('DELETE', `${room(code)}/members/me/tabs`, { token });

/** Supervisor: asks a student's extension to close one of their tabs. */
export const closeStudentTab = (code: string, token: string, studentId: string, tabId: number) =>
  request<void>('DELETE', `${room(code)}/members/${encodeURIComponent(studentId)}/tabs/${tabId}`, { token });

/** Supervisor: keeps the class to (allow) or away from (block) these sites, one a line. */
export const setSites = (code: string, token: string, body: SetSitesRequest) =>
  request<SetSitesResponse>('PUT', `${room(code)}/sites`, { token, body });

/** Supervisor: lifts the lesson's site list. */
export const liftSites = (code: string, token: string) => request<void>('DELETE', `${room(code)}/sites`, { token });

/** Host: the room's attendance so far. */
export const getAttendance = (code: string, token: string) =>
  request<AttendanceResponse>('GET', `${room(code)}/attendance`, { token });

/** URL of a member's room event stream. */
export const roomEventsUrl = (code: string, token: string) =>
  `/api/rooms/${encodeURIComponent(code)}/events?token=${encodeURIComponent(token)}`;

/** URL of the lobby event stream; `passcode` is the teacher passcode, when the server asks for one. */
export const lobbyEventsUrl = (passcode: string) =>
  passcode ? `/api/lobby/events?passcode=${encodeURIComponent(passcode)}` : '/api/lobby/events';

/** Listed rooms, with the teacher passcode when the server asks for one. */
export const listRoomsWith = (passcode: string) =>
  request<ListRoomsResponse>('GET', `/api/rooms?passcode=${encodeURIComponent(passcode)}`);

const classPath = (classId: string) => `/api/classes/${encodeURIComponent(classId)}`;

/**
 * How a teacher opens a class: its teacher key (sent as a bearer token), or null for the sign-in
 * session of one of its teachers (the cookie, with the CSRF token on changes).
 */
export type ClassAccess = string | null;

/** The classes the signed-in teacher owns or co-teaches, those in use first; 401 when nobody is signed in. */
export const listClasses = () => request<ClassListResponse>('GET', '/api/classes');

/** Creates a class; the reply's teacher key is shown this once. */
export const createClass = (body: CreateClassRequest) => request<CreateClassResponse>('POST', '/api/classes', { body });

/** A class's page: the class, its roster, its live lesson and its latest past lessons. */
export const getClass = (classId: string, teacherKey: ClassAccess) =>
  request<ClassResponse>('GET', classPath(classId), { token: teacherKey ?? undefined });

/** Renames, archives or brings back a class. */
export const updateClass = (classId: string, teacherKey: ClassAccess, body: UpdateClassRequest) =>
  request<ClassResponse>('PATCH', classPath(classId), { token: teacherKey ?? undefined, body });

/** A new join link for the class; the old one stops working. */
export const rotateJoinSecret = (classId: string, teacherKey: ClassAccess) =>
  request<JoinSecretResponse>('POST', `${classPath(classId)}/join-secret`, { token: teacherKey ?? undefined });

/** Adds a co-teacher by school e-mail: they open the class by signing in. */
export const addClassTeacher = (classId: string, teacherKey: ClassAccess, email: string) =>
  request<TeachersResponse>('POST', `${classPath(classId)}/teachers`, {
    token: teacherKey ?? undefined,
    body: { email },
  });

/** Removes a teacher known by `email` from the class. */
export const removeClassTeacher = (classId: string, teacherKey: ClassAccess, email: string) =>
  request<TeachersResponse>('DELETE', `${classPath(classId)}/teachers/${encodeURIComponent(email)}`, {
    token: teacherKey ?? undefined,
  });

/** A new class teacher key; the old one, and its invite links, stop working. */
export const rotateTeacherKey = (classId: string, teacherKey: ClassAccess) =>
  request<TeacherKeyResponse>('POST', `${classPath(classId)}/teacher-key`, { token: teacherKey ?? undefined });

/** The classes of a OneRoster export, to choose which to import; nothing is stored. */
export const oneRosterClasses = (classId: string, teacherKey: ClassAccess, files: OneRosterFilesBody) =>
  request<OneRosterClassesResponse>('POST', `${classPath(classId)}/roster/oneroster-classes`, {
    token: teacherKey ?? undefined,
    body: { files } satisfies OneRosterClassesRequest,
  });

/** Replaces or merges the roster, all or nothing. */
export const importRoster = (classId: string, teacherKey: ClassAccess, body: RosterImportRequest) =>
  request<RosterImportResponse>('PUT', `${classPath(classId)}/roster`, { token: teacherKey ?? undefined, body });

/** Starts a lesson: a room of the class with the caller as host. */
export const startLesson = (classId: string, teacherKey: ClassAccess, body: StartLessonRequest) =>
  request<StartLessonResponse>('POST', `${classPath(classId)}/lessons`, { token: teacherKey ?? undefined, body });

/** Ended lessons started before `before` (ms), newest first. */
export const pastLessons = (classId: string, teacherKey: ClassAccess, before: number) =>
  request<LessonsResponse>('GET', `${classPath(classId)}/lessons?before=${before}`, { token: teacherKey ?? undefined });

/** Deletes an ended lesson and its attendance. */
export const deleteLesson = (classId: string, teacherKey: ClassAccess, lessonId: string) =>
  request<void>('DELETE', `${classPath(classId)}/lessons/${encodeURIComponent(lessonId)}`, {
    token: teacherKey ?? undefined,
  });

/** One lesson's attendance sheet, times in `timeZone`. */
export const lessonAttendanceFile = (classId: string, teacherKey: ClassAccess, lessonId: string, timeZone: string) =>
  requestFile(
    `${classPath(classId)}/lessons/${encodeURIComponent(lessonId)}/attendance.csv?tz=${encodeURIComponent(timeZone)}`,
    teacherKey,
    'attendance.csv',
  );

/** The attendance of every lesson started from `from` up to (not including) `to` (ms), times in `timeZone`. */
export const rangeAttendanceFile = (
  classId: string,
  teacherKey: ClassAccess,
  range: { from: number; to: number },
  timeZone: string,
) =>
  requestFile(
    `${classPath(classId)}/attendance.csv?from=${range.from}&to=${range.to}&tz=${encodeURIComponent(timeZone)}`,
    teacherKey,
    'attendance.csv',
  );

const PASSCODE_KEY = 'teacher-passcode';

/** The teacher passcode last accepted in this tab (sessionStorage: gone when the tab closes), or ''. */
export function rememberedPasscode(): string {
  try {
    return sessionStorage.getItem(PASSCODE_KEY) ?? '';
  } catch {
    return '';
  }
}

/** Keeps an accepted teacher passcode for the rest of this tab's life. */
export function rememberPasscode(passcode: string): void {
  try {
    sessionStorage.setItem(PASSCODE_KEY, passcode);
  } catch {
    // Storage refused (private mode): the passcode is simply asked for again.
  }
}

/** What a class's students' link shows now: the class, its live lesson, and the names to pick. */
export const getClassLink = (secret: string) =>
  request<ClassLinkResponse>('GET', `/api/join/${encodeURIComponent(secret)}`);

/** Joins the class's live lesson as a picked roster name, or asks to under a typed one. */
export const joinClass = (secret: string, body: ClassJoinRequest) =>
  request<JoinRoomResponse | WaitingResponse>('POST', `/api/join/${encodeURIComponent(secret)}/members`, { body });

/** The one stream that says when the lessons of these classes (by their links' secrets) start and end. */
export const classLinksEventsUrl = (secrets: readonly string[]) =>
  `/api/class-links/events?links=${secrets.map(encodeURIComponent).join(',')}`;

/** Whether a teacher has let in the student waiting with `token`. */
export const getAdmission = (code: string, token: string) =>
  request<AdmissionResponse>('GET', `/api/rooms/${encodeURIComponent(code)}/admission`, { token });

/** The student waiting with `token` stops waiting; the teachers' list drops them. */
export const withdrawAdmission = (code: string, token: string) =>
  request<void>('DELETE', `/api/rooms/${encodeURIComponent(code)}/admission`, { token });

/** A supervisor lets a waiting student in, onto the class's roster too with `addToRoster`. */
export const admitWaiting = (code: string, token: string, waitingId: string, addToRoster: boolean) =>
  request<AdmitResponse>(
    'POST',
    `/api/rooms/${encodeURIComponent(code)}/waiting/${encodeURIComponent(waitingId)}/admit`,
    {
      token,
      body: { addToRoster },
    },
  );

/** A supervisor turns a waiting student away. */
export const refuseWaiting = (code: string, token: string, waitingId: string) =>
  request<void>('DELETE', `/api/rooms/${encodeURIComponent(code)}/waiting/${encodeURIComponent(waitingId)}`, { token });
