/**
 * The room session as the PWA sees it: a pure reducer over the room's event stream and a few local
 * happenings (stream status, notices dismissed). No DOM, no network; unit-tested on its own.
 */
import type {
  ClassroomView,
  HandView,
  LeaveReason,
  MemberView,
  MessageView,
  RoomEvent,
  RoomView,
  TerminateReason,
  TabView,
} from '../../shared/protocol.ts';
import type { StreamStatus } from '../net/event-stream.ts';

/** What a supervisor sees of each student. */
export type StudentStatus = 'waiting' | 'sharing' | 'stopped' | 'reconnecting' | 'left';

/** Why this member's seat ended; 'gone' when the server no longer knows the seat (found on reconnect). */
export type SeatEnd = LeaveReason | TerminateReason | 'ended-by-you' | 'gone';

/** Notices shown at once; older ones give way (the tiles and roster keep every student's state). */
export const MAX_NOTICES = 2;

/** A message shown to the person until dismissed or replaced. */
export interface Notice {
  id: number;
  tone: 'info' | 'warning';
  text: string;
  /** A later notice with the same key replaces this one ("Back online." replaces "Connection lost."). */
  key?: string;
}

/** Everything the room views render. */
export interface Session {
  room: Omit<RoomView, 'members'> | null;
  /** The viewer's own member id. */
  you: string | null;
  members: MemberView[];
  /** Students who left while we watched, shown as "left" until they are cleared. */
  departed: { member: MemberView; reason: LeaveReason }[];
  stream: StreamStatus;
  /** The server said it is restarting; cleared by the next snapshot (from the restarted server). */
  restarting: boolean;
  ended: SeatEnd | null;
  notices: Notice[];
  nextNoticeId: number;
  /** Student: who lowered their hand for them (answered it), until they raise it again. */
  handAnsweredBy: string | null;
  /** Supervisors: each student's open tabs, by member id, while their companion extension reports them. */
  tabs: Readonly<Record<string, TabView[]>>;
}

/** Things that change the session besides room events. */
export type LocalEvent =
  | { type: 'stream-status'; status: StreamStatus }
  | { type: 'notice-dismissed'; id: number }
  | { type: 'departed-cleared' }
  /** Something happened that the person must be told (a teacher closed a tab in their browser). */
  | { type: 'notice-added'; tone: Notice['tone']; text: string }
  | { type: 'seat-gone' };

/** A session before the first snapshot. */
export const initialSession: Session = {
  room: null,
  you: null,
  members: [],
  departed: [],
  stream: 'connecting',
  restarting: false,
  ended: null,
  notices: [],
  nextNoticeId: 1,
  handAnsweredBy: null,
  tabs: {},
};

/** Applies one event. */
export function reduceSession(state: Session, event: RoomEvent | LocalEvent): Session {
  switch (event.type) {
    case 'snapshot': {
      const { members, ...room } = event.room;
      const present = new Set(members.map((m) => m.id));
      return {
        ...state,
        room,
        you: event.you,
        restarting: false,
        members,
        departed: state.departed.filter((d) => !present.has(d.member.id)),
        // Reports follow the snapshot, one event each.
        tabs: {},
      };
    }
    case 'member-joined':
      return withCounts({
        ...state,
        members: [...state.members.filter((m) => m.id !== event.member.id), event.member],
        departed: state.departed.filter((d) => d.member.id !== event.member.id),
      });
    case 'member-left': {
      if (event.memberId === state.you) return { ...state, ended: event.reason };
      const member = state.members.find((m) => m.id === event.memberId);
      const next = withCounts({
        ...state,
        members: state.members.filter((m) => m.id !== event.memberId),
      });
      if (!member || member.role !== 'student') return next;
      const departed = { ...member, sharing: false, share: member.share === 'never' ? 'never' : 'stopped' } as const;
      return { ...next, departed: [...next.departed, { member: departed, reason: event.reason }] };
    }
    case 'member-connected':
    case 'member-disconnected':
      return patchMember(state, event.memberId, { connected: event.type === 'member-connected' });
    case 'share-started':
      return patchMember(state, event.memberId, { sharing: true, share: 'sharing' });
    case 'share-stopped': {
      const stopped = patchMember(state, event.memberId, { sharing: false, share: 'stopped' });
      const name = nameOf(state, event.memberId);
      // Routine: the tile and the roster keep showing "Stopped sharing", so the notice goes by itself.
      return event.memberId === state.you || !name ? stopped : notify(stopped, 'info', `${name} stopped sharing.`);
    }
    case 'host-changed': {
      const members = state.members.map((m) => ({ ...m, isHost: m.id === event.hostId }));
      const next = { ...state, members, room: state.room && { ...state.room, hostId: event.hostId } };
      if (event.hostId === null) return notify(next, 'warning', 'No supervisor is in the room right now.');
      if (event.hostId === state.you) {
        const by = event.reason === 'transfer' ? nameOf(state, event.previousHostId) : null;
        return notify(next, 'info', by ? `${by} made you the host.` : 'You are now the host.');
      }
      return notify(next, 'info', `${nameOf(state, event.hostId) ?? 'Another supervisor'} is now the host.`);
    }
    case 'routes-changed':
      return { ...state, room: state.room && { ...state.room, routes: event.routes } };
    case 'tabs-changed': {
      const { [event.memberId]: _old, ...others } = state.tabs;
      return { ...state, tabs: event.tabs ? { ...others, [event.memberId]: event.tabs } : others };
    }
    case 'waiting-changed': {
      // Told once per student who starts waiting, as a raised hand is; the list keeps them all.
      const known = new Set((state.room?.waiting ?? []).map((w) => w.id));
      const listed: Session = { ...state, room: state.room && { ...state.room, waiting: event.waiting } };
      return event.waiting
        .filter((w) => !known.has(w.id))
        .reduce((next, w) => notify(next, 'info', `${w.name} is waiting to be let in.`), listed);
    }
    case 'room-terminated': {
      const byYou = event.reason === 'ended-by-host' && state.room?.hostId === state.you;
      return { ...state, ended: byYou ? 'ended-by-you' : event.reason };
    }
    case 'server-restarting':
      return { ...state, restarting: true };
    case 'hand-raised': {
      const hands = [...tools(state).hands.filter((h) => h.studentId !== event.hand.studentId), event.hand];
      const next = withTools(state, { hands: hands.sort((a, b) => a.raisedAt - b.raisedAt) });
      if (event.hand.studentId === state.you) return { ...next, handAnsweredBy: null };
      const known = tools(state).hands.some((h) => h.studentId === event.hand.studentId);
      const name = nameOf(state, event.hand.studentId);
      return known || !name ? next : notify(next, 'info', `${name} raised their hand.`);
    }
    case 'hand-lowered': {
      const next = withTools(state, { hands: tools(state).hands.filter((h) => h.studentId !== event.studentId) });
      const answered = event.studentId === state.you && event.byId !== state.you;
      return answered ? { ...next, handAnsweredBy: event.byName } : next;
    }
    case 'message-sent': {
      const next = withTools(state, { messages: [...tools(state).messages, event.message] });
      // A student's answer reaches every teacher; the panel keeps it, the notice points to it.
      const fromStudent = event.message.to.kind === 'teachers' && event.message.fromId !== state.you;
      return fromStudent ? notify(next, 'info', `${event.message.fromName} sent you a message.`) : next;
    }
    case 'message-acked':
      return withTools(state, {
        messages: tools(state).messages.map((m) =>
          m.id === event.messageId && !m.ackedBy.includes(event.studentId)
            ? { ...m, ackedBy: [...m.ackedBy, event.studentId] }
            : m,
        ),
      });
    case 'attention-started':
      return withTools(state, { attention: event.attention });
    case 'attention-acked': {
      const attention = tools(state).attention;
      if (!attention || attention.id !== event.attentionId || attention.ackedBy.includes(event.studentId)) return state;
      return withTools(state, { attention: { ...attention, ackedBy: [...attention.ackedBy, event.studentId] } });
    }
    case 'attention-ended':
      return tools(state).attention?.id === event.attentionId ? withTools(state, { attention: null }) : state;
    case 'presentation-started':
      return withTools(state, { presentation: event.presentation });
    case 'presentation-ended':
      return tools(state).presentation?.id === event.presentationId ? withTools(state, { presentation: null }) : state;
    case 'sites-changed':
      return withTools(state, { sites: event.sites });
    case 'tab-close-asked':
      // The student's companion extension carries it out; the notice comes when it has.
      return state;
    case 'snapshot-taken':
      // A privacy promise: the student is always told, and the notice stays until they dismiss it.
      return notify(state, 'warning', `${event.byName} saved a picture of your screen.`);
    case 'stream-status': {
      const next = { ...state, stream: event.status };
      // While the stream is down the room view says so in one place (see `connectionText`).
      if (event.status === 'reconnecting' && state.stream === 'live') {
        return { ...next, notices: next.notices.filter((n) => n.key !== 'connection') };
      }
      if (event.status === 'live' && state.stream === 'reconnecting') {
        return notify(next, 'info', 'Back online.', 'connection');
      }
      return next;
    }
    case 'notice-dismissed':
      return { ...state, notices: state.notices.filter((n) => n.id !== event.id) };
    case 'departed-cleared':
      return { ...state, departed: [] };
    case 'notice-added':
      return notify(state, event.tone, event.text);
    case 'seat-gone':
      return { ...state, ended: 'gone' };
  }
}

/**
 * What the room says while the server cannot be reached or is restarting. Media goes peer to peer,
 * so screens keep playing; the server answers again with the same rooms, and everything reconnects.
 */
export const SERVER_AWAY_TEXT = 'The server is restarting — screens continue';

/** The viewer's own member record. */
export function self(state: Session): MemberView | undefined {
  return state.members.find((m) => m.id === state.you);
}

/** Students with the state a supervisor's roster shows, present ones first in join order. */
export function studentRoster(state: Session): { member: MemberView; status: StudentStatus }[] {
  const present = state.members
    .filter((m) => m.role === 'student')
    .map((member) => ({ member, status: statusOf(member) }));
  return [...present, ...state.departed.map(({ member }) => ({ member, status: 'left' as const }))];
}

/** One roster line: a student and the state the wall and the roster show. */
export type RosterEntry = ReturnType<typeof studentRoster>[number];

/** How the wall orders students: as they joined, by name, or those needing attention first. */
export type RosterSort = 'joined' | 'name' | 'problems';

/** Attention order for "problems first": stopped, then reconnecting, not yet sharing, sharing, left. */
const ATTENTION: Record<StudentStatus, number> = { stopped: 0, reconnecting: 1, waiting: 2, sharing: 3, left: 4 };

/** The roster filtered by a typed name (any part, any case) and sorted; stable within equals. */
export function arrangeRoster(roster: RosterEntry[], filter: string, sort: RosterSort): RosterEntry[] {
  const needle = filter.trim().toLocaleLowerCase();
  const kept = needle ? roster.filter((r) => r.member.name.toLocaleLowerCase().includes(needle)) : [...roster];
  if (sort === 'name') return kept.sort((a, b) => a.member.name.localeCompare(b.member.name));
  if (sort === 'problems') return kept.sort((a, b) => ATTENTION[a.status] - ATTENTION[b.status]);
  return kept;
}

/** The wall's summary line, e.g. "18 of 25 sharing · 3 stopped · 4 not yet"; students who left are not counted. */
export function rosterSummary(roster: RosterEntry[]): string {
  const present = roster.filter((r) => r.status !== 'left');
  const count = (status: StudentStatus) => present.filter((r) => r.status === status).length;
  const parts = [`${count('sharing')} of ${present.length} sharing`];
  if (count('stopped')) parts.push(`${count('stopped')} stopped`);
  if (count('waiting')) parts.push(`${count('waiting')} not yet`);
  if (count('reconnecting')) parts.push(`${count('reconnecting')} reconnecting`);
  return parts.join(' · ');
}

/** Raised hands, oldest first (the order a teacher answers them in). */
export function handQueue(state: Session): HandView[] {
  return [...tools(state).hands].sort((a, b) => a.raisedAt - b.raisedAt);
}

/** Student: messages for them not yet acknowledged, oldest first. */
export function unreadMessages(state: Session): MessageView[] {
  return tools(state).messages.filter((m) => m.to.kind !== 'teachers' && !m.ackedBy.includes(state.you ?? ''));
}

/** Supervisor: the students a message is for who have not acknowledged it yet (present students only). */
export function notAcknowledged(state: Session, message: MessageView): MemberView[] {
  const students = state.members.filter((m) => m.role === 'student');
  const addressed =
    message.to.kind === 'class'
      ? students
      : message.to.kind === 'student'
        ? students.filter((m) => m.id === (message.to as { studentId: string }).studentId)
        : [];
  return addressed.filter((m) => !message.ackedBy.includes(m.id));
}

/** Supervisors, host first. */
export function supervisors(state: Session): MemberView[] {
  return state.members.filter((m) => m.role === 'supervisor').sort((a, b) => Number(b.isHost) - Number(a.isHost));
}

/** What a person is told when their seat ends, by reason. */
export function seatEndText(reason: SeatEnd, roomName: string): string {
  const room = `“${roomName}”`;
  switch (reason) {
    case 'left':
      return `You left ${room}.`;
    case 'kicked':
      return `You were removed from ${room} by the host.`;
    case 'timed-out':
      return `You were away too long and lost your seat in ${room}. Join again with the code.`;
    case 'ended-by-host':
      return `The host ended ${room}.`;
    case 'ended-by-you':
      return `You ended ${room}.`;
    case 'expired':
      return `${room} closed because no supervisor was left in it.`;
    case 'gone':
      return `Your seat in ${room} has ended: the room was closed, or you were away too long.`;
  }
}

/**
 * The room's share state decides, so every supervisor shows the same. A student who stopped (or
 * closed the app, which stops the share) stays "stopped" while their seat waits out its grace period.
 */
function statusOf(member: MemberView): StudentStatus {
  if (member.share === 'stopped') return 'stopped';
  if (!member.connected) return 'reconnecting';
  return member.share === 'sharing' ? 'sharing' : 'waiting';
}

function nameOf(state: Session, memberId: string | null): string | undefined {
  return state.members.find((m) => m.id === memberId)?.name;
}

/** The room's classroom tools (empty before the first snapshot). */
export function tools(state: Session): ClassroomView {
  return state.room?.classroom ?? EMPTY_TOOLS;
}

const EMPTY_TOOLS: ClassroomView = Object.freeze({
  hands: [],
  messages: [],
  attention: null,
  presentation: null,
  sites: null,
});

function withTools(state: Session, patch: Partial<ClassroomView>): Session {
  if (!state.room) return state;
  return { ...state, room: { ...state.room, classroom: { ...state.room.classroom, ...patch } } };
}

function patchMember(state: Session, memberId: string, patch: Partial<MemberView>): Session {
  return { ...state, members: state.members.map((m) => (m.id === memberId ? { ...m, ...patch } : m)) };
}

/** Everyone sees every supervisor; only supervisors see every student, so a student's student count comes from snapshots. */
function withCounts(state: Session): Session {
  if (!state.room) return state;
  const supervisorCount = state.members.filter((m) => m.role === 'supervisor').length;
  const students = self(state)?.role === 'supervisor' ? state.members.length - supervisorCount : state.room.students;
  return { ...state, room: { ...state.room, students, supervisors: supervisorCount } };
}

function notify(state: Session, tone: Notice['tone'], text: string, key?: string): Session {
  const notice: Notice = key ? { id: state.nextNoticeId, tone, text, key } : { id: state.nextNoticeId, tone, text };
  const kept = key ? state.notices.filter((n) => n.key !== key) : state.notices;
  // Keep the last two, so a burst of events cannot bury the screen and the strip stays one line high.
  return {
    ...state,
    notices: [...kept.slice(-(MAX_NOTICES - 1)), notice],
    nextNoticeId: state.nextNoticeId + 1,
  };
}
