/**
 * Rooms cannot be exhausted: machines on the school network that create rooms at full speed fill
 * only their own share, rooms nobody took up end, and the optional teacher passcode guards creation
 * and the lobby. Several machines are played with loopback source addresses (127.0.0.x).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type {
  AttendanceResponse,
  ClientConfig,
  CreateRoomResponse,
  ErrorBody,
  JoinRoomResponse,
  RoomSummary,
} from '../../src/shared/protocol.ts';
import { call, callFrom, getRoom } from '../helpers/client.ts';
import { connectPeer } from '../helpers/peer.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { openEvents } from '../helpers/sse.ts';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** The per-address limits at their defaults (the test helper turns them off). */
const DEFAULT_LIMITS = {
  RELAY_MODE: 'off',
  ROOMS_PER_ADDRESS: '10',
  ROOM_CREATIONS_PER_HOUR: '30',
  READ_RATE_LIMIT_PER_MIN: '3000',
  RATE_LIMIT_PER_MIN: '0',
};

const room = (name: string) => ({ body: { name, hostName: 'Ms Lee' } });

describe('room spam', () => {
  it('10 addresses creating rooms at full speed never keep a teacher from another address out', async () => {
    server = await startTestServer(DEFAULT_LIMITS);
    const base = server.url;
    const spammers = Array.from({ length: 10 }, (_, i) => `127.0.0.${10 + i}`);
    let teacherDone = false;
    const statuses = new Map<number, number>();
    const spam = async (address: string) => {
      while (!teacherDone) {
        const reply = await callFrom<ErrorBody>(address, base, 'POST', '/api/rooms', room('Maths 7B'));
        statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1);
      }
    };
    // The teacher tries every 200 ms for 2 s while the spam runs.
    const teacher = async () => {
      const results: number[] = [];
      while (results.length < 10) {
        await new Promise((r) => setTimeout(r, 200));
        const reply = await callFrom('127.0.0.2', base, 'POST', '/api/rooms', room(`Real ${results.length}`));
        results.push(reply.status);
      }
      teacherDone = true;
      return results;
    };
    // Four connections per spamming address, all at once.
    const [teacherResults] = await Promise.all([
      teacher(),
      ...spammers.flatMap((a) => [1, 2, 3, 4].map(() => spam(a))),
    ]);

    expect(teacherResults).toEqual(Array(10).fill(201));
    // Each spamming address got its ten rooms and then only refusals.
    expect(statuses.get(201)).toBe(100);
    expect(statuses.get(409)).toBeGreaterThan(100);
    expect(server.store.state.rooms.size).toBe(110);
    const refused = await callFrom<ErrorBody>(spammers[0]!, base, 'POST', '/api/rooms', room('more'));
    expect(refused.body.error).toBe('too-many-rooms-from-address');
  });

  it('limits creations per address per hour, ended rooms included', async () => {
    server = await startTestServer({ ...DEFAULT_LIMITS, ROOM_CREATIONS_PER_HOUR: '3' });
    const base = server.url;
    for (let i = 0; i < 3; i++) {
      const created = await callFrom<CreateRoomResponse>('127.0.0.3', base, 'POST', '/api/rooms', room(`R${i}`));
      expect(created.status).toBe(201);
      const { room: r, member } = created.body;
      expect((await call(base, 'DELETE', `/api/rooms/${r.code}`, { token: member.token })).status).toBe(204);
    }
    const fourth = await callFrom<ErrorBody>('127.0.0.3', base, 'POST', '/api/rooms', room('R3'));
    expect(fourth.status).toBe(429);
    expect(fourth.body.error).toBe('rate-limited');
    expect(fourth.body.message).toContain('3 rooms in the last hour');
    expect((await callFrom('127.0.0.4', base, 'POST', '/api/rooms', room('Other'))).status).toBe(201);
  });

  it('with TRUST_PROXY counts the address the proxy appended, not one the client wrote', async () => {
    server = await startTestServer({ ...DEFAULT_LIMITS, ROOMS_PER_ADDRESS: '2', TRUST_PROXY: 'true' });
    const base = server.url;
    const from = (forwarded: string) => ({ ...room('R'), headers: { 'x-forwarded-for': forwarded } });
    expect((await call(base, 'POST', '/api/rooms', from('198.51.100.7'))).status).toBe(201);
    expect((await call(base, 'POST', '/api/rooms', from('198.51.100.7'))).status).toBe(201);
    // A client that adds its own X-Forwarded-For in front of the proxy's entry gains nothing.
    const spoofed = await call<ErrorBody>(base, 'POST', '/api/rooms', from('203.0.113.9, 198.51.100.7'));
    expect(spoofed.body.error).toBe('too-many-rooms-from-address');
    expect((await call(base, 'POST', '/api/rooms', from('198.51.100.8'))).status).toBe(201);
  });
});

describe('rooms nobody took up', () => {
  it('end after UNCLAIMED_ROOM_TTL_S, while a room whose host connected stays', async () => {
    let offsetMs = 0;
    server = await startTestServer(
      { RELAY_MODE: 'off', UNCLAIMED_ROOM_TTL_S: '60' },
      { clock: () => Date.now() + offsetMs },
    );
    const base = server.url;
    const abandoned = (await call<CreateRoomResponse>(base, 'POST', '/api/rooms', room('Abandoned'))).body;
    const used = (await call<CreateRoomResponse>(base, 'POST', '/api/rooms', room('Used'))).body;
    const socket = await connectPeer(base, used.member.peerId, used.member.token);
    await socket.waitFor('OPEN');
    offsetMs = 61_000;
    for (let i = 0; i < 50 && server.store.state.rooms.has(abandoned.room.code); i++)
      await new Promise((r) => setTimeout(r, 100));
    expect(server.store.state.rooms.has(abandoned.room.code)).toBe(false);
    expect((await getRoom(base, used.room.code, used.member.token)).status).toBe(200);
    socket.ws.close();
  });
});

describe('TEACHER_PASSCODE', () => {
  const PASSCODE = 'staffroom-kettle-42';

  it('is needed to create a room and to see the lobby, and says so', async () => {
    server = await startTestServer({ RELAY_MODE: 'off', TEACHER_PASSCODE: PASSCODE });
    const base = server.url;
    expect((await call<ClientConfig>(base, 'GET', '/api/config')).body.passcodeRequired).toBe(true);

    const none = await call<ErrorBody>(base, 'POST', '/api/rooms', room('R'));
    expect(none).toMatchObject({ status: 401, body: { error: 'passcode-required', field: 'passcode' } });
    const wrong = await call<ErrorBody>(base, 'POST', '/api/rooms', {
      body: { name: 'R', hostName: 'T', passcode: 'staffroom-kettle-43' },
    });
    expect(wrong).toMatchObject({ status: 403, body: { error: 'wrong-passcode', field: 'passcode' } });
    const right = await call<CreateRoomResponse>(base, 'POST', '/api/rooms', {
      body: { name: 'Maths 7B', hostName: 'Ms Lee', passcode: PASSCODE },
    });
    expect(right.status).toBe(201);

    expect((await call<ErrorBody>(base, 'GET', '/api/rooms')).body.error).toBe('passcode-required');
    const listed = await call<{ rooms: RoomSummary[] }>(base, 'GET', `/api/rooms?passcode=${PASSCODE}`);
    expect(listed.body.rooms.map((r) => r.name)).toEqual(['Maths 7B']);
    const refusedStream = await fetch(`${base}/api/lobby/events`);
    expect(refusedStream.status).toBe(401);
    await refusedStream.body?.cancel();
    const lobby = await openEvents<{ type: string }>(`${base}/api/lobby/events?passcode=${PASSCODE}`);
    expect(await lobby.next((m) => m.type === 'snapshot')).toMatchObject({ rooms: [{ name: 'Maths 7B' }] });
    lobby.close();

    // Students never need it.
    const joined = await call(base, 'POST', `/api/rooms/${right.body.room.code}/members`, {
      body: { name: 'Ada', role: 'student' },
    });
    expect(joined.status).toBe(201);
  });
});

describe('attendance churn', () => {
  it('1,100 join-and-leave cycles from 12 addresses keep the 10 students who left early', async () => {
    server = await startTestServer({ RELAY_MODE: 'off' });
    const base = server.url;
    const created = await call<CreateRoomResponse>(base, 'POST', '/api/rooms', room('Maths 7B'));
    const { room: classroom, member: host } = created.body;
    const path = `/api/rooms/${classroom.code}/members`;
    const cycle = async (address: string, name: string) => {
      const joined = await callFrom<JoinRoomResponse>(address, base, 'POST', path, { body: { name, role: 'student' } });
      if (joined.status !== 201) return joined.status;
      const left = await callFrom(address, base, 'DELETE', `${path}/me`, { token: joined.body.member.token });
      expect(left.status).toBe(204);
      return joined.status;
    };
    const early = Array.from({ length: 10 }, (_, i) => `Early ${i}`);
    for (const name of early) expect(await cycle('127.0.0.2', name)).toBe(201);
    const statuses: number[] = [];
    for (let round = 0; round < 1100 / 12; round++) {
      const addresses = Array.from({ length: 12 }, (_, i) => `127.0.1.${i + 1}`);
      statuses.push(...(await Promise.all(addresses.map((a, i) => cycle(a, `Churn ${round}-${i}`)))));
    }
    const report = await call<AttendanceResponse>(base, 'GET', `/api/rooms/${classroom.code}/attendance`, {
      token: host.token,
    });
    const names = report.body.students.map((s) => s.name);
    expect(early.filter((name) => !names.includes(name))).toEqual([]);
    // Joins past the bound are refused, not paid for by forgetting someone.
    expect(new Set(statuses)).toEqual(new Set([201, 409]));
    // A student counted before can still come back.
    expect(await cycle('127.0.0.2', 'Early 3')).toBe(201);
  });
});
