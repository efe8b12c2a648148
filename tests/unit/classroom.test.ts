import { describe, expect, it } from 'vitest';
import type { ClassroomAction } from '../../server/core/classroom.ts';
import { attendanceAt, MAX_ATTENDANCE, MAX_MESSAGES, MAX_REPLIES_PER_STUDENT } from '../../server/core/classroom.ts';
import {
  classroomAction,
  createRoom,
  emptyRegistry,
  joinRoom,
  kickMember,
  leaveRoom,
  setSharing,
  type Context,
  type Member,
  type Outcome,
  type RegistryEvent,
  type RegistryState,
} from '../../server/core/room-registry.ts';
import { eventFor, roomView } from '../../server/core/views.ts';
import { parsePresentationCallMetadata } from '../../src/shared/protocol.ts';

/** A fake clock and deterministic ids. */
function world(start = 1_000_000) {
  let now = start;
  let counter = 0;
  const random = (n: number) =>
    Uint8Array.from({ length: n }, () => (counter = (counter * 1103515245 + 12345) >>> 0) >>> 16);
  return {
    ctx: (): Context => ({
      now,
      random,
      limits: {
        maxRooms: 5,
        maxMembersPerRoom: 10,
        reconnectGraceMs: 20_000,
        emptyRoomTtlMs: 600_000,
        maxRoomsPerAddress: 5,
        unclaimedRoomTtlMs: 60_000,
      },
      routing: { mode: 'off', minSupervisors: 3, holdMs: 30_000 },
    }),
    advance: (ms: number) => (now += ms),
  };
}

function ok<T>(outcome: Outcome<T>): { state: RegistryState; events: RegistryEvent[]; value: T } {
  if (!outcome.ok) throw new Error(`expected success, got ${outcome.error}`);
  return outcome;
}

/** Two teachers and two students. */
function lesson() {
  const w = world();
  const created = ok(
    createRoom(emptyRegistry, { name: 'Art', hostName: 'Ms Lee', listed: true, address: '198.51.100.1' }, w.ctx()),
  );
  const code = created.value.room.code;
  let state = created.state;
  const join = (name: string, role: 'student' | 'supervisor') => {
    const out = ok(joinRoom(state, { code, name, role, supervisorKey: created.value.room.supervisorKey }, w.ctx()));
    state = out.state;
    return out.value.member;
  };
  const lee = created.value.member;
  const ode = join('Mr Ode', 'supervisor');
  const ada = join('Ada', 'student');
  const bo = join('Bo', 'student');
  const room = () => state.rooms.get(code)!;
  const act = (actor: Member, action: ClassroomAction) => {
    const outcome = classroomAction(state, { code, actorId: actor.id, action }, w.ctx());
    if (outcome.ok) state = outcome.state;
    return outcome;
  };
  const set = (next: RegistryState) => (state = next);
  /** What each member's stream would carry for these events. */
  const wire = (events: RegistryEvent[], viewer: Member) =>
    events.map((e) => eventFor(e, room(), viewer)).filter((e) => e !== null);
  return { w, code, lee, ode, ada, bo, room, act, set, wire, state: () => state };
}

describe('raised hands', () => {
  it('queues hands by the time they went up; a new note keeps the place', () => {
    const { w, ada, bo, act, room } = lesson();
    ok(act(bo, { type: 'raise-hand', note: '' }));
    w.advance(1000);
    ok(act(ada, { type: 'raise-hand', note: 'Stuck on question 3' }));
    w.advance(1000);
    const again = ok(act(bo, { type: 'raise-hand', note: 'Printer jam' }));
    expect(again.events).toHaveLength(1);
    expect(room().classroom.hands.map((h) => [h.studentId, h.note])).toEqual([
      [bo.id, 'Printer jam'],
      [ada.id, 'Stuck on question 3'],
    ]);
    expect(room().classroom.hands[0]!.raisedAt).toBe(1_000_000);
    // The same hand raised again with the same note changes nothing.
    expect(ok(act(bo, { type: 'raise-hand', note: 'Printer jam' })).events).toEqual([]);
  });

  it('lets a supervisor lower any hand and a student only their own; the student learns who answered', () => {
    const { ada, bo, lee, ode, act, wire } = lesson();
    ok(act(ada, { type: 'raise-hand', note: '' }));
    ok(act(bo, { type: 'raise-hand', note: '' }));
    expect(act(bo, { type: 'lower-hand', studentId: ada.id })).toEqual({ ok: false, error: 'wrong-role' });
    expect(act(lee, { type: 'raise-hand', note: '' })).toEqual({ ok: false, error: 'wrong-role' });
    const answered = ok(act(ode, { type: 'lower-hand', studentId: ada.id }));
    expect(wire(answered.events, ada)).toEqual([
      { type: 'hand-lowered', studentId: ada.id, byId: ode.id, byName: 'Mr Ode' },
    ]);
    expect(wire(answered.events, bo)).toEqual([]);
    expect(wire(answered.events, lee)).toHaveLength(1);
    const own = ok(act(bo, { type: 'lower-hand', studentId: bo.id }));
    expect(wire(own.events, bo)).toEqual([{ type: 'hand-lowered', studentId: bo.id, byId: bo.id, byName: 'Bo' }]);
    // Lowering a hand that is down is no news.
    expect(ok(act(bo, { type: 'lower-hand', studentId: bo.id })).events).toEqual([]);
  });

  it('shows a student only their own hand', () => {
    const { ada, bo, lee, act, room } = lesson();
    ok(act(ada, { type: 'raise-hand', note: 'secret' }));
    const raised = ok(act(bo, { type: 'raise-hand', note: '' }));
    expect(roomView(room(), ada).classroom.hands.map((h) => h.studentId)).toEqual([ada.id]);
    expect(roomView(room(), lee).classroom.hands).toHaveLength(2);
    expect(JSON.stringify(roomView(room(), bo))).not.toContain('secret');
    expect(raised.events.map((e) => eventFor(e, room(), ada))).toEqual([null]);
  });

  it('drops the hand of a student who leaves', () => {
    const { w, ada, lee, act, room, code, set, state } = lesson();
    ok(act(ada, { type: 'raise-hand', note: '' }));
    set(ok(kickMember(state(), { code, actorId: lee.id, memberId: ada.id }, w.ctx())).state);
    expect(room().classroom.hands).toEqual([]);
  });
});

describe('messages and links', () => {
  it('delivers a class message to every student and one to a student to them alone; supervisors see all', () => {
    const { ada, bo, lee, ode, act, wire } = lesson();
    const all = ok(act(lee, { type: 'send-message', to: 'class', text: 'Pens down', url: null }));
    for (const viewer of [ada, bo, lee, ode]) expect(wire(all.events, viewer)).toHaveLength(1);
    const one = ok(act(lee, { type: 'send-message', to: ada.id, text: 'See me after', url: null }));
    expect(wire(one.events, ada)).toEqual([
      {
        type: 'message-sent',
        message: expect.objectContaining({ text: 'See me after', to: { kind: 'student', studentId: ada.id } }),
      },
    ]);
    expect(wire(one.events, bo)).toEqual([]);
    expect(wire(one.events, ode)).toHaveLength(1);
  });

  it('lets a student answer the teachers only, in words', () => {
    const { ada, bo, act, wire, lee } = lesson();
    expect(act(ada, { type: 'send-message', to: bo.id, text: 'hi', url: null })).toEqual({
      ok: false,
      error: 'invalid-target',
    });
    expect(act(ada, { type: 'send-message', to: 'teachers', text: 'x', url: 'https://a.example/' })).toEqual({
      ok: false,
      error: 'wrong-role',
    });
    const answer = ok(act(ada, { type: 'send-message', to: undefined, text: 'Done!', url: null }));
    expect(wire(answer.events, bo)).toEqual([]);
    expect(wire(answer.events, lee)).toEqual([
      { type: 'message-sent', message: expect.objectContaining({ fromName: 'Ada', to: { kind: 'teachers' } }) },
    ]);
    expect(wire(answer.events, ada)).toHaveLength(1);
  });

  it('refuses a supervisor writing to a supervisor or to nobody in the room', () => {
    const { lee, ode, act } = lesson();
    expect(act(lee, { type: 'send-message', to: ode.id, text: 'x', url: null })).toEqual({
      ok: false,
      error: 'invalid-target',
    });
    expect(act(lee, { type: 'send-message', to: 'nobody', text: 'x', url: null })).toEqual({
      ok: false,
      error: 'member-not-found',
    });
  });

  it('records acknowledgements; a student sees only their own, supervisors who has not', () => {
    const { ada, bo, lee, act, room, wire } = lesson();
    const sent = ok(act(lee, { type: 'send-message', to: 'class', text: 'Read p. 4', url: 'https://example.org/p4' }));
    const id = (sent.value as { id: string }).id;
    const acked = ok(act(ada, { type: 'ack-message', messageId: id }));
    expect(wire(acked.events, bo)).toEqual([]);
    expect(wire(acked.events, lee)).toEqual([{ type: 'message-acked', messageId: id, studentId: ada.id }]);
    expect(ok(act(ada, { type: 'ack-message', messageId: id })).events).toEqual([]);
    expect(roomView(room(), lee).classroom.messages[0]!.ackedBy).toEqual([ada.id]);
    expect(roomView(room(), bo).classroom.messages[0]!.ackedBy).toEqual([]);
    expect(roomView(room(), bo).classroom.messages[0]!.url).toBe('https://example.org/p4');
    expect(act(lee, { type: 'ack-message', messageId: id })).toEqual({ ok: false, error: 'wrong-role' });
    expect(act(bo, { type: 'ack-message', messageId: 'nope' })).toEqual({ ok: false, error: 'message-not-found' });
    // A message for Ada is not Bo's to acknowledge, nor even to know of.
    const private1 = ok(act(lee, { type: 'send-message', to: ada.id, text: 'x', url: null }));
    const privateId = (private1.value as { id: string }).id;
    expect(act(bo, { type: 'ack-message', messageId: privateId })).toEqual({ ok: false, error: 'message-not-found' });
    expect(roomView(room(), bo).classroom.messages.map((m) => m.id)).toEqual([id]);
  });

  it(`keeps the last ${MAX_MESSAGES} messages`, () => {
    const { lee, act, room } = lesson();
    for (let i = 0; i < MAX_MESSAGES + 5; i++)
      ok(act(lee, { type: 'send-message', to: 'class', text: `m${i}`, url: null }));
    expect(room().classroom.messages).toHaveLength(MAX_MESSAGES);
    expect(room().classroom.messages[0]!.text).toBe('m5');
  });

  it("keeps the teacher's link whatever students send, and each student's newest replies", () => {
    const { lee, ada, bo, act, room } = lesson();
    const link = ok(act(lee, { type: 'send-message', to: 'class', text: 'Worksheet', url: 'https://example.org/w' }));
    ok(act(bo, { type: 'send-message', to: 'teachers', text: 'Bo: done', url: null }));
    for (let i = 0; i < 4 * 25; i++) ok(act(ada, { type: 'send-message', to: 'teachers', text: `a${i}`, url: null }));
    const kept = room().classroom.messages;
    expect(kept[0]).toEqual(link.value);
    expect(kept.map((m) => m.text)).toEqual([
      'Worksheet',
      'Bo: done',
      ...Array.from({ length: MAX_REPLIES_PER_STUDENT }, (_, i) => `a${100 - MAX_REPLIES_PER_STUDENT + i}`),
    ]);
  });
});

describe('attention', () => {
  it('goes to everyone, counts acknowledgements, is replaced by a new request and released', () => {
    const { ada, bo, lee, ode, act, room, wire } = lesson();
    expect(act(ada, { type: 'start-attention', message: '' })).toEqual({ ok: false, error: 'wrong-role' });
    const first = ok(act(lee, { type: 'start-attention', message: 'Eyes on the board' }));
    for (const viewer of [ada, bo, ode])
      expect(wire(first.events, viewer)[0]).toMatchObject({ type: 'attention-started' });
    const firstId = room().classroom.attention!.id;
    const acked = ok(act(ada, { type: 'ack-attention', attentionId: firstId }));
    expect(wire(acked.events, bo)).toEqual([]);
    expect(wire(acked.events, ode)).toEqual([{ type: 'attention-acked', attentionId: firstId, studentId: ada.id }]);
    expect(roomView(room(), bo).classroom.attention!.ackedBy).toEqual([]);
    expect(roomView(room(), lee).classroom.attention!.ackedBy).toEqual([ada.id]);

    ok(act(ode, { type: 'start-attention', message: '' }));
    const second = room().classroom.attention!;
    expect(second).toMatchObject({ byName: 'Mr Ode', ackedBy: [] });
    expect(act(bo, { type: 'ack-attention', attentionId: firstId })).toEqual({
      ok: false,
      error: 'attention-not-active',
    });
    const released = ok(act(lee, { type: 'end-attention' }));
    expect(wire(released.events, bo)).toEqual([{ type: 'attention-ended', attentionId: second.id, byName: 'Ms Lee' }]);
    expect(room().classroom.attention).toBeNull();
    expect(ok(act(lee, { type: 'end-attention' })).events).toEqual([]);
  });
});

describe('snapshot notice', () => {
  it('tells that student alone, and keeps nothing', () => {
    const { ada, bo, lee, ode, act, room, wire } = lesson();
    const before = room().classroom;
    const told = ok(act(ode, { type: 'snapshot-taken', studentId: ada.id }));
    expect(wire(told.events, ada)).toEqual([{ type: 'snapshot-taken', studentId: ada.id, byName: 'Mr Ode' }]);
    for (const viewer of [bo, lee, ode]) expect(wire(told.events, viewer)).toEqual([]);
    expect(room().classroom).toBe(before);
    expect(act(ada, { type: 'snapshot-taken', studentId: bo.id })).toEqual({ ok: false, error: 'wrong-role' });
    expect(act(lee, { type: 'snapshot-taken', studentId: ode.id })).toEqual({ ok: false, error: 'member-not-found' });
  });
});

describe('attendance', () => {
  it('derives time sharing and stops from the sharing state, and closes a seat when the student leaves', () => {
    const { w, code, ada, bo, room, set, state } = lesson();
    const share = (memberId: string, sharing: boolean) =>
      set(ok(setSharing(state(), { code, memberId, sharing }, w.ctx())).state);
    share(ada.id, true);
    w.advance(60_000);
    share(ada.id, false);
    w.advance(10_000);
    share(ada.id, true);
    // Saying "sharing" again is not a new period.
    share(ada.id, true);
    w.advance(5_000);
    share(bo.id, true);
    w.advance(20_000);
    set(ok(leaveRoom(state(), { code, memberId: bo.id }, w.ctx())).state);
    w.advance(1_000);
    const rows = attendanceAt(room(), w.ctx().now);
    expect(rows).toEqual([
      {
        studentId: ada.id,
        name: 'Ada',
        joinedAt: 1_000_000,
        leftAt: null,
        sharingMs: 60_000 + 26_000,
        stops: 1,
        handsRaised: 0,
      },
      {
        studentId: bo.id,
        name: 'Bo',
        joinedAt: 1_000_000,
        leftAt: 1_095_000,
        sharingMs: 20_000,
        stops: 0,
        handsRaised: 0,
      },
    ]);
    // Supervisors have no attendance row.
    expect(rows.some((r) => r.name === 'Ms Lee')).toBe(false);
  });

  it('keeps one record per student: one who leaves and comes back extends it, under their new seat', () => {
    const { w, code, bo, room, set, state } = lesson();
    set(ok(setSharing(state(), { code, memberId: bo.id, sharing: true }, w.ctx())).state);
    w.advance(30_000);
    set(ok(leaveRoom(state(), { code, memberId: bo.id }, w.ctx())).state);
    w.advance(60_000);
    // Back, spelled another way: the same student as the registry folds names.
    const back = ok(joinRoom(state(), { code, name: 'BO', role: 'student' }, w.ctx()));
    set(back.state);
    w.advance(10_000);
    const rows = attendanceAt(room(), w.ctx().now).filter((r) => r.name === 'BO');
    expect(rows).toEqual([
      {
        studentId: back.value.member.id,
        name: 'BO',
        joinedAt: 1_000_000,
        leftAt: null,
        sharingMs: 30_000,
        stops: 0,
        handsRaised: 0,
      },
    ]);
  });

  it('refuses a new student rather than forget one, once it keeps MAX_ATTENDANCE students; those counted come back', () => {
    const { w, code, bo, room, set, state } = lesson();
    set(ok(leaveRoom(state(), { code, memberId: bo.id }, w.ctx())).state);
    // Churn: students who join and leave at once, each under a new name, up to the bound.
    for (let i = room().classroom.attendance.length; i < MAX_ATTENDANCE; i++) {
      const joined = ok(joinRoom(state(), { code, name: `S${i}`, role: 'student' }, w.ctx()));
      set(ok(leaveRoom(joined.state, { code, memberId: joined.value.member.id }, w.ctx())).state);
    }
    expect(joinRoom(state(), { code, name: 'Newcomer', role: 'student' }, w.ctx())).toEqual({
      ok: false,
      error: 'attendance-full',
    });
    expect(
      room()
        .classroom.attendance.map((r) => r.name)
        .slice(0, 2),
    ).toEqual(['Ada', 'Bo']);
    ok(joinRoom(state(), { code, name: 'Bo', role: 'student' }, w.ctx()));
    // Teachers are not students: a co-teacher still joins.
    const key = room().supervisorKey;
    ok(joinRoom(state(), { code, name: 'Ms Ray', role: 'supervisor', supervisorKey: key }, w.ctx()));
  });
});

describe('showing a screen to the class', () => {
  it("shows a supervisor's own screen to everyone, one at a time; any supervisor stops it", () => {
    const { lee, ode, ada, bo, act, wire, room } = lesson();
    expect(act(ada, { type: 'start-presentation', studentId: null })).toEqual({ ok: false, error: 'wrong-role' });
    const started = ok(act(lee, { type: 'start-presentation', studentId: null }));
    for (const viewer of [lee, ode, ada, bo]) {
      expect(wire(started.events, viewer)).toEqual([
        {
          type: 'presentation-started',
          presentation: {
            id: room().classroom.presentation!.id,
            presenterId: lee.id,
            presenterName: 'Ms Lee',
            source: 'supervisor',
            name: 'Ms Lee',
            since: 1_000_000,
          },
        },
      ]);
    }
    // Only one screen at a time: the second teacher stops the first one's before showing another.
    expect(act(ode, { type: 'start-presentation', studentId: null })).toEqual({
      ok: false,
      error: 'presentation-active',
    });
    expect(act(bo, { type: 'stop-presentation' })).toEqual({ ok: false, error: 'wrong-role' });
    const id = room().classroom.presentation!.id;
    const stopped = ok(act(ode, { type: 'stop-presentation' }));
    expect(wire(stopped.events, ada)).toEqual([
      { type: 'presentation-ended', presentationId: id, reason: 'stopped', byName: 'Mr Ode' },
    ]);
    expect(room().classroom.presentation).toBeNull();
    // Stopping when nothing is shown changes nothing.
    expect(ok(act(lee, { type: 'stop-presentation' })).events).toEqual([]);
  });

  it("shows a sharing student's screen by name; only that student learns it is theirs", () => {
    const { w, code, lee, ode, ada, bo, act, wire, set, state } = lesson();
    expect(act(lee, { type: 'start-presentation', studentId: ada.id })).toEqual({ ok: false, error: 'not-sharing' });
    expect(act(lee, { type: 'start-presentation', studentId: ode.id })).toEqual({
      ok: false,
      error: 'invalid-target',
    });
    expect(act(lee, { type: 'start-presentation', studentId: 'nobody' })).toEqual({
      ok: false,
      error: 'member-not-found',
    });
    set(ok(setSharing(state(), { code, memberId: ada.id, sharing: true }, w.ctx())).state);
    const started = ok(act(lee, { type: 'start-presentation', studentId: ada.id }));
    const [toAda] = wire(started.events, ada);
    const [toBo] = wire(started.events, bo);
    const [toOde] = wire(started.events, ode);
    expect(toAda).toMatchObject({ presentation: { source: 'student', name: 'Ada', studentId: ada.id } });
    expect(toOde).toMatchObject({ presentation: { source: 'student', name: 'Ada', studentId: ada.id } });
    // Bo sees the name the teacher chose to show, never Ada's member id.
    expect(toBo).toMatchObject({ presentation: { source: 'student', name: 'Ada' } });
    expect(toBo && 'presentation' in toBo && 'studentId' in toBo.presentation).toBe(false);
  });

  it('ends by itself when the shown student stops sharing or leaves, or the presenter leaves', () => {
    const { w, code, lee, ode, ada, bo, act, wire, set, state, room } = lesson();
    const share = (memberId: string, sharing: boolean) => {
      const out = ok(setSharing(state(), { code, memberId, sharing }, w.ctx()));
      set(out.state);
      return out.events;
    };
    share(ada.id, true);
    share(bo.id, true);
    ok(act(lee, { type: 'start-presentation', studentId: ada.id }));
    // Another student stopping changes nothing.
    expect(share(bo.id, false).map((e) => e.type)).toEqual(['share-stopped']);
    const id = room().classroom.presentation!.id;
    expect(wire(share(ada.id, false), bo)).toEqual([
      { type: 'presentation-ended', presentationId: id, reason: 'student-stopped', byName: null },
    ]);
    share(ada.id, true);
    ok(act(ode, { type: 'start-presentation', studentId: ada.id }));
    const left = ok(leaveRoom(state(), { code, memberId: ada.id }, w.ctx()));
    set(left.state);
    expect(left.events.map((e) => e.type)).toContain('presentation-ended');
    expect(left.events.find((e) => e.type === 'presentation-ended')).toMatchObject({ reason: 'student-left' });
    ok(act(ode, { type: 'start-presentation', studentId: null }));
    // A supervisor who is not the presenter leaving changes nothing; the presenter leaving ends it.
    const kicked = ok(kickMember(state(), { code, actorId: lee.id, memberId: ode.id }, w.ctx()));
    expect(kicked.events.find((e) => e.type === 'presentation-ended')).toMatchObject({ reason: 'presenter-left' });
    set(kicked.state);
    expect(room().classroom.presentation).toBeNull();
  });
});

describe('presentation call metadata', () => {
  it("reads a presenter's call and nothing else", () => {
    expect(parsePresentationCallMetadata({ presentationId: 'p1', name: 'Ada' })).toEqual({
      presentationId: 'p1',
      name: 'Ada',
    });
    // A student's screen call is not a presentation, nor is anything malformed.
    expect(parsePresentationCallMetadata({ studentId: 's1', surface: 'monitor' })).toBeNull();
    expect(parsePresentationCallMetadata({ presentationId: '', name: 'Ada' })).toBeNull();
    expect(parsePresentationCallMetadata({ presentationId: 'p1', name: 7 })).toBeNull();
    expect(parsePresentationCallMetadata(null)).toBeNull();
    expect(parsePresentationCallMetadata('p1')).toBeNull();
  });
});
