/**
 * What every classroom tool's handler is given and returns, and the lookups several tools share.
 * Pure: no I/O, no clock (the store's time comes in as `now`), no logging.
 */
import type { Classroom, ClassroomEvent } from '../classroom.ts';
import type { Member, RegistryError, Room } from '../room-registry.ts';

/** What a handler is given besides its action: the room, the member acting, the store's time and an id maker. */
export interface ToolCall {
  readonly room: Room;
  readonly actor: Member;
  readonly now: number;
  /** A fresh id, for a message, an attention request or a presentation. */
  readonly newId: () => string;
}

/** A handler's result: the room's new tools, what happened and the action's value, or why it was refused (nothing changed). */
export type ToolOutcome<V> =
  | {
      readonly ok: true;
      readonly classroom: Classroom;
      readonly events: ClassroomEvent[];
      readonly value: V;
    }
  | { readonly ok: false; readonly error: RegistryError };

/** The action was refused: nothing changes. */
export function refuse(error: RegistryError): ToolOutcome<never> {
  return { ok: false, error };
}

/** The action ran: the room's tools become `classroom`, `events` happened, the caller gets `value`. */
export function done<V>(classroom: Classroom, events: ClassroomEvent[], value: V): ToolOutcome<V> {
  return { ok: true, classroom, events, value };
}

/** The student with this member id, if one is in the room (a supervisor's id finds nobody). */
export function studentIn(room: Room, id: string): Member | undefined {
  return room.members.find((m) => m.id === id && m.role === 'student');
}

/** The member a supervisor aims a tool at, who must be a student: the student, or why not. */
export function targetStudent(room: Room, id: string): Member | RegistryError {
  const target = room.members.find((m) => m.id === id);
  if (!target) return 'member-not-found';
  return target.role === 'student' ? target : 'invalid-target';
}
