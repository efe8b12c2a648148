/**
 * OneRoster 1.1 CSV, the export school systems make: `classes.csv` lists the classes a teacher picks
 * from, and the students of the picked ones are the active users that `enrollments.csv` enrols in
 * them as students. Pure: no I/O; the files come in as text.
 * Spec: IMS OneRoster v1.1 CSV Tables (https://www.imsglobal.org/oneroster-v11-final-csv-tables).
 */
import { readCsvFile, rowsByHeader, type Row } from './csv-table.ts';
import {
  cleanEmail,
  cleanName,
  cleanStudentId,
  distinctRows,
  rosterError,
  type PlacedRow,
  type RosterResult,
  type RosterRow,
} from './roster.ts';

/** The three files an import reads, as text. */
export interface OneRosterFiles {
  readonly users: string;
  readonly classes: string;
  readonly enrollments: string;
}

/** A class a teacher may import, with how many active students it has. */
export interface OneRosterClass {
  readonly sourcedId: string;
  readonly title: string;
  readonly classCode: string | null;
  readonly students: number;
}

/** A read export: its active classes by title, and what `oneRosterStudents` needs to pick students. */
export interface OneRoster {
  readonly classes: readonly OneRosterClass[];
  /** Active users enrolled as students, by class sourcedId. */
  readonly enrolled: ReadonlyMap<string, readonly string[]>;
  readonly users: ReadonlyMap<string, Row<UserColumn>>;
}

/** The columns read from each file (the spec has more; they are ignored, as are extension columns). */
const COLUMNS = {
  'users.csv': ['sourcedId', 'status', 'enabledUser', 'role', 'givenName', 'familyName', 'identifier', 'email'],
  'classes.csv': ['sourcedId', 'status', 'title', 'classCode'],
  'enrollments.csv': ['sourcedId', 'status', 'classSourcedId', 'userSourcedId', 'role'],
} as const;

type UserColumn = (typeof COLUMNS)['users.csv'][number];
type FileName = keyof typeof COLUMNS;

/**
 * Whether a record counts: OneRoster 1.1 bulk files leave status empty, delta files say active or
 * tobedeleted; 1.2 says inactive. Anything else is an error, not a guess.
 */
function isActive(file: FileName, row: Row<'status'>): RosterResult<boolean> {
  const status = row.status.toLowerCase();
  if (status === '' || status === 'active') return { ok: true, value: true };
  if (status === 'tobedeleted' || status === 'inactive') return { ok: true, value: false };
  return rosterError(
    'bad-value',
    file,
    row.line,
    'status',
    `'${row.status}' is not a OneRoster status; use active, tobedeleted or leave it empty`,
  );
}

/** One file's rows, if it has its columns and each sourcedId once; a header of another file is named as such. */
function readFile<F extends FileName>(file: F, text: string): RosterResult<Row<(typeof COLUMNS)[F][number]>[]> {
  const read = readCsvFile(file, text);
  if (!read.ok) return read;
  const header = read.value[0]?.cells.map((cell) => cell.trim().toLowerCase()) ?? [];
  const looksLike = (Object.keys(COLUMNS) as FileName[]).find(
    (other) => other !== file && COLUMNS[other].every((column) => header.includes(column.toLowerCase())),
  );
  const rows = rowsByHeader(
    file,
    read.value,
    COLUMNS[file] as readonly (typeof COLUMNS)[F][number][],
    looksLike ? `a OneRoster ${file} (it looks like ${looksLike})` : `a OneRoster 1.1 ${file}`,
  );
  if (!rows.ok) return rows;
  const seen = new Map<string, number>();
  for (const row of rows.value as Row<'sourcedId'>[]) {
    if (row.sourcedId === '')
      return rosterError('missing-value', file, row.line, 'sourcedId', 'empty; every row needs one');
    const earlier = seen.get(row.sourcedId);
    if (earlier !== undefined)
      return rosterError('duplicate', file, row.line, 'sourcedId', `'${row.sourcedId}' is already on line ${earlier}`);
    seen.set(row.sourcedId, row.line);
  }
  return rows;
}

/**
 * Reads the three files: each must have its columns, its quoting right and each sourcedId once,
 * and every active enrolment must name a class and a user the other files have. Student details
 * are checked only when their class is picked (`oneRosterStudents`), so a typo in another class's
 * data does not block this one.
 */
export function readOneRoster(files: OneRosterFiles): RosterResult<OneRoster> {
  const users = readFile('users.csv', files.users);
  if (!users.ok) return users;
  const classes = readFile('classes.csv', files.classes);
  if (!classes.ok) return classes;
  const enrollments = readFile('enrollments.csv', files.enrollments);
  if (!enrollments.ok) return enrollments;

  const usersById = new Map(users.value.map((user) => [user.sourcedId, user]));
  const activeUsers = new Set<string>();
  for (const user of users.value) {
    const active = isActive('users.csv', user);
    if (!active.ok) return active;
    if (active.value && user.enabledUser.toLowerCase() !== 'false') activeUsers.add(user.sourcedId);
  }
  const activeClasses = new Map<string, Row<(typeof COLUMNS)['classes.csv'][number]>>();
  const known = new Set(classes.value.map((row) => row.sourcedId));
  for (const row of classes.value) {
    const active = isActive('classes.csv', row);
    if (!active.ok) return active;
    if (active.value) activeClasses.set(row.sourcedId, row);
  }
  const enrolled = new Map<string, string[]>();
  for (const row of enrollments.value) {
    const active = isActive('enrollments.csv', row);
    if (!active.ok) return active;
    if (!active.value) continue;
    if (!known.has(row.classSourcedId))
      return rosterError(
        'unknown-reference',
        'enrollments.csv',
        row.line,
        'classSourcedId',
        'no class with that id in classes.csv',
      );
    if (!usersById.has(row.userSourcedId))
      return rosterError(
        'unknown-reference',
        'enrollments.csv',
        row.line,
        'userSourcedId',
        'no user with that id in users.csv',
      );
    if (row.role.toLowerCase() !== 'student' || !activeUsers.has(row.userSourcedId)) continue;
    const list = enrolled.get(row.classSourcedId) ?? [];
    if (!list.includes(row.userSourcedId)) list.push(row.userSourcedId);
    enrolled.set(row.classSourcedId, list);
  }
  const list = [...activeClasses.values()]
    .map((row) => ({
      sourcedId: row.sourcedId,
      title: row.title || row.classCode || row.sourcedId,
      classCode: row.classCode || null,
      students: enrolled.get(row.sourcedId)?.length ?? 0,
    }))
    .sort((a, b) => a.title.localeCompare(b.title) || a.sourcedId.localeCompare(b.sourcedId));
  return { ok: true, value: { classes: list, enrolled, users: usersById } };
}

/**
 * The students of the picked classes, each once (a student in two picked classes is one entry),
 * in the order of the classes and their enrolments; an error names the users.csv line of a
 * student whose name or e-mail is wrong, or the class id that is not there to pick.
 */
export function oneRosterStudents(roster: OneRoster, classIds: readonly string[]): RosterResult<RosterRow[]> {
  const rows: PlacedRow[] = [];
  const taken = new Set<string>();
  for (const classId of classIds) {
    if (!roster.classes.some((c) => c.sourcedId === classId))
      return rosterError('unknown-class', 'classes.csv', null, 'sourcedId', `no active class with the id '${classId}'`);
    for (const userId of roster.enrolled.get(classId) ?? []) {
      if (taken.has(userId)) continue;
      taken.add(userId);
      const user = roster.users.get(userId)!;
      const name = cleanName(`${user.givenName} ${user.familyName}`);
      if (!name.ok) return rosterError('bad-value', 'users.csv', user.line, 'givenName', name.problem);
      if (name.value === null)
        return rosterError(
          'missing-value',
          'users.csv',
          user.line,
          'givenName',
          'empty, and so is familyName; a student needs a name',
        );
      const email = cleanEmail(user.email);
      if (!email.ok) return rosterError('bad-value', 'users.csv', user.line, 'email', email.problem);
      const studentId = cleanStudentId(user.identifier);
      if (!studentId.ok) return rosterError('bad-value', 'users.csv', user.line, 'identifier', studentId.problem);
      rows.push({
        line: user.line,
        row: { name: name.value, email: email.value, studentId: studentId.value, externalId: user.sourcedId },
      });
    }
  }
  if (rows.length === 0 && classIds.length > 0)
    return rosterError('empty', 'enrollments.csv', null, null, 'the chosen classes have no active students');
  return distinctRows('users.csv', rows, { name: 'givenName', email: 'email', studentId: 'identifier' });
}
