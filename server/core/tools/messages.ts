/**
 * Messages and links: a supervisor writes to the class or to one student (words or a link), a
 * student answers the teachers in words; students acknowledge what was sent to them. Pure: no I/O,
 * no clock.
 */
import type { Recipient } from '../../../src/shared/protocol.ts';
import type { ActionOf, ClassroomEvent } from '../classroom.ts';
import type { Member } from '../room-registry.ts';
import { done, refuse, targetStudent, type ToolCall, type ToolOutcome } from './tool.ts';

/** A message or link as the room keeps it. */
export interface Message {
  readonly id: string;
  readonly fromId: string;
  readonly fromName: string;
  readonly to: Recipient;
  readonly text: string;
  readonly url: string | null;
  readonly sentAt: number;
  /** Students who acknowledged it. */
  readonly ackedBy: readonly string[];
}

/** Teachers' messages and links a room keeps; older ones are dropped (a lesson's worth, bounding views and saved state). */
export const MAX_MESSAGES = 50;
/** Characters of words and links (as stored) the kept teachers' messages may hold in all: twelve of the longest links, or 50 short notes. */
export const MAX_MESSAGE_CHARS = 30_000;
/** Replies from one student a room keeps: a student's flood pushes out only their own. */
export const MAX_REPLIES_PER_STUDENT = 5;
/** Replies from students a room keeps in all, apart from the teachers' messages, which replies never push out. */
export const MAX_REPLIES = 100;
/** Characters the kept replies may hold in all: 30 of the longest, or 100 short answers. */
export const MAX_REPLY_CHARS = 15_000;

/** Sends a message: from a supervisor to the class or one student, from a student to the teachers. */
export function sendMessage(
  { room, actor, now, newId }: ToolCall,
  action: ActionOf<'send-message'>,
): ToolOutcome<Message> {
  let to: Recipient;
  if (actor.role !== 'supervisor') {
    // Students answer the teachers, in words: never another student, never a link.
    if (action.to !== undefined && action.to !== 'teachers') return refuse('invalid-target');
    if (action.url !== null) return refuse('wrong-role');
    to = { kind: 'teachers' };
  } else if (action.to === undefined || action.to === 'class') {
    to = { kind: 'class' };
  } else if (action.to === 'teachers') {
    return refuse('invalid-target');
  } else {
    const target = targetStudent(room, action.to);
    if (typeof target === 'string') return refuse(target);
    to = { kind: 'student', studentId: target.id };
  }
  const message: Message = {
    id: newId(),
    fromId: actor.id,
    fromName: actor.name,
    to,
    text: action.text,
    url: action.url,
    sentAt: now,
    ackedBy: [],
  };
  const tools = room.classroom;
  const messages = withinBounds([...tools.messages, message]);
  return done({ ...tools, messages }, [{ type: 'message-sent', code: room.code, message }], message);
}

/** A student acknowledges a message for the class or for them; again changes nothing. */
export function ackMessage({ room, actor }: ToolCall, action: ActionOf<'ack-message'>): ToolOutcome<null> {
  const tools = room.classroom;
  if (actor.role === 'supervisor') return refuse('wrong-role');
  const message = tools.messages.find((m) => m.id === action.messageId);
  if (!message || !addressedTo(message, actor)) return refuse('message-not-found');
  if (message.ackedBy.includes(actor.id)) return done(tools, [], null);
  const acked: Message = { ...message, ackedBy: [...message.ackedBy, actor.id] };
  const messages = tools.messages.map((m) => (m.id === message.id ? acked : m));
  const event: ClassroomEvent = { type: 'message-acked', code: room.code, messageId: message.id, studentId: actor.id };
  return done({ ...tools, messages }, [event], null);
}

/** Whether a message is for this member to read: sent by them, for the class or them, or (supervisors) any. */
export function canRead(message: Message, viewer: Pick<Member, 'id' | 'role'>): boolean {
  return viewer.role === 'supervisor' || message.fromId === viewer.id || addressedTo(message, viewer);
}

/** Whether a message asks this student for an acknowledgement: for the class, or for them. */
export function addressedTo(message: Message, viewer: Pick<Member, 'id' | 'role'>): boolean {
  if (viewer.role !== 'student') return false;
  return message.to.kind === 'class' || (message.to.kind === 'student' && message.to.studentId === viewer.id);
}

/**
 * The newest messages within each sender's bounds, oldest first: from teachers MAX_MESSAGES and
 * MAX_MESSAGE_CHARS; from students MAX_REPLIES_PER_STUDENT each, MAX_REPLIES and MAX_REPLY_CHARS in
 * all. So four students sending 25 replies each cannot push the teacher's class link out of what
 * students see, and no one can grow the views past the bounds `views.ts` states.
 */
function withinBounds(messages: readonly Message[]): Message[] {
  const teachers = { count: 0, chars: 0 };
  const replies = { count: 0, chars: 0 };
  const perStudent = new Map<string, number>();
  const kept: Message[] = [];
  const fits = (bound: { count: number; chars: number }, message: Message, maxCount: number, maxChars: number) => {
    const chars = message.text.length + (message.url?.length ?? 0);
    if (bound.count >= maxCount || bound.chars + chars > maxChars) {
      bound.count = maxCount; // full: an older, shorter message does not slip in after a newer one was dropped
      return false;
    }
    bound.count++;
    bound.chars += chars;
    return true;
  };
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i]!;
    if (message.to.kind !== 'teachers') {
      if (fits(teachers, message, MAX_MESSAGES, MAX_MESSAGE_CHARS)) kept.push(message);
      continue;
    }
    const own = (perStudent.get(message.fromId) ?? 0) + 1;
    perStudent.set(message.fromId, own);
    if (own <= MAX_REPLIES_PER_STUDENT && fits(replies, message, MAX_REPLIES, MAX_REPLY_CHARS)) kept.push(message);
  }
  return kept.reverse();
}
