/**
 * Raised hands: a student raises theirs (with a note), a supervisor or the student lowers it; the
 * queue is by time raised. Pure: no I/O, no clock.
 */
import type { ActionOf, Classroom, ClassroomEvent } from '../classroom.ts';
import { handRaised } from './attendance.ts';
import { done, refuse, studentIn, type ToolCall, type ToolOutcome } from './tool.ts';

/** A raised hand. */
export interface Hand {
  readonly studentId: string;
  readonly raisedAt: number;
  readonly note: string;
}

/** Raises the actor's hand; changing the note keeps the hand's place in the queue. */
export function raiseHand({ room, actor, now }: ToolCall, action: ActionOf<'raise-hand'>): ToolOutcome<Hand> {
  const tools = room.classroom;
  if (actor.role === 'supervisor') return refuse('wrong-role');
  const current = tools.hands.find((h) => h.studentId === actor.id);
  if (current?.note === action.note) return done(tools, [], current);
  const hand: Hand = { studentId: actor.id, raisedAt: current?.raisedAt ?? now, note: action.note };
  const hands = current ? tools.hands.map((h) => (h.studentId === actor.id ? hand : h)) : [...tools.hands, hand];
  const counted = current ? tools : handRaised(tools, actor.id);
  return done({ ...counted, hands }, [{ type: 'hand-raised', code: room.code, hand }], hand);
}

/** Lowers a student's hand: any, by a supervisor; their own, by a student. */
export function lowerHand({ room, actor }: ToolCall, action: ActionOf<'lower-hand'>): ToolOutcome<null> {
  const tools = room.classroom;
  if (actor.role !== 'supervisor' && action.studentId !== actor.id) return refuse('wrong-role');
  if (!studentIn(room, action.studentId)) return refuse('member-not-found');
  if (!tools.hands.some((h) => h.studentId === action.studentId)) return done(tools, [], null);
  const event: ClassroomEvent = {
    type: 'hand-lowered',
    code: room.code,
    studentId: action.studentId,
    byId: actor.id,
    byName: actor.name,
  };
  return done(withoutHand(tools, action.studentId), [event], null);
}

/** The tools without this student's hand (they left, or it was lowered). */
export function withoutHand(tools: Classroom, studentId: string): Classroom {
  return { ...tools, hands: tools.hands.filter((h) => h.studentId !== studentId) };
}
