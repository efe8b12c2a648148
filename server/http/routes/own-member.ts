/** The caller's own seat as the create and join replies give it (with its token); no rule here. */
import type { OwnMember } from '../../../src/shared/protocol.ts';
import type { Member } from '../../core/room-registry.ts';

/** A member with the token only they receive. */
export function ownMember(member: Member, token: string): OwnMember {
  return { id: member.id, role: member.role, name: member.name, peerId: member.peerId, token };
}
