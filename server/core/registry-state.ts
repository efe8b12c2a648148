/**
 * How the registry's operations find things in its state and build the next one: finding a seat,
 * putting a room back or taking it out, and the outcome constructors. Pure, never mutates its input.
 */
import type { Member, Outcome, RegistryError, RegistryEvent, RegistryState, Room, Seat } from './room-registry.ts';

/** A refused operation, whatever it would have returned. */
export type Refusal = Extract<Outcome<never>, { ok: false }>;

/** The operation was refused: nothing changed. */
export function refuse(error: RegistryError): Refusal {
  return { ok: false, error };
}

/** The operation ran: the registry becomes `state`, `events` happened, the caller gets `value`. */
export function done<T>(state: RegistryState, events: RegistryEvent[], value: T): Outcome<T> {
  return { ok: true, state, events, value };
}

/** The room `code` and its member `memberId`, or the refusal that says which is missing. */
export function seatIn(state: RegistryState, code: string, memberId: string): Seat | Refusal {
  const room = state.rooms.get(code);
  if (!room) return refuse('room-not-found');
  const member = room.members.find((m) => m.id === memberId);
  return member ? { room, member } : refuse('member-not-found');
}

/** The room and member behind a PeerServer id, if any. */
export function findByPeer(state: RegistryState, peerId: string): Seat | undefined {
  const room = state.rooms.get(state.roomByPeer.get(peerId) ?? '');
  const member = room?.members.find((m) => m.peerId === peerId);
  return room && member ? { room, member } : undefined;
}

/** The state with `room` put in (new or replacing its old self), its members' peer ids indexed. */
export function withRoom(state: RegistryState, room: Room): RegistryState {
  const rooms = new Map(state.rooms);
  rooms.set(room.code, room);
  const missing = room.members.filter((m) => state.roomByPeer.get(m.peerId) !== room.code);
  if (missing.length === 0) return { ...state, rooms };
  const peers = new Map(state.roomByPeer);
  for (const m of missing) peers.set(m.peerId, room.code);
  return { ...state, rooms, roomByPeer: peers };
}

/** The state without `room` and its members' peer ids. */
export function withoutRoom(state: RegistryState, room: Room): RegistryState {
  const rooms = new Map(state.rooms);
  rooms.delete(room.code);
  const peers = new Map(state.roomByPeer);
  for (const m of room.members) peers.delete(m.peerId);
  return { ...state, rooms, roomByPeer: peers };
}

/** The room with `member` replacing the member of the same id. */
export function withMember(room: Room, member: Member): Room {
  return { ...room, members: room.members.map((m) => (m.id === member.id ? member : m)) };
}
