/**
 * The largest views a full room can make: every member fills every field they may, with the
 * characters that cost most on the wire (three UTF-8 bytes each), and the snapshot each viewer is
 * sent must stay within the bound `views.ts` states.
 */
import { describe, expect, it } from 'vitest';
import {
  ATTENTION_MESSAGE_MAX_LENGTH,
  HAND_NOTE_MAX_LENGTH,
  MESSAGE_MAX_LENGTH,
  NAME_MAX_LENGTH,
  ROOM_NAME_MAX_LENGTH,
  URL_MAX_LENGTH,
  type RoomEvent,
} from '../../src/shared/protocol.ts';
import { MAX_MESSAGE_CHARS, MAX_MESSAGES, MAX_REPLIES, MAX_REPLY_CHARS } from '../../server/core/classroom.ts';
import { reportConnectionFailure } from '../../server/core/rerouting.ts';
import {
  classroomAction,
  createRoom,
  requestAdmission,
  emptyRegistry,
  joinRoom,
  setSharing,
  type Context,
  type Member,
  type Outcome,
  type RegistryState,
} from '../../server/core/room-registry.ts';
import { MAX_WAITING } from '../../server/core/admission.ts';
import { MAX_STUDENT_VIEW_BYTES, MAX_SUPERVISOR_VIEW_BYTES, roomView } from '../../server/core/views.ts';
import type { ClassroomAction } from '../../server/core/classroom.ts';

let seed = 11;
const ctx: Context = {
  now: 1_000,
  random: (n) => Uint8Array.from({ length: n }, () => (seed = (seed * 48271) % 2147483647) & 255),
  limits: {
    maxRooms: 10,
    maxMembersPerRoom: 200,
    reconnectGraceMs: 1000,
    emptyRoomTtlMs: 1000,
    maxRoomsPerAddress: 10,
    unclaimedRoomTtlMs: 60_000,
  },
  routing: { mode: 'off', minSupervisors: 3, holdMs: 30_000 },
};

/** `n` characters that cost three bytes each in UTF-8 and are not escaped in JSON. */
const wide = (n: number, prefix = '') => prefix + '漢'.repeat(n - prefix.length);

function value<T>(outcome: Outcome<T>): { value: T; state: RegistryState } {
  if (!outcome.ok) throw new Error(outcome.error);
  return { value: outcome.value, state: outcome.state };
}

/** A room of `supervisors` supervisors and students up to 200 members, each doing the most they may. */
function fullRoom(supervisors: number) {
  const created = value(
    createRoom(
      emptyRegistry,
      {
        name: wide(ROOM_NAME_MAX_LENGTH),
        hostName: wide(NAME_MAX_LENGTH, 'h'),
        listed: true,
        address: '10.0.0.1',
        // A lesson of a class with a roster, so it carries its waiting list too.
        lesson: { classId: 'class', lessonId: 'lesson', rostered: true },
      },
      ctx,
    ),
  );
  let state = created.state;
  const seat = created.value;
  const code = seat.room.code;
  const teachers: Member[] = [seat.member];
  const students: Member[] = [];
  for (let i = 1; i < 200; i++) {
    const role = i < supervisors ? 'supervisor' : 'student';
    const name = wide(NAME_MAX_LENGTH, `${i}`);
    const joined = value(
      joinRoom(
        state,
        { code, name, role, supervisorKey: seat.room.supervisorKey, rosterEntry: { id: `entry-${i}`, name } },
        ctx,
      ),
    );
    state = joined.state;
    (role === 'supervisor' ? teachers : students).push(joined.value.member);
  }
  const act = (actor: Member, action: ClassroomAction) => {
    const outcome = classroomAction(state, { code, actorId: actor.id, action }, ctx);
    if (outcome.ok) state = outcome.state;
    return outcome.ok ? outcome.value : null;
  };
  for (const student of students) {
    state = value(setSharing(state, { code, memberId: student.id, sharing: true }, ctx)).state;
    act(student, { type: 'raise-hand', note: wide(HAND_NOTE_MAX_LENGTH) });
    // Short enough that the room keeps as many replies as it may (MAX_REPLY_CHARS / MAX_REPLIES).
    for (let i = 0; i < 10; i++) {
      act(student, { type: 'send-message', to: 'teachers', text: wide(MAX_REPLY_CHARS / MAX_REPLIES), url: null });
    }
    for (const teacher of teachers) {
      const reported = reportConnectionFailure(state, { code, memberId: student.id, with: teacher.id }, ctx);
      if (reported.ok) state = reported.state;
    }
  }
  // As many messages as the room keeps, each as long as that allows, the words in wide characters;
  // then the longest link (it pushes older ones out, but shows its cost).
  const link = (n: number) => `https://example.org/${'q'.repeat(n - 'https://example.org/'.length)}`;
  const perMessage = MAX_MESSAGE_CHARS / MAX_MESSAGES;
  const sent: string[] = [];
  for (let i = 0; i < 150; i++) {
    const message = act(teachers[i % teachers.length]!, {
      type: 'send-message',
      to: 'class',
      text: wide(Math.min(MESSAGE_MAX_LENGTH, perMessage)),
      url:
        i === 149
          ? link(URL_MAX_LENGTH)
          : perMessage > MESSAGE_MAX_LENGTH
            ? link(perMessage - MESSAGE_MAX_LENGTH)
            : null,
    });
    if (message && 'id' in message) sent.push(message.id);
  }
  const attention = act(teachers[0]!, { type: 'start-attention', message: wide(ATTENTION_MESSAGE_MAX_LENGTH) });
  for (const student of students) {
    for (const messageId of sent) act(student, { type: 'ack-message', messageId });
    if (attention && 'id' in attention) act(student, { type: 'ack-attention', attentionId: attention.id });
  }
  for (let i = 0; i < MAX_WAITING; i++) {
    state = value(requestAdmission(state, { code, name: wide(NAME_MAX_LENGTH, `w${i}`) }, ctx)).state;
  }
  expect(requestAdmission(state, { code, name: 'One more' }, ctx)).toEqual({ ok: false, error: 'waiting-full' });
  return { room: state.rooms.get(code)!, teacher: teachers[0]!, student: students[0]! };
}

/** What the snapshot opening `viewer`'s event stream weighs on the wire. */
function snapshotBytes(room: ReturnType<typeof fullRoom>['room'], viewer: Member): number {
  const event: RoomEvent = { type: 'snapshot', room: roomView(room, viewer), you: viewer.id };
  return Buffer.byteLength(`data: ${JSON.stringify(event)}\n\n`);
}

describe('the largest view a full room can make', () => {
  for (const supervisors of [1, 20]) {
    it(`stays within the stated bounds with ${supervisors} supervisor(s) and ${200 - supervisors} students`, () => {
      const { room, teacher, student } = fullRoom(supervisors);
      expect(room.members).toHaveLength(200);
      const supervisorBytes = snapshotBytes(room, teacher);
      const studentBytes = snapshotBytes(room, student);
      expect(supervisorBytes).toBeLessThanOrEqual(MAX_SUPERVISOR_VIEW_BYTES);
      expect(studentBytes).toBeLessThanOrEqual(MAX_STUDENT_VIEW_BYTES);
    });
  }
});
