import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { oneRosterStudents, readOneRoster, type OneRosterFiles } from '../../server/classes/oneroster.ts';
import { parseRosterCsv } from '../../server/classes/roster-csv.ts';
import { MAX_ROSTER_ENTRIES, type RosterResult } from '../../server/classes/roster.ts';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/roster/${name}`, import.meta.url), 'utf8');
const plain = (name: string) => parseRosterCsv(fixture(`plain/${name}`));
const oneRoster = (changes: Partial<Record<keyof OneRosterFiles, string>> = {}): OneRosterFiles => ({
  users: fixture(`oneroster/${changes.users ?? 'users.csv'}`),
  classes: fixture(`oneroster/${changes.classes ?? 'classes.csv'}`),
  enrollments: fixture(`oneroster/${changes.enrollments ?? 'enrollments.csv'}`),
});

/** The value of a result that must be ok, failing the test with the import's message otherwise. */
function value<T>(result: RosterResult<T>): T {
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}
/** The message of a result that must be an error. */
function message<T>(result: RosterResult<T>): string {
  if (result.ok) throw new Error('expected the import to be refused');
  return result.error.message;
}

describe('plain roster CSV', () => {
  it('reads a header in any order with a BOM and CRLF, ignoring columns it does not use', () => {
    expect(value(plain('with-header.csv'))).toEqual([
      { name: 'Ada Lovelace', email: 'ada.lovelace@school.example', studentId: 'S1001', externalId: null },
      { name: 'Lee, Sam', email: null, studentId: null, externalId: null },
      { name: 'Grace "Amazing" Hopper', email: 'grace.hopper@school.example', studentId: 'S1003', externalId: null },
      { name: 'Alan Turing', email: null, studentId: null, externalId: null },
    ]);
  });

  it('reads name, email, student id in that order without a header, the last two optional', () => {
    expect(value(plain('no-header.csv'))).toEqual([
      { name: 'Ada Lovelace', email: 'ada@school.example', studentId: 'S1001', externalId: null },
      { name: 'Alan Turing', email: null, studentId: null, externalId: null },
      { name: 'Lee, Sam', email: null, studentId: 'S1004', externalId: null },
    ]);
  });

  it('joins first and last names', () => {
    expect(value(plain('first-last.csv')).map((row) => [row.name, row.email])).toEqual([
      ['Ada Lovelace', 'ada@school.example'],
      ['Alan Turing', null],
    ]);
  });

  it('takes a pasted list, one name per line', () => {
    expect(value(parseRosterCsv('Ada Lovelace\nAlan Turing\n')).map((row) => row.name)).toEqual([
      'Ada Lovelace',
      'Alan Turing',
    ]);
  });

  it('names the line and field where quoting breaks', () => {
    expect(plain('bad-quoting.csv')).toEqual({
      ok: false,
      error: {
        kind: 'bad-csv',
        file: 'roster.csv',
        line: 3,
        column: 'field 1',
        message: expect.stringMatching(/^roster\.csv line 3, column 'field 1': a quoted field is not closed/),
      },
    });
    expect(message(plain('stray-quote.csv'))).toMatch(/^roster\.csv line 2, column 'field 1': a quote inside a field/);
  });

  it('names the line and column of a bad value, in the header’s own words', () => {
    expect(message(plain('bad-email.csv'))).toBe(
      "roster.csv line 3, column 'email': 'alan at school' is not an e-mail address (for example ada.lovelace@school.example)",
    );
    expect(message(plain('empty-name.csv'))).toBe(
      "roster.csv line 3, column 'name': empty; every student needs a name",
    );
    expect(message(plain('invisible.csv'))).toBe(
      "roster.csv line 2, column 'name': the name must not contain invisible or control characters",
    );
    expect(message(parseRosterCsv(`name\n${'x'.repeat(41)}\n`))).toBe(
      "roster.csv line 2, column 'name': the name must be at most 40 characters",
    );
  });

  it('refuses the same student twice, and a name twice only when nothing tells the two apart', () => {
    expect(plain('duplicate-names.csv')).toMatchObject({
      ok: false,
      error: { kind: 'duplicate', line: 4, message: expect.stringContaining("'SAM LEE' is already on line 2") },
    });
    expect(message(plain('duplicate-emails.csv'))).toBe(
      "roster.csv line 3, column 'email': sam@school.example is already on line 2; remove one, or give each their own e-mail or student id",
    );
    expect(value(parseRosterCsv('Sam Lee,,S1\nSam Lee,,S2\n'))).toHaveLength(2);
  });

  it('says which columns it expected when the header has no name, or a row has too many fields', () => {
    expect(plain('missing-name.csv')).toMatchObject({
      ok: false,
      error: {
        kind: 'unknown-columns',
        message:
          'roster.csv line 1: the header has no name column; expected the columns name (or first name and last name), ' +
          'email, student id (found email, student id)',
      },
    });
    expect(message(plain('too-many-fields.csv'))).toMatch(
      /^roster\.csv line 1: 4 fields, but without a header the columns are name, email, student id/,
    );
  });

  it('refuses an empty file and one longer than a class may hold', () => {
    expect(parseRosterCsv('\r\n\r\n')).toMatchObject({ ok: false, error: { kind: 'empty' } });
    expect(parseRosterCsv('name\n')).toMatchObject({ ok: false, error: { kind: 'empty' } });
    const many = Array.from({ length: MAX_ROSTER_ENTRIES + 1 }, (_, i) => `Student ${i}`).join('\n');
    expect(parseRosterCsv(many)).toMatchObject({ ok: false, error: { kind: 'too-many' } });
  });
});

describe('OneRoster 1.1 CSV', () => {
  it('lists the active classes with their active students, by title', () => {
    expect(value(readOneRoster(oneRoster())).classes).toEqual([
      { sourcedId: 'c1', title: 'Biology 7B', classCode: 'BIO7B', students: 7 },
      { sourcedId: 'c2', title: 'Physics 8A', classCode: 'PHY8A', students: 2 },
    ]);
  });

  it('imports the students of a class: no teachers, no inactive or disabled users, no ended enrolments', () => {
    const roster = value(readOneRoster(oneRoster()));
    const students = value(oneRosterStudents(roster, ['c1']));
    expect(students.map((s) => s.name)).toEqual([
      'Ada Lovelace',
      'Alan Turing',
      'Grace Hopper',
      'Sam Lee',
      'Sam Lee',
      'Mary, Jane Watson',
      'Chien-Shiung Wu',
    ]);
    expect(students[0]).toEqual({
      name: 'Ada Lovelace',
      email: 'ada.lovelace@school.example',
      studentId: 'S1001',
      externalId: 'u1',
    });
  });

  it('imports a student in two chosen classes once', () => {
    const roster = value(readOneRoster(oneRoster()));
    expect(value(oneRosterStudents(roster, ['c2', 'c1'])).map((s) => s.externalId)).toEqual([
      'u11',
      'u1',
      'u2',
      'u3',
      'u4',
      'u5',
      'u6',
    ]);
  });

  it('names the enrolment that points at a class classes.csv does not have', () => {
    expect(readOneRoster(oneRoster({ enrollments: 'enrollments-unknown-class.csv' }))).toEqual({
      ok: false,
      error: {
        kind: 'unknown-reference',
        file: 'enrollments.csv',
        line: 14,
        column: 'classSourcedId',
        message: "enrollments.csv line 14, column 'classSourcedId': no class with that id in classes.csv",
      },
    });
  });

  it('says which file lacks which columns, and which file it looks like when two are swapped', () => {
    expect(message(readOneRoster(oneRoster({ users: 'users-missing-column.csv' })))).toBe(
      "users.csv line 1: is not a OneRoster 1.1 users.csv: it has no column 'givenName'; expected the columns " +
        'sourcedId, status, enabledUser, role, givenName, familyName, identifier, email ' +
        '(found sourcedId, status, dateLastModified, enabledUser, orgSourcedIds, role, username, userIds, familyName, ' +
        'middleName, identifier, email, sms, phone, agentSourcedIds, grades, password)',
    );
    expect(message(readOneRoster(oneRoster({ users: 'classes.csv' })))).toMatch(
      /^users\.csv line 1: is not a OneRoster users\.csv \(it looks like classes\.csv\): it has no column 'enabledUser'/,
    );
  });

  it('names the line of broken quoting, a bad e-mail of a chosen student, and a class that is not there', () => {
    expect(message(readOneRoster(oneRoster({ enrollments: 'enrollments-bad-quoting.csv' })))).toMatch(
      /^enrollments\.csv line 6, column 'field 4': a quoted field is not closed/,
    );
    const roster = value(readOneRoster(oneRoster({ users: 'users-bad-email.csv' })));
    expect(message(oneRosterStudents(roster, ['c1']))).toBe(
      "users.csv line 4, column 'email': 'grace at school' is not an e-mail address (for example ada.lovelace@school.example)",
    );
    // Grace is not in Physics: that class imports.
    expect(value(oneRosterStudents(roster, ['c2']))).toHaveLength(2);
    expect(message(oneRosterStudents(roster, ['c3']))).toBe(
      "classes.csv, column 'sourcedId': no active class with the id 'c3'",
    );
  });

  it('refuses a status it does not know, and a sourcedId given twice', () => {
    const classes = fixture('oneroster/classes.csv');
    const odd = classes.replace('c2,active,', 'c2,archived,');
    expect(message(readOneRoster({ ...oneRoster(), classes: odd }))).toBe(
      "classes.csv line 3, column 'status': 'archived' is not a OneRoster status; use active, tobedeleted or leave it empty",
    );
    const twice = `${classes}c1,,,Biology again,07,course1,BIO7C,scheduled,Lab 2,org1,term1,Biology,,4\n`;
    expect(message(readOneRoster({ ...oneRoster(), classes: twice }))).toBe(
      "classes.csv line 5, column 'sourcedId': 'c1' is already on line 2",
    );
  });
});
