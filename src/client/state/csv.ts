/**
 * The attendance sheet a host exports, as CSV text (the quoting rules are the shared `csv.ts`).
 * Pure: no DOM, no downloads; the view turns the text into a file.
 */
import { toCsv, UTF8_BOM } from '../../shared/csv.ts';
import type { AttendanceResponse } from '../../shared/protocol.ts';

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
