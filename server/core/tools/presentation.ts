/**
 * Show to class: a supervisor shows their own screen or one sharing student's to every student,
 * one at a time; it ends when stopped or when the member it depends on goes. Only who shows what:
 * the media travel outside the server. Pure: no I/O, no clock.
 */
import type { PresentationEndReason } from '../../../src/shared/protocol.ts';
import type { ActionOf, Classroom, ClassroomEvent } from '../classroom.ts';
import type { Member } from '../room-registry.ts';
import { done, refuse, targetStudent, type ToolCall, type ToolOutcome } from './tool.ts';

/**
 * A screen shown to the class: a supervisor's own (`studentId` null) or one student's, chosen by a
 * supervisor. The media travel outside the server; this is only who shows what, so views can say it.
 */
export interface Presentation {
  readonly id: string;
  /** The supervisor who started it: their browser sends the screen to every student. */
  readonly presenterId: string;
  readonly presenterName: string;
  /** The student whose screen is shown, or null for the presenter's own screen. */
  readonly studentId: string | null;
  /** The name students see on the viewer: the presenter's, or the shown student's. */
  readonly name: string;
  readonly since: number;
}

/** Starts showing a screen; one at a time, so a second teacher stops the first one's before showing another. */
export function startPresentation(
  { room, actor, now, newId }: ToolCall,
  action: ActionOf<'start-presentation'>,
): ToolOutcome<Presentation> {
  const tools = room.classroom;
  if (actor.role !== 'supervisor') return refuse('wrong-role');
  if (tools.presentation) return refuse('presentation-active');
  let name = actor.name;
  if (action.studentId !== null) {
    const target = targetStudent(room, action.studentId);
    if (typeof target === 'string') return refuse(target);
    // The presenter forwards the screen it already receives: there is none while the student is not sharing.
    if (target.share !== 'sharing') return refuse('not-sharing');
    name = target.name;
  }
  const presentation: Presentation = {
    id: newId(),
    presenterId: actor.id,
    presenterName: actor.name,
    studentId: action.studentId,
    name,
    since: now,
  };
  return done(
    { ...tools, presentation },
    [{ type: 'presentation-started', code: room.code, presentation }],
    presentation,
  );
}

/** A supervisor stops the screen shown, if one is. */
export function stopPresentation({ room, actor }: ToolCall): ToolOutcome<null> {
  const tools = room.classroom;
  if (actor.role !== 'supervisor') return refuse('wrong-role');
  if (!tools.presentation) return done(tools, [], null);
  const [next, events] = endPresentation(tools, room.code, 'stopped', actor.name);
  return done(next, events, null);
}

/**
 * The presentation ends by itself when the member it depends on goes: its presenter leaves
 * ('presenter-left'), or the shown student leaves ('student-left') or stops sharing
 * ('student-stopped'); otherwise nothing changes.
 */
export function presentationAfter(
  tools: Classroom,
  code: string,
  member: Pick<Member, 'id'>,
  why: 'left' | 'stopped-sharing',
): [Classroom, ClassroomEvent[]] {
  const shown = tools.presentation;
  if (!shown) return [tools, []];
  if (why === 'left' && shown.presenterId === member.id) return endPresentation(tools, code, 'presenter-left', null);
  if (shown.studentId !== member.id) return [tools, []];
  return endPresentation(tools, code, why === 'left' ? 'student-left' : 'student-stopped', null);
}

function endPresentation(
  tools: Classroom,
  code: string,
  reason: PresentationEndReason,
  byName: string | null,
): [Classroom, ClassroomEvent[]] {
  if (!tools.presentation) return [tools, []];
  const event: ClassroomEvent = {
    type: 'presentation-ended',
    code,
    presentation: tools.presentation,
    reason,
    byName,
  };
  return [{ ...tools, presentation: null }, [event]];
}
