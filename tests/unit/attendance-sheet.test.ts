/**
 * The class record's CSV (issue #20): what a teacher's spreadsheet opens. Every text a student or
 * teacher typed (the class name, a student's name, a roster e-mail or id) reaches it, so none may
 * run as a formula; the rest is RFC 4180 with times in the teacher's time zone.
 */
import { describe, expect, it } from 'vitest';
import { attendanceSheet, type SheetRow } from '../../server/classes/lesson-record.ts';
import { UTF8_BOM } from '../../src/shared/csv.ts';

const startedAt = Date.UTC(2026, 11, 7, 8, 30);

const row = (overrides: Partial<SheetRow>): SheetRow => ({
  startedAt,
  endedAt: startedAt + 45 * 60_000,
  name: 'Ada',
  email: null,
  studentId: null,
  joinedAt: startedAt + 60_000,
  leftAt: startedAt + 44 * 60_000,
  sharingMs: 40 * 60_000 + 5_000,
  stops: 1,
  handsRaised: 2,
  ...overrides,
});

/** The sheet's records, each split into its cells (the test's rows hold no quoted comma). */
const records = (sheet: string) =>
  sheet
    .slice(UTF8_BOM.length)
    .split('\r\n')
    .filter((line) => line !== '')
    .map((line) => line.split(','));

describe('the attendance sheet', () => {
  it('neutralises every typed text a spreadsheet would run as a formula', () => {
    const sheet = attendanceSheet('=HYPERLINK("http://198.51.100.7/x")', [
      row({ name: '@SUM(A1:A9)', email: '+1@school.example', studentId: '-2+3' }),
      row({ name: '\uFF1D1+1' }),
    ]);
    const [, ada, fullWidth] = records(sheet);
    expect(ada!.slice(0, 1)).toEqual([`"'=HYPERLINK(""http://198.51.100.7/x"")"`]);
    expect(ada!.slice(3, 6)).toEqual(["'@SUM(A1:A9)", "'+1@school.example", "'-2+3"]);
    // A full-width equals sign, which some spreadsheets read as "=".
    expect(fullWidth![3]).toBe("'\uFF1D1+1");
  });

  it('writes one record per student and lesson, in the teacher’s time zone, with a live lesson said so', () => {
    const sheet = attendanceSheet(
      'Period 3 Biology',
      [row({}), row({ name: 'Bo', endedAt: null, leftAt: null, stops: 0, handsRaised: 0 })],
      'Europe/Berlin',
    );
    expect(sheet.startsWith(UTF8_BOM)).toBe(true);
    expect(records(sheet)).toEqual([
      [
        'Class',
        'Lesson started',
        'Lesson ended',
        'Name',
        'Email',
        'Student id',
        'Joined',
        'Left',
        'Time sharing (h:mm:ss)',
        'Times stopped sharing',
        'Hands raised',
      ],
      [
        'Period 3 Biology',
        '2026-12-07 09:30',
        '2026-12-07 10:15',
        'Ada',
        '',
        '',
        '2026-12-07 09:31',
        '2026-12-07 10:14',
        '0:40:05',
        '1',
        '2',
      ],
      [
        'Period 3 Biology',
        '2026-12-07 09:30',
        'live',
        'Bo',
        '',
        '',
        '2026-12-07 09:31',
        'still in the lesson',
        '0:40:05',
        '0',
        '0',
      ],
    ]);
  });
});
