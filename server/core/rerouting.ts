/**
 * How a room's screens travel, as the registry keeps it: every operation that can change the
 * routes calls `reroute`, which asks `routes.ts` and `placement.ts`; relay workers coming and going
 * and failed connections are operations of their own. Pure: no I/O, no clock (`ctx.now`).
 */
import { isRelayed, pairKey, relayCarries, routesDiffer, sendsToRelay } from '../../src/shared/protocol.ts';
import { placeRoom, workerLoads } from './placement.ts';
import { done, refuse, seatIn, withRoom, type Refusal } from './registry-state.ts';
import type { Context, Member, Outcome, RegistryEvent, RegistryState, Room } from './room-registry.ts';
import { networkPath, rememberNetwork } from './networks.ts';
import { decideRoutes, isolationSeen, withFailure, withRelayWorking } from './routes.ts';

/**
 * A relay worker came up or went down (the first report also makes it known to placement): the
 * routes of every room placed on it follow at once, and rooms without a worker are placed.
 */
export function setRelayUp(state: RegistryState, input: { peerId: string; up: boolean }, ctx: Context): Outcome<void> {
  if (state.relays.get(input.peerId) === input.up) return done(state, [], undefined);
  return rerouteAll({ ...state, relays: new Map(state.relays).set(input.peerId, input.up) }, ctx);
}

/**
 * Several relays came up or went down at once (a server that just started learns its workers and the
 * nodes of its last process together): one rerouting after all of them, so a room placed on any of
 * them stays placed, where one `setRelayUp` at a time would move it to a relay made known first.
 */
export function setRelaysUp(
  state: RegistryState,
  input: { relays: readonly (readonly [peerId: string, up: boolean])[] },
  ctx: Context,
): Outcome<void> {
  const changed = input.relays.filter(([peerId, up]) => state.relays.get(peerId) !== up);
  if (changed.length === 0) return done(state, [], undefined);
  return rerouteAll({ ...state, relays: new Map([...state.relays, ...changed]) }, ctx);
}

/** Relay workers no longer configured are forgotten; their rooms are placed on the others. */
export function keepRelays(state: RegistryState, input: { peerIds: readonly string[] }, ctx: Context): Outcome<void> {
  const relays = new Map([...state.relays].filter(([peerId]) => input.peerIds.includes(peerId)));
  if (relays.size === state.relays.size) return done(state, [], undefined);
  return rerouteAll({ ...state, relays }, ctx);
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
  const seat = seatIn(state, input.code, input.memberId);
  if ('error' in seat) return seat;
  const { room, member } = seat;
  let key: string;
  if (input.with === 'relay') {
    const viaRelay =
      member.role === 'student'
        ? sendsToRelay(room.routes, member.id)
        : room.members.some((m) => m.role === 'student' && relayCarries(room.routes, m.id, member.id));
    if (!viaRelay) return done(state, [], false);
    key = `relay/${member.id}`;
  } else {
    const other = otherEnd(room, member, input.with);
    if ('error' in other) return other;
    const [studentId, supervisorId] = member.role === 'student' ? [member.id, other.id] : [other.id, member.id];
    if (isRelayed(room.routes, studentId, supervisorId)) return done(state, [], false);
    key = pairKey(studentId, supervisorId);
  }
  const events: RegistryEvent[] = [];
  const routes = withFailure(room.routes, key);
  // The network the room was opened from keeps devices apart: its next rooms start on the relay.
  const remembered = isolationSeen(routes)
    ? { ...state, isolatedNetworks: rememberNetwork(state.isolatedNetworks, room.createdBy, ctx.now) }
    : state;
  const next = withRerouted(remembered, { ...room, routes }, ctx, events);
  return done(next, events, true);
}

/**
 * A member's connection with the relay came up: what counted against their link to it is forgotten,
 * so that calls that are only slow to come up (TURN over TCP, a busy device), each reported after a
 * few seconds, never add up to sending the member direct. The value says whether anything was.
 */
export function reportRelayConnection(
  state: RegistryState,
  input: { code: string; memberId: string },
  ctx: Context,
): Outcome<boolean> {
  const seat = seatIn(state, input.code, input.memberId);
  if ('error' in seat) return seat;
  const { room, member } = seat;
  const routes = withRelayWorking(room.routes, member.id);
  if (routes === room.routes) return done(state, [], false);
  const events: RegistryEvent[] = [];
  return done(withRerouted(state, { ...room, routes }, ctx, events), events, true);
}

/**
 * A member's direct call with a member of the other role came up. While the room races its paths
 * this ends the race: devices on its network reach each other, so its screens go peer to peer alone
 * from now on, and rooms opened there later do not race. The value says whether the report counted.
 */
export function reportDirectConnection(
  state: RegistryState,
  input: { code: string; memberId: string; with: string },
  ctx: Context,
): Outcome<boolean> {
  const seat = seatIn(state, input.code, input.memberId);
  if ('error' in seat) return seat;
  const { room, member } = seat;
  const other = otherEnd(room, member, input.with);
  if ('error' in other) return other;
  if (!room.routes.racing) return done(state, [], false);
  const events: RegistryEvent[] = [];
  const remembered = { ...state, directNetworks: rememberNetwork(state.directNetworks, room.createdBy, ctx.now) };
  const next = withRerouted(remembered, { ...room, routes: { ...room.routes, directSeen: true } }, ctx, events);
  return done(next, events, true);
}

/**
 * The room with the routes `routes.ts` decides for it now, on its relay worker: the one it was placed
 * on while that worker is known, else the least-loaded one (`placement.ts`).
 */
export function rerouted(room: Room, state: RegistryState, ctx: Context): Room {
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
  const network = networkPath(state.isolatedNetworks, state.directNetworks, room.createdBy, ctx.now);
  const decided = decideRoutes(ctx.routing, base, { members: room.members, relayUp, network }, ctx.now);
  return decided === room.routes ? room : { ...room, routes: decided };
}

/** `rerouted`, and a `routes-changed` event when members would see a difference. */
export function reroute(room: Room, state: RegistryState, ctx: Context, events: RegistryEvent[]): Room {
  const next = rerouted(room, state, ctx);
  if (routesDiffer(room.routes, next.routes)) events.push({ type: 'routes-changed', code: room.code });
  return next;
}

/** The state with `room` rerouted and put in (as `reroute`, the event into `events`). */
export function withRerouted(state: RegistryState, room: Room, ctx: Context, events: RegistryEvent[]): RegistryState {
  const next = reroute(room, state, ctx, events);
  return next === state.rooms.get(room.code) ? state : withRoom(state, next);
}

/** The member at the other end of a direct call `member` reports on: one of the other role, or the refusal. */
function otherEnd(room: Room, member: Member, withId: string): Member | Refusal {
  const other = room.members.find((m) => m.id === withId);
  if (!other) return refuse('member-not-found');
  if (other.id === member.id) return refuse('invalid-target');
  return other.role === member.role ? refuse('wrong-role') : other;
}

/** Every room rerouted, after the relay workers changed. */
function rerouteAll(state: RegistryState, ctx: Context): Outcome<void> {
  let next = state;
  const events: RegistryEvent[] = [];
  for (const room of state.rooms.values()) next = withRerouted(next, room, ctx, events);
  return done(next, events, undefined);
}
