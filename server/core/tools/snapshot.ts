/**
 * The snapshot notice: a supervisor's browser saved a picture of a student's screen, and the
 * student is told. The server keeps nothing of it. Pure: no I/O, no clock.
 */
import type { ActionOf, ClassroomEvent } from '../classroom.ts';
import { done, refuse, studentIn, type ToolCall, type ToolOutcome } from './tool.ts';

/** Tells the student: nothing is kept, and that is all the server ever learns of it. */
export function snapshotTaken({ room, actor }: ToolCall, action: ActionOf<'snapshot-taken'>): ToolOutcome<null> {
  if (actor.role !== 'supervisor') return refuse('wrong-role');
  if (!studentIn(room, action.studentId)) return refuse('member-not-found');
  const event: ClassroomEvent = {
    type: 'snapshot-taken',
    code: room.code,
    studentId: action.studentId,
    byName: actor.name,
  };
  return done(room.classroom, [event], null);
}
