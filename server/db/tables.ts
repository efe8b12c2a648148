/**
 * The classes database's tables as TypeScript sees them (Kysely). Columns are snake_case in SQL and
 * camelCase here (CamelCasePlugin); ids are random text and times are milliseconds since the epoch
 * in 64-bit integers, so SQLite and PostgreSQL hold exactly the same values. Types only.
 */
import type { Selectable } from 'kysely';
import type { RosterSource } from '../classes/roster.ts';

/** A person who signed in with the school's accounts (OpenID Connect), or was named by e-mail. */
export interface AccountsTable {
  id: string;
  oidcIssuer: string | null;
  oidcSubject: string | null;
  /** Lower case. */
  email: string | null;
  name: string | null;
  createdAt: number;
}

/** A class that carries over from lesson to lesson. */
export interface ClassesTable {
  id: string;
  name: string;
  /** The secret in the class's join link; rotating it retires every printed link and QR code. */
  joinSecret: string;
  /** SHA-256 (hex) of the class teacher key; the key itself is shown once and never kept. */
  teacherKeyHash: string | null;
  /** Null while the class is in use; archived classes keep their record. */
  archivedAt: number | null;
  createdAt: number;
}

/** Who teaches a class: an account, or an e-mail address not yet signed in. */
export interface ClassTeachersTable {
  id: string;
  classId: string;
  accountId: string | null;
  /** Lower case. */
  email: string | null;
  addedAt: number;
}

/** A student on a class's roster. */
export interface RosterEntriesTable {
  id: string;
  classId: string;
  name: string;
  email: string | null;
  studentId: string | null;
  /** The school system's id (OneRoster sourcedId). */
  externalId: string | null;
  source: RosterSource;
  addedAt: number;
}

/** One lesson of a class: a room, from start to end. */
export interface LessonsTable {
  id: string;
  classId: string;
  roomCode: string;
  startedAt: number;
  /** Null while the lesson is live. */
  endedAt: number | null;
}

/**
 * One student's attendance in one lesson; a rejoin extends the same row. Name, e-mail and student
 * id are copied from the roster when recorded, so the record outlives roster changes and a
 * student's rows can be found to export or erase.
 */
export interface LessonAttendanceTable {
  id: string;
  lessonId: string;
  /** Which student within the lesson: `entry:<roster entry id>`, `account:<id>` or `name:<folded name>`. */
  studentKey: string;
  rosterEntryId: string | null;
  accountId: string | null;
  name: string;
  email: string | null;
  studentId: string | null;
  joinedAt: number;
  /** Null while the student is in the lesson. */
  leftAt: number | null;
  sharingMs: number;
  stops: number;
  handsRaised: number;
}

/** A signed-in browser's session (its cookie holds the id; only its hash is here). */
export interface SessionsTable {
  idHash: string;
  accountId: string;
  /** The value state-changing requests authorised by this session carry in X-CSRF-Token. */
  csrfToken: string;
  /**
   * 1 when the ID token's OIDC_TEACHER_CLAIM held at sign-in, else 0: the part of being a teacher
   * only a sign-in can tell (the address is judged again on every request: `teachesNow`).
   */
  teacherClaim: number;
  createdAt: number;
  expiresAt: number;
}

/** A sign-in under way: what the provider's answer is checked against. */
export interface SignInFlowsTable {
  idHash: string;
  state: string;
  nonce: string;
  codeVerifier: string;
  redirectUri: string;
  /** Where the app goes after signing in: a path on this server. */
  returnTo: string;
  expiresAt: number;
}

/** Every table, for `Kysely<Tables>`. */
export interface Tables {
  accounts: AccountsTable;
  classes: ClassesTable;
  classTeachers: ClassTeachersTable;
  rosterEntries: RosterEntriesTable;
  lessons: LessonsTable;
  lessonAttendance: LessonAttendanceTable;
  sessions: SessionsTable;
  signInFlows: SignInFlowsTable;
}

/** A class as read. */
export type ClassRecord = Selectable<ClassesTable>;
/** An account as read. */
export type Account = Selectable<AccountsTable>;
/** A roster entry as read. */
export type RosterEntry = Selectable<RosterEntriesTable>;
/** A lesson as read. */
export type Lesson = Selectable<LessonsTable>;
/** An attendance row as read. */
export type Attendance = Selectable<LessonAttendanceTable>;
