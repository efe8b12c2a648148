import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClientConfig, ErrorBody, HealthResponse, RoomSummary } from '../../src/shared/protocol.ts';
import { call, createRoom, getRoom, join } from '../helpers/client.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { openEvents } from '../helpers/sse.ts';

let server: TestServer;
let base: string;

beforeAll(async () => {
  server = await startTestServer({ ICE_SERVERS: '[{"urls":"stun:stun.school.example:3478"}]' });
  base = server.url;
});
afterAll(() => server.close());

describe('service endpoints', () => {
  it('reports health with counts', async () => {
    const before = await call<HealthResponse>(base, 'GET', '/api/health');
    expect(before.status).toBe(200);
    expect(before.body).toMatchObject({ status: 'ok', version: '0.0.0-test' });
    expect(typeof before.body.uptimeS).toBe('number');
    const { room } = await createRoom(base);
    await join(base, room.code, 'Ada');
    const after = await call<HealthResponse>(base, 'GET', '/api/health');
    expect(after.body.rooms).toBe(before.body.rooms + 1);
    expect(after.body.members).toBe(before.body.members + 2);
    // The relay is on by default (RELAY_MODE=auto); health says when it is up.
    let relay = after.body.relay;
    for (let i = 0; i < 100 && relay !== 'up'; i++) {
      expect(relay).toBe('down');
      await new Promise((r) => setTimeout(r, 100));
      relay = (await call<HealthResponse>(base, 'GET', '/api/health')).body.relay;
    }
    expect(relay).toBe('up');
  });

  it('hands the PWA its runtime settings, with only the configured ICE servers and its own STUN', async () => {
    const { status, body } = await call<ClientConfig>(base, 'GET', '/api/config');
    expect(status).toBe(200);
    expect(body.iceServers).toEqual([
      { urls: 'stun:stun.school.example:3478' },
      { urls: expect.stringMatching(/^stun:127\.0\.0\.1:\d+$/) as string },
    ]);
    expect(body.limits).toMatchObject({ maxMembersPerRoom: 200, nameMaxLength: 40, reconnectGraceS: 20 });
    expect(body.peer).toEqual({ path: '/peerjs', key: 'peerjs' });
  });

  it('answers an unknown endpoint with a JSON 404', async () => {
    const { status, body } = await call<ErrorBody>(base, 'GET', '/api/nope');
    expect(status).toBe(404);
    expect(body).toMatchObject({ error: 'not-found' });
    expect(body.message).toContain('GET /api/nope');
  });
});

describe('a room from creation to its end', () => {
  it('goes through join, transfer, kick, share, leave and terminate with the right permissions', async () => {
    // Create: the host is the first supervisor and gets the supervisor key.
    const created = await createRoom(base, '  Physics 9  ', 'Ms Lee');
    const code = created.room.code;
    const host = created.member;
    expect(created.room.name).toBe('Physics 9');
    expect(created.room.hostId).toBe(host.id);
    expect(created.supervisorKey).toMatch(/^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$/);

    // Join: students with the code alone, a supervisor only with the key.
    const ada = await join(base, code.toLowerCase(), 'Ada');
    const bo = await join(base, code, 'Ada');
    expect(bo.name).toBe('Ada (2)');
    const noKey = await call<ErrorBody>(base, 'POST', `/api/rooms/${code}/members`, {
      body: { name: 'Mr Ode', role: 'supervisor' },
    });
    expect(noKey.status).toBe(403);
    expect(noKey.body.error).toBe('wrong-supervisor-key');
    const coTeacher = await join(base, code, 'Mr Ode', 'supervisor', created.supervisorKey);
    expect(coTeacher).toMatchObject({ role: 'supervisor', name: 'Mr Ode' });

    // What each sees: a student never sees another student or their peer id.
    const asAda = await getRoom(base, code, ada.token);
    expect(asAda.body.room.members.map((m) => m.name)).toEqual(['Ms Lee', 'Ada', 'Mr Ode']);
    expect(JSON.stringify(asAda.body)).not.toContain(bo.peerId);
    const asHost = await getRoom(base, code, host.token);
    expect(asHost.body.room.members.find((m) => m.id === ada.id)?.peerId).toBe(ada.peerId);
    expect(asHost.body.room).toMatchObject({ students: 2, supervisors: 2 });
    expect((await getRoom(base, code, 'not-a-token')).status).toBe(401);

    // Share: students only.
    expect(
      (await call(base, 'PUT', `/api/rooms/${code}/members/me/share`, { token: ada.token, body: { sharing: true } }))
        .status,
    ).toBe(200);
    const supervisorShares = await call<ErrorBody>(base, 'PUT', `/api/rooms/${code}/members/me/share`, {
      token: host.token,
      body: { sharing: true },
    });
    expect(supervisorShares.status).toBe(403);
    expect(supervisorShares.body.error).toBe('wrong-role');
    expect((await getRoom(base, code, host.token)).body.room.members.find((m) => m.id === ada.id)?.sharing).toBe(true);

    // Transfer: only the host, only to a supervisor.
    const notHost = await call<ErrorBody>(base, 'POST', `/api/rooms/${code}/host`, {
      token: coTeacher.token,
      body: { memberId: coTeacher.id },
    });
    expect(notHost.status).toBe(403);
    expect(notHost.body.error).toBe('not-host');
    const toStudent = await call<ErrorBody>(base, 'POST', `/api/rooms/${code}/host`, {
      token: host.token,
      body: { memberId: ada.id },
    });
    expect(toStudent.status).toBe(403);
    const transfer = await call<{ room: { hostId: string } }>(base, 'POST', `/api/rooms/${code}/host`, {
      token: host.token,
      body: { memberId: coTeacher.id },
    });
    expect(transfer.status).toBe(200);
    expect(transfer.body.room.hostId).toBe(coTeacher.id);

    // Kick: the new host removes a student, whose token stops working.
    expect((await call(base, 'DELETE', `/api/rooms/${code}/members/${bo.id}`, { token: host.token })).status).toBe(403);
    expect((await call(base, 'DELETE', `/api/rooms/${code}/members/${bo.id}`, { token: coTeacher.token })).status).toBe(
      204,
    );
    expect((await getRoom(base, code, bo.token)).status).toBe(401);
    const again = await call<ErrorBody>(base, 'DELETE', `/api/rooms/${code}/members/${bo.id}`, {
      token: coTeacher.token,
    });
    expect(again.status).toBe(404);
    expect(again.body.error).toBe('member-not-found');

    // Leave: the host leaves and the longest-present supervisor (Ms Lee) is promoted.
    expect((await call(base, 'DELETE', `/api/rooms/${code}/members/me`, { token: coTeacher.token })).status).toBe(204);
    expect((await getRoom(base, code, host.token)).body.room.hostId).toBe(host.id);

    // Terminate: host only; then the room is gone for everyone.
    expect((await call(base, 'DELETE', `/api/rooms/${code}`, { token: ada.token })).status).toBe(403);
    expect((await call(base, 'DELETE', `/api/rooms/${code}`, { token: host.token })).status).toBe(204);
    const gone = await getRoom(base, code, host.token);
    expect(gone.status).toBe(401);
    expect((gone.body as unknown as ErrorBody).error).toBe('unauthorized');
    const late = await call<ErrorBody>(base, 'POST', `/api/rooms/${code}/members`, {
      body: { name: 'Cy', role: 'student' },
    });
    expect(late.status).toBe(404);
  });

  it('lists only listed rooms in the lobby', async () => {
    const open = await createRoom(base, 'Open day', 'Mr Ode', true);
    const hidden = await createRoom(base, 'Exam', 'Ms Lee', false);
    const { body } = await call<{ rooms: RoomSummary[] }>(base, 'GET', '/api/rooms');
    const codes = body.rooms.map((r) => r.code);
    expect(codes).toContain(open.room.code);
    expect(codes).not.toContain(hidden.room.code);
    expect(body.rooms.find((r) => r.code === open.room.code)).toEqual({
      code: open.room.code,
      name: 'Open day',
      hostName: 'Mr Ode',
      students: 0,
      supervisors: 1,
      createdAt: open.room.createdAt,
    });
    // A hidden room is still joinable by code.
    await join(base, hidden.room.code, 'Ada');
  });

  it('caps a room at its member limit', async () => {
    const small = await startTestServer({ MAX_MEMBERS_PER_ROOM: '3' });
    try {
      const { room } = await createRoom(small.url);
      await join(small.url, room.code, 'A');
      await join(small.url, room.code, 'B');
      const full = await call<ErrorBody>(small.url, 'POST', `/api/rooms/${room.code}/members`, {
        body: { name: 'C', role: 'student' },
      });
      expect(full.status).toBe(409);
      expect(full.body.error).toBe('room-full');
    } finally {
      await small.close();
    }
  });

  it('rate-limits changing requests per address with a 429 the client can read', async () => {
    const limited = await startTestServer({ RATE_LIMIT_PER_MIN: '5' });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 7; i++) {
        statuses.push(
          (await call(limited.url, 'POST', '/api/rooms', { body: { name: `R${i}`, hostName: 'T' } })).status,
        );
      }
      expect(statuses).toEqual([201, 201, 201, 201, 201, 429, 429]);
      const refused = await call<ErrorBody>(limited.url, 'POST', '/api/rooms', { body: { name: 'R', hostName: 'T' } });
      expect(refused.body.error).toBe('rate-limited');
      // Reading is never limited.
      expect((await call(limited.url, 'GET', '/api/health')).status).toBe(200);
    } finally {
      await limited.close();
    }
  });
});

describe('logs', () => {
  it('never contain a member token or supervisor key', async () => {
    const { room, member, supervisorKey } = await createRoom(base);
    const ada = await join(base, room.code, 'Ada');
    const co = await join(base, room.code, 'Co', 'supervisor', supervisorKey);
    await getRoom(base, room.code, ada.token);
    const events = await openEvents(`${base}/api/rooms/${room.code}/events?token=${ada.token}`);
    await events.next((e) => e.type === 'snapshot');
    events.close();
    await call(base, 'DELETE', `/api/rooms/${room.code}/members/me`, { token: co.token });
    await call(base, 'DELETE', `/api/rooms/${room.code}`, { token: member.token });
    const logs = server.logs.join('');
    expect(logs).toContain(room.code);
    for (const secret of [member.token, ada.token, co.token, supervisorKey]) expect(logs).not.toContain(secret);
  });
});
