/**
 * The classroom tools' rules: raised hands, messages and links, the attention request, snapshot
 * notices, attendance and the screen shown to the class. Pure, called by the registry's operations with the store's clock: no
 * I/O, no clock, no logging. Everything here belongs to one room and ends with it.
 */
import type { Recipient } from '../../src/shared/protocol.ts';
import type { Member, RegistryError, Room } from './room-registry.ts';

/** A raised hand. */
export interface Hand {
  readonly studentId: string;
  readonly raisedAt: number;
  readonly note: string;
}

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

/** The attention request while it lasts. */
export interface Attention {
  readonly id: string;
  readonly byId: string;
  readonly byName: string;
  readonly message: string;
  readonly since: number;
  readonly ackedBy: readonly string[];
}

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

/**
 * A screen shown to the class: a supervisor's own (`studentId` null) or one student's, chosen by a
 * supervisor. The media travel outside the server; this is only who shows what, so views can say it.
 */
export interface Presentation {
  readonly id: string;
  /** The supervisor who started it: their browser sends the screen to every student. */
  readonly presenterId: string;
  readonly presenterName: string;
  /** The student whose screen is shown, or null for the presenter's own screen. */
  readonly studentId: string | null;
  /** The name students see on the viewer: the presenter's, or the shown student's. */
  readonly name: string;
  readonly since: number;
}

/** Why a presentation ended. */
export type PresentationEndReason =
  /** A supervisor stopped it. */
  | 'stopped'
  /** The presenting supervisor left the room. */
  | 'presenter-left'
  /** The shown student left the room. */
  | 'student-left'
  /** The shown student stopped sharing their screen. */
  | 'student-stopped';

/** The tools' state of one room. */
export interface Classroom {
  /** Oldest first. */
  readonly hands: readonly Hand[];
  /** Oldest first, at most MAX_MESSAGES. */
  readonly messages: readonly Message[];
  readonly attention: Attention | null;
  /** Every student seat since the room opened, in join order, at most MAX_ATTENDANCE. */
  readonly attendance: readonly AttendanceRecord[];
  /** The screen shown to the class, at most one at a time. */
  readonly presentation: Presentation | null;
}

/** Messages a room keeps; older ones are dropped (a lesson's worth, while bounding memory and saved state). */
export const MAX_MESSAGES = 100;

/** Attendance seats a room keeps; past it the earliest departed seat gives way. */
export const MAX_ATTENDANCE = 1000;

/** A room's tools before anything happened. */
export const emptyClassroom: Classroom = Object.freeze({
  hands: [],
  messages: [],
  attention: null,
  attendance: [],
  presentation: null,
});

/** What a member asks of the classroom tools. */
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
  | { type: 'stop-presentation' };

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
    };

/** What an action returns: the hand, message, attention request or presentation it made, or null. */
export type ClassroomValue = Hand | Message | Attention | Presentation | null;

/** An action's result: the room's new tools and what happened, or why it was refused (nothing changed). */
export type ClassroomOutcome =
  | {
      readonly ok: true;
      readonly classroom: Classroom;
      readonly events: ClassroomEvent[];
      readonly value: ClassroomValue;
    }
  | { readonly ok: false; readonly error: RegistryError };

/** Runs one action by `actor` in `room` at `now`; `newId` makes ids for messages and attention requests. */
export function applyClassroom(
  room: Room,
  actor: Member,
  action: ClassroomAction,
  now: number,
  newId: () => string,
): ClassroomOutcome {
  const tools = room.classroom;
  const code = room.code;
  const student = (id: string) => room.members.find((m) => m.id === id && m.role === 'student');
  const isSupervisor = actor.role === 'supervisor';
  switch (action.type) {
    case 'raise-hand': {
      if (isSupervisor) return refuse('wrong-role');
      const current = tools.hands.find((h) => h.studentId === actor.id);
      if (current?.note === action.note) return done(tools, [], current);
      // Changing the note keeps the hand's place in the queue.
      const hand: Hand = { studentId: actor.id, raisedAt: current?.raisedAt ?? now, note: action.note };
      const hands = current ? tools.hands.map((h) => (h.studentId === actor.id ? hand : h)) : [...tools.hands, hand];
      return done({ ...tools, hands }, [{ type: 'hand-raised', code, hand }], hand);
    }
    case 'lower-hand': {
      if (!isSupervisor && action.studentId !== actor.id) return refuse('wrong-role');
      if (!student(action.studentId)) return refuse('member-not-found');
      if (!tools.hands.some((h) => h.studentId === action.studentId)) return done(tools, [], null);
      const hands = tools.hands.filter((h) => h.studentId !== action.studentId);
      const event: ClassroomEvent = {
        type: 'hand-lowered',
        code,
        studentId: action.studentId,
        byId: actor.id,
        byName: actor.name,
      };
      return done({ ...tools, hands }, [event], null);
    }
    case 'send-message': {
      let to: Recipient;
      if (!isSupervisor) {
        // Students answer the teachers, in words: never another student, never a link.
        if (action.to !== undefined && action.to !== 'teachers') return refuse('invalid-target');
        if (action.url !== null) return refuse('wrong-role');
        to = { kind: 'teachers' };
      } else if (action.to === undefined || action.to === 'class') {
        to = { kind: 'class' };
      } else if (action.to === 'teachers') {
        return refuse('invalid-target');
      } else {
        const target = room.members.find((m) => m.id === action.to);
        if (!target) return refuse('member-not-found');
        if (target.role !== 'student') return refuse('invalid-target');
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
      const messages = [...tools.messages, message].slice(-MAX_MESSAGES);
      return done({ ...tools, messages }, [{ type: 'message-sent', code, message }], message);
    }
    case 'ack-message': {
      if (isSupervisor) return refuse('wrong-role');
      const message = tools.messages.find((m) => m.id === action.messageId);
      if (!message || !addressedTo(message, actor)) return refuse('message-not-found');
      if (message.ackedBy.includes(actor.id)) return done(tools, [], null);
      const acked: Message = { ...message, ackedBy: [...message.ackedBy, actor.id] };
      const messages = tools.messages.map((m) => (m.id === message.id ? acked : m));
      const event: ClassroomEvent = { type: 'message-acked', code, messageId: message.id, studentId: actor.id };
      return done({ ...tools, messages }, [event], null);
    }
    case 'start-attention': {
      if (!isSupervisor) return refuse('wrong-role');
      // A new request replaces the one before, acknowledgements and all.
      const attention: Attention = {
        id: newId(),
        byId: actor.id,
        byName: actor.name,
        message: action.message,
        since: now,
        ackedBy: [],
      };
      return done({ ...tools, attention }, [{ type: 'attention-started', code, attention }], attention);
    }
    case 'ack-attention': {
      if (isSupervisor) return refuse('wrong-role');
      const attention = tools.attention;
      if (!attention || attention.id !== action.attentionId) return refuse('attention-not-active');
      if (attention.ackedBy.includes(actor.id)) return done(tools, [], null);
      const next: Attention = { ...attention, ackedBy: [...attention.ackedBy, actor.id] };
      const event: ClassroomEvent = { type: 'attention-acked', code, attentionId: attention.id, studentId: actor.id };
      return done({ ...tools, attention: next }, [event], null);
    }
    case 'end-attention': {
      if (!isSupervisor) return refuse('wrong-role');
      if (!tools.attention) return done(tools, [], null);
      const event: ClassroomEvent = {
        type: 'attention-ended',
        code,
        attentionId: tools.attention.id,
        byName: actor.name,
      };
      return done({ ...tools, attention: null }, [event], null);
    }
    case 'snapshot-taken': {
      if (!isSupervisor) return refuse('wrong-role');
      if (!student(action.studentId)) return refuse('member-not-found');
      // Nothing is kept: the student is told, and that is all the server ever learns of it.
      return done(tools, [{ type: 'snapshot-taken', code, studentId: action.studentId, byName: actor.name }], null);
    }
    case 'start-presentation': {
      if (!isSupervisor) return refuse('wrong-role');
      // One screen at a time: a second teacher stops the first one's before showing another.
      if (tools.presentation) return refuse('presentation-active');
      let name = actor.name;
      if (action.studentId !== null) {
        const target = room.members.find((m) => m.id === action.studentId);
        if (!target) return refuse('member-not-found');
        if (target.role !== 'student') return refuse('invalid-target');
        // The presenter forwards the screen it already receives: there is none while the student is not sharing.
        if (target.share !== 'sharing') return refuse('not-sharing');
        name = target.name;
      }
      const presentation: Presentation = {
        id: newId(),
        presenterId: actor.id,
        presenterName: actor.name,
        studentId: action.studentId,
        name,
        since: now,
      };
      return done({ ...tools, presentation }, [{ type: 'presentation-started', code, presentation }], presentation);
    }
    case 'stop-presentation': {
      if (!isSupervisor) return refuse('wrong-role');
      if (!tools.presentation) return done(tools, [], null);
      const [next, events] = endPresentation(tools, code, 'stopped', actor.name);
      return done(next, events, null);
    }
  }
}

/**
 * The presentation ends by itself when the member it depends on goes: its presenter leaves, or the
 * shown student leaves or stops sharing (`reason` says which); otherwise nothing changes.
 */
export function presentationAfter(
  tools: Classroom,
  code: string,
  member: Pick<Member, 'id'>,
  why: 'left' | 'stopped-sharing',
): [Classroom, ClassroomEvent[]] {
  const shown = tools.presentation;
  if (!shown) return [tools, []];
  if (why === 'left' && shown.presenterId === member.id) return endPresentation(tools, code, 'presenter-left', null);
  if (shown.studentId !== member.id) return [tools, []];
  return endPresentation(tools, code, why === 'left' ? 'student-left' : 'student-stopped', null);
}

function endPresentation(
  tools: Classroom,
  code: string,
  reason: PresentationEndReason,
  byName: string | null,
): [Classroom, ClassroomEvent[]] {
  if (!tools.presentation) return [tools, []];
  const event: ClassroomEvent = { type: 'presentation-ended', code, presentation: tools.presentation, reason, byName };
  return [{ ...tools, presentation: null }, [event]];
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

/** A member left (any reason; `member` is as they were): their hand goes down, their attendance ends. */
export function memberLeft(tools: Classroom, member: Member, now: number): Classroom {
  if (member.role !== 'student') return tools;
  const hands = tools.hands.filter((h) => h.studentId !== member.id);
  const next = patchRecord({ ...tools, hands }, member.id, (r) => ({
    ...r,
    leftAt: now,
    // Leaving closes an open sharing period; it is not a stop the student chose.
    sharedMs: member.share === 'sharing' ? r.sharedMs + Math.max(0, now - r.lastShareAt) : r.sharedMs,
  }));
  return next;
}

/** Each student seat's figures at `now`: time sharing counts the open period of a student sharing now. */
export function attendanceAt(room: Room, now: number) {
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

function refuse(error: RegistryError): ClassroomOutcome {
  return { ok: false, error };
}

function done(classroom: Classroom, events: ClassroomEvent[], value: ClassroomValue): ClassroomOutcome {
  return { ok: true, classroom, events, value };
}
