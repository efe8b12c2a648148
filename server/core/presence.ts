/**
 * PeerServer's side of the registry and its deadlines: who may connect and signal, connections
 * opening and closing, `sweep`, and a member's removal (leaving, kicked or timed out).
 * Pure: no I/O, no timers, no clock (`ctx.now`).
 */
import { routesDiffer, type LeaveReason } from '../../src/shared/protocol.ts';
import { withoutExpiredWaits } from './admission.ts';
import { memberLeft, presentationAfter } from './classroom.ts';
import { done, findByPeer, withMember, withoutRoom, withRoom } from './registry-state.ts';
import { rerouted, withRerouted } from './rerouting.ts';
import type { Context, Member, Outcome, RegistryEvent, RegistryState, Room, Seat } from './room-registry.ts';
import { withoutMember } from './routes.ts';
import { hashToken, sameSecret } from './secrets.ts';

/** Finds the member behind a PeerServer id, if the token matches; used to admit a PeerServer connection. */
export function authenticatePeer(state: RegistryState, peerId: string, token: string): Seat | undefined {
  const seat = findByPeer(state, peerId);
  return seat && sameSecret(hashToken(token), seat.member.tokenHash) ? seat : undefined;
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

/** PeerServer accepted the member's connection. Unknown peers are ignored. */
export function peerConnected(state: RegistryState, peerId: string, ctx: Context): Outcome<void> {
  const found = findByPeer(state, peerId);
  if (!found || found.member.connected) return done(state, [], undefined);
  const { room, member } = found;
  const events: RegistryEvent[] = [{ type: 'member-connected', code: room.code, memberId: member.id }];
  let connected = withMember(room, { ...member, connected: true, offlineSince: null });
  if (member.role === 'supervisor' && !room.claimed) connected = { ...connected, claimed: true };
  return done(withRerouted(state, connected, ctx, events), events, undefined);
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
  const disconnected = withMember(room, { ...member, connected: false, offlineSince: ctx.now });
  return done(withRerouted(state, disconnected, ctx, events), events, undefined);
}

/**
 * Applies the deadlines: removes members offline past the reconnect grace period (promoting a new
 * host where needed), closes rooms that have had no supervisor for the empty-room time, closes
 * rooms no supervisor ever connected to within the unclaimed-room time (rooms made and abandoned,
 * by a script or by mistake, must not hold a place for the empty-room time), drops the waits to be
 * let in that nobody asked after (`withoutExpiredWaits`), and lets routes whose hold time ran out switch.
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
    const waited = next.rooms.get(code);
    const kept = waited && withoutExpiredWaits(waited, ctx.now);
    if (kept && kept !== waited) {
      next = withRoom(next, kept);
      events.push({ type: 'waiting-changed', code });
    }
    const room = next.rooms.get(code);
    const unclaimed = room !== undefined && !room.claimed && ctx.now - room.createdAt >= unclaimedRoomTtlMs;
    if (room && (unclaimed || (room.orphanedSince !== null && ctx.now - room.orphanedSince >= emptyRoomTtlMs))) {
      next = withoutRoom(next, room);
      events.push({ type: 'room-terminated', code, room, reason: 'expired' });
    } else if (room) {
      next = withRerouted(next, room, ctx, events);
    }
  }
  return done(next, events, undefined);
}

/** Removes a member (`reason` says why): their hand, presentation and routes go, a new host is found if they were it. */
export function removeMember(
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

/** Connected supervisors first, then by time in the room. */
function longestPresentSupervisor(members: readonly Member[]): Member | undefined {
  const supervisors = members.filter((m) => m.role === 'supervisor');
  return supervisors.find((m) => m.connected) ?? supervisors[0];
}
