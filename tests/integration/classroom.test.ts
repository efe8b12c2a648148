import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  AttendanceResponse,
  ErrorBody,
  MessageView,
  RoomEvent,
  RoomView,
  SendMessageResponse,
} from '../../src/shared/protocol.ts';
import { HAND_ACTIONS_PER_MIN, MESSAGE_ACTIONS_PER_MIN } from '../../server/http/api.ts';
import { URL_SCHEME_MESSAGE } from '../../server/http/schemas.ts';
import { call, createRoom, join } from '../helpers/client.ts';
import { connectPeer, type PeerSocket } from '../helpers/peer.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { openEvents, type EventReader } from '../helpers/sse.ts';

let server: TestServer;
let base: string;
let clock = 1_700_000_000_000;

beforeAll(async () => {
  server = await startTestServer({}, { clock: () => clock });
  base = server.url;
});
afterAll(() => server.close());

/** A room with two teachers and two students, each following their event stream. */
async function lesson() {
  const { room, member: lee, supervisorKey } = await createRoom(base, 'Art', 'Ms Lee');
  const code = room.code;
  const ode = await join(base, code, 'Mr Ode', 'supervisor', supervisorKey);
  const ada = await join(base, code, 'Ada');
  const bo = await join(base, code, 'Bo');
  const streams = new Map<string, EventReader<RoomEvent>>();
  // Each member is present on PeerServer, as their app is: a member who is not would be swept once
  // the test's clock passes the reconnect grace, whenever the sweep happens to run.
  const sockets: PeerSocket[] = [];
  for (const m of [lee, ode, ada, bo]) sockets.push(await connectPeer(base, m.peerId!, m.token));
  for (const m of [lee, ode, ada, bo]) {
    const stream = await openEvents<RoomEvent>(`${base}/api/rooms/${code}/events?token=${m.token}`);
    await stream.next((e) => e.type === 'snapshot');
    streams.set(m.id, stream);
  }
  const as = (m: { token: string }, method: string, path: string, body?: unknown) =>
    call<unknown>(base, method, `/api/rooms/${code}${path}`, {
      token: m.token,
      ...(body === undefined ? {} : { body }),
    });
  const close = () => {
    streams.forEach((s) => s.close());
    sockets.forEach((s) => s.ws.close());
  };
  return { code, lee, ode, ada, bo, streams, as, close, stream: (m: { id: string }) => streams.get(m.id)! };
}

describe('classroom tools over HTTP and the event streams', () => {
  it('raises a hand for every supervisor and the student alone; a teacher lowers it and the student learns who', async () => {
    const l = await lesson();
    const raised = await l.as(l.ada, 'POST', '/hands', { note: '  Stuck on Q3 ' });
    expect(raised).toMatchObject({ status: 200, body: { hand: { studentId: l.ada.id, note: 'Stuck on Q3' } } });
    for (const m of [l.lee, l.ode, l.ada]) {
      expect(await l.stream(m).next((e) => e.type === 'hand-raised')).toEqual({
        type: 'hand-raised',
        hand: { studentId: l.ada.id, raisedAt: clock, note: 'Stuck on Q3' },
      });
    }
    // A student cannot lower another's hand.
    expect(await l.as(l.bo, 'DELETE', `/hands/${l.ada.id}`)).toMatchObject({
      status: 403,
      body: { error: 'wrong-role' },
    });
    expect((await l.as(l.ode, 'DELETE', `/hands/${l.ada.id}`)).status).toBe(204);
    expect(await l.stream(l.ada).next((e) => e.type === 'hand-lowered')).toEqual({
      type: 'hand-lowered',
      studentId: l.ada.id,
      byId: l.ode.id,
      byName: 'Mr Ode',
    });
    await l.stream(l.lee).next((e) => e.type === 'hand-lowered');
    // A snapshot now shows the queue as each sees it.
    await l.as(l.bo, 'POST', '/hands', {});
    const hostView = await call<{ room: { classroom: { hands: unknown[] } } }>(base, 'GET', `/api/rooms/${l.code}`, {
      token: l.lee.token,
    });
    expect(hostView.body.room.classroom.hands).toEqual([{ studentId: l.bo.id, raisedAt: clock, note: '' }]);
    const adaView = await call<{ room: { classroom: { hands: unknown[] } } }>(base, 'GET', `/api/rooms/${l.code}`, {
      token: l.ada.token,
    });
    expect(adaView.body.room.classroom.hands).toEqual([]);
    // Nothing about Bo's hand or Ada's reached the other student.
    expect(
      l
        .stream(l.bo)
        .received.filter((e) => e.type.startsWith('hand-'))
        .map((e) => e.type),
    ).toEqual(['hand-raised']);
    expect(JSON.stringify(l.stream(l.ada).received)).not.toContain(l.bo.id);
    l.close();
  });

  it('sends messages and links to the class or one student, records acknowledgements, and carries answers to the teachers only', async () => {
    const l = await lesson();
    const toClass = await call<SendMessageResponse>(base, 'POST', `/api/rooms/${l.code}/messages`, {
      token: l.lee.token,
      body: { to: 'class', text: '<b>Pens</b> down\r\nplease', url: 'https://Example.org/worksheet?q=1' },
    });
    expect(toClass.status).toBe(201);
    const sent: MessageView = toClass.body.message;
    expect(sent).toMatchObject({
      fromName: 'Ms Lee',
      to: { kind: 'class' },
      text: '<b>Pens</b> down\nplease',
      url: 'https://example.org/worksheet?q=1',
      ackedBy: [],
    });
    for (const m of [l.ode, l.ada, l.bo]) {
      expect(await l.stream(m).next((e) => e.type === 'message-sent')).toEqual({ type: 'message-sent', message: sent });
    }
    const toAda = await call<SendMessageResponse>(base, 'POST', `/api/rooms/${l.code}/messages`, {
      token: l.ode.token,
      body: { to: l.ada.id, text: 'See me after' },
    });
    await l.stream(l.ada).next((e) => e.type === 'message-sent' && e.message.id === toAda.body.message.id);
    await l.stream(l.lee).next((e) => e.type === 'message-sent' && e.message.id === toAda.body.message.id);

    expect((await l.as(l.ada, 'POST', `/messages/${sent.id}/ack`)).status).toBe(204);
    expect(await l.stream(l.lee).next((e) => e.type === 'message-acked')).toEqual({
      type: 'message-acked',
      messageId: sent.id,
      studentId: l.ada.id,
    });
    expect(await l.as(l.bo, 'POST', `/messages/${toAda.body.message.id}/ack`)).toMatchObject({
      status: 404,
      body: { error: 'message-not-found' },
    });

    // Bo answers the teachers; Ada never hears of it.
    const answer = await l.as(l.bo, 'POST', '/messages', { text: 'Finished' });
    expect(answer).toMatchObject({ status: 201, body: { message: { to: { kind: 'teachers' }, fromName: 'Bo' } } });
    await l.stream(l.ode).next((e) => e.type === 'message-sent' && e.message.fromId === l.bo.id);
    expect(await l.as(l.bo, 'POST', '/messages', { to: l.ada.id, text: 'psst' })).toMatchObject({
      status: 409,
      body: { error: 'invalid-target', field: 'to' },
    });
    expect(await l.as(l.bo, 'POST', '/messages', { url: 'https://example.org/' })).toMatchObject({
      status: 403,
      body: { error: 'wrong-role', field: 'url' },
    });
    const adaSaw = JSON.stringify(l.stream(l.ada).received);
    expect(adaSaw).not.toContain('Finished');
    expect(adaSaw).not.toContain(l.bo.id);
    expect(JSON.stringify(l.stream(l.bo).received)).not.toContain('See me after');
    l.close();
  });

  it("keeps the teacher's class link in every student's view while four students send 25 replies each", async () => {
    const { code, lee, ada, bo, as, close } = await lesson();
    const link = await as(lee, 'POST', '/messages', { to: 'class', text: 'Worksheet', url: 'https://example.org/w' });
    expect(link.status).toBe(201);
    const linkId = (link.body as SendMessageResponse).message.id;
    const more = await Promise.all(['Cy', 'Dee'].map((name) => join(base, code, name)));
    const sent = await Promise.all(
      [ada, bo, ...more].flatMap((student) =>
        Array.from({ length: 25 }, (_, i) => as(student, 'POST', '/messages', { text: `reply ${i}` })),
      ),
    );
    expect(sent.map((reply) => reply.status)).toEqual(Array.from({ length: 100 }, () => 201));
    for (const student of [ada, bo, ...more]) {
      const { body } = await call<{ room: RoomView }>(base, 'GET', `/api/rooms/${code}`, { token: student.token });
      expect(body.room.classroom.messages.filter((m) => m.id === linkId)).toHaveLength(1);
    }
    close();
  });

  it('asks everyone for attention, shows teachers who acknowledged, and releases it', async () => {
    const l = await lesson();
    const started = await l.as(l.lee, 'PUT', '/attention', { message: 'Eyes on the board' });
    expect(started).toMatchObject({
      status: 200,
      body: { attention: { byName: 'Ms Lee', message: 'Eyes on the board' } },
    });
    const id = (started.body as { attention: { id: string } }).attention.id;
    for (const m of [l.ode, l.ada, l.bo]) await l.stream(m).next((e) => e.type === 'attention-started');
    expect((await l.as(l.ada, 'POST', `/attention/${id}/ack`)).status).toBe(204);
    expect(await l.stream(l.ode).next((e) => e.type === 'attention-acked')).toEqual({
      type: 'attention-acked',
      attentionId: id,
      studentId: l.ada.id,
    });
    expect(await l.as(l.lee, 'POST', `/attention/${id}/ack`)).toMatchObject({ status: 403 });
    expect(await l.as(l.bo, 'POST', '/attention/stale/ack')).toMatchObject({
      status: 409,
      body: { error: 'attention-not-active' },
    });
    expect(await l.as(l.ada, 'PUT', '/attention', {})).toMatchObject({ status: 403, body: { error: 'wrong-role' } });
    expect((await l.as(l.ode, 'DELETE', '/attention')).status).toBe(204);
    for (const m of [l.lee, l.ada, l.bo]) {
      expect(await l.stream(m).next((e) => e.type === 'attention-ended')).toEqual({
        type: 'attention-ended',
        attentionId: id,
        byName: 'Mr Ode',
      });
    }
    expect(l.stream(l.bo).received.some((e) => e.type === 'attention-acked')).toBe(false);
    l.close();
  });

  it('tells only the student a snapshot was saved; nothing else crosses the wire', async () => {
    const l = await lesson();
    expect(await l.as(l.ode, 'POST', '/snapshots', { studentId: l.bo.id })).toEqual({
      status: 202,
      body: { told: true },
    });
    expect(await l.stream(l.bo).next((e) => e.type === 'snapshot-taken')).toEqual({
      type: 'snapshot-taken',
      studentId: l.bo.id,
      byName: 'Mr Ode',
    });
    expect(await l.as(l.ada, 'POST', '/snapshots', { studentId: l.bo.id })).toMatchObject({ status: 403 });
    expect(await l.as(l.lee, 'POST', '/snapshots', { studentId: 'nobody' })).toMatchObject({ status: 404 });
    // An image, or anything else, is refused: the body names the student and nothing more.
    expect(
      await l.as(l.lee, 'POST', '/snapshots', { studentId: l.bo.id, image: 'data:image/png;base64,AAAA' }),
    ).toMatchObject({
      status: 400,
      body: { error: 'invalid-request', field: 'image' },
    });
    await l.as(l.lee, 'PUT', '/attention', {});
    await l.stream(l.ada).next((e) => e.type === 'attention-started');
    expect(l.stream(l.ada).received.some((e) => e.type === 'snapshot-taken')).toBe(false);
    for (const m of [l.lee, l.ode]) expect(l.stream(m).received.some((e) => e.type === 'snapshot-taken')).toBe(false);
    l.close();
  });

  it('gives the host attendance: joined, left, time sharing, stops and hands, from the room’s state', async () => {
    const l = await lesson();
    const share = (m: { token: string }, sharing: boolean) => l.as(m, 'PUT', '/members/me/share', { sharing });
    const joinedAt = clock;
    await share(l.ada, true);
    clock += 90_000;
    await share(l.ada, false);
    clock += 30_000;
    await share(l.ada, true);
    await share(l.bo, true);
    // A hand raised, its note changed (not another hand), lowered, raised again: two.
    await l.as(l.ada, 'POST', '/hands', { note: '' });
    await l.as(l.ada, 'POST', '/hands', { note: 'Stuck' });
    await l.as(l.lee, 'DELETE', `/hands/${l.ada.id}`);
    await l.as(l.ada, 'POST', '/hands', {});
    clock += 15_000;
    expect((await l.as(l.bo, 'DELETE', '/members/me')).status).toBe(204);
    clock += 5_000;
    const report = await l.as(l.lee, 'GET', '/attendance');
    expect(report.status).toBe(200);
    expect(report.body as AttendanceResponse).toEqual({
      roomName: 'Art',
      at: clock,
      students: [
        { studentId: l.ada.id, name: 'Ada', joinedAt, leftAt: null, sharingMs: 110_000, stops: 1, handsRaised: 2 },
        {
          studentId: l.bo.id,
          name: 'Bo',
          joinedAt,
          leftAt: clock - 5_000,
          sharingMs: 15_000,
          stops: 0,
          handsRaised: 0,
        },
      ],
    });
    expect(await l.as(l.ode, 'GET', '/attendance')).toMatchObject({ status: 403, body: { error: 'not-host' } });
    expect(await l.as(l.ada, 'GET', '/attendance')).toMatchObject({ status: 403, body: { error: 'not-host' } });
    // Kept only while the room lives: once it ends, nobody can read it.
    expect((await l.as(l.lee, 'DELETE', '')).status).toBe(204);
    expect(await l.as(l.lee, 'GET', '/attendance')).toMatchObject({ status: 401 });
    l.close();
  });
});

describe('bad input', () => {
  it('refuses links that are not http(s), too-long text, control characters and unknown fields, naming the field', async () => {
    const l = await lesson();
    const send = (body: unknown, who = l.lee) =>
      call<ErrorBody>(base, 'POST', `/api/rooms/${l.code}/messages`, { token: who.token, body });
    for (const url of [
      'javascript:alert(1)',
      'data:text/html,<script>1</script>',
      'file:///etc/passwd',
      'ftp://x.org/',
      'not a url',
      'https://',
    ]) {
      expect(await send({ to: 'class', url })).toEqual({
        status: 400,
        body: { error: 'invalid-request', message: `${URL_SCHEME_MESSAGE}.`, field: 'url' },
      });
    }
    expect(await send({ to: 'class', text: 'x'.repeat(501) })).toMatchObject({ status: 400, body: { field: 'text' } });
    expect((await send({ to: 'class', text: 'x'.repeat(500) })).status).toBe(201);
    expect(await send({ to: 'class', text: '   ' })).toMatchObject({ status: 400, body: { field: 'text' } });
    expect(await send({ to: 'class' })).toMatchObject({ status: 400, body: { field: 'text' } });
    expect(await send({ to: 'class', text: 'a\u202Eb' })).toMatchObject({ status: 400, body: { field: 'text' } });
    expect(await send({ to: 'class', text: 'hi', html: '<b>' })).toMatchObject({
      status: 400,
      body: { field: 'html' },
    });
    expect(await send({ to: 5, text: 'hi' })).toMatchObject({ status: 400, body: { field: 'to' } });
    expect(await send({ to: 'nobody', text: 'hi' })).toMatchObject({ status: 404, body: { field: 'to' } });
    expect(await send({ to: l.ode.id, text: 'hi' })).toMatchObject({ status: 409, body: { field: 'to' } });
    const hand = (body: unknown) => l.as(l.ada, 'POST', '/hands', body);
    expect(await hand({ note: 'x'.repeat(141) })).toMatchObject({ status: 400, body: { field: 'note' } });
    expect(await hand({ note: 'two\nlines' })).toMatchObject({ status: 400, body: { field: 'note' } });
    expect(await hand({ note: 7 })).toMatchObject({ status: 400, body: { field: 'note' } });
    expect((await hand({ note: 'x'.repeat(140) })).status).toBe(200);
    expect(await l.as(l.lee, 'PUT', '/attention', { message: 'x'.repeat(141) })).toMatchObject({
      status: 400,
      body: { field: 'message' },
    });
    expect(await l.as(l.lee, 'POST', '/snapshots', {})).toMatchObject({ status: 400, body: { field: 'studentId' } });
    expect(await l.as({ token: 'forged' }, 'POST', '/hands', {})).toMatchObject({ status: 401 });
    // The room is intact: everyone still sees it.
    for (const m of [l.lee, l.ada]) expect((await l.as(m, 'GET', '')).status).toBe(200);
    l.close();
  });

  it('limits hand and message actions per seat, not per address', async () => {
    const l = await lesson();
    for (let i = 0; i < HAND_ACTIONS_PER_MIN; i++) {
      const path = i % 2 === 0 ? '/hands' : `/hands/${l.ada.id}`;
      const reply = await l.as(l.ada, i % 2 === 0 ? 'POST' : 'DELETE', path, i % 2 === 0 ? {} : undefined);
      expect(reply.status).toBeLessThan(300);
    }
    const over = await l.as(l.ada, 'POST', '/hands', {});
    expect(over.status).toBe(429);
    expect(over.body).toMatchObject({ error: 'rate-limited' });
    expect((over.body as ErrorBody).message).toMatch(/^You raised or lowered hands more than 30 times in a minute/);
    // Bo, from the same address, is not held back by Ada.
    expect((await l.as(l.bo, 'POST', '/hands', {})).status).toBe(200);

    for (let i = 0; i < MESSAGE_ACTIONS_PER_MIN; i++) {
      expect((await l.as(l.bo, 'POST', '/messages', { text: `m${i}` })).status).toBe(201);
    }
    expect(await l.as(l.bo, 'POST', '/messages', { text: 'one more' })).toMatchObject({
      status: 429,
      body: { error: 'rate-limited' },
    });
    expect((await l.as(l.lee, 'POST', '/messages', { text: 'Teacher still can' })).status).toBe(201);
    l.close();
  });

  it("shows a teacher's screen and then a student's to the class: every stream hears it, Bo never learns Ada's id", async () => {
    const l = await lesson();
    const shown = await l.as(l.lee, 'PUT', '/presentation', {});
    expect(shown).toMatchObject({
      status: 200,
      body: { presentation: { presenterId: l.lee.id, source: 'supervisor', name: 'Ms Lee', since: clock } },
    });
    const firstId = (shown.body as { presentation: { id: string } }).presentation.id;
    for (const m of [l.lee, l.ode, l.ada, l.bo]) {
      expect(await l.stream(m).next((e) => e.type === 'presentation-started')).toMatchObject({
        presentation: { id: firstId, name: 'Ms Lee' },
      });
    }
    // One screen at a time, and only supervisors start or stop one.
    expect(await l.as(l.ode, 'PUT', '/presentation', {})).toMatchObject({
      status: 409,
      body: { error: 'presentation-active' },
    });
    expect(await l.as(l.ada, 'DELETE', '/presentation')).toMatchObject({ status: 403, body: { error: 'wrong-role' } });
    expect((await l.as(l.ode, 'DELETE', '/presentation')).status).toBe(204);
    for (const m of [l.lee, l.ada, l.bo]) {
      expect(await l.stream(m).next((e) => e.type === 'presentation-ended')).toEqual({
        type: 'presentation-ended',
        presentationId: firstId,
        reason: 'stopped',
        byName: 'Mr Ode',
      });
    }

    // Ada's screen: refused until she shares, then shown by name; it ends when she stops sharing.
    expect(await l.as(l.lee, 'PUT', '/presentation', { studentId: l.ada.id })).toMatchObject({
      status: 409,
      body: { error: 'not-sharing', field: 'studentId' },
    });
    expect((await l.as(l.ada, 'PUT', '/members/me/share', { sharing: true })).status).toBe(200);
    expect((await l.as(l.lee, 'PUT', '/presentation', { studentId: l.ada.id })).status).toBe(200);
    const isAdas = (e: RoomEvent) => e.type === 'presentation-started' && e.presentation.source === 'student';
    expect(await l.stream(l.ada).next(isAdas)).toMatchObject({
      presentation: { source: 'student', name: 'Ada', studentId: l.ada.id },
    });
    const toBo = await l.stream(l.bo).next(isAdas);
    expect(toBo).toMatchObject({ presentation: { source: 'student', name: 'Ada' } });
    expect(JSON.stringify(l.stream(l.bo).received)).not.toContain(l.ada.id);
    const boView = await call<{ room: { classroom: { presentation: { name: string; studentId?: string } } } }>(
      base,
      'GET',
      `/api/rooms/${l.code}`,
      { token: l.bo.token },
    );
    expect(boView.body.room.classroom.presentation.name).toBe('Ada');
    expect(boView.body.room.classroom.presentation.studentId).toBeUndefined();
    expect((await l.as(l.ada, 'PUT', '/members/me/share', { sharing: false })).status).toBe(200);
    expect(
      await l.stream(l.bo).next((e) => e.type === 'presentation-ended' && e.presentationId !== firstId),
    ).toMatchObject({
      reason: 'student-stopped',
      byName: null,
    });
    l.close();
  });

  it('answers bad presentation requests with 4xx {error, message, field} and leaves the room as it was', async () => {
    const l = await lesson();
    const cases: [unknown, number, string, string | undefined][] = [
      [{ studentId: 42 }, 400, 'invalid-request', 'studentId'],
      [{ studentId: '' }, 400, 'invalid-request', 'studentId'],
      [{ studentId: 'x'.repeat(65) }, 400, 'invalid-request', 'studentId'],
      [{ studentId: l.ada.id, extra: 1 }, 400, 'invalid-request', undefined],
      [{ studentId: 'nobody' }, 404, 'member-not-found', 'studentId'],
      [{ studentId: l.ode.id }, 409, 'invalid-target', 'studentId'],
    ];
    for (const [body, status, error, field] of cases) {
      const reply = await l.as(l.lee, 'PUT', '/presentation', body);
      expect(reply.status, JSON.stringify(body)).toBe(status);
      const errorBody = reply.body as ErrorBody;
      expect(errorBody.error).toBe(error);
      expect(errorBody.message.length).toBeGreaterThan(10);
      if (field) expect(errorBody.field).toBe(field);
    }
    expect(await l.as(l.bo, 'PUT', '/presentation', {})).toMatchObject({ status: 403, body: { error: 'wrong-role' } });
    const view = await call<{ room: { classroom: { presentation: unknown } } }>(base, 'GET', `/api/rooms/${l.code}`, {
      token: l.lee.token,
    });
    expect(view.body.room.classroom.presentation).toBeNull();
    l.close();
  });
});
