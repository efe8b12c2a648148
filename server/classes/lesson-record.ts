/**
 * A lesson's record as the room holds it and as a teacher downloads it: the rows a room's
 * attendance makes for the database, which live lessons lost their room, and the attendance CSV.
 * Pure: no I/O, no clock (`now` comes in).
 */
import { duration, localTime, toCsv, UTF8_BOM } from '../../src/shared/csv.ts';
import { attendanceAt } from '../core/classroom.ts';
import type { RegistryState, Room } from '../core/room-registry.ts';
import type { Visit } from '../db/lessons-repo.ts';
import type { Lesson } from '../db/tables.ts';

/**
 * The lesson's record so far, one row per student of the room: their totals at `now`. With
 * `ended`, students still in the room leave at `now`. `memberIds` limits it to those seats' students.
 */
export function lessonVisits(
  room: Room,
  now: number,
  options: { readonly ended?: boolean; readonly memberIds?: readonly string[] } = {},
): Visit[] {
  const { ended = false, memberIds } = options;
  const records = new Map(room.classroom.attendance.map((r) => [r.studentId, r]));
  return attendanceAt(room, now)
    .filter((row) => memberIds === undefined || memberIds.includes(row.studentId))
    .map((row) => ({
      attendee: {
        name: row.name,
        rosterEntryId: records.get(row.studentId)?.rosterEntryId ?? null,
        accountId: records.get(row.studentId)?.accountId ?? null,
      },
      joinedAt: row.joinedAt,
      leftAt: row.leftAt ?? (ended ? now : null),
      sharingMs: row.sharingMs,
      stops: row.stops,
      handsRaised: row.handsRaised,
    }));
}

/** The live lessons whose room is no longer in the registry (it was lost, or ended while the record could not be written). */
export function lessonsWithoutRoom(lessons: readonly Lesson[], state: RegistryState): Lesson[] {
  const live = new Set<string>();
  for (const room of state.rooms.values()) if (room.lesson) live.add(room.lesson.lessonId);
  return lessons.filter((lesson) => !live.has(lesson.id));
}

/** One student's row of a lesson, with the lesson's times, as a sheet shows it. */
export interface SheetRow {
  readonly startedAt: number;
  readonly endedAt: number | null;
  readonly name: string;
  readonly email: string | null;
  readonly studentId: string | null;
  readonly joinedAt: number;
  readonly leftAt: number | null;
  readonly sharingMs: number;
  readonly stops: number;
  readonly handsRaised: number;
}

/**
 * The attendance sheet of one lesson or of a date range: one row per student and lesson, times in
 * `timeZone` (an IANA name; UTC when absent), RFC 4180 with formula-like cells neutralised (`toCsv`).
 */
export function attendanceSheet(className: string, rows: readonly SheetRow[], timeZone = 'UTC'): string {
  const time = (ms: number | null, open: string) => (ms === null ? open : localTime(ms, timeZone));
  return (
    UTF8_BOM +
    toCsv([
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
      ...rows.map((r) => [
        className,
        time(r.startedAt, ''),
        time(r.endedAt, 'live'),
        r.name,
        r.email ?? '',
        r.studentId ?? '',
        time(r.joinedAt, ''),
        time(r.leftAt, 'still in the lesson'),
        duration(r.sharingMs),
        r.stops,
        r.handsRaised,
      ]),
    ])
  );
}

/** Whether `timeZone` is an IANA time zone name this runtime knows. */
export function knownTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone });
    return true;
  } catch {
    return false;
  }
}
