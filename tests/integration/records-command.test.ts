/** The admin command for data-protection requests, run in-process against SQLite in a temporary DATA_DIR. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseRecordsArgs, runRecords } from '../../server/admin/records.ts';
import { loadConfig } from '../../server/config.ts';
import { createClass } from '../../server/db/classes-repo.ts';
import { recordVisit, startLesson } from '../../server/db/lessons-repo.ts';
import { openDatabase } from '../../server/db/open-database.ts';
import { importRoster } from '../../server/db/rosters-repo.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'classroom-records-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

async function run(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runRecords(
    args,
    { DATA_DIR: dataDir },
    (t) => out.push(t),
    (t) => err.push(t),
  );
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('npm run records', () => {
  it('reads one student named once, by e-mail, student id, or a name in a class', () => {
    expect(parseRecordsArgs(['export', '--email', 'ada@school.example'])).toEqual({
      ok: true,
      action: 'export',
      who: { email: 'ada@school.example' },
      confirmed: false,
    });
    expect(parseRecordsArgs(['erase', '--student-id', 'S1', '--yes'])).toMatchObject({ ok: true, confirmed: true });
    expect(parseRecordsArgs(['delete', '--email', 'a@b.c'])).toMatchObject({ ok: false });
    expect(parseRecordsArgs(['export'])).toMatchObject({ ok: false, problem: expect.stringMatching(/--email/) });
    expect(parseRecordsArgs(['export', '--email', 'a@b.c', '--student-id', 'S1'])).toMatchObject({ ok: false });
    expect(parseRecordsArgs(['export', '--email'])).toMatchObject({ ok: false, problem: '--email needs a value' });
    // A student known only by a name is looked up in one class.
    expect(parseRecordsArgs(['erase', '--name', 'Bo Chen', '--class', 'c1', '--yes'])).toEqual({
      ok: true,
      action: 'erase',
      who: { name: 'Bo Chen', classId: 'c1' },
      confirmed: true,
    });
    expect(parseRecordsArgs(['export', '--name', 'Bo Chen'])).toMatchObject({
      ok: false,
      problem: 'a name is looked up in one class: give --name with --class',
    });
    expect(parseRecordsArgs(['export', '--name', 'Bo', '--class', 'c1', '--email', 'a@b.c'])).toMatchObject({
      ok: false,
    });
  });

  it('exports a student’s record, erases it only with --yes, and leaves the other students', async () => {
    const database = await openDatabase(loadConfig({ DATA_DIR: dataDir }));
    const klass = await createClass(database.db, { name: 'Bio', teachers: [] }, 1000);
    const rows = [
      { name: 'Ada Lovelace', email: 'ada@school.example', studentId: 'S1', externalId: null },
      { name: 'Bo Chen', email: null, studentId: 'S2', externalId: null },
    ];
    await importRoster(database.db, klass.id, rows, { mode: 'replace', source: 'csv' }, 1000);
    const lesson = await startLesson(database.db, klass.id, 'ABCDEF', 2000);
    if (!lesson.ok) throw new Error(lesson.error);
    for (const [name, email] of [
      ['Ada Lovelace', 'ada@school.example'],
      ['Bo Chen', null],
    ] as const)
      await recordVisit(database.db, lesson.value.id, {
        attendee: { name, email },
        joinedAt: 2000,
        leftAt: 3000,
        sharingMs: 0,
        stops: 0,
        handsRaised: 0,
      });
    await database.close();

    const exported = await run('export', '--email', 'ADA@school.example');
    expect(exported.code).toBe(0);
    const record = JSON.parse(exported.out) as { rosterEntries: unknown[]; attendance: { name: string }[] };
    expect(record.rosterEntries).toHaveLength(1);
    expect(record.attendance.map((a) => a.name)).toEqual(['Ada Lovelace']);

    const unconfirmed = await run('erase', '--email', 'ada@school.example');
    expect(unconfirmed.code).toBe(1);
    expect(JSON.parse(unconfirmed.out)).toEqual({ wouldErase: { accounts: 0, rosterEntries: 1, attendance: 1 } });
    expect(unconfirmed.err).toMatch(/--yes/);
    expect(JSON.parse((await run('export', '--email', 'ada@school.example')).out).attendance).toHaveLength(1);

    const erased = await run('erase', '--email', 'ada@school.example', '--yes');
    expect(erased.code).toBe(0);
    expect(JSON.parse(erased.out)).toEqual({ erased: { accounts: 0, rosterEntries: 1, attendance: 1 } });
    expect(JSON.parse((await run('export', '--email', 'ada@school.example')).out)).toEqual({
      accounts: [],
      rosterEntries: [],
      attendance: [],
    });
    expect(JSON.parse((await run('export', '--student-id', 'S2')).out).rosterEntries).toHaveLength(1);
    expect(await run('export')).toMatchObject({ code: 2, err: expect.stringMatching(/^name the student/) });
  });
});
