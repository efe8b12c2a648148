/**
 * The attendance sheet a host exports, as CSV text (the quoting rules are the shared `csv.ts`).
 * Pure: no DOM, no downloads; the view turns the text into a file.
 */
import { duration, localTime, toCsv, UTF8_BOM } from '../../shared/csv.ts';
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
