/**
 * Attendance: every student seat since the room opened, with the time spent sharing and how often
 * they stopped. No action of its own: the registry calls it when students join, share and leave.
 * Pure: no I/O, no clock (`now` comes in).
 */
import type { AttendanceRow } from '../../../src/shared/protocol.ts';
import type { Classroom } from '../classroom.ts';
import type { Member, Room } from '../room-registry.ts';

/**
 * One student seat's attendance. Whether they share now is not kept here: it is the member's own
 * `share` state, so a period is open exactly while the registry says they are sharing.
 */
export interface AttendanceRecord {
  readonly studentId: string;
  readonly name: string;
  readonly joinedAt: number;
  readonly leftAt: number | null;
  /** Sharing time of the periods already closed. */
  readonly sharedMs: number;
  /** When the latest share started (meaningful while the member's `share` is 'sharing'). */
  readonly lastShareAt: number;
  readonly stops: number;
}

/** Attendance seats a room keeps; past it the earliest departed seat gives way. */
export const MAX_ATTENDANCE = 1000;

/** A student took a seat: their attendance starts. */
export function studentJoined(tools: Classroom, member: Member): Classroom {
  const record: AttendanceRecord = {
    studentId: member.id,
    name: member.name,
    joinedAt: member.joinedAt,
    leftAt: null,
    sharedMs: 0,
    lastShareAt: member.joinedAt,
    stops: 0,
  };
  let attendance = [...tools.attendance, record];
  if (attendance.length > MAX_ATTENDANCE) {
    const oldestGone = attendance.findIndex((r) => r.leftAt !== null);
    attendance = attendance.filter((_, i) => i !== (oldestGone >= 0 ? oldestGone : 0));
  }
  return { ...tools, attendance };
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
