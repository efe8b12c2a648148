/**
 * CSV text (RFC 4180) and the attendance sheet a host exports. Pure: no DOM, no downloads; the
 * view turns the text into a file.
 */
import type { AttendanceResponse } from '../../shared/protocol.ts';

/** Byte order mark: Excel reads a CSV as UTF-8 only when the file starts with it. */
export const UTF8_BOM = '\uFEFF';

/**
 * One cell. A cell a spreadsheet would run as a formula (starting with = + - @, a tab or a
 * carriage return, or a full-width or small form of those signs, which some spreadsheets read as
 * the sign itself: NFKC folds them) is neutralised with a leading single quote (OWASP, "CSV
 * injection"); a cell
 * with a comma, quote or line break is quoted, its quotes doubled (RFC 4180, 2.6 and 2.7).
 */
export function csvCell(value: string | number): string {
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text.normalize('NFKC'))) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Rows of cells as CSV text: fields separated by commas, records ended by CRLF (RFC 4180, 2.1). */
export function toCsv(rows: readonly (readonly (string | number)[])[]): string {
  return rows.map((row) => `${row.map(csvCell).join(',')}\r\n`).join('');
}

/** The attendance sheet: one row per student seat, times in the teacher's own time zone and as ISO 8601. */
export function attendanceCsv(report: AttendanceResponse, timeZone?: string): string {
  const time = (ms: number | null) => (ms === null ? '' : localTime(ms, timeZone));
  const rows: (string | number)[][] = [
    ['Name', 'Joined', 'Left', 'Time sharing (h:mm:ss)', 'Times stopped sharing'],
    ...report.students.map((r) => [
      r.name,
      time(r.joinedAt),
      r.leftAt === null ? 'still in the room' : time(r.leftAt),
      duration(r.sharingMs),
      r.stops,
    ]),
  ];
  return UTF8_BOM + toCsv(rows);
}

/** A file name for the sheet: the room's name made safe for every file system, and the date. */
export function attendanceFileName(report: AttendanceResponse, timeZone?: string): string {
  const safe = report.roomName.replace(/[^\p{L}\p{N}]+/gu, '-').replace(/^-|-$/g, '') || 'room';
  return `attendance-${safe}-${localTime(report.at, timeZone).slice(0, 10)}.csv`;
}

/** "1:02:03": hours, minutes and seconds, which spreadsheets read as a duration. */
function duration(ms: number): string {
  const totalS = Math.round(ms / 1000);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${Math.floor(totalS / 3600)}:${pad(Math.floor(totalS / 60) % 60)}:${pad(totalS % 60)}`;
}

/** "2026-11-29 15:04" in the given (or the browser's) time zone. */
function localTime(ms: number, timeZone?: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(ms));
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')} ${part('hour')}:${part('minute')}`;
}
