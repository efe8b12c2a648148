import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  applyClassroom,
  emptyClassroom,
  handlers,
  type ActionOf,
  type Attention,
  type ClassroomAction,
  type ClassroomActionType,
  type ClassroomResult,
  type ClassroomValue,
  type Hand,
  type LessonSites,
  type Message,
  type Presentation,
} from '../../server/core/classroom.ts';
import {
  classroomAction,
  type Member,
  type Outcome,
  type RegistryState,
  type Room,
} from '../../server/core/room-registry.ts';
import { initialRoutes } from '../../server/core/routes.ts';
import { studentIn, targetStudent } from '../../server/core/tools/tool.ts';
import type { Role } from '../../src/shared/protocol.ts';

/** The one context a classroom action needs: the time and random bytes for the ids it makes. */
const clock = { now: 1_000, random: (n: number) => new Uint8Array(n).fill(7) };

function ok<T>(outcome: Outcome<T>) {
  if (!outcome.ok) throw new Error(`expected success, got ${outcome.error}`);
  return outcome;
}

function seated(id: string, role: Role, name: string): Member {
  return {
    id,
    role,
    name,
    peerId: `peer-${id}`,
    tokenHash: '',
    joinedAt: 0,
    connected: true,
    offlineSince: null,
    share: 'never',
  };
}

/** A room with its host teacher and one student, built by hand: the table needs no other operation. */
function classOfOne() {
  const lee = seated('lee', 'supervisor', 'Ms Lee');
  const ada = seated('ada', 'student', 'Ada');
  const room: Room = {
    code: 'ART234',
    name: 'Art',
    listed: false,
    supervisorKey: 'KEY',
    createdAt: 0,
    hostId: lee.id,
    members: [lee, ada],
    orphanedSince: null,
    routes: initialRoutes(0),
    createdBy: '198.51.100.1',
    claimed: true,
    classroom: emptyClassroom,
  };
  const state: RegistryState = {
    rooms: new Map([[room.code, room]]),
    roomByPeer: new Map(),
    relays: new Map(),
    isolatedNetworks: new Map(),
    directNetworks: new Map(),
  };
  return { state, code: room.code, lee, ada };
}

describe('the classroom tools table', () => {
  it('has exactly one handler for every action type', () => {
    const types: readonly ClassroomActionType[] = [
      'raise-hand',
      'lower-hand',
      'send-message',
      'ack-message',
      'start-attention',
      'ack-attention',
      'end-attention',
      'snapshot-taken',
      'start-presentation',
      'stop-presentation',
      'set-sites',
      'lift-sites',
    ];
    expect(Object.keys(handlers).sort()).toEqual([...types].sort());
    for (const type of types) expect(typeof handlers[type]).toBe('function');
  });

  it('gives each action its own result type, and the whole union any of them', () => {
    expectTypeOf<ClassroomResult<ActionOf<'raise-hand'>>>().toEqualTypeOf<Hand>();
    expectTypeOf<ClassroomResult<ActionOf<'send-message'>>>().toEqualTypeOf<Message>();
    expectTypeOf<ClassroomResult<ActionOf<'start-attention'>>>().toEqualTypeOf<Attention>();
    expectTypeOf<ClassroomResult<ActionOf<'start-presentation'>>>().toEqualTypeOf<Presentation>();
    expectTypeOf<ClassroomResult<ActionOf<'lower-hand'>>>().toEqualTypeOf<null>();
    expectTypeOf<ClassroomResult<ActionOf<'stop-presentation'>>>().toEqualTypeOf<null>();
    expectTypeOf<ClassroomResult<ActionOf<'set-sites'>>>().toEqualTypeOf<LessonSites>();
    expectTypeOf<ClassroomValue>().toEqualTypeOf<Hand | Message | Attention | Presentation | LessonSites | null>();
    expectTypeOf<ClassroomResult<ClassroomAction>>().toEqualTypeOf<ClassroomValue>();
  });

  it('returns a caller the precise value of the action it passed, without a cast', () => {
    const { state, code, lee, ada } = classOfOne();
    const raised = ok(
      classroomAction(state, { code, actorId: ada.id, action: { type: 'raise-hand', note: 'Q3' } }, clock),
    );
    expectTypeOf(raised.value).toEqualTypeOf<Hand>();
    expect(raised.value).toEqual({ studentId: ada.id, raisedAt: 1_000, note: 'Q3' });
    const action = { type: 'start-attention', message: 'Eyes up' } as const;
    const asked = ok(classroomAction(raised.state, { code, actorId: lee.id, action }, clock));
    expectTypeOf(asked.value).toEqualTypeOf<Attention>();
    expect(asked.value.message).toBe('Eyes up');
    const lowered = ok(
      classroomAction(asked.state, { code, actorId: lee.id, action: { type: 'lower-hand', studentId: ada.id } }, clock),
    );
    expectTypeOf(lowered.value).toEqualTypeOf<null>();
    expect(lowered.value).toBeNull();
  });

  it('runs the handler registered for the action, with the time and ids it is given', () => {
    const { state, code, lee } = classOfOne();
    const room = state.rooms.get(code)!;
    const outcome = applyClassroom(room, lee, { type: 'start-attention', message: 'Look up' }, 42, () => 'id-1');
    expect(outcome).toEqual({
      ok: true,
      classroom: { ...room.classroom, attention: expect.objectContaining({ id: 'id-1', since: 42 }) },
      events: [expect.objectContaining({ type: 'attention-started', code })],
      value: expect.objectContaining({ id: 'id-1', byId: lee.id, message: 'Look up' }),
    });
  });
});

describe("the tools' shared lookups", () => {
  const seat = (): { room: Room; lee: Member; ada: Member } => {
    const { state, code, lee, ada } = classOfOne();
    return { room: state.rooms.get(code)!, lee, ada };
  };

  it('finds a student by id, and nobody for a supervisor or a stranger', () => {
    const { room, lee, ada } = seat();
    expect(studentIn(room, ada.id)).toBe(room.members.find((m) => m.id === ada.id));
    expect(studentIn(room, lee.id)).toBeUndefined();
    expect(studentIn(room, 'nobody')).toBeUndefined();
  });

  it('says why a target is not a student: not in the room, or not a student', () => {
    const { room, lee, ada } = seat();
    expect(targetStudent(room, ada.id)).toMatchObject({ id: ada.id, role: 'student' });
    expect(targetStudent(room, lee.id)).toBe('invalid-target');
    expect(targetStudent(room, 'nobody')).toBe('member-not-found');
  });
});
