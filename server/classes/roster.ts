/**
 * A class roster as files give it: the checked row, the typed import error that names the file,
 * line and column, and the rules each value and the whole list must pass. Pure: no I/O.
 */
import { NAME_MAX_LENGTH } from '../../src/shared/protocol.ts';
import { foldName } from '../core/credentials.ts';
import { displayText } from '../http/schemas.ts';

/** Where a roster entry came from: typed or pasted by a teacher, a plain CSV file, or a OneRoster export. */
export const ROSTER_SOURCES = ['typed', 'csv', 'oneroster'] as const;
/** One of ROSTER_SOURCES. */
export type RosterSource = (typeof ROSTER_SOURCES)[number];

/** Students one roster may hold (a year group imported as one class fits; a whole district does not). */
export const MAX_ROSTER_ENTRIES = 5000;
/** Longest student id kept (school numbers, not free text). */
export const STUDENT_ID_MAX_LENGTH = 64;
/** Longest e-mail address (RFC 5321's path limit). */
export const EMAIL_MAX_LENGTH = 254;

/** One student as a roster file gives them: name as shown in rooms, e-mail in lower case, ids as given. */
export interface RosterRow {
  readonly name: string;
  readonly email: string | null;
  /** The school's student number. */
  readonly studentId: string | null;
  /** The school system's own id (OneRoster's user sourcedId), so a later import finds the same student. */
  readonly externalId: string | null;
}

/** What is wrong with an import. */
export type RosterErrorKind =
  /** The CSV's quoting is broken. */
  | 'bad-csv'
  /** The header is not the set of columns this file should have. */
  | 'unknown-columns'
  /** A cell that must have a value is empty. */
  | 'missing-value'
  /** A value is not what its column holds (an e-mail without @, a name with invisible characters). */
  | 'bad-value'
  /** The same student (id, e-mail, or a name with nothing to tell them apart) appears twice. */
  | 'duplicate'
  /** A OneRoster row points at a class or user that the other file does not have. */
  | 'unknown-reference'
  /** The class chosen for import is not in classes.csv (or is marked to be deleted). */
  | 'unknown-class'
  /** More students than MAX_ROSTER_ENTRIES. */
  | 'too-many'
  /** No student at all. */
  | 'empty';

/** Why an import was refused; `message` is the whole sentence a teacher reads. */
export interface RosterError {
  readonly kind: RosterErrorKind;
  /** The file at fault, e.g. "enrollments.csv". */
  readonly file: string;
  readonly line: number | null;
  readonly column: string | null;
  readonly message: string;
}

/** A parser's answer: the value, or the first thing wrong with the input. */
export type RosterResult<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: RosterError };

/** Where in a file something is, followed by what is wrong: "enrollments.csv line 14, column 'classSourcedId': …". */
export function rosterError(
  kind: RosterErrorKind,
  file: string,
  line: number | null,
  column: string | null,
  problem: string,
): { ok: false; error: RosterError } {
  const place = [line === null ? file : `${file} line ${line}`, column === null ? null : `column '${column}'`]
    .filter(Boolean)
    .join(', ');
  return { ok: false, error: { kind, file, line, column, message: `${place}: ${problem}` } };
}

/** A cell as the value it stands for, or the problem with it. */
type Cleaned = { ok: true; value: string | null } | { ok: false; problem: string };

const nameRule = displayText('the name', NAME_MAX_LENGTH);
const studentIdRule = displayText('the student id', STUDENT_ID_MAX_LENGTH);
/** Deliberately loose: one @, something either side, a dot in the domain; the school's system checked the rest. */
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** A name as rooms show it (the join form's rule: visible characters, spaces made one, at most NAME_MAX_LENGTH). */
export function cleanName(raw: string): Cleaned {
  if (raw.trim() === '') return { ok: true, value: null };
  const parsed = nameRule.safeParse(raw);
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, problem: parsed.error.issues[0]!.message };
}

/** An e-mail address in lower case, or null for an empty cell. */
export function cleanEmail(raw: string): Cleaned {
  const email = raw.trim().toLowerCase();
  if (email === '') return { ok: true, value: null };
  if (email.length > EMAIL_MAX_LENGTH || !EMAIL.test(email))
    return { ok: false, problem: `'${raw.trim()}' is not an e-mail address (for example ada.lovelace@school.example)` };
  return { ok: true, value: email };
}

/** A student number as given, or null for an empty cell. */
export function cleanStudentId(raw: string): Cleaned {
  if (raw.trim() === '') return { ok: true, value: null };
  const parsed = studentIdRule.safeParse(raw);
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, problem: parsed.error.issues[0]!.message };
}

/** A row with the line it came from, for messages about it. */
export interface PlacedRow {
  readonly row: RosterRow;
  readonly line: number;
}

/**
 * The rows, if no student is there twice: the same student id, the same e-mail, or the same name
 * (folded, as rooms compare names) where neither row has an id or e-mail to tell them apart (a
 * OneRoster sourcedId counts); and
 * if there is at least one and at most MAX_ROSTER_ENTRIES.
 */
export function distinctRows(
  file: string,
  rows: readonly PlacedRow[],
  columns: Record<'name' | 'email' | 'studentId', string>,
): RosterResult<RosterRow[]> {
  if (rows.length === 0) return rosterError('empty', file, null, null, 'no students found; add at least one');
  if (rows.length > MAX_ROSTER_ENTRIES)
    return rosterError(
      'too-many',
      file,
      null,
      null,
      `${rows.length} students is more than one class may hold (${MAX_ROSTER_ENTRIES}); import fewer classes at once`,
    );
  const seen = new Map<string, PlacedRow>();
  for (const placed of rows) {
    const { row } = placed;
    const keys: [string, string, string][] = [];
    if (row.studentId !== null) keys.push([`id:${row.studentId}`, columns.studentId, `student id ${row.studentId}`]);
    if (row.email !== null) keys.push([`email:${row.email}`, columns.email, row.email]);
    if (row.studentId === null && row.email === null && row.externalId === null)
      keys.push([`name:${foldName(row.name)}`, columns.name, `'${row.name}'`]);
    for (const [key, column, what] of keys) {
      const earlier = seen.get(key);
      if (earlier)
        return rosterError(
          'duplicate',
          file,
          placed.line,
          column,
          `${what} is already on line ${earlier.line}; remove one, or give each their own e-mail or student id`,
        );
      seen.set(key, placed);
    }
  }
  return { ok: true, value: rows.map((placed) => placed.row) };
}
