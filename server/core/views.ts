/**
 * What each member may see of a room, and how registry events become wire events for them.
 * Pure. The rule: supervisors see everyone; students see the supervisors and themselves; a peer id
 * is shown only where the viewer may open a media connection to that member (or it is their own).
 */
import type { MemberView, RoomEvent, RoomSummary, RoomView, Routes } from '../../src/shared/protocol.ts';
import { hostOf, type Member, type RegistryEvent, type Room } from './room-registry.ts';

/** Whether `viewer` may know that `subject` is in the room. */
export function canSee(viewer: Member, subject: Pick<Member, 'id' | 'role'>): boolean {
  return viewer.role === 'supervisor' || subject.role === 'supervisor' || subject.id === viewer.id;
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
  };
  if (viewer.role === 'supervisor') view.supervisorKey = room.supervisorKey;
  return view;
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
  };
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
    case 'host-changed':
      return { type: 'host-changed', hostId: event.hostId, previousHostId: event.previousHostId, reason: event.reason };
    case 'room-terminated':
      return { type: 'room-terminated', reason: event.reason };
  }
}
