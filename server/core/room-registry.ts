/**
 * The room registry: who is in which room, in what role, and who is host.
 * Pure: every operation takes the state plus `now` and an entropy source and returns the new state
 * and the events that happened. No I/O, no timers, no clock, no logging.
 */
import {
  CODE_ALPHABET,
  CODE_LENGTH,
  isRelayed,
  normalizeCode,
  pairKey,
  sendsToRelay,
  type HostChangeReason,
  type LeaveReason,
  type Role,
  type ShareStatus,
  type TerminateReason,
  routesDiffer,
} from '../../src/shared/protocol.ts';
import {
  decideRoutes,
  initialRoutes,
  withFailure,
  withoutMember,
  type RelayPolicy,
  type RoomRoutes,
} from './routes.ts';
import { placeRoom, workerLoads } from './placement.ts';
import {
  applyClassroom,
  emptyClassroom,
  memberLeft,
  presentationAfter,
  shareChanged,
  studentJoined,
  type Classroom,
  type ClassroomAction,
  type ClassroomEvent,
  type ClassroomResult,
} from './classroom.ts';
import { hashToken, sameHash } from './secrets.ts';

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
}

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
  | 'too-many-rooms'
  | 'too-many-rooms-from-address'
  | 'invalid-target'
  | 'message-not-found'
  | 'attention-not-active'
  | 'presentation-active'
  | 'not-sharing';

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
});

/**
 * Opens a room with its host as the first supervisor. `address` is the creator's network address:
 * one address may hold only `maxRoomsPerAddress` open rooms, so a few machines cannot fill the server.
 */
export function createRoom(
  state: RegistryState,
  input: { name: string; hostName: string; listed: boolean; address: string },
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
  };
  // A room is born with its routes: no event, its first snapshot already shows them.
  const room = rerouted(opened, state, ctx);
  return done(withRoom(state, room), [{ type: 'room-created', code }], { room, member: host, token });
}

/** Adds a student, or a supervisor who holds the room's key; a supervisor joining an empty room becomes host. */
export function joinRoom(
  state: RegistryState,
  input: { code: string; name: string; role: Role; supervisorKey?: string | undefined },
  ctx: Context,
): Outcome<NewSeat> {
  const room = state.rooms.get(normalizeCode(input.code));
  if (!room) return refuse('room-not-found');
  if (input.role === 'supervisor') {
    const key = normalizeCode(input.supervisorKey ?? '');
    if (!constantTimeEqual(key, normalizeCode(room.supervisorKey))) return refuse('wrong-supervisor-key');
  }
  if (room.members.length >= ctx.limits.maxMembersPerRoom) return refuse('room-full');

  const [member, token] = newMember(input.role, uniqueName(room, input.name), ctx);
  const classroom = member.role === 'student' ? studentJoined(room.classroom, member) : room.classroom;
  let next: Room = { ...room, members: [...room.members, member], classroom };
  const events: RegistryEvent[] = [{ type: 'member-joined', code: room.code, memberId: member.id }];
  if (member.role === 'supervisor' && room.hostId === null) {
    next = { ...next, hostId: member.id, orphanedSince: null };
    events.push({ type: 'host-changed', code: room.code, hostId: member.id, previousHostId: null, reason: 'claimed' });
  }
  next = reroute(next, state, ctx, events);
  return done(withRoom(state, next), events, { room: next, member, token });
}

/** Finds the member a bearer token belongs to in a room. */
export function authenticate(state: RegistryState, code: string, token: string): Outcome<Seat> {
  const room = state.rooms.get(normalizeCode(code));
  if (!room) return refuse('room-not-found');
  const presented = hashToken(token);
  const member = room.members.find((m) => sameHash(m.tokenHash, presented));
  if (!member) return refuse('unauthorized');
  return done(state, [], { room, member });
}

/** Finds the member behind a PeerServer id, if the token matches; used to admit a PeerServer connection. */
export function authenticatePeer(state: RegistryState, peerId: string, token: string): Seat | undefined {
  const room = state.rooms.get(state.roomByPeer.get(peerId) ?? '');
  const member = room?.members.find((m) => m.peerId === peerId);
  if (!room || !member || !sameHash(member.tokenHash, hashToken(token))) return undefined;
  return { room, member };
}

/**
 * Whether PeerServer may pass signalling (offer, answer, candidate, leave) from one peer id to
 * another: between a student and a supervisor of the same room, and between any relay worker and
 * any current member. A worker is not held to the routes or to its own rooms: it keeps calls for up to LINGER_MS after the
 * routes stop using them, and their hang-ups and candidates must still arrive.
 */
export function maySignal(
  state: RegistryState,
  fromPeerId: string,
  toPeerId: string,
  relayPeerIds: readonly string[],
): boolean {
  if (fromPeerId === toPeerId) return false;
  const fromRelay = relayPeerIds.includes(fromPeerId);
  if (fromRelay || relayPeerIds.includes(toPeerId)) {
    return state.roomByPeer.has(fromRelay ? toPeerId : fromPeerId);
  }
  const from = findByPeer(state, fromPeerId);
  const to = findByPeer(state, toPeerId);
  return !!from && !!to && from.room.code === to.room.code && from.member.role !== to.member.role;
}

/** The member leaves of their own accord. */
export function leaveRoom(
  state: RegistryState,
  input: { code: string; memberId: string },
  ctx: Context,
): Outcome<void> {
  const room = state.rooms.get(input.code);
  if (!room) return refuse('room-not-found');
  if (!room.members.some((m) => m.id === input.memberId)) return refuse('member-not-found');
  const [next, events] = removeMember(state, room, input.memberId, 'left', ctx);
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
  const room = state.rooms.get(input.code);
  if (!room) return refuse('room-not-found');
  const member = room.members.find((m) => m.id === input.memberId);
  if (!member) return refuse('member-not-found');
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
 * A relay worker came up or went down (the first report also makes it known to placement): the
 * routes of every room placed on it follow at once, and rooms without a worker are placed.
 */
export function setRelayUp(state: RegistryState, input: { peerId: string; up: boolean }, ctx: Context): Outcome<void> {
  if (state.relays.get(input.peerId) === input.up) return done(state, [], undefined);
  let next: RegistryState = { ...state, relays: new Map(state.relays).set(input.peerId, input.up) };
  const events: RegistryEvent[] = [];
  for (const room of state.rooms.values()) {
    const after = reroute(room, next, ctx, events);
    if (after !== room) next = withRoom(next, after);
  }
  return done(next, events, undefined);
}

/** Relay workers no longer configured are forgotten; their rooms are placed on the others. */
export function keepRelays(state: RegistryState, input: { peerIds: readonly string[] }, ctx: Context): Outcome<void> {
  const relays = new Map([...state.relays].filter(([peerId]) => input.peerIds.includes(peerId)));
  if (relays.size === state.relays.size) return done(state, [], undefined);
  let next: RegistryState = { ...state, relays };
  const events: RegistryEvent[] = [];
  for (const room of state.rooms.values()) {
    const after = reroute(room, next, ctx, events);
    if (after !== room) next = withRoom(next, after);
  }
  return done(next, events, undefined);
}

/**
 * A member's media connection never came up: with a member of the other role (direct) or with the
 * relay. Counted only while that connection is the route in use; the routes then decide whether the
 * pair is relayed or the member goes direct. The value says whether the report counted.
 */
export function reportConnectionFailure(
  state: RegistryState,
  input: { code: string; memberId: string; with: string },
  ctx: Context,
): Outcome<boolean> {
  const room = state.rooms.get(input.code);
  if (!room) return refuse('room-not-found');
  const member = room.members.find((m) => m.id === input.memberId);
  if (!member) return refuse('member-not-found');
  let key: string;
  if (input.with === 'relay') {
    const viaRelay =
      member.role === 'student'
        ? sendsToRelay(room.routes, member.id)
        : room.members.some((m) => m.role === 'student' && isRelayed(room.routes, m.id, member.id));
    if (!viaRelay) return done(state, [], false);
    key = `relay/${member.id}`;
  } else {
    const other = room.members.find((m) => m.id === input.with);
    if (!other) return refuse('member-not-found');
    if (other.id === member.id) return refuse('invalid-target');
    if (other.role === member.role) return refuse('wrong-role');
    const [studentId, supervisorId] = member.role === 'student' ? [member.id, other.id] : [other.id, member.id];
    if (isRelayed(room.routes, studentId, supervisorId)) return done(state, [], false);
    key = pairKey(studentId, supervisorId);
  }
  const events: RegistryEvent[] = [];
  const next = reroute({ ...room, routes: withFailure(room.routes, key) }, state, ctx, events);
  return done(withRoom(state, next), events, true);
}

/** PeerServer accepted the member's connection. Unknown peers are ignored. */
export function peerConnected(state: RegistryState, peerId: string, ctx: Context): Outcome<void> {
  const found = findByPeer(state, peerId);
  if (!found || found.member.connected) return done(state, [], undefined);
  const { room, member } = found;
  const events: RegistryEvent[] = [{ type: 'member-connected', code: room.code, memberId: member.id }];
  let connected = withMember(room, { ...member, connected: true, offlineSince: null });
  if (member.role === 'supervisor' && !room.claimed) connected = { ...connected, claimed: true };
  const next = reroute(connected, state, ctx, events);
  return done(withRoom(state, next), events, undefined);
}

/**
 * The member's PeerServer connection closed. They keep their seat (and sharing flag, which only
 * they set) for the reconnect grace period; `sweep` removes them after it.
 */
export function peerDisconnected(state: RegistryState, peerId: string, ctx: Context): Outcome<void> {
  const found = findByPeer(state, peerId);
  if (!found || !found.member.connected) return done(state, [], undefined);
  const { room, member } = found;
  const events: RegistryEvent[] = [{ type: 'member-disconnected', code: room.code, memberId: member.id }];
  const next = reroute(withMember(room, { ...member, connected: false, offlineSince: ctx.now }), state, ctx, events);
  return done(withRoom(state, next), events, undefined);
}

/**
 * Applies the deadlines: removes members offline past the reconnect grace period (promoting a new
 * host where needed), closes rooms that have had no supervisor for the empty-room time, closes
 * rooms no supervisor ever connected to within the unclaimed-room time (rooms made and abandoned,
 * by a script or by mistake, must not hold a place for the empty-room time), and lets routes whose
 * hold time ran out switch.
 */
export function sweep(state: RegistryState, ctx: Context): Outcome<void> {
  let next = state;
  const events: RegistryEvent[] = [];
  const { reconnectGraceMs, emptyRoomTtlMs, unclaimedRoomTtlMs } = ctx.limits;
  for (const code of state.rooms.keys()) {
    for (const member of state.rooms.get(code)?.members ?? []) {
      if (member.offlineSince === null || ctx.now - member.offlineSince < reconnectGraceMs) continue;
      const room = next.rooms.get(code);
      if (!room) break;
      const [after, happened] = removeMember(next, room, member.id, 'timed-out', ctx);
      next = after;
      events.push(...happened);
    }
    const room = next.rooms.get(code);
    const unclaimed = room !== undefined && !room.claimed && ctx.now - room.createdAt >= unclaimedRoomTtlMs;
    if (room && (unclaimed || (room.orphanedSince !== null && ctx.now - room.orphanedSince >= emptyRoomTtlMs))) {
      next = withoutRoom(next, room);
      events.push({ type: 'room-terminated', code, room, reason: 'expired' });
    } else if (room) {
      const after = reroute(room, next, ctx, events);
      if (after !== room) next = withRoom(next, after);
    }
  }
  return done(next, events, undefined);
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
  const room = state.rooms.get(input.code);
  if (!room) return refuse('room-not-found');
  const actor = room.members.find((m) => m.id === input.actorId);
  if (!actor) return refuse('member-not-found');
  const outcome = applyClassroom(room, actor, input.action, ctx.now, () => hex(ctx.random(6)));
  if (!outcome.ok) return outcome;
  if (outcome.classroom === room.classroom) return done(state, outcome.events, outcome.value);
  return done(withRoom(state, { ...room, classroom: outcome.classroom }), outcome.events, outcome.value);
}

/** The member who is host, if any. */
export function hostOf(room: Room): Member | undefined {
  return room.members.find((m) => m.id === room.hostId);
}

// ---------------------------------------------------------------------------------------------

function removeMember(
  state: RegistryState,
  room: Room,
  memberId: string,
  reason: LeaveReason,
  ctx: Context,
): [RegistryState, RegistryEvent[]] {
  const member = room.members.find((m) => m.id === memberId);
  if (!member) return [state, []];
  const members = room.members.filter((m) => m.id !== memberId);
  const events: RegistryEvent[] = [{ type: 'member-left', code: room.code, member, reason }];
  // Routes and failures of a member who left mean nothing any more.
  const [classroom, ended] = presentationAfter(memberLeft(room.classroom, member, ctx.now), room.code, member, 'left');
  events.push(...ended);
  let next: Room = { ...room, members, routes: withoutMember(room.routes, memberId), classroom };
  if (room.hostId === memberId) {
    const successor = longestPresentSupervisor(members);
    next = { ...next, hostId: successor?.id ?? null, orphanedSince: successor ? null : ctx.now };
    events.push({
      type: 'host-changed',
      code: room.code,
      hostId: next.hostId,
      previousHostId: memberId,
      reason: 'promotion',
    });
  }
  next = rerouted(next, state, ctx);
  if (routesDiffer(room.routes, next.routes)) events.push({ type: 'routes-changed', code: room.code });
  const peers = new Map(state.roomByPeer);
  peers.delete(member.peerId);
  const rooms = new Map(state.rooms);
  rooms.set(room.code, next);
  return [{ ...state, rooms, roomByPeer: peers }, events];
}

/**
 * The room with the routes `routes.ts` decides for it now, on its relay worker: the one it was placed
 * on while that worker is known, else the least-loaded one (`placement.ts`).
 */
function rerouted(room: Room, state: RegistryState, ctx: Context): Room {
  let base = room.routes;
  const placed = base.relayPeerId !== null && state.relays.has(base.relayPeerId);
  if (!placed && (state.relays.size > 0 || base.relayPeerId !== null)) {
    const others = [...state.rooms.values()].filter((r) => r.code !== room.code);
    const loads = workerLoads(
      state.relays,
      others.map((r) => ({ relayPeerId: r.routes.relayPeerId, members: r.members.length })),
    );
    const relayPeerId = placeRoom(loads);
    if (relayPeerId !== base.relayPeerId) base = { ...base, relayPeerId };
  }
  const relayUp = base.relayPeerId !== null && state.relays.get(base.relayPeerId) === true;
  const decided = decideRoutes(ctx.routing, base, { members: room.members, relayUp }, ctx.now);
  return decided === room.routes ? room : { ...room, routes: decided };
}

/** `rerouted`, and a `routes-changed` event when members would see a difference. */
function reroute(room: Room, state: RegistryState, ctx: Context, events: RegistryEvent[]): Room {
  const next = rerouted(room, state, ctx);
  if (routesDiffer(room.routes, next.routes)) events.push({ type: 'routes-changed', code: room.code });
  return next;
}

/** Connected supervisors first, then by time in the room. */
function longestPresentSupervisor(members: readonly Member[]): Member | undefined {
  const supervisors = members.filter((m) => m.role === 'supervisor');
  return supervisors.find((m) => m.connected) ?? supervisors[0];
}

function findByPeer(state: RegistryState, peerId: string): Seat | undefined {
  const room = state.rooms.get(state.roomByPeer.get(peerId) ?? '');
  const member = room?.members.find((m) => m.peerId === peerId);
  return room && member ? { room, member } : undefined;
}

function withRoom(state: RegistryState, room: Room): RegistryState {
  const rooms = new Map(state.rooms);
  rooms.set(room.code, room);
  const missing = room.members.filter((m) => state.roomByPeer.get(m.peerId) !== room.code);
  if (missing.length === 0) return { ...state, rooms };
  const peers = new Map(state.roomByPeer);
  for (const m of missing) peers.set(m.peerId, room.code);
  return { ...state, rooms, roomByPeer: peers };
}

function withoutRoom(state: RegistryState, room: Room): RegistryState {
  const rooms = new Map(state.rooms);
  rooms.delete(room.code);
  const peers = new Map(state.roomByPeer);
  for (const m of room.members) peers.delete(m.peerId);
  return { ...state, rooms, roomByPeer: peers };
}

function withMember(room: Room, member: Member): Room {
  return { ...room, members: room.members.map((m) => (m.id === member.id ? member : m)) };
}

/** A new member and their bearer token (returned once; the member keeps only its hash). */
function newMember(role: Role, name: string, ctx: Context): [Member, string] {
  const id = hex(ctx.random(8));
  const peerId = hex(ctx.random(16));
  const token = base64url(ctx.random(32));
  const member: Member = {
    id,
    role,
    name,
    peerId,
    tokenHash: hashToken(token),
    joinedAt: ctx.now,
    connected: false,
    offlineSince: ctx.now,
    share: 'never',
  };
  return [member, token];
}

/**
 * "Sam", then "Sam (2)", "Sam (3)" ... Names are compared in a folded form, so ones that only look
 * different (full-width "Ｓａｍ", "SAM", ligatures) get the visible suffix too.
 */
function uniqueName(room: Room, name: string): string {
  const taken = new Set(room.members.map((m) => foldName(m.name)));
  if (!taken.has(foldName(name))) return name;
  let n = 2;
  while (taken.has(foldName(`${name} (${n})`))) n++;
  return `${name} (${n})`;
}

/** The form names are compared in: compatibility-normalised (NFKC) and case-folded. */
export function foldName(name: string): string {
  // Upper then lower case folds what lower case alone does not (ß and SS, ſ and s).
  return name.normalize('NFKC').toUpperCase().toLowerCase().normalize('NFKC');
}

function randomCode(ctx: Context): string {
  return fromAlphabet(ctx.random(CODE_LENGTH));
}

/** Three groups of four, e.g. "K7QM-3XTA-PW9D": about 60 bits, easy to read out to a colleague. */
function randomSupervisorKey(ctx: Context): string {
  const chars = fromAlphabet(ctx.random(12));
  return `${chars.slice(0, 4)}-${chars.slice(4, 8)}-${chars.slice(8)}`;
}

/** 256 is a multiple of the 32-letter alphabet, so `byte % 32` is unbiased. */
function fromAlphabet(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += CODE_ALPHABET[b % CODE_ALPHABET.length];
  return out;
}

function hex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}

function base64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

/** Compares secrets without an early exit, so timing does not reveal how much of a guess was right. */
function constantTimeEqual(a: string, b: string): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i % Math.max(b.length, 1));
  return diff === 0;
}

function refuse(error: RegistryError): Outcome<never> {
  return { ok: false, error };
}

function done<T>(state: RegistryState, events: RegistryEvent[], value: T): Outcome<T> {
  return { ok: true, state, events, value };
}
