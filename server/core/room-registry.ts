/**
 * The room registry: who is in which room, in what role, and who is host.
 * Pure: every operation takes the state plus `now` and an entropy source and returns the new state
 * and the events that happened. No I/O, no timers, no clock, no logging. The rest of the server
 * imports every operation from here; PeerServer's side and the deadlines are in `presence.ts`, the
 * routes' operations in `rerouting.ts`, the classroom tools in `classroom.ts`.
 */
import type { RememberedNetworks } from './networks.ts';
import {
  normalizeCode,
  type HostChangeReason,
  type LeaveReason,
  type Role,
  type ShareStatus,
  type TerminateReason,
} from '../../src/shared/protocol.ts';
import {
  applyClassroom,
  emptyClassroom,
  presentationAfter,
  shareChanged,
  studentJoined,
  attendanceHasRoomFor,
  type Classroom,
  type ClassroomAction,
  type ClassroomEvent,
  type ClassroomResult,
} from './classroom.ts';
import { hex, newMember, randomCode, randomSupervisorKey, uniqueName } from './credentials.ts';
import { removeMember } from './presence.ts';
import { done, refuse, seatIn, withMember, withoutRoom, withRoom } from './registry-state.ts';
import { reroute, rerouted } from './rerouting.ts';
import { initialRoutes, type RelayPolicy, type RoomRoutes } from './routes.ts';
import { hashToken, sameSecret } from './secrets.ts';

export { foldName } from './credentials.ts';
export { authenticatePeer, maySignal, peerConnected, peerDisconnected, sweep } from './presence.ts';
export {
  keepRelays,
  reportConnectionFailure,
  reportDirectConnection,
  reportRelayConnection,
  setRelayUp,
  setRelaysUp,
} from './rerouting.ts';
export {
  admitStudent,
  askAfterAdmission,
  refuseAdmission,
  requestAdmission,
  setLessonRostered,
  waitingIn,
  withdrawAdmission,
} from './admission.ts';

/** A member as the registry holds it, secrets included. */
export interface Member {
  readonly id: string;
  readonly role: Role;
  readonly name: string;
  readonly peerId: string;
  /** SHA-256 of the member's bearer token (hex); the token itself is handed out once and never kept. */
  readonly tokenHash: string;
  readonly joinedAt: number;
  readonly connected: boolean;
  /** Since when the member has had no PeerServer connection (join time until the first one). */
  readonly offlineSince: number | null;
  /** Students only: never shared, sharing now, or stopped (so a supervisor who joins later sees the same). */
  readonly share: ShareStatus;
  /** In a lesson of a class with a roster: the roster entry this student joined as (or was admitted as). */
  readonly rosterEntryId?: string;
  /** A student signed in with the school account: that account, so the lesson's record names them by it. */
  readonly accountId?: string;
}

/** A room as the registry holds it. Members are kept in join order. */
export interface Room {
  readonly code: string;
  readonly name: string;
  readonly listed: boolean;
  readonly supervisorKey: string;
  readonly createdAt: number;
  readonly hostId: string | null;
  readonly members: readonly Member[];
  /** Since when the room has had no supervisor; null while it has one. */
  readonly orphanedSince: number | null;
  /** How its screens travel, decided by `routes.ts` inside every operation that can change them. */
  readonly routes: RoomRoutes;
  /** The address the room was created from, for the per-address limit on open rooms. */
  readonly createdBy: string;
  /** Whether a supervisor has ever connected to PeerServer; a room nobody took up ends early. */
  readonly claimed: boolean;
  /** The classroom tools' state (`classroom.ts`): hands, messages, attention, attendance, presentation; it ends with the room. */
  readonly classroom: Classroom;
  /** Set when the room is a lesson of a class (issue #20): its attendance is recorded under this lesson. */
  readonly lesson?: RoomLesson | null;
}

/** The class and lesson a room is, so the record adapter knows where its attendance goes. */
export interface RoomLesson {
  readonly classId: string;
  readonly lessonId: string;
  /**
   * Whether the class has a roster: then a student is seated only as a roster entry the class link
   * vouched for, and anyone else waits in `waiting` for a teacher (`admission.ts`).
   */
  readonly rostered: boolean;
  readonly waiting: readonly WaitingStudent[];
}

/** A student who asked to join a rostered lesson under a name that is on no roster entry. */
export interface WaitingStudent {
  /** Becomes their member id once admitted. */
  readonly id: string;
  readonly name: string;
  /** SHA-256 of the token they were given; admitted, it is their seat's token. */
  readonly tokenHash: string;
  readonly since: number;
  /** When they last asked after their request; a wait nobody asks after expires (`admission.ts`). */
  readonly lastSeenAt: number;
  /** Signed in with the school account: that account, kept on their seat once admitted. */
  readonly accountId?: string;
}

/** The whole registry. Treat as immutable: operations return a new one. */
export interface RegistryState {
  readonly rooms: ReadonlyMap<string, Room>;
  /** Room code by member peer id, for PeerServer's connect and disconnect. */
  readonly roomByPeer: ReadonlyMap<string, string>;
  /**
   * The relay workers by PeerServer id, and whether each is up and registered with PeerServer (an
   * input to the routes of the rooms placed on it). Empty with RELAY_MODE=off.
   */
  readonly relays: ReadonlyMap<string, boolean>;
  /** Networks seen keeping devices apart (`networks.ts`): rooms opened there start on the relay. */
  readonly isolatedNetworks: RememberedNetworks;
  /** Networks where a direct call came up (`networks.ts`): rooms opened there go peer to peer without racing the relay. */
  readonly directNetworks: RememberedNetworks;
}

/**
 * Supervisors one room may have: far more co-teachers than a class has, and a bound on what the
 * pairs of a room (students × supervisors) can add to every supervisor's view.
 */
export const MAX_SUPERVISORS_PER_ROOM = 20;

/** The limits the registry enforces. */
export interface RegistryLimits {
  readonly maxRooms: number;
  readonly maxMembersPerRoom: number;
  /** How long a member may stay without a PeerServer connection before being removed. */
  readonly reconnectGraceMs: number;
  /** How long a room may stay without a supervisor before it closes. */
  readonly emptyRoomTtlMs: number;
  /** Rooms open at once that were created from one address. */
  readonly maxRoomsPerAddress: number;
  /** How long a room may wait for a supervisor's first PeerServer connection before it ends. */
  readonly unclaimedRoomTtlMs: number;
}

/** What each operation is given besides the state: the time, a source of random bytes and the settings. */
export interface Context {
  readonly now: number;
  readonly random: (byteCount: number) => Uint8Array;
  readonly limits: RegistryLimits;
  /** When rooms use the relay (RELAY_MODE and its settings). */
  readonly routing: RelayPolicy;
}

/** Something that happened; adapters turn these into wire events for the right audience. */
export type RegistryEvent =
  | { type: 'room-created'; code: string }
  | { type: 'member-joined'; code: string; memberId: string }
  | { type: 'member-left'; code: string; member: Member; reason: LeaveReason }
  | { type: 'member-connected'; code: string; memberId: string }
  | { type: 'member-disconnected'; code: string; memberId: string }
  | { type: 'share-started'; code: string; memberId: string }
  | { type: 'share-stopped'; code: string; memberId: string }
  | {
      type: 'host-changed';
      code: string;
      hostId: string | null;
      previousHostId: string | null;
      reason: HostChangeReason;
    }
  /** The room's transport, relayed pairs or direct members changed. */
  | { type: 'routes-changed'; code: string }
  /** Someone began or stopped waiting to be admitted to a rostered lesson. */
  | { type: 'waiting-changed'; code: string }
  | { type: 'room-terminated'; code: string; room: Room; reason: TerminateReason }
  /** Something happened to the room's classroom tools. */
  | ClassroomEvent;

/** Why an operation was refused; the HTTP adapter maps each to a status and a message. */
export type RegistryError =
  | 'room-not-found'
  | 'member-not-found'
  | 'unauthorized'
  | 'wrong-supervisor-key'
  | 'not-host'
  | 'wrong-role'
  | 'room-full'
  | 'too-many-supervisors'
  | 'attendance-full'
  | 'too-many-rooms'
  | 'too-many-rooms-from-address'
  | 'invalid-target'
  | 'message-not-found'
  | 'attention-not-active'
  | 'presentation-active'
  | 'not-sharing'
  | 'admission-required'
  | 'roster-name-taken'
  | 'waiting-full'
  | 'waiting-not-found';

/** The result of an operation: the new state and its events, or a refusal that changed nothing. */
export type Outcome<T> =
  | { readonly ok: true; readonly state: RegistryState; readonly events: RegistryEvent[]; readonly value: T }
  | { readonly ok: false; readonly error: RegistryError };

/** A room with the caller's seat in it. */
export interface Seat {
  readonly room: Room;
  readonly member: Member;
}

/** A seat just taken, with its bearer token: the only time the token exists outside the member's device. */
export interface NewSeat extends Seat {
  readonly token: string;
}

/** The registry with no rooms. */
export const emptyRegistry: RegistryState = Object.freeze({
  rooms: new Map(),
  roomByPeer: new Map(),
  relays: new Map(),
  isolatedNetworks: new Map(),
  directNetworks: new Map(),
});

/**
 * Opens a room with its host as the first supervisor. `address` is the creator's network address:
 * one address may hold only `maxRoomsPerAddress` open rooms, so a few machines cannot fill the server.
 */
export function createRoom(
  state: RegistryState,
  input: {
    name: string;
    hostName: string;
    listed: boolean;
    address: string;
    lesson?: Omit<RoomLesson, 'waiting'>;
  },
  ctx: Context,
): Outcome<NewSeat> {
  let fromAddress = 0;
  for (const room of state.rooms.values()) if (room.createdBy === input.address) fromAddress++;
  if (fromAddress >= ctx.limits.maxRoomsPerAddress) return refuse('too-many-rooms-from-address');
  if (state.rooms.size >= ctx.limits.maxRooms) return refuse('too-many-rooms');
  let code = randomCode(ctx);
  while (state.rooms.has(code)) code = randomCode(ctx);
  const [host, token] = newMember('supervisor', input.hostName, ctx);
  const opened: Room = {
    code,
    name: input.name,
    listed: input.listed,
    supervisorKey: randomSupervisorKey(ctx),
    createdAt: ctx.now,
    hostId: host.id,
    members: [host],
    orphanedSince: null,
    routes: initialRoutes(ctx.now),
    createdBy: input.address,
    claimed: false,
    classroom: emptyClassroom,
    lesson: input.lesson ? { ...input.lesson, waiting: [] } : null,
  };
  // A room is born with its routes: no event, its first snapshot already shows them.
  const room = rerouted(opened, state, ctx);
  return done(withRoom(state, room), [{ type: 'room-created', code }], { room, member: host, token });
}

/**
 * Adds a student, or a supervisor who holds the room's key; a supervisor joining an empty room
 * becomes host. In a lesson of a class with a roster, a student is seated only as `rosterEntry`
 * (which the class link, or their signed-in account's e-mail, vouched for), once at a time; anyone
 * else must ask to be admitted. `name` is the name they sit under: the picked entry's, or a
 * signed-in student's verified one.
 */
export function joinRoom(
  state: RegistryState,
  input: {
    code: string;
    name: string;
    role: Role;
    supervisorKey?: string | undefined;
    rosterEntry?: { id: string; name: string } | undefined;
    /** A signed-in student's account. */
    accountId?: string | undefined;
  },
  ctx: Context,
): Outcome<NewSeat> {
  const room = state.rooms.get(normalizeCode(input.code));
  if (!room) return refuse('room-not-found');
  if (input.role === 'supervisor') {
    const key = normalizeCode(input.supervisorKey ?? '');
    if (!sameSecret(key, normalizeCode(room.supervisorKey))) return refuse('wrong-supervisor-key');
  }
  if (input.role === 'student' && room.lesson?.rostered && !input.rosterEntry) return refuse('admission-required');
  const student = input.role === 'student';
  const entry = student ? input.rosterEntry : undefined;
  const [member, token] = newMember(input.role, input.name, ctx);
  const newcomer: Member = {
    ...member,
    ...(entry ? { rosterEntryId: entry.id } : {}),
    ...(student && input.accountId !== undefined ? { accountId: input.accountId } : {}),
  };
  const seated = seatMember(state, room, newcomer, ctx);
  return seated.ok ? done(seated.state, seated.events, { ...seated.value, token }) : seated;
}

/**
 * Puts a new member in `room` when there is room for them: the checks and events every way in
 * shares (joining, being admitted). The member's name is made unique in the room here.
 */
export function seatMember(state: RegistryState, room: Room, newcomer: Member, ctx: Context): Outcome<Seat> {
  if (room.members.length >= ctx.limits.maxMembersPerRoom) return refuse('room-full');
  if (newcomer.role === 'supervisor' && supervisorCount(room) >= MAX_SUPERVISORS_PER_ROOM) {
    return refuse('too-many-supervisors');
  }
  const entry = newcomer.rosterEntryId;
  if (entry !== undefined && room.members.some((m) => m.rosterEntryId === entry)) return refuse('roster-name-taken');
  const member = { ...newcomer, name: uniqueName(room, newcomer.name) };
  if (member.role === 'student' && !attendanceHasRoomFor(room.classroom, member.name)) return refuse('attendance-full');

  const classroom = member.role === 'student' ? studentJoined(room.classroom, member) : room.classroom;
  let next: Room = { ...room, members: [...room.members, member], classroom };
  const events: RegistryEvent[] = [{ type: 'member-joined', code: room.code, memberId: member.id }];
  if (member.role === 'supervisor' && room.hostId === null) {
    next = { ...next, hostId: member.id, orphanedSince: null };
    events.push({ type: 'host-changed', code: room.code, hostId: member.id, previousHostId: null, reason: 'claimed' });
  }
  next = reroute(next, state, ctx, events);
  return done(withRoom(state, next), events, { room: next, member });
}

function supervisorCount(room: Room): number {
  return room.members.filter((m) => m.role === 'supervisor').length;
}

/** Finds the member a bearer token belongs to in a room. */
export function authenticate(state: RegistryState, code: string, token: string): Outcome<Seat> {
  const room = state.rooms.get(normalizeCode(code));
  if (!room) return refuse('room-not-found');
  const presented = hashToken(token);
  const member = room.members.find((m) => sameSecret(presented, m.tokenHash));
  if (!member) return refuse('unauthorized');
  return done(state, [], { room, member });
}

/** The member leaves of their own accord. */
export function leaveRoom(
  state: RegistryState,
  input: { code: string; memberId: string },
  ctx: Context,
): Outcome<void> {
  const seat = seatIn(state, input.code, input.memberId);
  if ('error' in seat) return seat;
  const [next, events] = removeMember(state, seat.room, input.memberId, 'left', ctx);
  return done(next, events, undefined);
}

/** The host removes another member. */
export function kickMember(
  state: RegistryState,
  input: { code: string; actorId: string; memberId: string },
  ctx: Context,
): Outcome<void> {
  const room = state.rooms.get(input.code);
  if (!room) return refuse('room-not-found');
  if (room.hostId !== input.actorId) return refuse('not-host');
  if (input.memberId === input.actorId) return refuse('invalid-target');
  if (!room.members.some((m) => m.id === input.memberId)) return refuse('member-not-found');
  const [next, events] = removeMember(state, room, input.memberId, 'kicked', ctx);
  return done(next, events, undefined);
}

/** The host hands the role to another supervisor. */
export function transferHost(
  state: RegistryState,
  input: { code: string; actorId: string; memberId: string },
): Outcome<Room> {
  const room = state.rooms.get(input.code);
  if (!room) return refuse('room-not-found');
  if (room.hostId !== input.actorId) return refuse('not-host');
  if (input.memberId === input.actorId) return refuse('invalid-target');
  const target = room.members.find((m) => m.id === input.memberId);
  if (!target) return refuse('member-not-found');
  if (target.role !== 'supervisor') return refuse('wrong-role');
  const next: Room = { ...room, hostId: target.id };
  const event: RegistryEvent = {
    type: 'host-changed',
    code: room.code,
    hostId: target.id,
    previousHostId: input.actorId,
    reason: 'transfer',
  };
  return done(withRoom(state, next), [event], next);
}

/** The host ends the room for everyone. */
export function terminateRoom(state: RegistryState, input: { code: string; actorId: string }): Outcome<void> {
  const room = state.rooms.get(input.code);
  if (!room) return refuse('room-not-found');
  if (room.hostId !== input.actorId) return refuse('not-host');
  return done(
    withoutRoom(state, room),
    [{ type: 'room-terminated', code: room.code, room, reason: 'ended-by-host' }],
    undefined,
  );
}

/** A student says they started or stopped sharing their screen; stopping after a share is remembered as "stopped". */
export function setSharing(
  state: RegistryState,
  input: { code: string; memberId: string; sharing: boolean },
  ctx: Pick<Context, 'now'>,
): Outcome<void> {
  const seat = seatIn(state, input.code, input.memberId);
  if ('error' in seat) return seat;
  const { room, member } = seat;
  if (member.role !== 'student') return refuse('wrong-role');
  if ((member.share === 'sharing') === input.sharing) return done(state, [], undefined);
  const shared = shareChanged(room.classroom, member, input.sharing, ctx.now);
  // A student who stops sharing ends the showing of their screen to the class.
  const [classroom, ended] = input.sharing
    ? [shared, []]
    : presentationAfter(shared, room.code, member, 'stopped-sharing');
  const next = { ...withMember(room, { ...member, share: input.sharing ? 'sharing' : 'stopped' }), classroom };
  const type = input.sharing ? 'share-started' : 'share-stopped';
  return done(withRoom(state, next), [{ type, code: room.code, memberId: member.id }, ...ended], undefined);
}

/**
 * A member uses a classroom tool (raise or lower a hand, send or acknowledge a message or link,
 * ask for or release attention, tell a student of a snapshot, show a screen to the class): the
 * table is `classroom.ts`, each tool's rules a module in `tools/`. The value is the action's own
 * result (`ClassroomResult<typeof action>`: a `Hand` for 'raise-hand', null for 'lower-hand' ...).
 */
export function classroomAction<A extends ClassroomAction>(
  state: RegistryState,
  input: { code: string; actorId: string; action: A },
  ctx: Pick<Context, 'now' | 'random'>,
): Outcome<ClassroomResult<A>> {
  const seat = seatIn(state, input.code, input.actorId);
  if ('error' in seat) return seat;
  const { room, member: actor } = seat;
  const outcome = applyClassroom(room, actor, input.action, ctx.now, () => hex(ctx.random(6)));
  if (!outcome.ok) return outcome;
  if (outcome.classroom === room.classroom) return done(state, outcome.events, outcome.value);
  return done(withRoom(state, { ...room, classroom: outcome.classroom }), outcome.events, outcome.value);
}

/** The member who is host, if any. */
export function hostOf(room: Room): Member | undefined {
  return room.members.find((m) => m.id === room.hostId);
}
