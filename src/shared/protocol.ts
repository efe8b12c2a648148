/**
 * The wire protocol, compiled by both the PWA and the server: the views, event-stream messages and
 * peer data-channel messages, and (re-exported from `http-bodies.ts`) every HTTP body and error code,
 * so everyone imports from here. Pure data and tiny helpers: no DOM and no Node types may appear here.
 * About 500 lines: the peer data-channel messages (from `Surface` down) are the next part to move out,
 * left here while issue 23's relay work reshapes them.
 */

export * from './http-bodies.ts';

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
}

/** A room's routes before anything is known of it: everything peer to peer, no relay. */
export const PEER_TO_PEER_ROUTES: Readonly<Routes> = Object.freeze({
  transport: 'mesh',
  relayedPairs: [],
  directMembers: [],
  relayPeerId: null,
  unroutablePairs: [],
  presentationTransport: 'mesh',
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

/** Whether a student sends their screen to the relay (for some or every supervisor). */
export function sendsToRelay(routes: Routes, studentId: string): boolean {
  if (routes.directMembers.includes(studentId)) return false;
  return routes.transport === 'relay' || routes.relayedPairs.some((pair) => pair.startsWith(`${studentId}/`));
}

/** Whether two routes differ in anything members act on (a list's order aside). */
export function routesDiffer(a: Routes, b: Routes): boolean {
  const sameItems = (x: readonly string[], y: readonly string[]) =>
    x.length === y.length && x.every((item) => y.includes(item));
  return (
    a.transport !== b.transport ||
    a.presentationTransport !== b.presentationTransport ||
    a.relayPeerId !== b.relayPeerId ||
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
  /** An http(s) link the student may open with a button, never opened by itself; null for a plain message. */
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

/** What a student picked in the browser's capture picker: a whole screen, a window or a tab. */
export type Surface = 'monitor' | 'window' | 'browser';

/** What a student's call carries besides the screen (PeerJS call metadata), to a supervisor or the relay. */
export interface CallMetadata {
  studentId: string;
  /** What the student shares, as their browser reported it (null when it does not say). */
  surface: Surface | null;
  /** Student to relay: the level of the leg this call is (absent: a thumbnail). */
  leg?: 'full';
  /** Student to relay: the codec this leg is sent in (absent: VP8). */
  codec?: 'H264';
  /** Relay to supervisor: the call forwards the student's screen. */
  relayed?: boolean;
}

/** Reads call metadata; a payload without a student id is null, an unknown surface reads as null. */
export function parseCallMetadata(data: unknown): CallMetadata | null {
  if (typeof data !== 'object' || data === null) return null;
  const { studentId, surface, leg, codec, relayed } = data as Record<string, unknown>;
  if (typeof studentId !== 'string' || studentId === '') return null;
  return {
    studentId,
    surface: surface === 'monitor' || surface === 'window' || surface === 'browser' ? surface : null,
    ...(leg === 'full' ? { leg: 'full' as const } : {}),
    ...(codec === 'H264' ? { codec: 'H264' as const } : {}),
    ...(relayed === true ? { relayed: true } : {}),
  };
}

/**
 * What a call carrying the screen shown to the class carries (PeerJS call metadata): the presenter's
 * call to each student, or to the relay, and the relay's call to each student. The student watches
 * it; they do not answer with their own screen.
 */
export interface PresentationCallMetadata {
  presentationId: string;
  /** The name on the viewer. */
  name: string;
}

/** Reads presentation call metadata; anything else (a student's screen call, say) is null. */
export function parsePresentationCallMetadata(data: unknown): PresentationCallMetadata | null {
  if (typeof data !== 'object' || data === null) return null;
  const { presentationId, name } = data as Record<string, unknown>;
  if (typeof presentationId !== 'string' || presentationId === '' || typeof name !== 'string') return null;
  return { presentationId, name };
}

/** How a screen is sent to one supervisor: a cheap wall tile, or full quality while zoomed. */
export type QualityLevel = 'thumbnail' | 'full';

/**
 * Supervisor to student (or to the relay), on the data channel PeerJS opens with every call. The
 * first protocol: a level only. Today's supervisors send a `TileView` instead; a student still
 * honours this one (an old cached app) with the fixed encodings it always meant.
 */
export interface QualityRequest {
  type: 'quality';
  level: QualityLevel;
}

/** Serializes a request. */
export function qualityMessage(level: QualityLevel): string {
  return JSON.stringify({ type: 'quality', level } satisfies QualityRequest);
}

/**
 * Supervisor to student (or to the relay): how this supervisor shows the student's screen right
 * now, so the student sends no more than that (and nothing at all while it is not seen).
 */
export interface TileView {
  type: 'view';
  /** 'full' while the supervisor zooms into this student. */
  level: QualityLevel;
  /** Whether any of it can be seen: on screen, in a visible tab, not covered by the full view. */
  visible: boolean;
  /** Size of the tile's picture in device pixels (CSS pixels × devicePixelRatio). */
  widthPx: number;
  heightPx: number;
  /** How many tiles this supervisor shows at once: the more, the lower each one's frame rate. */
  tilesShown: number;
}

/** Largest picture, in device pixels wide, a thumbnail is sent at; a larger tile gets the full leg. */
export const THUMBNAIL_MAX_WIDTH_PX = 640;

/** Serializes a tile view. */
export function viewMessage(view: Omit<TileView, 'type'>): string {
  return JSON.stringify({ type: 'view', ...view } satisfies TileView);
}

/** Which of a student's legs a tile needs: the full one while zoomed or when shown larger than a thumbnail. */
export function legForView(view: Pick<TileView, 'level' | 'widthPx'>): QualityLevel {
  return view.level === 'full' || view.widthPx > THUMBNAIL_MAX_WIDTH_PX ? 'full' : 'thumbnail';
}

/** Reads what a supervisor asks of a student: a tile view or a bare quality request; anything else is null. */
export function parseSupervisorMessage(data: unknown): QualityRequest | TileView | null {
  if (typeof data !== 'string') return null;
  let message: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(data);
    if (typeof parsed !== 'object' || parsed === null) return null;
    message = parsed as Record<string, unknown>;
  } catch {
    return null;
  }
  const level = message.level;
  if (level !== 'thumbnail' && level !== 'full') return null;
  if (message.type === 'quality') return { type: 'quality', level };
  if (message.type !== 'view' || typeof message.visible !== 'boolean') return null;
  const size = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : null);
  const widthPx = size(message.widthPx);
  const heightPx = size(message.heightPx);
  const tilesShown = size(message.tilesShown);
  if (widthPx === null || heightPx === null || tilesShown === null) return null;
  return {
    type: 'view',
    level,
    visible: message.visible,
    widthPx: Math.round(widthPx),
    heightPx: Math.round(heightPx),
    tilesShown: Math.round(tilesShown),
  };
}

/** The codecs a screen is sent in. */
export type VideoCodec = 'VP8' | 'H264';

/** One call from a student to the relay: a quality level in a codec. */
export interface RelayLeg {
  level: QualityLevel;
  codec: VideoCodec;
}

/** Relay to student, on the same data channel. */
export type RelayNotice =
  /** The supervisors receiving this student's screen through the relay right now. */
  | { type: 'viewers'; supervisorIds: string[] }
  /** Whether some supervisor zooms into this student, so a full-quality VP8 leg is wanted (for apps from before `legs`). */
  | { type: 'full-leg'; wanted: boolean }
  /** The legs wanted besides the first call (the VP8 thumbnail): full quality, H.264, or both. */
  | { type: 'legs'; legs: RelayLeg[] };

/** Serializes a relay notice. */
export function relayNoticeMessage(notice: RelayNotice): string {
  return JSON.stringify(notice);
}

/** Reads a relay notice; anything else is null. */
export function parseRelayNotice(data: unknown): RelayNotice | null {
  if (typeof data !== 'string') return null;
  try {
    const message = JSON.parse(data) as Partial<{
      type: string;
      supervisorIds: unknown;
      wanted: unknown;
      legs: unknown;
    }>;
    if (message.type === 'viewers' && Array.isArray(message.supervisorIds)) {
      return {
        type: 'viewers',
        supervisorIds: message.supervisorIds.filter((id): id is string => typeof id === 'string'),
      };
    }
    if (message.type === 'full-leg' && typeof message.wanted === 'boolean')
      return { type: 'full-leg', wanted: message.wanted };
    if (message.type === 'legs' && Array.isArray(message.legs)) {
      const legs = (message.legs as unknown[]).flatMap((leg): RelayLeg[] => {
        const { level, codec } = (typeof leg === 'object' && leg !== null ? leg : {}) as Record<string, unknown>;
        if (level !== 'thumbnail' && level !== 'full') return [];
        return codec === 'VP8' || codec === 'H264' ? [{ level, codec }] : [];
      });
      return { type: 'legs', legs };
    }
    return null;
  } catch {
    return null;
  }
}
