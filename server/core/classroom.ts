/**
 * The classroom tools' table: a room's tools state, every action a member may ask of them, and
 * one handler per action type (each tool's rules are its own module in `tools/`). Pure, called by
 * the registry's `classroomAction` with the store's clock: no I/O, no clock, no logging.
 */
import type { PresentationEndReason } from '../../src/shared/protocol.ts';
import type { SiteListKind } from '../../src/shared/site-rules.ts';
import type { Member, Room } from './room-registry.ts';
import { ackAttention, endAttention, startAttention, type Attention } from './tools/attention.ts';
import { studentLeft, type AttendanceRecord } from './tools/attendance.ts';
import { lowerHand, raiseHand, withoutHand, type Hand } from './tools/hands.ts';
import { ackMessage, sendMessage, type Message } from './tools/messages.ts';
import { startPresentation, stopPresentation, type Presentation } from './tools/presentation.ts';
import { liftSites, setSites, type LessonSites } from './tools/sites.ts';
import { snapshotTaken } from './tools/snapshot.ts';
import type { ToolCall, ToolOutcome } from './tools/tool.ts';

export type { Attention } from './tools/attention.ts';
export {
  attendanceAt,
  MAX_ATTENDANCE,
  attendanceHasRoomFor,
  shareChanged,
  studentJoined,
  type AttendanceRecord,
} from './tools/attendance.ts';
export type { Hand } from './tools/hands.ts';
export {
  addressedTo,
  canRead,
  MAX_MESSAGE_CHARS,
  MAX_MESSAGES,
  MAX_REPLIES,
  MAX_REPLIES_PER_STUDENT,
  MAX_REPLY_CHARS,
  type Message,
} from './tools/messages.ts';
export { presentationAfter, type Presentation } from './tools/presentation.ts';
export type { LessonSites } from './tools/sites.ts';

/** The tools' state of one room. */
export interface Classroom {
  /** Oldest first. */
  readonly hands: readonly Hand[];
  /** Oldest first: from teachers at most MAX_MESSAGES and MAX_MESSAGE_CHARS, from students MAX_REPLIES and MAX_REPLY_CHARS (MAX_REPLIES_PER_STUDENT each). */
  readonly messages: readonly Message[];
  readonly attention: Attention | null;
  /** Every student since the room opened, one record each, in first-join order, at most MAX_ATTENDANCE. */
  readonly attendance: readonly AttendanceRecord[];
  /** The screen shown to the class, at most one at a time. */
  readonly presentation: Presentation | null;
  /** The sites the class is kept to (or kept from) by their companion extensions, if any. */
  readonly sites: LessonSites | null;
}

/** A room's tools before anything happened. */
export const emptyClassroom: Classroom = Object.freeze({
  hands: [],
  messages: [],
  attention: null,
  attendance: [],
  presentation: null,
  sites: null,
});

/** What a member asks of the classroom tools: one line an action, its handler in `handlers`. */
export type ClassroomAction =
  | { type: 'raise-hand'; note: string }
  | { type: 'lower-hand'; studentId: string }
  /** `to`: "class", a student's member id, or "teachers" (absent: "class" from a supervisor, "teachers" from a student). */
  | { type: 'send-message'; to: string | undefined; text: string; url: string | null }
  | { type: 'ack-message'; messageId: string }
  | { type: 'start-attention'; message: string }
  | { type: 'ack-attention'; attentionId: string }
  | { type: 'end-attention' }
  | { type: 'snapshot-taken'; studentId: string }
  /** `studentId` null: the supervisor's own screen. */
  | { type: 'start-presentation'; studentId: string | null }
  | { type: 'stop-presentation' }
  /** `sites`: each as `siteText` writes it, read by `parseSiteList` before. */
  | { type: 'set-sites'; kind: SiteListKind; sites: readonly string[] }
  | { type: 'lift-sites' };

/** The name of one kind of action, such as 'raise-hand'. */
export type ClassroomActionType = ClassroomAction['type'];

/** The action of one type, as its handler receives it. */
export type ActionOf<K extends ClassroomActionType> = Extract<ClassroomAction, { type: K }>;

/** What happened to a room's tools; `views.ts` decides who hears of it. */
export type ClassroomEvent =
  | { type: 'hand-raised'; code: string; hand: Hand }
  | { type: 'hand-lowered'; code: string; studentId: string; byId: string; byName: string }
  | { type: 'message-sent'; code: string; message: Message }
  | { type: 'message-acked'; code: string; messageId: string; studentId: string }
  | { type: 'attention-started'; code: string; attention: Attention }
  | { type: 'attention-acked'; code: string; attentionId: string; studentId: string }
  | { type: 'attention-ended'; code: string; attentionId: string; byName: string }
  | { type: 'snapshot-taken'; code: string; studentId: string; byName: string }
  | { type: 'presentation-started'; code: string; presentation: Presentation }
  | {
      type: 'presentation-ended';
      code: string;
      presentation: Presentation;
      reason: PresentationEndReason;
      byName: string | null;
    }
  | { type: 'sites-changed'; code: string; sites: LessonSites | null; byName: string };

/** A tool's rules for one action type: what it does to the room's tools, and what it returns (`V`). */
export type Handler<K extends ClassroomActionType, V = unknown> = (
  call: ToolCall,
  action: ActionOf<K>,
) => ToolOutcome<V>;

/**
 * Every action type's handler, the one place a tool is registered (one line an action). The type
 * makes the table complete and each handler take its own action; what it returns is its own.
 */
export const handlers = {
  'raise-hand': raiseHand,
  'lower-hand': lowerHand,
  'send-message': sendMessage,
  'ack-message': ackMessage,
  'start-attention': startAttention,
  'ack-attention': ackAttention,
  'end-attention': endAttention,
  'snapshot-taken': snapshotTaken,
  'start-presentation': startPresentation,
  'stop-presentation': stopPresentation,
  'set-sites': setSites,
  'lift-sites': liftSites,
} satisfies { readonly [K in ClassroomActionType]: Handler<K> };

/**
 * What each action type returns on success, read from its handler's signature: a `Hand` for
 * 'raise-hand', a `Message` for 'send-message', an `Attention` for 'start-attention', a
 * `Presentation` for 'start-presentation', `LessonSites` for 'set-sites', null for the others.
 */
export type ClassroomResults = {
  readonly [K in ClassroomActionType]: Extract<ReturnType<(typeof handlers)[K]>, { ok: true }>['value'];
};

/** What this action returns on success: `ClassroomResult<{ type: 'raise-hand'; note: string }>` is `Hand`. */
export type ClassroomResult<A extends ClassroomAction> = ClassroomResults[A['type']];

/** What any action may return: the hand, message, attention request or presentation it made, or null. */
export type ClassroomValue = ClassroomResult<ClassroomAction>;

/** An action's result: the room's new tools, what happened and its value, or why it was refused (nothing changed). */
export type ClassroomOutcome<V = ClassroomValue> = ToolOutcome<V>;

/** Runs one action by `actor` in `room` at `now` through its handler; `newId` makes ids for what it creates. */
export function applyClassroom<A extends ClassroomAction>(
  room: Room,
  actor: Member,
  action: A,
  now: number,
  newId: () => string,
): ClassroomOutcome<ClassroomResult<A>> {
  // TypeScript cannot relate `action` to the handler picked by its own `type` (microsoft/TypeScript#30581);
  // the table's type above is what guarantees each handler gets its own action.
  const handler = handlers[action.type] as (call: ToolCall, action: A) => ClassroomOutcome<ClassroomResult<A>>;
  return handler({ room, actor, now, newId }, action);
}

/** A member left (any reason; `member` is as they were): a student's hand goes down and their attendance ends. */
export function memberLeft(tools: Classroom, member: Member, now: number): Classroom {
  if (member.role !== 'student') return tools;
  return studentLeft(withoutHand(tools, member.id), member, now);
}
