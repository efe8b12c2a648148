/**
 * The HTTP API's bodies: one type per request and per reply, and every error code. Re-exported by
 * `protocol.ts` (import from there). Types only: no validation (the server's zod schemas are checked
 * against these at compile time) and no DOM or Node types.
 */
import type {
  AttentionView,
  HandView,
  MessageView,
  PresentationView,
  Role,
  RoomSummary,
  RoomView,
  SitesView,
} from './protocol.ts';

/** The caller's own seat, returned once at create or join: keep the token secret. */
export interface OwnMember {
  id: string;
  role: Role;
  name: string;
  peerId: string;
  /** Bearer token for the HTTP API, the event stream and PeerServer. */
  token: string;
}

/** `POST /api/rooms` body. */
export interface CreateRoomRequest {
  name: string;
  hostName: string;
  listed?: boolean;
  /** The school's teacher passcode, when the server asks for one (`ClientConfig.passcodeRequired`). */
  passcode?: string;
}

/** `POST /api/rooms` 201 reply. */
export interface CreateRoomResponse {
  room: RoomView;
  member: OwnMember;
  supervisorKey: string;
}

/** `POST /api/rooms/:code/members` body. */
export interface JoinRoomRequest {
  name: string;
  role: Role;
  supervisorKey?: string;
}

/** `GET /api/rooms/:code` and `POST /api/rooms/:code/host` reply: the room as the caller sees it. */
export interface RoomResponse {
  room: RoomView;
}

/** `GET /api/rooms` reply: the listed rooms. */
export interface ListRoomsResponse {
  rooms: RoomSummary[];
}

/** `POST /api/rooms/:code/host` body: the supervisor who becomes host. */
export interface TransferHostRequest {
  memberId: string;
}

/** `PUT /api/rooms/:code/members/me/share` body, and its reply. */
export interface SharingRequest {
  sharing: boolean;
}

/** `POST /api/rooms/:code/connection-failures` 202 reply: whether the report counted. */
export interface ConnectionFailureResponse {
  counted: boolean;
}

/** `POST /api/rooms/:code/direct-connections` 202 reply: whether the report counted (it does while the room races). */
export type DirectConnectionResponse = ConnectionFailureResponse;

/** `POST /api/rooms/:code/hands` 200 reply. */
export interface RaiseHandResponse {
  hand: HandView;
}

/** `PUT /api/rooms/:code/attention` 200 reply. */
export interface StartAttentionResponse {
  attention: AttentionView;
}

/** `POST /api/rooms/:code/snapshots` 202 reply: the student was told. */
export interface SnapshotResponse {
  told: boolean;
}

/** `POST /api/rooms/:code/members` 201 reply. */
export interface JoinRoomResponse {
  room: RoomView;
  member: OwnMember;
}

/**
 * `POST /api/rooms/:code/connection-failures` body: a media connection of the caller's never came
 * up, with a member of the other role (a direct connection) or with the relay.
 */
export interface ConnectionFailureReport {
  /** A member id, or "relay". */
  with: string;
}

/** `POST /api/rooms/:code/direct-connections` body: a direct call of the caller's came up with this member. */
export interface DirectConnectionReport {
  /** The member id of a member of the other role. */
  with: string;
}

/** `POST /api/rooms/:code/hands` body (a student raises their hand). */
export interface RaiseHandRequest {
  note?: string;
}

/**
 * `POST /api/rooms/:code/messages` body. A supervisor writes to `to` (`"class"` or a student's
 * member id) with `text`, `url` or both; a student answers the teachers (`to` absent or `"teachers"`), text only.
 */
export interface SendMessageRequest {
  to?: string;
  text?: string;
  url?: string;
}

/** `POST /api/rooms/:code/messages` 201 reply. */
export interface SendMessageResponse {
  message: MessageView;
}

/**
 * `PUT /api/rooms/:code/sites` body (issue #21): a supervisor keeps the class to these sites
 * (`allow`) or away from them (`block`), written as a teacher types them, one a line.
 */
export interface SetSitesRequest {
  kind: 'allow' | 'block';
  sites: string;
}

/** `PUT /api/rooms/:code/sites` reply: the list as everyone now sees it. */
export interface SetSitesResponse {
  sites: SitesView;
}

/** `PUT /api/rooms/:code/attention` body (a supervisor asks for attention). */
export interface AttentionRequest {
  message?: string;
}

/** `POST /api/rooms/:code/snapshots` body: a supervisor saved a picture of this student's screen on their own device. */
export interface SnapshotNoticeRequest {
  studentId: string;
}

/**
 * `PUT /api/rooms/:code/presentation` body: a supervisor shows their own screen to the class
 * (`studentId` absent) or one sharing student's screen.
 */
export interface StartPresentationRequest {
  studentId?: string;
}

/** `PUT /api/rooms/:code/presentation` 200 reply. */
export interface StartPresentationResponse {
  presentation: PresentationView;
}

/** One student seat's attendance: from joining to leaving, how long they shared and how often they stopped. */
export interface AttendanceRow {
  studentId: string;
  name: string;
  joinedAt: number;
  /** Null while they are still in the room. */
  leftAt: number | null;
  /** Time spent sharing up to `AttendanceResponse.at`. */
  sharingMs: number;
  /** How many times they stopped sharing. */
  stops: number;
  /** How many times they raised their hand. */
  handsRaised: number;
}

/** `GET /api/rooms/:code/attendance` reply (host only): every student seat since the room opened. */
export interface AttendanceResponse {
  roomName: string;
  /** When the figures were taken (the server's clock). */
  at: number;
  students: AttendanceRow[];
}

/** An ICE server as `RTCPeerConnection` takes it (declared here because the server has no DOM). */
export interface IceServer {
  urls: string | string[];
  username?: string;
  credential?: string;
}

/**
 * `GET /api/rooms/:code/ice-servers`: the ICE servers for the caller's media, TURN included with
 * credentials made for them that expire; a member fetches them again before they do, for as long
 * as their seat lasts.
 */
export interface IceServersResponse {
  iceServers: IceServer[];
  /**
   * Seconds from now until the TURN credentials in `iceServers` stop opening new relays; null when
   * nothing in it expires (no TURN). A duration, not a date, so a device's wrong clock cannot matter.
   */
  expiresInS: number | null;
}

/** RELAY_MODE: screens never go through the relay, when a room needs it, or always. */
export const RELAY_MODES = ['off', 'auto', 'always'] as const;
/** One of RELAY_MODES. */
export type RelayMode = (typeof RELAY_MODES)[number];

/** Where room state is saved: nowhere (STORE_URL=memory), a file in DATA_DIR, or Redis. */
export type StoreKind = 'memory' | 'file' | 'redis';

/** `GET /api/config`: runtime settings, so one build of the PWA serves any school's server. */
export interface ClientConfig {
  version: string;
  iceServers: IceServer[];
  /** When rooms use the relay: never, from a number of supervisors up, or always. */
  relayMode: RelayMode;
  /** Whether creating a room and seeing the lobby need the school's teacher passcode. */
  passcodeRequired: boolean;
  /** Whether people can sign in with the school's accounts (`GET /api/auth/login`). */
  signIn: boolean;
  limits: {
    maxMembersPerRoom: number;
    nameMaxLength: number;
    roomNameMaxLength: number;
    reconnectGraceS: number;
  };
  peer: { path: string; key: string };
  /** The companion extension's id, which the student's app opens its channel to; null when the server has no build of it. */
  extensionId: string | null;
}

/** The signed-in person, as `GET /api/auth/me` shows them to themselves. */
export interface SignedInAccount {
  /** The name from the school's account: a signed-in student joins under it. */
  name: string;
  email: string | null;
  /** Whether they may create rooms and classes without the teacher passcode. */
  teaches: boolean;
}

/**
 * `GET /api/auth/me`: who is signed in on this browser, and the CSRF token every changing request
 * the sign-in cookie authorises must carry in `X-CSRF-Token`; both null when nobody is.
 */
export interface AuthMeResponse {
  account: SignedInAccount | null;
  csrfToken: string | null;
}

/**
 * `POST /api/auth/logout`: signed out of this app. `providerSignOutUrl` is the school provider's
 * own sign-out page (RP-initiated logout), when it has one, for a shared device: signing out there
 * too ends the school account's session in this browser, and the provider sends them back here.
 */
export interface LogoutResponse {
  providerSignOutUrl: string | null;
}

/** `GET /api/health`: 200 while serving rooms; 503 while stopping or standing by (so a proxy sends people elsewhere). */
export interface HealthResponse {
  /** ok: serving rooms; stopping: shutting down for a restart; standby: waiting to take over from the active instance (Redis). */
  status: 'ok' | 'stopping' | 'standby';
  version: string;
  uptimeS: number;
  rooms: number;
  members: number;
  /** The relay workers: turned off (RELAY_MODE=off), all up, or some down (starting, or restarting after a crash). */
  relay: 'off' | 'up' | 'down';
  /** Where room state is saved, and whether the latest change reached it (failing: rooms run from memory, saving retries). */
  store: { kind: StoreKind; saving: 'ok' | 'failing' };
}

/**
 * `GET /extension/`: what an admin needs to force-install the companion extension, for the address
 * this was asked at (docs/deployment.md).
 */
export interface ExtensionInfo {
  /** The 32-letter extension id, from this server's signing key. */
  id: string;
  version: string;
  /** The update manifest Chrome installs and updates from. */
  updateUrl: string;
  /** The line for the ExtensionInstallForcelist policy: `id;updateUrl`. */
  forcelistEntry: string;
  /** The managed-storage policy (Google Admin console, "Policy for extensions"): the server's address. */
  policy: { serverUrl: { Value: string } };
}

/** `POST /api/classes` body: a class that carries over from lesson to lesson (issue #20). */
export interface CreateClassRequest {
  name: string;
  /** The school's teacher passcode, when the server asks for one (`ClientConfig.passcodeRequired`). */
  passcode?: string;
}

/** A class as its teachers see it. */
export interface ClassView {
  id: string;
  name: string;
  /** The secret in the students' join link (`/api/join/:joinSecret`); rotate it to retire printed links. */
  joinSecret: string;
  /** When it was archived (no lessons start; the record stays), or null. */
  archivedAt: number | null;
  createdAt: number;
}

/** A class in a signed-in teacher's list: enough to show and open it. */
export interface ClassListEntry {
  id: string;
  name: string;
  /** When it was archived, or null. */
  archivedAt: number | null;
}

/** `GET /api/classes` reply: the classes the signed-in teacher owns or co-teaches, those in use first, then by name. */
export interface ClassListResponse {
  classes: ClassListEntry[];
}

/** `POST /api/classes` 201 reply: the class teacher key is shown this once; keep it (and share it by invite link). */
export interface CreateClassResponse {
  class: ClassView;
  teacherKey: string;
}

/** Where a roster entry came from. */
export type RosterSourceName = 'typed' | 'csv' | 'oneroster';

/** One student on a class's roster, as its teachers see it. */
export interface RosterEntryView {
  id: string;
  name: string;
  email: string | null;
  studentId: string | null;
  source: RosterSourceName;
}

/** A lesson of a class: a room from start to end. */
export interface LessonView {
  id: string;
  roomCode: string;
  startedAt: number;
  /** Null while it is live. */
  endedAt: number | null;
  /** Students who attended. */
  students: number;
}

/** The class's lesson going on now, with what a co-teacher needs to watch it. */
export interface LiveLessonView {
  id: string;
  roomCode: string;
  startedAt: number;
  /** The room's supervisor key: a teacher of the class joins it as a supervisor without being sent one. */
  supervisorKey: string;
}

/** `GET /api/classes/:classId` and `PATCH` reply. */
export interface ClassResponse {
  class: ClassView;
  /** Who teaches the class by their school account (sign-in): the creator and co-teachers added by e-mail. */
  teachers: ClassTeacherView[];
  roster: RosterEntryView[];
  liveLesson: LiveLessonView | null;
  /** The latest ended lessons, newest first (at most 50; `GET …/lessons?before=` pages back). */
  lessons: LessonView[];
}

/** A teacher of a class by school account: their e-mail, and whether they have signed in since being added. */
export interface ClassTeacherView {
  email: string | null;
  signedIn: boolean;
}

/** `POST /api/classes/:classId/teachers` body: a co-teacher by their school e-mail address. */
export interface AddTeacherRequest {
  email: string;
}

/** `POST /api/classes/:classId/teachers` and `DELETE …/teachers/:email` reply. */
export interface TeachersResponse {
  teachers: ClassTeacherView[];
}

/** `PATCH /api/classes/:classId` body. */
export interface UpdateClassRequest {
  name?: string;
  archived?: boolean;
}

/** `POST /api/classes/:classId/join-secret` reply: the new join secret (old links stop working). */
export interface JoinSecretResponse {
  joinSecret: string;
}

/** `POST /api/classes/:classId/teacher-key` reply: the new class teacher key (the old one stops working). */
export interface TeacherKeyResponse {
  teacherKey: string;
}

/** A OneRoster 1.1 CSV export's three files, as text. */
export interface OneRosterFilesBody {
  users: string;
  classes: string;
  enrollments: string;
}

/**
 * `PUT /api/classes/:classId/roster` body: replace the roster, or merge into it, from typed or
 * pasted lines (name, email, student id per line), a CSV file's text, or a OneRoster export's
 * chosen classes. All or nothing.
 */
export type RosterImportRequest = { mode: 'replace' | 'merge' } & (
  | { from: 'typed'; text: string }
  | { from: 'csv'; csv: string }
  | { from: 'oneroster'; files: OneRosterFilesBody; classIds: string[] }
);

/** `PUT /api/classes/:classId/roster` reply: what changed, and the roster now. */
export interface RosterImportResponse {
  added: number;
  updated: number;
  removed: number;
  unchanged: number;
  roster: RosterEntryView[];
}

/** `POST /api/classes/:classId/roster/oneroster-classes` body: the export to list classes from. */
export interface OneRosterClassesRequest {
  files: OneRosterFilesBody;
}

/** `POST /api/classes/:classId/roster/oneroster-classes` reply: the export's active classes, to choose from. */
export interface OneRosterClassesResponse {
  classes: { sourcedId: string; title: string; classCode: string | null; students: number }[];
}

/** `POST /api/classes/:classId/lessons` body: start a lesson (a room of the class) with the caller as host. */
export interface StartLessonRequest {
  hostName: string;
  /** Show the lesson's room in the lobby (default false: students come by the class link). */
  listed?: boolean;
}

/** `POST /api/classes/:classId/lessons` 201 reply: the room's seat, as `POST /api/rooms` gives it, and the lesson. */
export interface StartLessonResponse extends CreateRoomResponse {
  lesson: LessonView;
}

/** `GET /api/classes/:classId/lessons` reply: ended lessons, newest first. */
export interface LessonsResponse {
  lessons: LessonView[];
}

/**
 * `GET /api/join/:joinSecret` reply: what a student's class link shows. No student's name: only
 * the class, whether it has a roster, and the live lesson's room code.
 */
export interface ClassLinkResponse {
  class: { name: string };
  hasRoster: boolean;
  /** Students join only signed in with their school account: no names are offered, none may be typed. */
  signInRequired: boolean;
  live: { roomCode: string; startedAt: number } | null;
  /**
   * While a lesson is live and the class has a roster: the roster's names not yet in the lesson, for
   * the student to pick their own (never e-mails or ids; absent otherwise).
   */
  names?: RosterName[];
}

/** A name a student may pick on the class link. */
export interface RosterName {
  id: string;
  name: string;
}

/**
 * One message on `GET /api/class-links/events?links=…`: what the class link `link` (its secret) says,
 * sent for each link when the stream opens and whenever its class's lesson starts or ends.
 */
export type ClassLinkEvent = { type: 'class-link'; link: string } & Omit<ClassLinkResponse, 'names'>;

/**
 * `POST /api/join/:joinSecret/members` body: join the class's live lesson as the roster name picked
 * from the link, or under a typed name (which, in a class with a roster, asks to be admitted).
 */
export type ClassJoinRequest = { rosterEntryId: string } | { name: string };

/**
 * `202` reply to a join that must wait for a teacher (`POST /api/join/:joinSecret/members`,
 * `POST /api/rooms/:code/members`): ask `GET /api/rooms/:code/admission` with `token` as the bearer.
 */
export interface WaitingResponse {
  roomCode: string;
  /** The lesson's name, for the waiting screen. */
  roomName: string;
  waiting: { id: string; name: string };
  token: string;
}

/** `GET /api/rooms/:code/admission` reply: still waiting, or admitted (then the token is the seat's). */
export type AdmissionResponse = { status: 'waiting' } | ({ status: 'admitted' } & JoinRoomResponse);

/** `POST /api/rooms/:code/waiting/:id/admit` reply: the seat they now hold, under the name the room gave them. */
export interface AdmitResponse {
  memberId: string;
  name: string;
}

/** `POST /api/rooms/:code/waiting/:id/admit` body: `addToRoster` puts their name on the class's roster too. */
export interface AdmitRequest {
  addToRoster?: boolean;
}

/** Every error the API answers with; the body's `message` says what to do next. */
export type ErrorCode =
  /** The body or a parameter failed validation; `field` names it. */
  | 'invalid-request'
  /** The body is not valid JSON. */
  | 'invalid-json'
  /** The body is larger than the server accepts. */
  | 'body-too-large'
  /** The URL or headers are larger than the server accepts (about 16 KB). */
  | 'headers-too-large'
  /** No member token, or one that belongs to no current member of this room. */
  | 'unauthorized'
  /** The supervisor key is missing or wrong. */
  | 'wrong-supervisor-key'
  /** Only the host may do this. */
  | 'not-host'
  /** The member's role may not do this (a supervisor cannot share, for example). */
  | 'wrong-role'
  /** No room with this code: it was ended, expired or mistyped. */
  | 'room-not-found'
  /** No member with this id in the room. */
  | 'member-not-found'
  /** The student's extension does not report a tab with this id (now). */
  | 'tab-not-found'
  /** The room is at its member limit. */
  | 'room-full'
  /** The room has as many supervisors as one room may (20). */
  | 'too-many-supervisors'
  /** The room keeps attendance for as many different students as it may; only students who were here can join. */
  | 'attendance-full'
  /** The server is at its room limit. */
  | 'too-many-rooms'
  /** Rooms created from the caller's address and still open are at the per-address limit. */
  | 'too-many-rooms-from-address'
  /** The server asks for the school's teacher passcode to create rooms or see the lobby, and none was given. */
  | 'passcode-required'
  /** The teacher passcode given is not the school's. */
  | 'wrong-passcode'
  /** The caller's address (or seat) has as many event streams open as the server allows. */
  | 'too-many-streams'
  /** The action targets the caller in a way that makes no sense (kick or hand the role to yourself). */
  | 'invalid-target'
  /** No such message in the room (it was never sent, or the room dropped it as old). */
  | 'message-not-found'
  /** Nothing to acknowledge: no supervisor is asking for attention right now (or it was a different request). */
  | 'attention-not-active'
  /** A screen is already being shown to the class; stop it first. */
  | 'presentation-active'
  /** The student is not sharing their screen, so there is nothing of theirs to show. */
  | 'not-sharing'
  /** Too many requests from this address (or, for hands and messages, from this seat). */
  | 'rate-limited'
  /** No such endpoint. */
  | 'not-found'
  /** The server failed; the request may be retried. */
  | 'internal-error'
  /** The server is stopping for a restart and takes no new rooms or members; retry in a few seconds. */
  | 'server-restarting'
  /** A class's teacher route was called without its class teacher key. */
  | 'class-key-required'
  /** This server has students join only signed in with their school account (OIDC_STUDENTS_MUST_SIGN_IN). */
  | 'student-sign-in-required'
  /** The class teacher key is not this class's (or no such class). */
  | 'wrong-class-key'
  /** No class has this join link (it was rotated or mistyped), or its class is archived. */
  | 'class-link-not-found'
  /** No such lesson in this class's record (deleted, or past the retention period). */
  | 'lesson-not-found'
  /** The class is archived: it starts no lessons until brought back. */
  | 'class-archived'
  /** The class has a live lesson already (starting another, or deleting this one, waits for its end). */
  | 'lesson-live'
  /** A roster could not be imported; `message` names the file, line and column, `field` the body field. */
  | 'invalid-roster'
  /** A lesson of a class with a roster seats students by the class link's name list; others ask to be admitted. */
  | 'admission-required'
  /** Someone is already in the lesson under that roster name. */
  | 'roster-name-taken'
  /** As many students are waiting to be admitted as a lesson holds. */
  | 'waiting-full'
  /** No one with that id is waiting (admitted, refused, or they left). */
  | 'waiting-not-found'
  /** The caller is not waiting to be admitted to this lesson (refused, or the lesson ended). */
  | 'not-waiting'
  /** No such name on the class's roster (any more). */
  | 'roster-entry-not-found'
  /** The class has no lesson going on; the class link joins one when it starts. */
  | 'lesson-not-live'
  /** Sign-in with the school's accounts is not set up on this server (no OIDC_ISSUER). */
  | 'sign-in-off'
  /** The sign-in could not be completed (expired or replayed, cancelled, or the provider's answer did not verify); start again. */
  | 'sign-in-failed'
  /** The provider vouched for the account, but this server does not let it in (not a school address, unverified). */
  | 'sign-in-refused'
  /** The school's OpenID provider could not be reached. */
  | 'sign-in-unavailable'
  /** A changing request authorised by the sign-in cookie lacks its session's X-CSRF-Token header. */
  | 'csrf-token-invalid'
  /** The route answers only a signed-in person (it lists their own classes). */
  | 'sign-in-required';

/** The JSON body of every 4xx reply. */
export interface ErrorBody {
  error: ErrorCode;
  message: string;
  /** The request field at fault, when one is. */
  field?: string;
}
