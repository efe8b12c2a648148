/**
 * Attendance: every student who has been in the room, with the time spent sharing and how often
 * they stopped. One record per student, known by their name as the registry folds it: a student
 * who leaves and joins again extends their record. No action of its own: the registry calls it when
 * students join, share and leave. Pure: no I/O, no clock (`now` comes in).
 */
import type { AttendanceRow } from '../../../src/shared/protocol.ts';
import type { Classroom } from '../classroom.ts';
import { foldName } from '../credentials.ts';
import type { Member, Room } from '../room-registry.ts';

/**
 * One student's attendance: from their first join to their last leaving, over every seat they held.
 * Whether they share now is not kept here: it is the member's own `share` state, so a period is open
 * exactly while the registry says they are sharing.
 */
export interface AttendanceRecord {
  /** The seat they hold now, or held last. */
  readonly studentId: string;
  readonly name: string;
  readonly joinedAt: number;
  readonly leftAt: number | null;
  /** Sharing time of the periods already closed. */
  readonly sharedMs: number;
  /** When the latest share started (meaningful while the member's `share` is 'sharing'). */
  readonly lastShareAt: number;
  readonly stops: number;
  /** Times they raised their hand (changing a raised hand's note is not another). */
  readonly handsRaised: number;
  /** In a rostered lesson: the roster entry they joined as, so the record names the student, not just a name. */
  readonly rosterEntryId?: string;
  /** Signed in: the account they joined with, for the lesson's record. */
  readonly accountId?: string;
}

/**
 * Different students a room keeps attendance for. Past it a new student is refused a seat (the
 * registry asks `attendanceHasRoomFor`), so no one already counted is ever forgotten; students with a
 * record can always come back.
 */
export const MAX_ATTENDANCE = 1000;

/** Whether a student named `name` can join without the room forgetting anyone. */
export function attendanceHasRoomFor(tools: Classroom, name: string): boolean {
  return tools.attendance.length < MAX_ATTENDANCE || earlierRecord(tools, name) >= 0;
}

/** A student took a seat: their attendance starts, or goes on if they were here before and left. */
export function studentJoined(tools: Classroom, member: Member): Classroom {
  const earlier = earlierRecord(tools, member.name);
  if (earlier >= 0) {
    const attendance = tools.attendance.map((r, i) =>
      i === earlier
        ? {
            ...r,
            studentId: member.id,
            name: member.name,
            leftAt: null,
            lastShareAt: member.joinedAt,
            ...(member.accountId === undefined ? {} : { accountId: member.accountId }),
          }
        : r,
    );
    return { ...tools, attendance };
  }
  const record: AttendanceRecord = {
    studentId: member.id,
    name: member.name,
    joinedAt: member.joinedAt,
    leftAt: null,
    sharedMs: 0,
    lastShareAt: member.joinedAt,
    stops: 0,
    handsRaised: 0,
    ...(member.rosterEntryId === undefined ? {} : { rosterEntryId: member.rosterEntryId }),
    ...(member.accountId === undefined ? {} : { accountId: member.accountId }),
  };
  return { ...tools, attendance: [...tools.attendance, record] };
}

/** The index of the record of a student who was here under `name` and left, or -1. */
function earlierRecord(tools: Classroom, name: string): number {
  const folded = foldName(name);
  return tools.attendance.findIndex((r) => r.leftAt !== null && foldName(r.name) === folded);
}

/** A student's share state changed (`member` is as it was before): a sharing period opens or closes. */
export function shareChanged(tools: Classroom, member: Member, sharing: boolean, now: number): Classroom {
  return patchRecord(tools, member.id, (r) =>
    sharing
      ? { ...r, lastShareAt: now }
      : member.share === 'sharing'
        ? { ...r, sharedMs: r.sharedMs + Math.max(0, now - r.lastShareAt), stops: r.stops + 1 }
        : r,
  );
}

/** A student raised their hand (not a change of a raised hand's note): their count goes up. */
export function handRaised(tools: Classroom, studentId: string): Classroom {
  return patchRecord(tools, studentId, (r) => ({ ...r, handsRaised: r.handsRaised + 1 }));
}

/** A student left (any reason; `member` is as they were): their attendance ends. */
export function studentLeft(tools: Classroom, member: Member, now: number): Classroom {
  return patchRecord(tools, member.id, (r) => ({
    ...r,
    leftAt: now,
    // Leaving closes an open sharing period; it is not a stop the student chose.
    sharedMs: member.share === 'sharing' ? r.sharedMs + Math.max(0, now - r.lastShareAt) : r.sharedMs,
  }));
}

/** Each student seat's figures at `now`: time sharing counts the open period of a student sharing now. */
export function attendanceAt(room: Room, now: number): AttendanceRow[] {
  return room.classroom.attendance.map((r) => {
    const member = room.members.find((m) => m.id === r.studentId);
    const open = r.leftAt === null && member?.share === 'sharing' ? Math.max(0, now - r.lastShareAt) : 0;
    return {
      studentId: r.studentId,
      name: r.name,
      joinedAt: r.joinedAt,
      leftAt: r.leftAt,
      sharingMs: r.sharedMs + open,
      stops: r.stops,
      handsRaised: r.handsRaised,
    };
  });
}

function patchRecord(
  tools: Classroom,
  studentId: string,
  patch: (record: AttendanceRecord) => AttendanceRecord,
): Classroom {
  if (!tools.attendance.some((r) => r.studentId === studentId)) return tools;
  return { ...tools, attendance: tools.attendance.map((r) => (r.studentId === studentId ? patch(r) : r)) };
}
