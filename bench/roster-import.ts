/**
 * Roster import: a OneRoster 1.1 export of 2,000 students (users, classes, enrollments) read and
 * checked, then the 2,000 written to one class's roster in SQLite and in PostgreSQL (a real server
 * on loopback): into an empty roster, again unchanged, and again with a tenth of them changed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { oneRosterStudents, readOneRoster, type OneRosterFiles } from '../server/classes/oneroster.ts';
import type { RosterRow } from '../server/classes/roster.ts';
import type { DatabaseConfig } from '../server/config.ts';
import { createClass } from '../server/db/classes-repo.ts';
import { openDatabase } from '../server/db/open-database.ts';
import { importRoster } from '../server/db/rosters-repo.ts';
import { toCsv } from '../src/shared/csv.ts';
import { startPostgres } from '../tests/helpers/postgres.ts';
import { percentile, saveResult } from './lib.ts';

const STUDENTS = 2000;
const CLASS_SIZE = 30;
const RUNS = 5;

/** A district-style export: 2,000 students in classes of 30, plus one year-group class with all of them. */
function makeExport(): OneRosterFiles {
  const users: (string | number)[][] = [
    ['sourcedId', 'status', 'dateLastModified', 'enabledUser', 'orgSourcedIds', 'role', 'username', 'userIds'],
  ];
  users[0]!.push('givenName', 'familyName', 'middleName', 'identifier', 'email', 'sms', 'phone', 'agentSourcedIds');
  users[0]!.push('grades', 'password');
  const classes: (string | number)[][] = [['sourcedId', 'status', 'dateLastModified', 'title', 'classCode']];
  const enrollments: (string | number)[][] = [
    ['sourcedId', 'status', 'dateLastModified', 'classSourcedId', 'schoolSourcedId', 'userSourcedId', 'role'],
  ];
  const groups = Math.ceil(STUDENTS / CLASS_SIZE);
  classes.push(['year-9', '', '', 'Year 9 (all)', 'Y9']);
  for (let g = 0; g < groups; g++) {
    classes.push([`class-${g}`, '', '', `Group ${g}`, `G${g}`]);
    users.push([`teacher-${g}`, '', '', 'true', 'org1', 'teacher', `t${g}`, '', 'Teacher', `${g}`, '', `T${g}`]);
    enrollments.push([`te-${g}`, '', '', `class-${g}`, 'org1', `teacher-${g}`, 'teacher']);
  }
  for (let i = 0; i < STUDENTS; i++) {
    users.push([
      `student-${i}`,
      '',
      '',
      'true',
      'org1',
      'student',
      `s${i}`,
      '',
      `Given${i}`,
      `Family, ${i}`,
      '',
      `S${100000 + i}`,
      `student${i}@school.example`,
      '',
      '',
      '',
      '09',
      '',
    ]);
    enrollments.push([`e-${i}`, '', '', `class-${Math.floor(i / CLASS_SIZE)}`, 'org1', `student-${i}`, 'student']);
    enrollments.push([`y-${i}`, '', '', 'year-9', 'org1', `student-${i}`, 'student']);
  }
  return { users: toCsv(users), classes: toCsv(classes), enrollments: toCsv(enrollments) };
}

/** Milliseconds `task` takes. */
async function timed(task: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await task();
  return Math.round((performance.now() - t0) * 10) / 10;
}

const summary = (ms: number[]) => ({ p50: percentile(ms, 50), max: Math.max(...ms), runs: ms });

/** Writing the 2,000 to a fresh class's roster, then again unchanged, then with every tenth renamed. */
async function benchDatabase(config: DatabaseConfig, rows: RosterRow[]) {
  const opened = await openDatabase({ database: config });
  const first: number[] = [];
  const unchanged: number[] = [];
  const tenthChanged: number[] = [];
  try {
    for (let run = 0; run < RUNS; run++) {
      const klass = await createClass(
        opened.db,
        { name: `Year 9 run ${run}`, teachers: [{ email: 't@school.example' }] },
        run,
      );
      const write = async (list: RosterRow[]) => {
        const result = await importRoster(opened.db, klass.id, list, { mode: 'replace', source: 'oneroster' }, run);
        if (!result.ok) throw new Error(result.error.message);
      };
      first.push(await timed(() => write(rows)));
      unchanged.push(await timed(() => write(rows)));
      const changed = rows.map((row, i) => (i % 10 === 0 ? { ...row, name: `${row.name} (${run})` } : row));
      tenthChanged.push(await timed(() => write(changed)));
    }
  } finally {
    await opened.close();
  }
  return { intoEmptyRosterMs: summary(first), unchangedMs: summary(unchanged), tenthChangedMs: summary(tenthChanged) };
}

/** Runs the benchmark, saves bench/results/roster-import.json and returns the figures. */
export async function benchRosterImport() {
  const files = makeExport();
  const parseMs: number[] = [];
  let rows: RosterRow[] = [];
  for (let run = 0; run < RUNS; run++) {
    parseMs.push(
      await timed(async () => {
        const roster = readOneRoster(files);
        if (!roster.ok) throw new Error(roster.error.message);
        const students = oneRosterStudents(roster.value, ['year-9']);
        if (!students.ok) throw new Error(students.error.message);
        rows = students.value;
      }),
    );
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-roster-'));
  const postgres = await startPostgres();
  try {
    const sqlite = await benchDatabase({ kind: 'sqlite', dataDir }, rows);
    const pg = await benchDatabase({ kind: 'postgres', url: await postgres.createDatabase('bench_roster') }, rows);
    const result = {
      scenario: `OneRoster 1.1 export: ${STUDENTS} students (users.csv), ${Math.ceil(STUDENTS / CLASS_SIZE) + 1} classes, ${STUDENTS * 2} student enrolments; all ${rows.length} of the year-group class imported into one roster (replace), ${RUNS} runs`,
      date: new Date().toISOString(),
      node: process.version,
      filesKB: Math.round((files.users.length + files.classes.length + files.enrollments.length) / 102.4) / 10,
      students: rows.length,
      readAndCheckMs: summary(parseMs),
      sqlite,
      postgres: {
        ...pg,
        note: 'PostgreSQL on loopback with fsync off (as in the tests): commits cost more on a real disk',
      },
    };
    saveResult('roster-import', result);
    return result;
  } finally {
    await postgres.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
