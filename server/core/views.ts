/**
 * What each member may see of a room, and how registry events become wire events for them.
 * Pure. The rule: supervisors see everyone; students see the supervisors and themselves; a peer id
 * is shown only where the viewer may open a media connection to that member (or it is their own).
 */
import type {
  AttentionView,
  ClassroomView,
  MemberView,
  MessageView,
  PresentationView,
  RoomEvent,
  RoomSummary,
  RoomView,
  Routes,
  WaitingView,
  SitesView,
} from '../../src/shared/protocol.ts';
import { canRead, type Attention, type LessonSites, type Message, type Presentation } from './classroom.ts';
import { hostOf, type Member, type RegistryEvent, type Room } from './room-registry.ts';

/**
 * The most a supervisor's snapshot of a room weighs on the wire (UTF-8), however its 200 members
 * fill what they may: each member at most a 40-character name, a 140-character hand note and 5
 * replies; the room at most 100 replies (15,000 characters), 50 teachers' messages (30,000
 * characters) each acknowledged by every student, 20 supervisors and so 3,600 rerouted pairs, and
 * in a lesson 50 students waiting to be admitted (`admission.ts`).
 * Measured at 593 KB (`tests/unit/view-bounds.test.ts`); anything that raises a cap must keep it.
 */
export const MAX_SUPERVISOR_VIEW_BYTES = 640 * 1024;
/** The most a student's snapshot weighs: the teachers, their own seat, and the teachers' messages (measured at 96 KB). */
export const MAX_STUDENT_VIEW_BYTES = 128 * 1024;

/** Whether `viewer` may know that `subject` is in the room. */
export function canSee(viewer: Member, subject: Pick<Member, 'id' | 'role'>): boolean {
  return viewer.role === 'supervisor' || subject.role === 'supervisor' || subject.id === viewer.id;
}

/** Whether `viewer` may hear about something of student `studentId`'s: supervisors always, a student only of their own. */
function mayKnow(viewer: Member, studentId: string): boolean {
  return viewer.role === 'supervisor' || viewer.id === studentId;
}

/** One member as `viewer` sees them. */
export function memberView(room: Room, subject: Member, viewer: Member): MemberView {
  const view: MemberView = {
    id: subject.id,
    role: subject.role,
    name: subject.name,
    isHost: room.hostId === subject.id,
    connected: subject.connected,
    sharing: subject.share === 'sharing',
    share: subject.share,
    joinedAt: subject.joinedAt,
  };
  if (subject.role !== viewer.role || subject.id === viewer.id) view.peerId = subject.peerId;
  return view;
}

/** The room as `viewer` sees it. */
export function roomView(room: Room, viewer: Member): RoomView {
  const view: RoomView = {
    code: room.code,
    name: room.name,
    listed: room.listed,
    routes: routesFor(room, viewer),
    hostId: room.hostId,
    createdAt: room.createdAt,
    students: room.members.filter((m) => m.role === 'student').length,
    supervisors: room.members.filter((m) => m.role === 'supervisor').length,
    members: room.members.filter((m) => canSee(viewer, m)).map((m) => memberView(room, m, viewer)),
    classroom: classroomView(room, viewer),
  };
  if (viewer.role === 'supervisor') view.supervisorKey = room.supervisorKey;
  if (viewer.role === 'supervisor' && room.lesson?.rostered) view.waiting = waitingView(room);
  return view;
}

/** Who waits to be admitted to a lesson, oldest first; never their token. */
function waitingView(room: Room): WaitingView[] {
  return (room.lesson?.waiting ?? []).map((w) => ({ id: w.id, name: w.name, since: w.since }));
}

/** The room's routes as `viewer` may see them: a student learns only of their own pairs and of members they see. */
export function routesFor(room: Room, viewer: Member): Routes {
  const visible = (id: string) => {
    const subject = room.members.find((m) => m.id === id);
    return subject !== undefined && canSee(viewer, subject);
  };
  return {
    transport: room.routes.transport,
    relayedPairs: room.routes.relayedPairs.filter((key) => key.split('/').every(visible)),
    directMembers: room.routes.directMembers.filter(visible),
    relayPeerId: room.routes.relayPeerId,
    unroutablePairs: room.routes.unroutablePairs.filter((key) => key.split('/').every(visible)),
    presentationTransport: room.routes.presentationTransport,
    racing: room.routes.racing,
  };
}

/**
 * The classroom tools as `viewer` sees them: a student sees their own hand, the messages for the
 * class or for them and their own answers, and only whether they acknowledged; supervisors see all.
 */
export function classroomView(room: Room, viewer: Member): ClassroomView {
  const tools = room.classroom;
  return {
    hands: tools.hands
      .filter((h) => viewer.role === 'supervisor' || h.studentId === viewer.id)
      .map((h) => ({ studentId: h.studentId, raisedAt: h.raisedAt, note: h.note })),
    messages: tools.messages.filter((m) => canRead(m, viewer)).map((m) => messageView(m, viewer)),
    attention: tools.attention && attentionView(tools.attention, viewer),
    presentation: tools.presentation && presentationView(tools.presentation, viewer),
    sites: tools.sites && sitesView(tools.sites),
  };
}

/** The lesson's site list, as everyone in the room sees it. */
export function sitesView(sites: LessonSites): SitesView {
  return { kind: sites.kind, sites: [...sites.sites], byName: sites.byName, since: sites.since };
}

/** The screen shown to the class as `viewer` sees it: a student learns the shown student's id only if it is theirs. */
export function presentationView(presentation: Presentation, viewer: Member): PresentationView {
  const view: PresentationView = {
    id: presentation.id,
    presenterId: presentation.presenterId,
    presenterName: presentation.presenterName,
    source: presentation.studentId === null ? 'supervisor' : 'student',
    name: presentation.name,
    since: presentation.since,
  };
  if (presentation.studentId !== null && mayKnow(viewer, presentation.studentId))
    view.studentId = presentation.studentId;
  return view;
}

/** A message as `viewer` sees it (call only when `canRead`): a student learns only of their own acknowledgement. */
export function messageView(message: Message, viewer: Member): MessageView {
  return {
    id: message.id,
    fromId: message.fromId,
    fromName: message.fromName,
    to:
      message.to.kind === 'student' ? { kind: 'student', studentId: message.to.studentId } : { kind: message.to.kind },
    text: message.text,
    url: message.url,
    sentAt: message.sentAt,
    ackedBy: ownOrAll(message.ackedBy, viewer),
  };
}

/** The attention request as `viewer` sees it. */
export function attentionView(attention: Attention, viewer: Member): AttentionView {
  return {
    id: attention.id,
    byId: attention.byId,
    byName: attention.byName,
    message: attention.message,
    since: attention.since,
    ackedBy: ownOrAll(attention.ackedBy, viewer),
  };
}

function ownOrAll(ids: readonly string[], viewer: Member): string[] {
  return viewer.role === 'supervisor' ? [...ids] : ids.filter((id) => id === viewer.id);
}

/** The lobby line for a room. */
export function roomSummary(room: Room): RoomSummary {
  return {
    code: room.code,
    name: room.name,
    hostName: hostOf(room)?.name ?? null,
    students: room.members.filter((m) => m.role === 'student').length,
    supervisors: room.members.filter((m) => m.role === 'supervisor').length,
    createdAt: room.createdAt,
  };
}

/**
 * The wire event `viewer` gets for a registry event, or null if it is not theirs to see.
 * `room` is the room after the event (absent once terminated).
 */
export function eventFor(event: RegistryEvent, room: Room | undefined, viewer: Member): RoomEvent | null {
  const subjectOf = (memberId: string) => room?.members.find((m) => m.id === memberId);
  switch (event.type) {
    case 'room-created':
      return null;
    case 'member-joined': {
      const subject = subjectOf(event.memberId);
      if (!room || !subject || !canSee(viewer, subject) || subject.id === viewer.id) return null;
      return { type: 'member-joined', member: memberView(room, subject, viewer) };
    }
    case 'member-left':
      return canSee(viewer, event.member)
        ? { type: 'member-left', memberId: event.member.id, reason: event.reason }
        : null;
    case 'member-connected':
    case 'member-disconnected':
    case 'share-started':
    case 'share-stopped': {
      const subject = subjectOf(event.memberId);
      return subject && canSee(viewer, subject) ? { type: event.type, memberId: event.memberId } : null;
    }
    case 'routes-changed':
      return room ? { type: 'routes-changed', routes: routesFor(room, viewer) } : null;
    case 'waiting-changed':
      return room && viewer.role === 'supervisor' ? { type: 'waiting-changed', waiting: waitingView(room) } : null;
    case 'host-changed':
      return { type: 'host-changed', hostId: event.hostId, previousHostId: event.previousHostId, reason: event.reason };
    case 'room-terminated':
      return { type: 'room-terminated', reason: event.reason };
    // The classroom tools: supervisors hear of everything; a student only of what is theirs.
    case 'hand-raised':
      return mayKnow(viewer, event.hand.studentId)
        ? {
            type: 'hand-raised',
            hand: { studentId: event.hand.studentId, raisedAt: event.hand.raisedAt, note: event.hand.note },
          }
        : null;
    case 'hand-lowered':
      return mayKnow(viewer, event.studentId)
        ? { type: 'hand-lowered', studentId: event.studentId, byId: event.byId, byName: event.byName }
        : null;
    case 'message-sent':
      return canRead(event.message, viewer)
        ? { type: 'message-sent', message: messageView(event.message, viewer) }
        : null;
    case 'message-acked':
      return mayKnow(viewer, event.studentId)
        ? { type: 'message-acked', messageId: event.messageId, studentId: event.studentId }
        : null;
    case 'attention-started':
      return { type: 'attention-started', attention: attentionView(event.attention, viewer) };
    case 'attention-acked':
      return mayKnow(viewer, event.studentId)
        ? { type: 'attention-acked', attentionId: event.attentionId, studentId: event.studentId }
        : null;
    case 'attention-ended':
      return { type: 'attention-ended', attentionId: event.attentionId, byName: event.byName };
    case 'snapshot-taken':
      // The student is told; other supervisors need not be.
      return viewer.id === event.studentId
        ? { type: 'snapshot-taken', studentId: event.studentId, byName: event.byName }
        : null;
    case 'presentation-started':
      return { type: 'presentation-started', presentation: presentationView(event.presentation, viewer) };
    case 'presentation-ended':
      return {
        type: 'presentation-ended',
        presentationId: event.presentation.id,
        reason: event.reason,
        byName: event.byName,
      };
    case 'sites-changed':
      return { type: 'sites-changed', sites: event.sites && sitesView(event.sites), byName: event.byName };
  }
}
