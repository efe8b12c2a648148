/**
 * A plain roster CSV: one student per record, as name, e-mail and student id (the last two
 * optional), with or without a header. Pure: no I/O.
 */
import { readCsvFile } from './csv-table.ts';
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

type Column = 'name' | 'firstName' | 'lastName' | 'email' | 'studentId';

/** Header cells a spreadsheet may have, compared without case, spaces or punctuation. */
const HEADER_NAMES: Readonly<Record<string, Column>> = {
  name: 'name',
  displayname: 'name',
  studentname: 'name',
  fullname: 'name',
  firstname: 'firstName',
  givenname: 'firstName',
  lastname: 'lastName',
  familyname: 'lastName',
  surname: 'lastName',
  email: 'email',
  emailaddress: 'email',
  studentid: 'studentId',
  studentnumber: 'studentId',
  id: 'studentId',
};

/** The columns of a file without a header, in order. */
const POSITIONAL: readonly Column[] = ['name', 'email', 'studentId'];

/** What a header may name, for messages. */
const EXPECTED = 'name (or first name and last name), email, student id';

const compact = (cell: string) => cell.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '');

/**
 * The students of a plain CSV file. A first record with any known column name (name, email,
 * student id, first name, last name …) is a header: columns may then come in any order and others
 * are ignored. Without one, the columns are name, email, student id.
 */
export function parseRosterCsv(text: string, file = 'roster.csv'): RosterResult<RosterRow[]> {
  const read = readCsvFile(file, text);
  if (!read.ok) return read;
  const records = read.value;
  const first = records[0];
  const named = first?.cells.map((cell) => HEADER_NAMES[compact(cell)]) ?? [];
  const hasHeader = named.some((column) => column !== undefined);
  /** Each column's index in a record and the label messages use for it. */
  const where = new Map<Column, { index: number; label: string }>();
  if (hasHeader) {
    named.forEach((column, index) => {
      if (column && !where.has(column)) where.set(column, { index, label: first!.cells[index]!.trim() });
    });
    if (!where.has('name') && !where.has('firstName'))
      return rosterError(
        'unknown-columns',
        file,
        first!.line,
        null,
        `the header has no name column; expected the columns ${EXPECTED} (found ${first!.cells.join(', ')})`,
      );
  } else {
    POSITIONAL.forEach((column, index) =>
      where.set(column, { index, label: `${index + 1} (${column === 'studentId' ? 'student id' : column})` }),
    );
  }
  const label = (column: Column) => where.get(column)?.label ?? column;
  const rows: PlacedRow[] = [];
  for (const record of hasHeader ? records.slice(1) : records) {
    if (!hasHeader && record.cells.length > POSITIONAL.length)
      return rosterError(
        'unknown-columns',
        file,
        record.line,
        null,
        `${record.cells.length} fields, but without a header the columns are name, email, student id; ` +
          'add a header row naming the columns, or quote any cell that holds a comma',
      );
    const cell = (column: Column) => {
      const at = where.get(column);
      return at === undefined ? '' : (record.cells[at.index] ?? '');
    };
    const rawName = where.has('name') ? cell('name') : `${cell('firstName')} ${cell('lastName')}`;
    const nameColumn = where.has('name') ? 'name' : 'firstName';
    const name = cleanName(rawName);
    if (!name.ok) return rosterError('bad-value', file, record.line, label(nameColumn), name.problem);
    if (name.value === null)
      return rosterError('missing-value', file, record.line, label(nameColumn), 'empty; every student needs a name');
    const email = cleanEmail(cell('email'));
    if (!email.ok) return rosterError('bad-value', file, record.line, label('email'), email.problem);
    const studentId = cleanStudentId(cell('studentId'));
    if (!studentId.ok) return rosterError('bad-value', file, record.line, label('studentId'), studentId.problem);
    rows.push({
      line: record.line,
      row: { name: name.value, email: email.value, studentId: studentId.value, externalId: null },
    });
  }
  return distinctRows(file, rows, {
    name: label(where.has('name') ? 'name' : 'firstName'),
    email: label('email'),
    studentId: label('studentId'),
  });
}
