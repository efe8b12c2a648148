/**
 * The wire protocol, compiled by both the PWA and the server: the room views and event-stream
 * messages here, and re-exported from beside it every HTTP body and error code (`http-bodies.ts`)
 * and the call metadata and data-channel messages between browsers and the relay
 * (`peer-messages.ts`), so everyone imports from here. Pure data and tiny helpers: no DOM and no
 * Node types may appear in any of them.
 */

export * from './http-bodies.ts';
export * from './peer-messages.ts';
export * from './tab-report.ts';
export * from './companion-link.ts';
import type { SiteListKind } from './site-rules.ts';
import type { TabView } from './tab-report.ts';

/** What a member does in a room: students share, supervisors watch. */
export type Role = 'student' | 'supervisor';

/** Longest display name, in characters, after trimming. */
export const NAME_MAX_LENGTH = 40;

/** Longest room name, in characters, after trimming. */
export const ROOM_NAME_MAX_LENGTH = 60;

/** Letters and digits a room code is made of: no 0/O or 1/I, so codes read aloud cleanly. */
export const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** Characters in a room code. */
export const CODE_LENGTH = 6;

/** Puts a typed room code or supervisor key into canonical form: upper case, no spaces or dashes. */
export function normalizeCode(typed: string): string {
  return typed.toUpperCase().replace(/[^A-Z0-9]/g, '');
}

/** Where a student's share stands, as room state: every supervisor, however late they joined, sees the same. */
export type ShareStatus =
  /** Has not shared since joining. */
  | 'never'
  /** Sharing now. */
  | 'sharing'
  /** Shared, then stopped (or closed the app while sharing). */
  | 'stopped';

/** One member as another member may see them. */
export interface MemberView {
  id: string;
  role: Role;
  /** Display name, unique in the room (a duplicate gets a visible " (2)" suffix). */
  name: string;
  /**
   * PeerServer id, present only where the viewer may open a media connection to this member
   * (students see supervisors', supervisors see students') and for the viewer themself.
   */
  peerId?: string;
  isHost: boolean;
  /** Whether the member's PeerServer connection is up right now. */
  connected: boolean;
  /** Students only: whether they are sharing their screen (`share === 'sharing'`). */
  sharing: boolean;
  /** Students only: never shared, sharing, or stopped; supervisors are always 'never'. */
  share: ShareStatus;
  /** Milliseconds since the Unix epoch. */
  joinedAt: number;
}

/** How screens travel in a room: peer to peer, or through the server's relay peer. */
export type Transport = 'mesh' | 'relay';

/**
 * Which way each student's screen reaches each supervisor: the room's transport, with exceptions
 * for pairs whose direct connection failed and for members who cannot reach the relay.
 */
export interface Routes {
  transport: Transport;
  /** Pairs (see `pairKey`) relayed although the room is peer to peer: their direct connection failed. */
  relayedPairs: readonly string[];
  /** Members who cannot reach the relay: their screens travel directly whatever the transport. */
  directMembers: readonly string[];
  /** The PeerServer id of the relay worker this room is placed on (students call it), or null with RELAY_MODE=off. */
  relayPeerId: string | null;
  /** Pairs whose direct connection failed and that the relay cannot carry (off, down, or out of a member's reach). */
  unroutablePairs: readonly string[];
  /**
   * How a screen shown to the class reaches the students: from the presenter's browser to each
   * student, or uploaded once to the relay, which calls every student (see `presentsThroughRelay`).
   */
  presentationTransport: Transport;
  /**
   * Whether the room races its paths: no direct call has come up in it yet, on a network the server
   * knows nothing of, so students send to the relay as well as to each supervisor directly, and
   * each supervisor shows whichever call decodes first and keeps the direct one once it does. Ends
   * when a direct call comes up (the network is then remembered as open) or isolation is seen.
   */
  racing: boolean;
}

/** A room's routes before anything is known of it: everything peer to peer, no relay. */
export const PEER_TO_PEER_ROUTES: Readonly<Routes> = Object.freeze({
  transport: 'mesh',
  relayedPairs: [],
  directMembers: [],
  relayPeerId: null,
  unroutablePairs: [],
  presentationTransport: 'mesh',
  racing: false,
});

/** The key of a student–supervisor pair in `Routes.relayedPairs`. */
export function pairKey(studentId: string, supervisorId: string): string {
  return `${studentId}/${supervisorId}`;
}

/** Whether the screen of `studentId` reaches `supervisorId` through the relay. */
export function isRelayed(routes: Routes, studentId: string, supervisorId: string): boolean {
  if (routes.directMembers.includes(studentId) || routes.directMembers.includes(supervisorId)) return false;
  return routes.transport === 'relay' || routes.relayedPairs.includes(pairKey(studentId, supervisorId));
}

/**
 * How the screen of `studentId` is reaching `supervisorId` as far as the routes say: the usual way,
 * through the relay because the direct connection failed, or by no route at all.
 */
export function pairRoute(routes: Routes, studentId: string, supervisorId: string): 'usual' | 'rerouted' | 'none' {
  const key = pairKey(studentId, supervisorId);
  if (routes.unroutablePairs.includes(key)) return 'none';
  return routes.relayedPairs.includes(key) && isRelayed(routes, studentId, supervisorId) ? 'rerouted' : 'usual';
}

/**
 * Whether the relay forwards the screen of `studentId` to `supervisorId`: as its route, or beside a
 * direct call while the room races (see `Routes.racing`).
 */
export function relayCarries(routes: Routes, studentId: string, supervisorId: string): boolean {
  if (routes.directMembers.includes(studentId) || routes.directMembers.includes(supervisorId)) return false;
  return routes.racing || isRelayed(routes, studentId, supervisorId);
}

/** Whether a student sends their screen to the relay (for some or every supervisor). */
export function sendsToRelay(routes: Routes, studentId: string): boolean {
  if (routes.directMembers.includes(studentId)) return false;
  return (
    routes.racing ||
    routes.transport === 'relay' ||
    routes.relayedPairs.some((pair) => pair.startsWith(`${studentId}/`))
  );
}

/** Whether two routes differ in anything members act on (a list's order aside). */
export function routesDiffer(a: Routes, b: Routes): boolean {
  const sameItems = (x: readonly string[], y: readonly string[]) =>
    x.length === y.length && x.every((item) => y.includes(item));
  return (
    a.transport !== b.transport ||
    a.presentationTransport !== b.presentationTransport ||
    a.relayPeerId !== b.relayPeerId ||
    a.racing !== b.racing ||
    !sameItems(a.relayedPairs, b.relayedPairs) ||
    !sameItems(a.directMembers, b.directMembers) ||
    !sameItems(a.unroutablePairs, b.unroutablePairs)
  );
}

/**
 * Whether the presenting supervisor sends the screen shown to the class once, to the relay, rather
 * than to each student. One who cannot reach the relay calls every student directly.
 */
export function presentsThroughRelay(routes: Routes, presenterId: string): boolean {
  return (
    routes.presentationTransport === 'relay' &&
    routes.relayPeerId !== null &&
    !routes.directMembers.includes(presenterId)
  );
}

/** Whether a student receives the screen shown to the class from the relay (else from the presenter). */
export function watchesThroughRelay(routes: Routes, presenterId: string, studentId: string): boolean {
  return presentsThroughRelay(routes, presenterId) && !routes.directMembers.includes(studentId);
}

/** Longest note a student may add to a raised hand, in characters. */
export const HAND_NOTE_MAX_LENGTH = 140;

/** Longest message (a teacher's, or a student's answer), in characters. */
export const MESSAGE_MAX_LENGTH = 500;

/** Longest words a teacher may add to "Eyes up", in characters. */
export const ATTENTION_MESSAGE_MAX_LENGTH = 140;

/** Longest link a teacher may send, in characters. */
export const URL_MAX_LENGTH = 2000;

/** A student's raised hand, as supervisors and that student see it. */
export interface HandView {
  studentId: string;
  /** Milliseconds since the Unix epoch; supervisors' queues are ordered by it. */
  raisedAt: number;
  /** What the student needs, in their words ('' when they gave none). */
  note: string;
}

/** Who a message is for: every student, one student (by member id), or the room's supervisors. */
export type Recipient = { kind: 'class' } | { kind: 'student'; studentId: string } | { kind: 'teachers' };

/** A message or a link, as one member may see it. */
export interface MessageView {
  id: string;
  fromId: string;
  /** The sender's name (a student sees only teachers' messages and their own answers). */
  fromName: string;
  to: Recipient;
  /** Plain text, shown as text (never HTML); '' for a link sent without words. */
  text: string;
  /**
   * An http(s) link the student may open with a button; a supervisor's link is also opened in a new tab
   * by the student's companion extension, when they have one (issue #21). Null for a plain message.
   */
  url: string | null;
  sentAt: number;
  /** Students who acknowledged it; a student sees only whether they did (their own id or nothing). */
  ackedBy: string[];
}

/** A supervisor's request for attention ("Eyes up"), while it lasts. */
export interface AttentionView {
  id: string;
  byId: string;
  byName: string;
  /** The teacher's words ('' when none). */
  message: string;
  since: number;
  /** Students who acknowledged it; a student sees only their own id or nothing. */
  ackedBy: string[];
}

/** Why a screen stopped being shown to the class. */
export type PresentationEndReason = 'stopped' | 'presenter-left' | 'student-left' | 'student-stopped';

/**
 * A screen shown to the class, as one member sees it. The presenter's browser calls every student
 * with it, or the relay once (`PresentationCallMetadata`, `presentsThroughRelay`); a student sees the name on the viewer, and learns the shown
 * student's id only when it is their own screen.
 */
export interface PresentationView {
  id: string;
  /** The supervisor whose browser sends the screen to the class. */
  presenterId: string;
  presenterName: string;
  /** Whose screen: the presenter's own, or a student's. */
  source: 'supervisor' | 'student';
  /** The shown student: for supervisors, and for that student only. */
  studentId?: string;
  /** The name on the viewer: the presenter's, or the shown student's (the only other student's name a student sees). */
  name: string;
  since: number;
}

/**
 * The classroom tools' state as one member sees it: hands, messages and links, the attention
 * request, the screen shown to the class. It lives only while the room does.
 */
export interface ClassroomView {
  /** Raised hands, oldest first: every student's for supervisors, their own for a student. */
  hands: HandView[];
  /** Recent messages, oldest first, that the viewer sent or that are addressed to them. */
  messages: MessageView[];
  attention: AttentionView | null;
  /** The screen shown to the class, if any. */
  presentation: PresentationView | null;
  /** The sites the class is kept to (allow) or kept from (block) by their companion extensions, if any (everyone). */
  sites: SitesView | null;
}

/** A lesson's "keep to these sites", as everyone in the room sees it (issue #21). */
export interface SitesView {
  kind: SiteListKind;
  /** Each site as `siteText` writes it. */
  sites: string[];
  byName: string;
  since: number;
}

/** A room as one member may see it: students see the supervisors and themselves only. */
export interface RoomView {
  code: string;
  name: string;
  listed: boolean;
  /** How screens travel; a student sees only their own pairs and the members they see. */
  routes: Routes;
  /** Member id of the host; null while the room has no supervisor. */
  hostId: string | null;
  createdAt: number;
  students: number;
  supervisors: number;
  members: MemberView[];
  /** Supervisors only (they joined with it): the key co-teachers need, for invite links. */
  supervisorKey?: string;
  /** Hands, messages and attention, as this viewer may see them. */
  classroom: ClassroomView;
  /**
   * Supervisors of a lesson of a class with a roster: who asked to join under a name the class link
   * could not vouch for, oldest first, waiting for a teacher to admit or refuse them.
   */
  waiting?: WaitingView[];
}

/** A student waiting to be admitted to a rostered lesson, as its supervisors see them. */
export interface WaitingView {
  id: string;
  name: string;
  since: number;
}

/** A listed room as the lobby shows it. */
export interface RoomSummary {
  code: string;
  name: string;
  hostName: string | null;
  students: number;
  supervisors: number;
  createdAt: number;
}

/** Why a member left the room. */
export type LeaveReason = 'left' | 'kicked' | 'timed-out';

/** Why the host changed: handed over, promoted after the host left, or claimed in an empty room. */
export type HostChangeReason = 'transfer' | 'promotion' | 'claimed';

/** Why a room ended: the host ended it, or it stayed without a supervisor for too long. */
export type TerminateReason = 'ended-by-host' | 'expired';

/** One message on `GET /api/rooms/:code/events`; each (re)connection starts with a snapshot. */
export type RoomEvent =
  | { type: 'snapshot'; room: RoomView; you: string }
  | { type: 'member-joined'; member: MemberView }
  | { type: 'member-left'; memberId: string; reason: LeaveReason }
  | { type: 'member-connected'; memberId: string }
  | { type: 'member-disconnected'; memberId: string }
  | { type: 'share-started'; memberId: string }
  | { type: 'share-stopped'; memberId: string }
  | { type: 'host-changed'; hostId: string | null; previousHostId: string | null; reason: HostChangeReason }
  /** The room's routes changed: its transport, a relayed pair, or a member who cannot reach the relay. */
  | { type: 'routes-changed'; routes: Routes }
  /**
   * Supervisors only: a student's open tabs as their companion extension reported them (issue #21),
   * or null once it stops reporting. Sent after a snapshot for every student who has a report.
   */
  | { type: 'tabs-changed'; memberId: string; tabs: TabView[] | null }
  /** Supervisors of a rostered lesson: the students waiting to be admitted now. */
  | { type: 'waiting-changed'; waiting: WaitingView[] }
  | { type: 'room-terminated'; reason: TerminateReason }
  /** A student raised their hand (supervisors and that student). */
  | { type: 'hand-raised'; hand: HandView }
  /** A hand went down: lowered by the student themself or answered by a supervisor (`byName`). */
  | { type: 'hand-lowered'; studentId: string; byId: string; byName: string }
  /** A message or link, to those it is addressed to, its sender, and every supervisor. */
  | { type: 'message-sent'; message: MessageView }
  /** A student acknowledged a message (supervisors and that student). */
  | { type: 'message-acked'; messageId: string; studentId: string }
  /** A supervisor asks for attention (everyone); a new request replaces the one before. */
  | { type: 'attention-started'; attention: AttentionView }
  /** A student acknowledged the attention request (supervisors and that student). */
  | { type: 'attention-acked'; attentionId: string; studentId: string }
  /** The attention request was released (everyone). */
  | { type: 'attention-ended'; attentionId: string; byName: string }
  /** A supervisor saved a picture of this student's screen on their own device (that student only). */
  | { type: 'snapshot-taken'; studentId: string; byName: string }
  /** A supervisor shows a screen to the class (everyone; a student sees `studentId` only if it is theirs). */
  | { type: 'presentation-started'; presentation: PresentationView }
  /** The screen shown to the class is no longer shown (everyone); `byName` is who stopped it, null when it ended by itself. */
  | { type: 'presentation-ended'; presentationId: string; reason: PresentationEndReason; byName: string | null }
  /** A supervisor set or lifted the lesson's site list (everyone); `byName` is who. */
  | { type: 'sites-changed'; sites: SitesView | null; byName: string }
  /**
   * That student only: a supervisor asks their companion extension to close this tab (as last
   * reported); the app passes it on and says so.
   */
  | { type: 'tab-close-asked'; tabId: number; title: string; byName: string }
  /** The server is stopping to restart (an update, a reboot): seats and screens carry on; the stream comes back. */
  | { type: 'server-restarting' };

/** One message on `GET /api/lobby/events`; each (re)connection starts with a snapshot. */
export type LobbyEvent =
  | { type: 'snapshot'; rooms: RoomSummary[] }
  | { type: 'room-added'; room: RoomSummary }
  | { type: 'room-updated'; room: RoomSummary }
  | { type: 'room-removed'; code: string }
  /** The server is stopping to restart; the stream comes back with a fresh snapshot. */
  | { type: 'server-restarting' };
