/**
 * Classes as a resource (issue #20): making one, its teachers' page (roster, live and past
 * lessons), renaming and archiving, rotating its secrets, importing its roster, starting a lesson
 * (a room of the class), its record as CSV, and the students' class link. Teachers prove they teach
 * a class with its teacher key (`classes/class-keys.ts`); each route then calls the repository or
 * the registry once. No class rule here.
 */
import { randomBytes } from 'node:crypto';
import express, { type Request, type RequestHandler, type Response } from 'express';
import type { Kysely } from 'kysely';
import type {
  ClassListResponse,
  ClassResponse,
  ClassView,
  CreateClassResponse,
  ErrorCode,
  JoinSecretResponse,
  LessonsResponse,
  LessonView,
  OneRosterClassesResponse,
  RosterEntryView,
  RosterImportResponse,
  StartLessonResponse,
  TeacherKeyResponse,
  TeachersResponse,
} from '../../../src/shared/protocol.ts';
import { newTeacherKey, teacherAccess } from '../../classes/class-keys.ts';
import { attendanceSheet, knownTimeZone } from '../../classes/lesson-record.ts';
import { oneRosterStudents, readOneRoster } from '../../classes/oneroster.ts';
import { parseRosterCsv } from '../../classes/roster-csv.ts';
import type { RosterError, RosterResult, RosterRow } from '../../classes/roster.ts';
import type { SignIn } from '../../auth/sign-in.ts';
import { requireTeacher } from '../../auth/teacher-gate.ts';
import type { Config } from '../../config.ts';
import { createRoom, setLessonRostered, terminateRoom } from '../../core/room-registry.ts';
import { roomView } from '../../core/views.ts';
import {
  addTeacher,
  createClass,
  getClass,
  listClasses,
  removeTeacherByEmail,
  renameClass,
  rotateJoinSecret,
  setArchived,
  setTeacherKeyHash,
  teacherList,
  type ClassError,
  type ClassOutcome,
} from '../../db/classes-repo.ts';
import { newId } from '../../db/ids.ts';
import type { LessonRecorder } from '../../db/lesson-recorder.ts';
import {
  attendanceBetween,
  deleteLesson,
  getLesson,
  lessonAttendance,
  liveLesson,
  pastLessons,
  startLesson,
} from '../../db/lessons-repo.ts';
import { hasRoster, importRoster, listRoster } from '../../db/rosters-repo.ts';
import type { ClassRecord, Lesson, RosterEntry, Tables } from '../../db/tables.ts';
import type { RoomStore } from '../../room-store.ts';
import { ApiError, succeed } from '../errors.ts';
import { limiter, type RequestLimits } from '../limits.ts';
import type { PasscodeGate } from '../passcode.ts';
import {
  addTeacherBody,
  createClassBody,
  oneRosterClassesBody,
  parseBody,
  rosterImportBody,
  startLessonBody,
  updateClassBody,
} from '../schemas.ts';
import { address, bearerToken } from '../seat.ts';
import { liveLessonRoom } from './class-link.ts';
import { ownMember } from './own-member.ts';

/** Largest roster body: a district's OneRoster export as JSON text (the rest of the API takes 8 KB). */
export const ROSTER_BODY_LIMIT = '16mb';
/** Largest other body on these routes. */
const BODY_LIMIT = '8kb';
/** Past lessons per page. */
const LESSONS_PER_PAGE = 50;
/** Longest id accepted in a path (ids are 22 characters, join secrets 32). */
const ID_MAX = 64;

/** What the class routes need. */
export interface ClassDeps {
  store: RoomStore;
  db: Kysely<Tables>;
  recorder: LessonRecorder;
  config: Pick<Config, 'roomCreationsPerHour' | 'seatRateLimitPerMinute'>;
  /** The teacher passcode's check, shared with room creation. */
  passcode: PasscodeGate;
  /** Who is signed in: a signed-in teacher needs no passcode, and a class's signed-in teachers no key. */
  signIn: Pick<SignIn, 'enabled' | 'caller' | 'teachesClass'>;
  limits: RequestLimits;
  stopping: () => boolean;
}

/** The classes router; it parses its own bodies (roster imports are larger than the API's 8 KB). */
export function classRoutes(deps: ClassDeps): express.Router {
  const { store, db, recorder, config } = deps;
  const router = express.Router();
  const large = express.json({ limit: ROSTER_BODY_LIMIT });
  const small = express.json({ limit: BODY_LIMIT });
  router.use('/classes/:classId/roster', large);
  router.use('/classes', small);
  const creationLimit = (what: string) =>
    limiter({
      windowMs: 3_600_000,
      limit: config.roomCreationsPerHour,
      skipFailedRequests: true,
      message: `Your address has created ${config.roomCreationsPerHour} ${what} in the last hour; wait and try again.`,
    });

  const classOf = (res: Response) => res.locals.class as ClassRecord;
  /** A class's teachers share one budget, as a seat does; a wrong key is counted nowhere. */
  const classLimit = limiter({
    windowMs: 60_000,
    limit: config.seatRateLimitPerMinute,
    key: (res) => `class:${classOf(res).id}`,
    message: `This class's teachers sent more than ${config.seatRateLimitPerMinute} requests in a minute; wait a minute and try again.`,
  });
  /**
   * Puts the class on `res.locals` when the bearer token is its teacher key (an unknown class looks
   * like a wrong key), then counts the request against the class's budget.
   */
  const teacher: RequestHandler = async (req, res, next) => {
    const presented = bearerToken(req);
    const id = String(req.params.classId);
    const found = id.length <= ID_MAX ? await getClass(db, id) : null;
    // Without a key, a signed-in teacher of the class is let in by their session.
    const signedIn = presented === '' && found !== null && (await deps.signIn.teachesClass(req, found.id));
    const access = signedIn ? 'ok' : teacherAccess(presented, found?.teacherKeyHash ?? null);
    if (access !== 'ok') throw new ApiError(access);
    res.locals.class = found;
    await classLimit(req, res, next);
  };

  router.post('/classes', deps.limits.entry, creationLimit('classes'), async (req, res) => {
    const { passcode, name } = parseBody(createClassBody, req.body);
    const caller = await requireTeacher(deps, req, res, passcode);
    const { key, hash } = newTeacherKey((n) => randomBytes(n));
    // A signed-in creator is the class's first teacher: they open it by signing in, anywhere.
    const teachers = caller ? [{ accountId: caller.accountId }] : [];
    const created = await createClass(db, { name, teachers, teacherKeyHash: hash }, store.now());
    res.status(201).json({ class: classView(created), teacherKey: key } satisfies CreateClassResponse);
  });

  // A signed-in teacher's classes, wherever they were made: the app lists them beside the ones its browser holds keys for.
  router.get('/classes', deps.limits.read, async (req, res) => {
    if (!deps.signIn.enabled) throw new ApiError('sign-in-off');
    const caller = await deps.signIn.caller(req);
    if (!caller) throw new ApiError('sign-in-required');
    const emails = caller.email === null ? [] : [caller.email];
    const classes = await listClasses(db, { accountId: caller.accountId, emails }, { archived: true });
    res.json({
      classes: classes.map((c) => ({ id: c.id, name: c.name, archivedAt: c.archivedAt })),
    } satisfies ClassListResponse);
  });

  router.get('/classes/:classId', teacher, async (_req, res) => {
    res.json(await classPage(classOf(res)));
  });

  router.patch('/classes/:classId', teacher, async (req, res) => {
    const { name, archived } = parseBody(updateClassBody, req.body);
    let klass = classOf(res);
    if (name !== undefined) klass = ok(await renameClass(db, klass.id, name));
    if (archived !== undefined && archived !== (klass.archivedAt !== null))
      klass = ok(await setArchived(db, klass.id, archived, store.now()));
    res.json(await classPage(klass));
  });

  router.post('/classes/:classId/join-secret', teacher, async (_req, res) => {
    res.json({ joinSecret: ok(await rotateJoinSecret(db, classOf(res).id)) } satisfies JoinSecretResponse);
  });

  router.post('/classes/:classId/teacher-key', teacher, async (_req, res) => {
    const { key, hash } = newTeacherKey((n) => randomBytes(n));
    ok(await setTeacherKeyHash(db, classOf(res).id, hash));
    res.json({ teacherKey: key } satisfies TeacherKeyResponse);
  });

  router.post('/classes/:classId/roster/oneroster-classes', teacher, (req, res) => {
    const { files } = parseBody(oneRosterClassesBody, req.body);
    const read = rosterValue(readOneRoster(files), 'files');
    res.json({ classes: [...read.classes] } satisfies OneRosterClassesResponse);
  });

  router.put('/classes/:classId/roster', teacher, async (req, res) => {
    const body = parseBody(rosterImportBody, req.body);
    let rows: RosterRow[];
    if (body.from === 'typed') rows = rosterValue(parseRosterCsv(body.text, 'the list'), 'text');
    else if (body.from === 'csv') rows = rosterValue(parseRosterCsv(body.csv), 'csv');
    else {
      const export_ = rosterValue(readOneRoster(body.files), 'files');
      rows = rosterValue(oneRosterStudents(export_, body.classIds), 'files');
    }
    const klass = classOf(res);
    const summary = rosterValue(
      await importRoster(db, klass.id, rows, { mode: body.mode, source: body.from }, store.now()),
      'mode',
    );
    const roster = (await listRoster(db, klass.id)).map(rosterEntryView);
    // A lesson going on now seats by the new roster from here on.
    const live = liveLessonRoom(store.state, klass.id);
    if (live) store.run((state) => setLessonRostered(state, { code: live.code, rostered: roster.length > 0 }));
    res.json({ ...summary, roster } satisfies RosterImportResponse);
  });

  router.post('/classes/:classId/lessons', teacher, creationLimit('lessons'), async (req, res) => {
    if (deps.stopping()) throw new ApiError('server-restarting');
    const { hostName, listed } = parseBody(startLessonBody, req.body);
    const klass = classOf(res);
    if (klass.archivedAt !== null) throw new ApiError('class-archived');
    // A live lesson whose room is gone (lost, or its end not written) does not hold the class.
    await recorder.endLessonsWithoutRoom(store.state, klass.id);
    if (await liveLesson(db, klass.id)) throw new ApiError('lesson-live');
    const lesson = { classId: klass.id, lessonId: newId(), rostered: await hasRoster(db, klass.id) };
    const { room, member, token } = succeed(
      store.run((state, ctx) =>
        createRoom(state, { name: klass.name, hostName, listed, address: address(req), lesson }, ctx),
      ),
    );
    // The room exists first (the lesson row names its code); if the database refuses, the room goes.
    const discard = () => store.run((state) => terminateRoom(state, { code: room.code, actorId: member.id }));
    const started = await startLesson(db, klass.id, room.code, room.createdAt, lesson.lessonId).catch(
      (error: unknown) => {
        discard();
        throw error;
      },
    );
    if (!started.ok) {
      discard();
      throw new ApiError(CLASS_ERRORS[started.error]);
    }
    const body: StartLessonResponse = {
      room: roomView(room, member),
      member: ownMember(member, token),
      supervisorKey: room.supervisorKey,
      lesson: lessonView({ ...started.value, students: 0 }),
    };
    res.status(201).json(body);
  });

  router.get('/classes/:classId/lessons', teacher, async (req, res) => {
    const before = optionalTime(req, 'before');
    const lessons = await pastLessons(db, classOf(res).id, {
      limit: LESSONS_PER_PAGE,
      ...(before === undefined ? {} : { before }),
    });
    res.json({ lessons: lessons.map(lessonView) } satisfies LessonsResponse);
  });

  router.get('/classes/:classId/lessons/:lessonId/attendance.csv', teacher, async (req, res) => {
    const klass = classOf(res);
    const lesson = await lessonOf(klass, req);
    const rows = (await lessonAttendance(db, klass.id, lesson.id)).map((row) => ({
      ...row,
      startedAt: lesson.startedAt,
      endedAt: lesson.endedAt,
    }));
    sendCsv(res, `attendance-${lesson.roomCode}-${new Date(lesson.startedAt).toISOString().slice(0, 10)}.csv`);
    res.send(attendanceSheet(klass.name, rows, timeZoneOf(req)));
  });

  router.get('/classes/:classId/attendance.csv', teacher, async (req, res) => {
    const klass = classOf(res);
    const from = optionalTime(req, 'from') ?? 0;
    const to = optionalTime(req, 'to') ?? Number.MAX_SAFE_INTEGER;
    if (to <= from) throw new ApiError('invalid-request', 'to must be later than from.', 'to');
    const rows = await attendanceBetween(db, klass.id, from, to);
    sendCsv(res, 'attendance.csv');
    res.send(attendanceSheet(klass.name, rows, timeZoneOf(req)));
  });

  router.delete('/classes/:classId/lessons/:lessonId', teacher, async (req, res) => {
    const klass = classOf(res);
    const lesson = await lessonOf(klass, req);
    if (lesson.endedAt === null) throw new ApiError('lesson-live');
    if (!(await deleteLesson(db, klass.id, lesson.id))) throw new ApiError('lesson-not-found');
    res.status(204).end();
  });

  // Co-teachers by school e-mail: they open the class by signing in (sign-in on), with no key passed round.
  router.post('/classes/:classId/teachers', teacher, async (req, res) => {
    const { email } = parseBody(addTeacherBody, req.body);
    ok(await addTeacher(db, classOf(res).id, { email }, store.now()));
    res.json({ teachers: await teacherList(db, classOf(res).id) } satisfies TeachersResponse);
  });

  router.delete('/classes/:classId/teachers/:email', teacher, async (req, res) => {
    await removeTeacherByEmail(db, classOf(res).id, String(req.params.email));
    res.json({ teachers: await teacherList(db, classOf(res).id) } satisfies TeachersResponse);
  });

  /** The class's teachers' page. */
  async function classPage(klass: ClassRecord): Promise<ClassResponse> {
    const [teachers, roster, live, lessons] = await Promise.all([
      teacherList(db, klass.id),
      listRoster(db, klass.id),
      liveLesson(db, klass.id),
      pastLessons(db, klass.id, { limit: LESSONS_PER_PAGE }),
    ]);
    const current = liveRoom(live);
    return {
      class: classView(klass),
      teachers,
      roster: roster.map(rosterEntryView),
      liveLesson: current
        ? {
            id: current.lesson.id,
            roomCode: current.room.code,
            startedAt: current.lesson.startedAt,
            supervisorKey: current.room.supervisorKey,
          }
        : null,
      lessons: lessons.map(lessonView),
    };
  }

  /** A live lesson with its room, if the room is still in the registry. */
  function liveRoom(lesson: Lesson | null) {
    const room = lesson ? store.state.rooms.get(lesson.roomCode) : undefined;
    return lesson && room?.lesson?.lessonId === lesson.id ? { lesson, room } : null;
  }

  /** The lesson named by `:lessonId` in this class, or 404. */
  async function lessonOf(klass: ClassRecord, req: Request): Promise<Lesson> {
    const id = String(req.params.lessonId);
    const lesson = id.length <= ID_MAX ? await getLesson(db, klass.id, id) : null;
    if (!lesson) throw new ApiError('lesson-not-found');
    return lesson;
  }

  return router;
}

/** The API error of each class repository refusal; a class gone since its key was checked reads as a wrong key. */
const CLASS_ERRORS: Readonly<Record<ClassError, ErrorCode>> = {
  'class-not-found': 'wrong-class-key',
  'class-archived': 'class-archived',
  'lesson-live': 'lesson-live',
  // Teachers by account come with sign-in; no route here removes one.
  'last-teacher': 'invalid-request',
};

/** The value of a class repository outcome, or its refusal as an API error. */
function ok<T>(outcome: ClassOutcome<T>): T {
  if (outcome.ok) return outcome.value;
  throw new ApiError(CLASS_ERRORS[outcome.error]);
}

/**
 * The value of a roster parse or import, or its error as `invalid-roster`: the message names the
 * file, line and column; `field` is the body field, then the line and column when known
 * (`csv:3:email`, `files.users:14:givenName`).
 */
function rosterValue<T>(result: RosterResult<T>, bodyField: string): T {
  if (result.ok) return result.value;
  throw new ApiError('invalid-roster', result.error.message, rosterField(result.error, bodyField));
}

const ONE_ROSTER_FIELDS: Readonly<Record<string, string>> = {
  'users.csv': 'files.users',
  'classes.csv': 'files.classes',
  'enrollments.csv': 'files.enrollments',
};

function rosterField(error: RosterError, bodyField: string): string {
  const field =
    bodyField === 'files'
      ? error.kind === 'unknown-class'
        ? 'classIds'
        : (ONE_ROSTER_FIELDS[error.file] ?? 'files')
      : bodyField;
  return [field, error.line, error.column].filter((part) => part !== null).join(':');
}

function classView(klass: ClassRecord): ClassView {
  return {
    id: klass.id,
    name: klass.name,
    joinSecret: klass.joinSecret,
    archivedAt: klass.archivedAt,
    createdAt: klass.createdAt,
  };
}

function rosterEntryView(entry: RosterEntry): RosterEntryView {
  return { id: entry.id, name: entry.name, email: entry.email, studentId: entry.studentId, source: entry.source };
}

function lessonView(lesson: Lesson & { students: number }): LessonView {
  return {
    id: lesson.id,
    roomCode: lesson.roomCode,
    startedAt: lesson.startedAt,
    endedAt: lesson.endedAt,
    students: lesson.students,
  };
}

/** A time in milliseconds since the epoch from the query, or 400 naming the parameter. */
function optionalTime(req: Request, name: string): number | undefined {
  const raw = req.query[name];
  if (raw === undefined) return undefined;
  const value = typeof raw === 'string' && /^\d{1,15}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(value))
    throw new ApiError(
      'invalid-request',
      `${name} must be a time in milliseconds since 1970 (for example 1788000000000).`,
      name,
    );
  return value;
}

/** The `tz` query parameter (an IANA time zone for the sheet's times), UTC by default, or 400. */
function timeZoneOf(req: Request): string {
  const tz = req.query.tz;
  if (tz === undefined) return 'UTC';
  if (typeof tz !== 'string' || tz.length > 64 || !knownTimeZone(tz))
    throw new ApiError('invalid-request', 'tz must be an IANA time zone, for example Europe/London.', 'tz');
  return tz;
}

/** Headers of a CSV download. */
function sendCsv(res: Response, fileName: string): void {
  res.type('text/csv; charset=utf-8');
  res.set('Content-Disposition', `attachment; filename="${fileName.replace(/[^A-Za-z0-9._-]/g, '-')}"`);
  res.set('Cache-Control', 'no-store');
}
