/**
 * The classes database, run the same against SQLite (a temporary DATA_DIR) and a real PostgreSQL
 * server started on loopback: every test gets a fresh, migrated database.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRosterCsv } from '../../server/classes/roster-csv.ts';
import type { RosterRow } from '../../server/classes/roster.ts';
import type { DatabaseConfig } from '../../server/config.ts';
import { accountAtSignIn } from '../../server/db/accounts-repo.ts';
import {
  addTeacher,
  classByJoinSecret,
  createClass,
  getClass,
  listClasses,
  listTeachers,
  removeTeacher,
  rotateJoinSecret,
  setArchived,
} from '../../server/db/classes-repo.ts';
import {
  attendanceBetween,
  deleteExpiredLessons,
  deleteLesson,
  endLesson,
  lessonAttendance,
  liveLesson,
  pastLessons,
  recordVisit,
  startLesson,
  type Visit,
} from '../../server/db/lessons-repo.ts';
import { MIGRATIONS } from '../../server/db/migrations.ts';
import { DatabaseUnavailable, openDatabase, type ClassesDatabase } from '../../server/db/open-database.ts';
import { importRoster, listRoster, removeRosterEntry } from '../../server/db/rosters-repo.ts';
import { eraseStudentRecord, exportStudentRecord } from '../../server/db/student-records.ts';
import { bothDatabases } from '../helpers/both-databases.ts';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 8, 7, 8, 0);
const row = (name: string, email: string | null = null, studentId: string | null = null): RosterRow => ({
  name,
  email,
  studentId,
  externalId: null,
});
const visit = (name: string, joinedAt: number, leftAt: number | null, extra: Partial<Visit> = {}): Visit => ({
  attendee: { name },
  joinedAt,
  leftAt,
  sharingMs: 0,
  stops: 0,
  handsRaised: 0,
  ...extra,
});
const value = <T>(result: { ok: true; value: T } | { ok: false; error: unknown }): T => {
  if (!result.ok) throw new Error(`refused: ${JSON.stringify(result.error)}`);
  return result.value;
};

const databases = bothDatabases('classes');

describe.each(['sqlite', 'postgres'] as const)('the classes database on %s', (kind) => {
  /** A fresh configuration of this kind: a new DATA_DIR, or a new PostgreSQL database. */
  const freshConfig = () => databases.config(kind);
  const fresh = async (config?: DatabaseConfig): Promise<ClassesDatabase> =>
    databases.open(config ?? (await freshConfig()));

  it('creates its tables once, and refuses a database a newer version has migrated', async () => {
    const config = await freshConfig();
    const first = await fresh(config);
    await first.close();
    databases.closed(first);
    const again = await fresh(config);
    const steps = await again.db
      .withoutPlugins()
      .selectFrom('schema_migrations' as never)
      .selectAll()
      .execute();
    expect(steps).toHaveLength(Object.keys(MIGRATIONS).length);
    if (config.kind === 'sqlite') {
      const modes = readdirSync(config.dataDir).map((f) => [f, statSync(join(config.dataDir, f)).mode & 0o777]);
      expect(modes).toEqual([
        ['classes.sqlite', 0o600],
        ['classes.sqlite-shm', 0o600],
        ['classes.sqlite-wal', 0o600],
      ]);
      expect(statSync(config.dataDir).mode & 0o777).toBe(0o700);
    }
    await again.db
      .withoutPlugins()
      .insertInto('schema_migrations' as never)
      .values({ name: '9999-from-the-future', timestamp: new Date().toISOString() } as never)
      .execute();
    await again.close();
    databases.closed(again);
    const refused = openDatabase({ database: config });
    await expect(refused).rejects.toThrow(DatabaseUnavailable);
    await expect(refused).rejects.toThrow(/set up by a newer version of this server/);
  });

  it('creates classes for their teachers, archives one keeping its record, and brings it back', async () => {
    const { db } = await fresh();
    const frizzle = await accountAtSignIn(
      db,
      {
        issuer: 'https://idp.school.example',
        subject: 'frizzle',
        email: 'v.frizzle@school.example',
        name: 'Ms Frizzle',
      },
      T0,
    );
    const biology = await createClass(db, { name: 'Biology 7B', teachers: [{ accountId: frizzle.id }] }, T0);
    // Teachers are named by e-mail until they first sign in; e-mail is compared in lower case.
    const physics = await createClass(db, { name: 'Physics 8A', teachers: [{ email: 'Bohr@School.example' }] }, T0 + 1);
    expect(biology.joinSecret).toMatch(/^[\w-]{32}$/);
    expect((await listClasses(db, { emails: ['bohr@school.example'] })).map((c) => c.name)).toEqual(['Physics 8A']);
    expect(await listClasses(db, {})).toEqual([]);

    const lesson = value(await startLesson(db, biology.id, 'K7QM3X', T0 + 10));
    await recordVisit(db, lesson.id, visit('Ada Lovelace', T0 + 20, T0 + 60));
    await endLesson(db, lesson.id, T0 + 100);

    const archived = value(await setArchived(db, biology.id, true, T0 + 200));
    expect(archived.archivedAt).toBe(T0 + 200);
    expect(await listClasses(db, { accountId: frizzle.id })).toEqual([]);
    expect((await listClasses(db, { accountId: frizzle.id }, { archived: true })).map((c) => c.id)).toEqual([
      biology.id,
    ]);
    // The record stays, and an archived class starts no lesson.
    expect((await pastLessons(db, biology.id)).map((l) => [l.id, l.students])).toEqual([[lesson.id, 1]]);
    expect(await startLesson(db, biology.id, 'ZZZZZZ', T0 + 300)).toEqual({ ok: false, error: 'class-archived' });

    value(await setArchived(db, biology.id, false, T0 + 400));
    expect((await listClasses(db, { accountId: frizzle.id })).map((c) => c.name)).toEqual(['Biology 7B']);
    expect(await setArchived(db, 'no-such-class', true, T0)).toEqual({ ok: false, error: 'class-not-found' });
    expect(physics.archivedAt).toBeNull();
  });

  it('lists archived classes, when asked, after those in use', async () => {
    const { db } = await fresh();
    const teacher = { emails: ['t@school.example'] };
    const make = (name: string, at: number) => createClass(db, { name, teachers: [{ email: 't@school.example' }] }, at);
    const algebra = await make('Algebra', T0);
    await make('Zoology', T0 + 1);
    await make('Music', T0 + 2);
    value(await setArchived(db, algebra.id, true, T0 + 3));
    expect((await listClasses(db, teacher, { archived: true })).map((c) => c.name)).toEqual([
      'Music',
      'Zoology',
      'Algebra',
    ]);
  });

  it('rotating the join secret retires the old link', async () => {
    const { db } = await fresh();
    const klass = await createClass(db, { name: 'Art', teachers: [{ email: 'a@school.example' }] }, T0);
    expect((await classByJoinSecret(db, klass.joinSecret))?.id).toBe(klass.id);
    const rotated = value(await rotateJoinSecret(db, klass.id));
    expect(rotated).not.toBe(klass.joinSecret);
    expect(await classByJoinSecret(db, klass.joinSecret)).toBeNull();
    expect((await classByJoinSecret(db, rotated))?.id).toBe(klass.id);
    expect((await getClass(db, klass.id))?.joinSecret).toBe(rotated);
    expect(await rotateJoinSecret(db, 'no-such-class')).toEqual({ ok: false, error: 'class-not-found' });
  });

  it('adds co-teachers once and never removes the last one', async () => {
    const { db } = await fresh();
    const klass = await createClass(db, { name: 'Maths', teachers: [{ email: 'one@school.example' }] }, T0);
    value(await addTeacher(db, klass.id, { email: 'TWO@school.example' }, T0 + 1));
    value(await addTeacher(db, klass.id, { email: 'two@school.example' }, T0 + 2));
    expect(await listTeachers(db, klass.id)).toEqual([
      { accountId: null, email: 'one@school.example' },
      { accountId: null, email: 'two@school.example' },
    ]);
    value(await removeTeacher(db, klass.id, { email: 'one@school.example' }));
    expect(await removeTeacher(db, klass.id, { email: 'two@school.example' })).toEqual({
      ok: false,
      error: 'last-teacher',
    });
    expect(await listTeachers(db, klass.id)).toEqual([{ accountId: null, email: 'two@school.example' }]);
    expect(await addTeacher(db, 'no-such-class', { email: 'x@school.example' }, T0)).toEqual({
      ok: false,
      error: 'class-not-found',
    });
  });

  it('replaces and merges a roster, each student keeping their entry', async () => {
    const { db } = await fresh();
    const klass = await createClass(db, { name: 'Chemistry', teachers: [{ email: 't@school.example' }] }, T0);
    const typed = value(
      await importRoster(
        db,
        klass.id,
        [row('Ada Lovelace'), row('Alan Turing'), row('Grace Hopper')],
        { mode: 'replace', source: 'typed' },
        T0,
      ),
    );
    expect(typed).toEqual({ added: 3, updated: 0, removed: 0, unchanged: 0 });
    const before = await listRoster(db, klass.id);
    const csv = value(
      parseRosterCsv(
        'name,email,student id\nada lovelace,ada@school.example,S1\nAlan Turing,,\nKatherine Johnson,kj@school.example,S4\n',
      ),
    );
    expect(value(await importRoster(db, klass.id, csv, { mode: 'replace', source: 'csv' }, T0 + 1))).toEqual({
      added: 1,
      updated: 1,
      removed: 1,
      unchanged: 1,
    });
    const after = await listRoster(db, klass.id);
    expect(after.map((e) => [e.name, e.email, e.studentId, e.source])).toEqual([
      ['ada lovelace', 'ada@school.example', 'S1', 'csv'],
      ['Alan Turing', null, null, 'typed'],
      ['Katherine Johnson', 'kj@school.example', 'S4', 'csv'],
    ]);
    // Ada kept her entry: her attendance stays linked.
    expect(after[0]!.id).toBe(before.find((e) => e.name === 'Ada Lovelace')!.id);

    expect(
      value(
        await importRoster(
          db,
          klass.id,
          [row('Mae Jemison', 'mae@school.example')],
          { mode: 'merge', source: 'typed' },
          T0 + 2,
        ),
      ),
    ).toEqual({ added: 1, updated: 0, removed: 0, unchanged: 0 });
    expect(await listRoster(db, klass.id)).toHaveLength(4);
    // A merge that would give Mae's e-mail to Katherine (found by her student id) is refused whole.
    expect(
      await importRoster(
        db,
        klass.id,
        [row('Katherine Johnson', 'mae@school.example', 'S4'), row('New Student')],
        { mode: 'merge', source: 'csv' },
        T0 + 3,
      ),
    ).toMatchObject({ ok: false, error: { kind: 'duplicate', message: expect.stringContaining("as 'Mae Jemison'") } });
    expect(await listRoster(db, klass.id)).toHaveLength(4);
    expect(await removeRosterEntry(db, klass.id, after[1]!.id)).toBe(true);
    expect(await removeRosterEntry(db, klass.id, after[1]!.id)).toBe(false);
  });

  it('imports all or nothing: a row the database refuses leaves the old roster whole', async () => {
    const { db } = await fresh();
    const klass = await createClass(db, { name: 'History', teachers: [{ email: 't@school.example' }] }, T0);
    value(
      await importRoster(
        db,
        klass.id,
        [row('Ada Lovelace'), row('Alan Turing')],
        { mode: 'replace', source: 'typed' },
        T0,
      ),
    );
    const before = await listRoster(db, klass.id);
    // 2,000 students, the 1,500th with a name no roster may hold (the parser would refuse it; the
    // database's own check is the last guard): the first batches were already written when it fails.
    const rows = Array.from({ length: 2000 }, (_, i) =>
      row(i === 1499 ? 'x'.repeat(300) : `Student ${i}`, null, `S${i}`),
    );
    await expect(importRoster(db, klass.id, rows, { mode: 'replace', source: 'csv' }, T0 + 1)).rejects.toThrow();
    expect(await listRoster(db, klass.id)).toEqual(before);
    // And a file the parser refuses never reaches the database.
    expect(parseRosterCsv('name,email\nGrace Hopper,grace@school.example\n"Broken,x@school.example\n').ok).toBe(false);
  });

  it('keeps one live lesson per class, and ending it closes the visits still open', async () => {
    const { db } = await fresh();
    const klass = await createClass(db, { name: 'Music', teachers: [{ email: 't@school.example' }] }, T0);
    const lesson = value(await startLesson(db, klass.id, 'ABCDEF', T0));
    expect(await startLesson(db, klass.id, 'GHJKLM', T0 + 1)).toEqual({ ok: false, error: 'lesson-live' });
    expect(await startLesson(db, 'no-such-class', 'GHJKLM', T0 + 1)).toEqual({ ok: false, error: 'class-not-found' });
    expect((await liveLesson(db, klass.id))?.id).toBe(lesson.id);
    await recordVisit(db, lesson.id, visit('Ada Lovelace', T0 + 5, null));
    expect(await pastLessons(db, klass.id)).toEqual([]);
    const ended = await endLesson(db, lesson.id, T0 + 3_000_000);
    expect(ended).toEqual({ ...lesson, endedAt: T0 + 3_000_000 });
    expect((await lessonAttendance(db, klass.id, lesson.id))[0]!.leftAt).toBe(T0 + 3_000_000);
    expect(await liveLesson(db, klass.id)).toBeNull();
    expect((await pastLessons(db, klass.id)).map((l) => [l.roomCode, l.students])).toEqual([['ABCDEF', 1]]);
    value(await startLesson(db, klass.id, 'GHJKLM', T0 + 4_000_000));
  });

  it('a rejoin extends the student’s row: first join, last leave, totals added', async () => {
    const { db } = await fresh();
    const klass = await createClass(db, { name: 'Biology', teachers: [{ email: 't@school.example' }] }, T0);
    value(
      await importRoster(
        db,
        klass.id,
        [row('Ada Lovelace', 'ada@school.example', 'S1')],
        { mode: 'replace', source: 'csv' },
        T0,
      ),
    );
    const [ada] = await listRoster(db, klass.id);
    const lesson = value(await startLesson(db, klass.id, 'ABCDEF', T0));
    const attendee = { rosterEntryId: ada!.id, name: ada!.name, email: ada!.email, studentId: ada!.studentId };
    await recordVisit(db, lesson.id, {
      attendee,
      joinedAt: T0 + 1000,
      leftAt: T0 + 600_000,
      sharingMs: 500_000,
      stops: 1,
      handsRaised: 2,
    });
    await recordVisit(db, lesson.id, {
      attendee,
      joinedAt: T0 + 700_000,
      leftAt: T0 + 900_000,
      sharingMs: 150_000,
      stops: 0,
      handsRaised: 1,
    });
    await recordVisit(db, lesson.id, visit('Alan Turing', T0 + 2000, T0 + 5000, { sharingMs: 3000 }));
    // A name without a roster entry is one student however it is capitalised.
    await recordVisit(db, lesson.id, visit('ALAN TURING', T0 + 6000, T0 + 8000, { sharingMs: 1000, stops: 3 }));
    const rows = await lessonAttendance(db, klass.id, lesson.id);
    expect(rows.map((r) => [r.name, r.joinedAt, r.leftAt, r.sharingMs, r.stops, r.handsRaised])).toEqual([
      ['ALAN TURING', T0 + 2000, T0 + 8000, 4000, 3, 0],
      ['Ada Lovelace', T0 + 1000, T0 + 900_000, 650_000, 1, 3],
    ]);
    // A visit recorded late (an earlier seat) keeps the latest leave.
    await recordVisit(db, lesson.id, {
      attendee,
      joinedAt: T0 + 500,
      leftAt: T0 + 800,
      sharingMs: 0,
      stops: 0,
      handsRaised: 0,
    });
    const ada2 = (await lessonAttendance(db, klass.id, lesson.id)).find((r) => r.rosterEntryId === ada!.id)!;
    expect([ada2.joinedAt, ada2.leftAt]).toEqual([T0 + 500, T0 + 900_000]);
    expect(await lessonAttendance(db, 'another-class', lesson.id)).toEqual([]);
  });

  it('lists past lessons and attendance for a date range; a deleted lesson takes its attendance with it', async () => {
    const { db } = await fresh();
    const klass = await createClass(db, { name: 'Geography', teachers: [{ email: 't@school.example' }] }, T0);
    const lessons = [];
    for (let day = 0; day < 3; day++) {
      const lesson = value(await startLesson(db, klass.id, `ROOM${day}X`, T0 + day * DAY));
      await recordVisit(db, lesson.id, visit('Ada Lovelace', T0 + day * DAY + 10, T0 + day * DAY + 20));
      await recordVisit(db, lesson.id, visit('Alan Turing', T0 + day * DAY + 10, T0 + day * DAY + 20));
      await endLesson(db, lesson.id, T0 + day * DAY + 3_000_000);
      lessons.push(lesson);
    }
    expect((await pastLessons(db, klass.id)).map((l) => l.roomCode)).toEqual(['ROOM2X', 'ROOM1X', 'ROOM0X']);
    expect((await pastLessons(db, klass.id, { limit: 1, before: T0 + 2 * DAY })).map((l) => l.roomCode)).toEqual([
      'ROOM1X',
    ]);
    const range = await attendanceBetween(db, klass.id, T0 + DAY, T0 + 3 * DAY);
    expect(range.map((r) => [r.startedAt, r.name])).toEqual([
      [T0 + DAY, 'Ada Lovelace'],
      [T0 + DAY, 'Alan Turing'],
      [T0 + 2 * DAY, 'Ada Lovelace'],
      [T0 + 2 * DAY, 'Alan Turing'],
    ]);
    expect(await deleteLesson(db, 'another-class', lessons[1]!.id)).toBe(false);
    expect(await deleteLesson(db, klass.id, lessons[1]!.id)).toBe(true);
    expect(await attendanceBetween(db, klass.id, T0 + DAY, T0 + 2 * DAY)).toEqual([]);
    expect(await db.selectFrom('lessonAttendance').select('id').execute()).toHaveLength(4);
  });

  it('retention deletes only lessons that ended before now minus the period, with their attendance', async () => {
    const { db } = await fresh();
    const klass = await createClass(db, { name: 'Physics', teachers: [{ email: 't@school.example' }] }, T0);
    const now = T0 + 400 * DAY;
    const started = async (at: number, end: number | null) => {
      const lesson = value(await startLesson(db, klass.id, 'ROOMXX', at));
      await recordVisit(db, lesson.id, visit('Ada Lovelace', at + 1, end));
      if (end !== null) await endLesson(db, lesson.id, end);
      return lesson.id;
    };
    const old = await started(T0, T0 + 3_000_000); // ended 400 days ago
    const edge = await started(now - 365 * DAY - 10, now - 365 * DAY + 10); // ended 10 ms inside the period
    const recent = await started(now - 10 * DAY, now - 10 * DAY + 3_000_000);
    // A lesson a crash left unended, started before the period: nobody is in it any more.
    const other = await createClass(db, { name: 'Other', teachers: [{ email: 't@school.example' }] }, T0);
    await db
      .insertInto('lessons')
      .values({ id: 'stale', classId: other.id, roomCode: 'STALE1', startedAt: T0 + 1, endedAt: null })
      .execute();
    const live = await started(now - 1000, null);
    expect(await deleteExpiredLessons(db, now, 365)).toBe(2);
    const left = (await db.selectFrom('lessons').select('id').execute()).map((l) => l.id).sort();
    expect(left).toEqual([edge, recent, live].sort());
    expect(left).not.toContain(old);
    const attendance = await db.selectFrom('lessonAttendance').select('lessonId').execute();
    expect(attendance.map((a) => a.lessonId).sort()).toEqual([edge, recent, live].sort());
  });

  it('exports and then erases one student’s record in every class, leaving everyone else’s', async () => {
    const { db } = await fresh();
    const account = await accountAtSignIn(
      db,
      { issuer: 'https://idp.school.example', subject: 'ada', email: 'Ada@School.example', name: 'Ada Lovelace' },
      T0,
    );
    const biology = await createClass(db, { name: 'Biology', teachers: [{ email: 't@school.example' }] }, T0);
    const physics = await createClass(db, { name: 'Physics', teachers: [{ email: 't@school.example' }] }, T0);
    for (const klass of [biology, physics])
      value(
        await importRoster(
          db,
          klass.id,
          [row('Ada Lovelace', 'ada@school.example', 'S1'), row('Alan Turing', 'alan@school.example', 'S2')],
          { mode: 'replace', source: 'csv' },
          T0,
        ),
      );
    for (const klass of [biology, physics]) {
      const lesson = value(await startLesson(db, klass.id, 'ROOMXX', T0 + 10));
      for (const entry of await listRoster(db, klass.id))
        await recordVisit(
          db,
          lesson.id,
          visit(entry.name, T0 + 20, T0 + 30, {
            attendee: { rosterEntryId: entry.id, name: entry.name, email: entry.email, studentId: entry.studentId },
          }),
        );
      // Ada also joined once signed in, not matched to the roster.
      if (klass === physics)
        await recordVisit(
          db,
          lesson.id,
          visit('Ada L.', T0 + 40, T0 + 50, { attendee: { accountId: account.id, name: 'Ada L.' } }),
        );
      await endLesson(db, lesson.id, T0 + 100);
    }
    // Her roster entry in Biology removed later: the row she left there still counts as hers (by e-mail).
    const bioAda = (await listRoster(db, biology.id)).find((e) => e.name === 'Ada Lovelace')!;
    await removeRosterEntry(db, biology.id, bioAda.id);

    const record = await exportStudentRecord(db, { email: 'ADA@school.example' });
    expect(record.accounts.map((a) => a.id)).toEqual([account.id]);
    expect(record.rosterEntries.map((e) => e.className)).toEqual(['Physics']);
    expect(record.attendance.map((a) => [a.className, a.name]).sort()).toEqual([
      ['Biology', 'Ada Lovelace'],
      ['Physics', 'Ada L.'],
      ['Physics', 'Ada Lovelace'],
    ]);
    expect(await exportStudentRecord(db, { studentId: 'S2' })).toMatchObject({
      accounts: [],
      rosterEntries: [{ name: 'Alan Turing' }, { name: 'Alan Turing' }],
    });

    expect(await eraseStudentRecord(db, { email: 'ada@school.example' })).toEqual({
      accounts: 1,
      rosterEntries: 1,
      attendance: 3,
    });
    expect(await exportStudentRecord(db, { email: 'ada@school.example' })).toEqual({
      accounts: [],
      rosterEntries: [],
      attendance: [],
    });
    const names = (await db.selectFrom('lessonAttendance').select('name').execute()).map((a) => a.name);
    expect(names).toEqual(['Alan Turing', 'Alan Turing']);
    expect(await listRoster(db, physics.id)).toMatchObject([{ name: 'Alan Turing' }]);
    expect(await eraseStudentRecord(db, { studentId: 'S2' })).toEqual({ accounts: 0, rosterEntries: 2, attendance: 2 });
  });
  it('finds a student known only by a name in one class (no e-mail or id), and erases them there alone', async () => {
    const { db } = await fresh();
    const biology = await createClass(db, { name: 'Biology', teachers: [{ email: 't@school.example' }] }, T0);
    const physics = await createClass(db, { name: 'Physics', teachers: [{ email: 't@school.example' }] }, T0);
    value(await importRoster(db, biology.id, [row('Bo Chen'), row('Cy Diaz')], { mode: 'replace', source: 'csv' }, T0));
    const bioLesson = value(await startLesson(db, biology.id, 'ROOMXX', T0 + 10));
    const [bo, cy] = await listRoster(db, biology.id);
    for (const entry of [bo!, cy!])
      await recordVisit(
        db,
        bioLesson.id,
        visit(entry.name, T0 + 20, T0 + 30, { attendee: { rosterEntryId: entry.id, name: entry.name } }),
      );
    // Bo also joined once under the same name typed, not from the roster (let in by a teacher).
    await recordVisit(db, bioLesson.id, visit('Bo Chen', T0 + 40, T0 + 50));
    await endLesson(db, bioLesson.id, T0 + 100);
    // Another Bo Chen, in another class: not this student.
    const physLesson = value(await startLesson(db, physics.id, 'ROOMYY', T0 + 200));
    await recordVisit(db, physLesson.id, visit('Bo Chen', T0 + 210, T0 + 220));
    await endLesson(db, physLesson.id, T0 + 300);

    const bosRecord = { name: 'Bo Chen', classId: biology.id };
    const record = await exportStudentRecord(db, bosRecord);
    expect(record.rosterEntries.map((e) => [e.className, e.name])).toEqual([['Biology', 'Bo Chen']]);
    expect(record.attendance.map((a) => [a.className, a.name, a.joinedAt])).toEqual([
      ['Biology', 'Bo Chen', T0 + 20],
      ['Biology', 'Bo Chen', T0 + 40],
    ]);
    expect(await eraseStudentRecord(db, bosRecord)).toEqual({ accounts: 0, rosterEntries: 1, attendance: 2 });
    expect(await exportStudentRecord(db, bosRecord)).toEqual({ accounts: [], rosterEntries: [], attendance: [] });
    expect(await listRoster(db, biology.id)).toMatchObject([{ name: 'Cy Diaz' }]);
    const left = await db.selectFrom('lessonAttendance').select(['lessonId', 'name']).orderBy('name').execute();
    expect(left).toEqual([
      { lessonId: physLesson.id, name: 'Bo Chen' },
      { lessonId: bioLesson.id, name: 'Cy Diaz' },
    ]);
  });
});
