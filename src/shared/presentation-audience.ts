/**
 * Who watches the screen shown to the class, and by which path: the one rule that the relay host
 * (students the relay calls) and the presenter's browser (students it calls itself) both follow.
 * Pure: no DOM, no Node, no clock.
 */
import { presentsThroughRelay, watchesThroughRelay, type Role, type Routes } from './protocol.ts';

/** A member as the rule reads them: a server's member, or a member view in the presenter's app. */
export interface AudienceMember {
  readonly id: string;
  readonly role: Role;
  /** Whether their PeerServer connection is up: only then can they answer a call. */
  readonly connected: boolean;
  /** Their PeerServer id, where known: nobody can call them without it. */
  readonly peerId?: string | null;
}

/** The shown screen as the rule reads it: who presents, and whose screen it is (none: the presenter's own). */
export interface ShownScreen {
  readonly presenterId: string;
  readonly studentId?: string | null;
}

/**
 * The students who watch `shown`, split by path: those the relay calls, and those the presenter
 * calls directly. A student watches while connected to PeerServer with a peer id to call, unless
 * theirs is the screen shown; the routes say which path (without routes: every one directly).
 */
export function presentationAudience<M extends AudienceMember>(
  shown: ShownScreen,
  members: readonly M[],
  routes: Routes | null,
): { throughRelay: M[]; direct: M[] } {
  const throughRelay: M[] = [];
  const direct: M[] = [];
  for (const member of members) {
    if (member.role !== 'student' || !member.connected || !member.peerId || member.id === shown.studentId) continue;
    if (routes && watchesThroughRelay(routes, shown.presenterId, member.id)) throughRelay.push(member);
    else direct.push(member);
  }
  return { throughRelay, direct };
}

/**
 * The students the relay keeps a standing call to, shown or not (the relay's `stage`): in a room
 * that shows its screens through the relay, while a supervisor who would present that way is
 * connected, every connected student who would watch that way. Show then costs each a keyframe.
 */
export function stageAudience<M extends AudienceMember>(members: readonly M[], routes: Routes): M[] {
  const presenter = members.some((m) => m.role === 'supervisor' && m.connected && presentsThroughRelay(routes, m.id));
  if (!presenter) return [];
  return members.filter(
    (m) => m.role === 'student' && m.connected && !!m.peerId && !routes.directMembers.includes(m.id),
  );
}
