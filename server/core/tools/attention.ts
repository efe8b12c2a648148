/**
 * The attention request ("Eyes up"): a supervisor starts it (replacing any before), students
 * acknowledge it, a supervisor ends it. Pure: no I/O, no clock.
 */
import type { ActionOf, ClassroomEvent } from '../classroom.ts';
import { done, refuse, type ToolCall, type ToolOutcome } from './tool.ts';

/** The attention request while it lasts. */
export interface Attention {
  readonly id: string;
  readonly byId: string;
  readonly byName: string;
  readonly message: string;
  readonly since: number;
  readonly ackedBy: readonly string[];
}

/** A supervisor starts a request; it replaces the one before, acknowledgements and all. */
export function startAttention(
  { room, actor, now, newId }: ToolCall,
  action: ActionOf<'start-attention'>,
): ToolOutcome<Attention> {
  if (actor.role !== 'supervisor') return refuse('wrong-role');
  const attention: Attention = {
    id: newId(),
    byId: actor.id,
    byName: actor.name,
    message: action.message,
    since: now,
    ackedBy: [],
  };
  return done({ ...room.classroom, attention }, [{ type: 'attention-started', code: room.code, attention }], attention);
}

/** A student acknowledges the request that is on; again changes nothing. */
export function ackAttention({ room, actor }: ToolCall, action: ActionOf<'ack-attention'>): ToolOutcome<null> {
  const tools = room.classroom;
  if (actor.role === 'supervisor') return refuse('wrong-role');
  const attention = tools.attention;
  if (!attention || attention.id !== action.attentionId) return refuse('attention-not-active');
  if (attention.ackedBy.includes(actor.id)) return done(tools, [], null);
  const next: Attention = { ...attention, ackedBy: [...attention.ackedBy, actor.id] };
  const event: ClassroomEvent = {
    type: 'attention-acked',
    code: room.code,
    attentionId: attention.id,
    studentId: actor.id,
  };
  return done({ ...tools, attention: next }, [event], null);
}

/** A supervisor ends the request, if one is on. */
export function endAttention({ room, actor }: ToolCall): ToolOutcome<null> {
  const tools = room.classroom;
  if (actor.role !== 'supervisor') return refuse('wrong-role');
  if (!tools.attention) return done(tools, [], null);
  const event: ClassroomEvent = {
    type: 'attention-ended',
    code: room.code,
    attentionId: tools.attention.id,
    byName: actor.name,
  };
  return done({ ...tools, attention: null }, [event], null);
}
