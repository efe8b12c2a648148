/**
 * Classes and their teachers in the classes database: create, list, archive, rotate the join
 * secret, add and remove teachers. Each function is one query or one transaction; times come in as
 * `now`. Who may call which is the HTTP layer's business, not this module's.
 */
import type { Kysely } from 'kysely';
import { newId, newJoinSecret } from './ids.ts';
import type { ClassRecord, Tables } from './tables.ts';

/** A teacher: a signed-in account, or an e-mail address (lower-cased here) for one who has not signed in yet. */
export type TeacherRef = { readonly accountId: string } | { readonly email: string };

/** Why a change to a class or its lessons was refused. */
export type ClassError =
  /** No class with that id. */
  | 'class-not-found'
  /** The last teacher of a class cannot be removed: nobody could open it again. */
  | 'last-teacher'
  /** An archived class starts no lessons; bring it back first. */
  | 'class-archived'
  /** The class has a live lesson already; end it first. */
  | 'lesson-live';

/** A result that may be refused. */
export type ClassOutcome<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: ClassError };

/** A teacher of a class as stored. */
export interface ClassTeacher {
  readonly accountId: string | null;
  readonly email: string | null;
}

const teacherColumns = (ref: TeacherRef) =>
  'accountId' in ref
    ? { accountId: ref.accountId, email: null }
    : { accountId: null, email: ref.email.trim().toLowerCase() };

/** Creates a class with a fresh join secret and its first teachers (and teacher key hash, if any), in one transaction. */
export async function createClass(
  db: Kysely<Tables>,
  input: { readonly name: string; readonly teachers: readonly TeacherRef[]; readonly teacherKeyHash?: string },
  now: number,
): Promise<ClassRecord> {
  const row: ClassRecord = {
    id: newId(),
    name: input.name,
    joinSecret: newJoinSecret(),
    teacherKeyHash: input.teacherKeyHash ?? null,
    archivedAt: null,
    createdAt: now,
  };
  await db.transaction().execute(async (trx) => {
    await trx.insertInto('classes').values(row).execute();
    if (input.teachers.length > 0)
      await trx
        .insertInto('classTeachers')
        .values(input.teachers.map((ref) => ({ id: newId(), classId: row.id, addedAt: now, ...teacherColumns(ref) })))
        .execute();
  });
  return row;
}

/** One class by id. */
export async function getClass(db: Kysely<Tables>, classId: string): Promise<ClassRecord | null> {
  return (await db.selectFrom('classes').selectAll().where('id', '=', classId).executeTakeFirst()) ?? null;
}

/** The class a join link names, archived or not (the caller says what an archived class's link does). */
export async function classByJoinSecret(db: Kysely<Tables>, joinSecret: string): Promise<ClassRecord | null> {
  return (await db.selectFrom('classes').selectAll().where('joinSecret', '=', joinSecret).executeTakeFirst()) ?? null;
}

/**
 * The classes a teacher teaches, by name: through their account, and through any of `emails` (so a
 * class shared with an address before its owner first signed in is theirs too). Archived ones only
 * when asked, and then after those in use.
 */
export async function listClasses(
  db: Kysely<Tables>,
  teacher: { readonly accountId?: string; readonly emails?: readonly string[] },
  options: { readonly archived?: boolean } = {},
): Promise<ClassRecord[]> {
  const emails = (teacher.emails ?? []).map((email) => email.trim().toLowerCase());
  if (teacher.accountId === undefined && emails.length === 0) return [];
  return db
    .selectFrom('classes')
    .selectAll()
    .where('id', 'in', (sub) =>
      sub
        .selectFrom('classTeachers')
        .select('classId')
        .where((eb) =>
          eb.or([
            ...(teacher.accountId === undefined ? [] : [eb('accountId', '=', teacher.accountId)]),
            ...(emails.length === 0 ? [] : [eb('email', 'in', emails)]),
          ]),
        ),
    )
    .$if(!options.archived, (q) => q.where('archivedAt', 'is', null))
    .orderBy((eb) => eb.case().when('archivedAt', 'is', null).then(0).else(1).end())
    .orderBy('name')
    .orderBy('createdAt')
    .execute();
}

/** Archives a class (its lessons and roster stay, and its join link stops admitting) or brings it back. */
export async function setArchived(
  db: Kysely<Tables>,
  classId: string,
  archived: boolean,
  now: number,
): Promise<ClassOutcome<ClassRecord>> {
  const row = await db
    .updateTable('classes')
    .set({ archivedAt: archived ? now : null })
    .where('id', '=', classId)
    .returningAll()
    .executeTakeFirst();
  return row ? { ok: true, value: row } : { ok: false, error: 'class-not-found' };
}

/** Renames a class. */
export async function renameClass(
  db: Kysely<Tables>,
  classId: string,
  name: string,
): Promise<ClassOutcome<ClassRecord>> {
  const row = await db.updateTable('classes').set({ name }).where('id', '=', classId).returningAll().executeTakeFirst();
  return row ? { ok: true, value: row } : { ok: false, error: 'class-not-found' };
}

/** Replaces the hash of the class teacher key: the old key stops opening the class. */
export async function setTeacherKeyHash(
  db: Kysely<Tables>,
  classId: string,
  teacherKeyHash: string,
): Promise<ClassOutcome<void>> {
  const row = await db
    .updateTable('classes')
    .set({ teacherKeyHash })
    .where('id', '=', classId)
    .returning('id')
    .executeTakeFirst();
  return row ? { ok: true, value: undefined } : { ok: false, error: 'class-not-found' };
}

/** Gives a class a new join secret: every link and QR code made before stops working. */
export async function rotateJoinSecret(db: Kysely<Tables>, classId: string): Promise<ClassOutcome<string>> {
  const joinSecret = newJoinSecret();
  const row = await db
    .updateTable('classes')
    .set({ joinSecret })
    .where('id', '=', classId)
    .returning('id')
    .executeTakeFirst();
  return row ? { ok: true, value: joinSecret } : { ok: false, error: 'class-not-found' };
}

/** The teachers of a class, in the order they were added. */
export async function listTeachers(db: Kysely<Tables>, classId: string): Promise<ClassTeacher[]> {
  return db
    .selectFrom('classTeachers')
    .select(['accountId', 'email'])
    .where('classId', '=', classId)
    .orderBy('addedAt')
    .orderBy('id')
    .execute();
}

/** A class's teachers with the e-mail each is known by (their account's, once linked), first added first. */
export async function teacherList(
  db: Kysely<Tables>,
  classId: string,
): Promise<{ readonly email: string | null; readonly signedIn: boolean }[]> {
  const rows = await db
    .selectFrom('classTeachers')
    .leftJoin('accounts', 'accounts.id', 'classTeachers.accountId')
    .select(['classTeachers.email as listed', 'accounts.email as account', 'classTeachers.accountId'])
    .where('classTeachers.classId', '=', classId)
    .orderBy('classTeachers.addedAt')
    .orderBy('classTeachers.id')
    .execute();
  return rows.map((r) => ({ email: r.listed ?? r.account ?? null, signedIn: r.accountId !== null }));
}

/**
 * Removes the teacher known by `email` (as listed, or as their account's address); removing one who
 * is not there changes nothing. The last one may go too: the class teacher key still opens the class.
 */
export async function removeTeacherByEmail(db: Kysely<Tables>, classId: string, email: string): Promise<void> {
  const address = email.trim().toLowerCase();
  await db.transaction().execute(async (trx) => {
    const rows = await trx
      .selectFrom('classTeachers')
      .leftJoin('accounts', 'accounts.id', 'classTeachers.accountId')
      .select(['classTeachers.id', 'classTeachers.email as listed', 'accounts.email as account'])
      .where('classTeachers.classId', '=', classId)
      .execute();
    const leaving = rows.filter((r) => r.listed === address || r.account === address).map((r) => r.id);
    if (leaving.length > 0) await trx.deleteFrom('classTeachers').where('id', 'in', leaving).execute();
  });
}

/** Adds a co-teacher; adding one who is already there changes nothing. */
export async function addTeacher(
  db: Kysely<Tables>,
  classId: string,
  teacher: TeacherRef,
  now: number,
): Promise<ClassOutcome<void>> {
  if (!(await getClass(db, classId))) return { ok: false, error: 'class-not-found' };
  await db
    .insertInto('classTeachers')
    .values({ id: newId(), classId, addedAt: now, ...teacherColumns(teacher) })
    .onConflict((oc) => oc.doNothing())
    .execute();
  return { ok: true, value: undefined };
}

/** Removes a teacher, unless they are the last one. */
export async function removeTeacher(
  db: Kysely<Tables>,
  classId: string,
  teacher: TeacherRef,
): Promise<ClassOutcome<void>> {
  return db.transaction().execute(async (trx): Promise<ClassOutcome<void>> => {
    const teachers = await listTeachers(trx, classId);
    if (teachers.length === 0) return { ok: false, error: 'class-not-found' };
    const { accountId, email } = teacherColumns(teacher);
    const leaving = teachers.filter((t) => (accountId !== null ? t.accountId === accountId : t.email === email));
    if (leaving.length === 0) return { ok: true, value: undefined };
    if (leaving.length === teachers.length) return { ok: false, error: 'last-teacher' };
    await trx
      .deleteFrom('classTeachers')
      .where('classId', '=', classId)
      .where(accountId !== null ? 'accountId' : 'email', '=', accountId ?? email!)
      .execute();
    return { ok: true, value: undefined };
  });
}
