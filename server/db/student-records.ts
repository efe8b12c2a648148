/**
 * A student's record across every class, for data-protection requests (an admin command): export
 * all that the database holds on them, or erase it in one transaction. The student is named by
 * e-mail, by the school's student id, or, for one known only by a name (typed, or on a roster with
 * neither), by that name in one class.
 */
import type { ExpressionBuilder, Kysely } from 'kysely';
import type { Account, Attendance, RosterEntry, Tables } from './tables.ts';

/**
 * Whose record: an e-mail address (any case), a student id, or a name exactly as the class's record
 * shows it (its CSV) in the class `classId`.
 */
export type StudentRef =
  { readonly email: string } | { readonly studentId: string } | { readonly name: string; readonly classId: string };

/** Everything held on one student. */
export interface StudentRecord {
  readonly accounts: readonly Account[];
  readonly rosterEntries: readonly (RosterEntry & { readonly className: string })[];
  readonly attendance: readonly (Attendance & {
    readonly classId: string;
    readonly className: string;
    readonly startedAt: number;
    readonly endedAt: number | null;
  })[];
}

/** How many rows an erase removed, per table. */
export interface ErasedCounts {
  readonly accounts: number;
  readonly rosterEntries: number;
  readonly attendance: number;
}

/** The ids of the student's accounts and roster entries, which their attendance rows may point at. */
async function matches(db: Kysely<Tables>, who: StudentRef) {
  const email = 'email' in who ? who.email.trim().toLowerCase() : null;
  const accountIds =
    email === null
      ? []
      : (await db.selectFrom('accounts').select('id').where('email', '=', email).execute()).map((a) => a.id);
  const entryIds = (
    await db
      .selectFrom('rosterEntries')
      .select('id')
      .$call((q) =>
        email !== null
          ? q.where('email', '=', email)
          : 'name' in who
            ? q.where('classId', '=', who.classId).where('name', '=', who.name)
            : q.where('studentId', '=', studentIdOf(who)),
      )
      .execute()
  ).map((e) => e.id);
  return { email, accountIds, entryIds };
}

const studentIdOf = (who: StudentRef) => ('studentId' in who ? who.studentId.trim() : '');

/**
 * Which attendance rows are the student's: by e-mail or student id as recorded, by the name in the
 * class's lessons, or by their entries and accounts.
 */
function isTheirs(who: StudentRef, found: Awaited<ReturnType<typeof matches>>) {
  return (eb: ExpressionBuilder<Tables, 'lessonAttendance'>) =>
    eb.or([
      found.email !== null
        ? eb('lessonAttendance.email', '=', found.email)
        : 'name' in who
          ? eb.and([
              eb('lessonAttendance.name', '=', who.name),
              eb(
                'lessonAttendance.lessonId',
                'in',
                eb.selectFrom('lessons').select('lessons.id').where('lessons.classId', '=', who.classId),
              ),
            ])
          : eb('lessonAttendance.studentId', '=', studentIdOf(who)),
      ...(found.entryIds.length > 0 ? [eb('lessonAttendance.rosterEntryId', 'in', found.entryIds)] : []),
      ...(found.accountIds.length > 0 ? [eb('lessonAttendance.accountId', 'in', found.accountIds)] : []),
    ]);
}

/** All the database holds on one student: accounts, roster entries and attendance, with class names. */
export async function exportStudentRecord(db: Kysely<Tables>, who: StudentRef): Promise<StudentRecord> {
  const found = await matches(db, who);
  const accounts =
    found.accountIds.length === 0
      ? []
      : await db.selectFrom('accounts').selectAll().where('id', 'in', found.accountIds).orderBy('createdAt').execute();
  const rosterEntries =
    found.entryIds.length === 0
      ? []
      : await db
          .selectFrom('rosterEntries')
          .innerJoin('classes', 'classes.id', 'rosterEntries.classId')
          .selectAll('rosterEntries')
          .select('classes.name as className')
          .where('rosterEntries.id', 'in', found.entryIds)
          .orderBy('classes.name')
          .execute();
  const attendance = await db
    .selectFrom('lessonAttendance')
    .where(isTheirs(who, found))
    .innerJoin('lessons', 'lessons.id', 'lessonAttendance.lessonId')
    .innerJoin('classes', 'classes.id', 'lessons.classId')
    .selectAll('lessonAttendance')
    .select(['lessons.classId', 'classes.name as className', 'lessons.startedAt', 'lessons.endedAt'])
    .orderBy('lessons.startedAt')
    .execute();
  return { accounts, rosterEntries, attendance };
}

/** Erases one student's record everywhere, in one transaction; other students' rows are untouched. */
export async function eraseStudentRecord(db: Kysely<Tables>, who: StudentRef): Promise<ErasedCounts> {
  return db.transaction().execute(async (trx) => {
    const found = await matches(trx, who);
    // Attendance first: it points at the entries and accounts, which would otherwise only unlink it.
    const attendance = await trx.deleteFrom('lessonAttendance').where(isTheirs(who, found)).executeTakeFirst();
    const entries =
      found.entryIds.length === 0
        ? 0n
        : (await trx.deleteFrom('rosterEntries').where('id', 'in', found.entryIds).executeTakeFirst()).numDeletedRows;
    const accounts =
      found.accountIds.length === 0
        ? 0n
        : (await trx.deleteFrom('accounts').where('id', 'in', found.accountIds).executeTakeFirst()).numDeletedRows;
    return {
      accounts: Number(accounts),
      rosterEntries: Number(entries),
      attendance: Number(attendance.numDeletedRows),
    };
  });
}
