/**
 * Lessons and their attendance record in the classes database: start and end a lesson, record each
 * student's visits (a rejoin extends their row), read past lessons and attendance, delete a
 * lesson's record, and apply the retention period. Times come in as `now`; nothing reads the clock.
 */
import type { Kysely } from 'kysely';
import { foldName } from '../core/credentials.ts';
import type { ClassOutcome } from './classes-repo.ts';
import { newId } from './ids.ts';
import type { Attendance, Lesson, Tables } from './tables.ts';

/** A day, for the retention period. */
const DAY_MS = 86_400_000;

/** Who attended: a roster entry, an account, or only a name; e-mail and student id are kept for data requests. */
export interface Attendee {
  readonly rosterEntryId?: string | null;
  readonly accountId?: string | null;
  readonly name: string;
  readonly email?: string | null;
  readonly studentId?: string | null;
}

/** One stay of one student in a lesson (one seat in the room, from joining to leaving). */
export interface Visit {
  readonly attendee: Attendee;
  readonly joinedAt: number;
  /** Null while they are still in the lesson. */
  readonly leftAt: number | null;
  readonly sharingMs: number;
  readonly stops: number;
  readonly handsRaised: number;
}

/** A past lesson with how many students attended. */
export type LessonSummary = Lesson & { readonly students: number };

/** An attendance row with its lesson's times, for records over a date range. */
export type LessonAttendance = Attendance & { readonly startedAt: number; readonly endedAt: number | null };

/** The row a student's visits add up in: by roster entry, else account, else folded name. */
export function studentKey(attendee: Attendee): string {
  if (attendee.rosterEntryId) return `entry:${attendee.rosterEntryId}`;
  if (attendee.accountId) return `account:${attendee.accountId}`;
  return `name:${foldName(attendee.name)}`;
}

/**
 * Starts a lesson of a class in the room `roomCode`. Refused for an archived class, and while the
 * class has a live lesson (one at a time, so students are offered one).
 */
export async function startLesson(
  db: Kysely<Tables>,
  classId: string,
  roomCode: string,
  now: number,
  /** The lesson's id, when the caller made it first (the room is made knowing it); fresh by default. */
  lessonId: string = newId(),
): Promise<ClassOutcome<Lesson>> {
  return db.transaction().execute(async (trx): Promise<ClassOutcome<Lesson>> => {
    const found = await trx.selectFrom('classes').select('archivedAt').where('id', '=', classId).executeTakeFirst();
    if (!found) return { ok: false, error: 'class-not-found' };
    if (found.archivedAt !== null) return { ok: false, error: 'class-archived' };
    if (await liveLesson(trx, classId)) return { ok: false, error: 'lesson-live' };
    const lesson: Lesson = { id: lessonId, classId, roomCode, startedAt: now, endedAt: null };
    await trx.insertInto('lessons').values(lesson).execute();
    return { ok: true, value: lesson };
  });
}

/** The class's live lesson, if it has one. */
export async function liveLesson(db: Kysely<Tables>, classId: string): Promise<Lesson | null> {
  return (
    (await db
      .selectFrom('lessons')
      .selectAll()
      .where('classId', '=', classId)
      .where('endedAt', 'is', null)
      .executeTakeFirst()) ?? null
  );
}

/** Every live lesson of every class (at start, to end those whose room is gone). */
export async function liveLessons(db: Kysely<Tables>): Promise<Lesson[]> {
  return db.selectFrom('lessons').selectAll().where('endedAt', 'is', null).orderBy('startedAt').execute();
}

/** One lesson of a class. */
export async function getLesson(db: Kysely<Tables>, classId: string, lessonId: string): Promise<Lesson | null> {
  return (
    (await db
      .selectFrom('lessons')
      .selectAll()
      .where('classId', '=', classId)
      .where('id', '=', lessonId)
      .executeTakeFirst()) ?? null
  );
}

/**
 * Writes students' whole record so far in a lesson, replacing what their rows said: for a writer
 * that holds the lesson's totals (the room's attendance), so writing the same figures twice, or
 * again after a restart, changes nothing. A lesson deleted meanwhile gets no rows.
 */
export async function saveAttendance(db: Kysely<Tables>, lessonId: string, visits: readonly Visit[]): Promise<void> {
  if (visits.length === 0) return;
  await db.transaction().execute(async (trx) => {
    if (!(await trx.selectFrom('lessons').select('id').where('id', '=', lessonId).executeTakeFirst())) return;
    // A student seated as a roster entry is recorded with its e-mail and student id, as the roster has them now.
    const entryIds = visits.flatMap((v) => (v.attendee.rosterEntryId ? [v.attendee.rosterEntryId] : []));
    const entries = new Map(
      entryIds.length === 0
        ? []
        : (
            await trx
              .selectFrom('rosterEntries')
              .select(['id', 'email', 'studentId'])
              .where('id', 'in', entryIds)
              .execute()
          ).map((e) => [e.id, e]),
    );
    // A signed-in student is recorded with their account's e-mail when no roster entry gives one.
    const accountIds = visits.flatMap((v) => (v.attendee.accountId ? [v.attendee.accountId] : []));
    const accounts = new Map(
      accountIds.length === 0
        ? []
        : (await trx.selectFrom('accounts').select(['id', 'email']).where('id', 'in', accountIds).execute()).map(
            (a) => [a.id, a],
          ),
    );
    for (const visit of visits) {
      const { attendee } = visit;
      const entry = attendee.rosterEntryId ? entries.get(attendee.rosterEntryId) : undefined;
      const account = attendee.accountId ? accounts.get(attendee.accountId) : undefined;
      const figures = {
        name: attendee.name,
        email: attendee.email ?? entry?.email ?? account?.email ?? null,
        // An account erased meanwhile (a data-protection request) is not named again.
        accountId: account?.id ?? null,
        studentId: attendee.studentId ?? entry?.studentId ?? null,
        joinedAt: visit.joinedAt,
        leftAt: visit.leftAt,
        sharingMs: visit.sharingMs,
        stops: visit.stops,
        handsRaised: visit.handsRaised,
      };
      await trx
        .insertInto('lessonAttendance')
        .values({
          id: newId(),
          lessonId,
          studentKey: studentKey(attendee),
          rosterEntryId: attendee.rosterEntryId ?? null,
          ...figures,
        })
        .onConflict((oc) => oc.columns(['lessonId', 'studentKey']).doUpdateSet(figures))
        .execute();
    }
  });
}

/** Ends a lesson and the visits still open in it; ending an ended lesson changes nothing. */
export async function endLesson(db: Kysely<Tables>, lessonId: string, now: number): Promise<Lesson | null> {
  return db.transaction().execute(async (trx) => {
    await trx
      .updateTable('lessons')
      .set({ endedAt: now })
      .where('id', '=', lessonId)
      .where('endedAt', 'is', null)
      .execute();
    await trx
      .updateTable('lessonAttendance')
      .set({ leftAt: now })
      .where('lessonId', '=', lessonId)
      .where('leftAt', 'is', null)
      .execute();
    return (await trx.selectFrom('lessons').selectAll().where('id', '=', lessonId).executeTakeFirst()) ?? null;
  });
}

/**
 * Records a visit. A student's first visit makes their row; a rejoin extends it: joined stays the
 * earliest, left is the latest visit's, and time sharing, stops and hands add up. One statement
 * (an upsert), so two visits recorded at once cannot make two rows.
 */
export async function recordVisit(db: Kysely<Tables>, lessonId: string, visit: Visit): Promise<void> {
  const { attendee } = visit;
  await db
    .insertInto('lessonAttendance')
    .values({
      id: newId(),
      lessonId,
      studentKey: studentKey(attendee),
      rosterEntryId: attendee.rosterEntryId ?? null,
      accountId: attendee.accountId ?? null,
      name: attendee.name,
      email: attendee.email ?? null,
      studentId: attendee.studentId ?? null,
      joinedAt: visit.joinedAt,
      leftAt: visit.leftAt,
      sharingMs: visit.sharingMs,
      stops: visit.stops,
      handsRaised: visit.handsRaised,
    })
    .onConflict((oc) =>
      oc.columns(['lessonId', 'studentKey']).doUpdateSet((eb) => {
        const later = eb(eb.ref('excluded.joinedAt'), '>=', eb.ref('lessonAttendance.joinedAt'));
        return {
          joinedAt: eb
            .case()
            .when(later)
            .then(eb.ref('lessonAttendance.joinedAt'))
            .else(eb.ref('excluded.joinedAt'))
            .end(),
          leftAt: eb.case().when(later).then(eb.ref('excluded.leftAt')).else(eb.ref('lessonAttendance.leftAt')).end(),
          name: eb.ref('excluded.name'),
          email: eb.ref('excluded.email'),
          studentId: eb.ref('excluded.studentId'),
          sharingMs: eb(eb.ref('lessonAttendance.sharingMs'), '+', eb.ref('excluded.sharingMs')),
          stops: eb(eb.ref('lessonAttendance.stops'), '+', eb.ref('excluded.stops')),
          handsRaised: eb(eb.ref('lessonAttendance.handsRaised'), '+', eb.ref('excluded.handsRaised')),
        };
      }),
    )
    .execute();
}

/** A class's ended lessons, newest first, with how many students each had; `before` pages back. */
export async function pastLessons(
  db: Kysely<Tables>,
  classId: string,
  options: { readonly limit?: number; readonly before?: number } = {},
): Promise<LessonSummary[]> {
  return db
    .selectFrom('lessons')
    .selectAll('lessons')
    .select((eb) =>
      eb
        .selectFrom('lessonAttendance')
        .select(eb.fn.countAll<number>().as('n'))
        .whereRef('lessonAttendance.lessonId', '=', 'lessons.id')
        .$asScalar()
        .$notNull()
        .as('students'),
    )
    .where('classId', '=', classId)
    .where('endedAt', 'is not', null)
    .$if(options.before !== undefined, (q) => q.where('startedAt', '<', options.before!))
    .orderBy('startedAt', 'desc')
    .orderBy('id')
    .limit(options.limit ?? 50)
    .execute();
}

/** Every student's row in one lesson of a class, by name. */
export async function lessonAttendance(db: Kysely<Tables>, classId: string, lessonId: string): Promise<Attendance[]> {
  return db
    .selectFrom('lessonAttendance')
    .selectAll('lessonAttendance')
    .innerJoin('lessons', 'lessons.id', 'lessonAttendance.lessonId')
    .where('lessons.classId', '=', classId)
    .where('lessons.id', '=', lessonId)
    .orderBy('lessonAttendance.name')
    .orderBy('lessonAttendance.id')
    .execute();
}

/** The attendance of a class's lessons that started from `fromMs` up to (not including) `toMs`, by lesson then name. */
export async function attendanceBetween(
  db: Kysely<Tables>,
  classId: string,
  fromMs: number,
  toMs: number,
): Promise<LessonAttendance[]> {
  return db
    .selectFrom('lessonAttendance')
    .innerJoin('lessons', 'lessons.id', 'lessonAttendance.lessonId')
    .selectAll('lessonAttendance')
    .select(['lessons.startedAt', 'lessons.endedAt'])
    .where('lessons.classId', '=', classId)
    .where('lessons.startedAt', '>=', fromMs)
    .where('lessons.startedAt', '<', toMs)
    .orderBy('lessons.startedAt')
    .orderBy('lessons.id')
    .orderBy('lessonAttendance.name')
    .orderBy('lessonAttendance.id')
    .execute();
}

/** Deletes one lesson of a class and its attendance; false when there was no such lesson. */
export async function deleteLesson(db: Kysely<Tables>, classId: string, lessonId: string): Promise<boolean> {
  const result = await db
    .deleteFrom('lessons')
    .where('classId', '=', classId)
    .where('id', '=', lessonId)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/**
 * Applies the retention period: deletes the lessons (and their attendance) that ended more than
 * `retentionDays` before `now`, and those left unended (a crash) that started before then.
 * Returns how many lessons went.
 */
export async function deleteExpiredLessons(db: Kysely<Tables>, now: number, retentionDays: number): Promise<number> {
  const cutoff = now - retentionDays * DAY_MS;
  const result = await db
    .deleteFrom('lessons')
    .where((eb) =>
      eb.or([eb('endedAt', '<', cutoff), eb.and([eb('endedAt', 'is', null), eb('startedAt', '<', cutoff)])]),
    )
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
