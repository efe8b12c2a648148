/**
 * A school is one address: its NAT puts every device behind it. Limits must count the right thing,
 * so one device cannot lock its classmates out: requests that fail authentication spend no member's
 * budget, a seated member is limited per seat, and wrong teacher passcodes slow their address down
 * without ever refusing the right one. Every request here comes from loopback, as one school would.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ErrorBody, JoinRoomResponse, OwnMember } from '../../src/shared/protocol.ts';
import { OPTIONS } from '../../server/config.ts';
import { call, callFrom, createRoom, join, type Reply } from '../helpers/client.ts';
import { LIMITS_OFF } from '../helpers/limits.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Every limit the test server turns off, back at its shipped default. */
const DEFAULT_LIMITS: Record<string, string> = Object.fromEntries(
  Object.keys(LIMITS_OFF).map((key) => [key, String(OPTIONS[key as keyof typeof OPTIONS].fallback)]),
);

const PASSCODE = 'staffroom-kettle-42';
/** A clock that stands still, so every wait the server asks for is exactly its slow-down. */
const stillClock = () => 1_700_000_000_000;

/** Sends `count` requests, 20 at a time, and counts the answers by status. */
async function flood(count: number, send: (i: number) => Promise<Reply>): Promise<Record<number, number>> {
  const statuses: Record<number, number> = {};
  for (let start = 0; start < count; start += 20) {
    const batch = Array.from({ length: Math.min(20, count - start) }, (_, i) => send(start + i));
    for (const { status } of await Promise.all(batch)) statuses[status] = (statuses[status] ?? 0) + 1;
  }
  return statuses;
}

/** The status an event stream opens with (the stream is closed at once). */
async function streamStatus(url: string): Promise<number> {
  const controller = new AbortController();
  const res = await fetch(url, { signal: controller.signal, headers: { accept: 'text/event-stream' } });
  controller.abort();
  return res.status;
}

/** What a seated classmate does in a lesson, each with the status it got. */
async function classmateDoes(base: string, code: string, member: OwnMember) {
  const { token } = member;
  return {
    hand: (await call(base, 'POST', `/api/rooms/${code}/hands`, { token, body: {} })).status,
    share: (await call(base, 'PUT', `/api/rooms/${code}/members/me/share`, { token, body: { sharing: true } })).status,
    events: await streamStatus(`${base}/api/rooms/${code}/events?token=${token}`),
    iceServers: (await call(base, 'GET', `/api/rooms/${code}/ice-servers`, { token })).status,
  };
}

async function until(check: () => boolean, what: string) {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!check()) throw new Error(`timed out waiting for ${what}`);
}

/** The server's slow-down timer, played by the test: records every wait and holds it until released. */
function heldWaits() {
  const held: (() => void)[] = [];
  const asked: number[] = [];
  return {
    asked,
    held,
    wait: (ms: number) =>
      new Promise<void>((resolve) => {
        asked.push(ms);
        held.push(resolve);
      }),
    releaseOne: () => held.shift()?.(),
    releaseAll: () => held.splice(0).forEach((release) => release()),
  };
}

describe('a token-less flood from the school address', () => {
  it('leaves every seated classmate at that address working, and a new one can still join', async () => {
    server = await startTestServer({ RELAY_MODE: 'off', ...DEFAULT_LIMITS });
    const base = server.url;
    const { room } = await createRoom(base);
    const ada = await join(base, room.code, 'Ada');
    // The red team's flood, from the address Ada shares: 300 POSTs with no or a wrong token, 1,200 health checks.
    const posts = await flood(300, (i) =>
      call(base, 'POST', `/api/rooms/${room.code}/hands`, i % 2 ? { body: {} } : { token: `guess-${i}`, body: {} }),
    );
    const reads = await flood(1200, () => call(base, 'GET', '/api/health'));

    expect(await classmateDoes(base, room.code, ada)).toEqual({ hand: 200, share: 200, events: 200, iceServers: 200 });
    const newcomer = await call<JoinRoomResponse>(base, 'POST', `/api/rooms/${room.code}/members`, {
      body: { name: 'Bo', role: 'student' },
    });
    expect(newcomer.status).toBe(201);
    // The flood itself got what it asked for: no seat, and the server's health.
    expect(posts).toEqual({ 401: 300 });
    expect(reads).toEqual({ 200: 1200 });
  });

  it('answers the flood with the JSON error it earned, not a rate limit', async () => {
    server = await startTestServer({ RELAY_MODE: 'off', ...DEFAULT_LIMITS });
    const base = server.url;
    const { room } = await createRoom(base);
    await flood(400, () => call(base, 'PUT', `/api/rooms/${room.code}/members/me/share`, { body: {} }));
    const after = await call<ErrorBody>(base, 'PUT', `/api/rooms/${room.code}/members/me/share`, { body: {} });
    expect(after).toEqual({ status: 401, body: { error: 'unauthorized', message: expect.any(String) } });
  });

  it('does not count seated members’ event streams against the address', async () => {
    server = await startTestServer({ RELAY_MODE: 'off', STREAMS_PER_ADDRESS: '2' });
    const base = server.url;
    const { room, member: host } = await createRoom(base);
    const students = [await join(base, room.code, 'Ada'), await join(base, room.code, 'Bo')];
    // All three stay open at once, from one address allowed two streams.
    const streams = [];
    for (const { token } of [host, ...students]) {
      const controller = new AbortController();
      const url = `${base}/api/rooms/${room.code}/events?token=${token}`;
      streams.push({ controller, res: await fetch(url, { signal: controller.signal }) });
    }
    expect(streams.map(({ res }) => res.status)).toEqual([200, 200, 200]);
    for (const { controller } of streams) controller.abort();
  });
});

describe('a seat flooding its own requests', () => {
  it('is refused on its own; a classmate at the same address carries on', async () => {
    server = await startTestServer({ RELAY_MODE: 'off', ...DEFAULT_LIMITS });
    const base = server.url;
    const { room } = await createRoom(base);
    const ada = await join(base, room.code, 'Ada');
    const bo = await join(base, room.code, 'Bo');
    const share = (i: number) =>
      call<ErrorBody>(base, 'PUT', `/api/rooms/${room.code}/members/me/share`, {
        token: ada.token,
        body: { sharing: i % 2 === 0 },
      });
    const seatLimit = Number(DEFAULT_LIMITS.SEAT_RATE_LIMIT_PER_MIN);
    expect(await flood(seatLimit + 100, share)).toEqual({ 200: seatLimit, 429: 100 });
    expect(await share(0)).toMatchObject({ status: 429, body: { error: 'rate-limited', message: expect.any(String) } });

    expect(await classmateDoes(base, room.code, bo)).toEqual({ hand: 200, share: 200, events: 200, iceServers: 200 });
    expect((await call(base, 'GET', `/api/rooms/${room.code}`, { token: bo.token })).status).toBe(200);
  });
});

describe('wrong teacher passcodes from the school address', () => {
  const lobbyFrom = (address: string, passcode: string) =>
    callFrom<ErrorBody>(address, server!.url, 'GET', `/api/rooms?passcode=${encodeURIComponent(passcode)}`);
  const createFrom = (address: string, passcode: string, cookie?: string) =>
    callFrom<ErrorBody>(address, server!.url, 'POST', '/api/rooms', {
      body: { name: 'Maths 7B', hostName: 'Ms Lee', passcode },
      ...(cookie ? { headers: { cookie } } : {}),
    });

  it('slow the address down, but the teacher’s right passcode there is never refused', async () => {
    // Each wait the server asks for passes at once, so the test sees the slow-down without sleeping.
    const asked: number[] = [];
    const wait = (ms: number) => (asked.push(ms), new Promise<void>((r) => setImmediate(r)));
    server = await startTestServer({ RELAY_MODE: 'off', TEACHER_PASSCODE: PASSCODE }, { wait, clock: stillClock });
    const statuses = [];
    for (let i = 0; i < 12; i++) statuses.push((await lobbyFrom('127.0.0.1', `guess-number-${i}`)).status);
    statuses.push((await createFrom('127.0.0.1', PASSCODE)).status);
    expect(statuses).toEqual([...Array<number>(12).fill(403), 201]);
    // The teacher waited behind the guesses: the address was slowed, not shut.
    expect(asked.length).toBeGreaterThan(0);
  });

  it('never hold up a browser that has given the right passcode before', async () => {
    const waits = heldWaits();
    server = await startTestServer(
      { RELAY_MODE: 'off', TEACHER_PASSCODE: PASSCODE },
      { wait: waits.wait, clock: stillClock },
    );
    const first = await fetch(`${server.url}/api/rooms?passcode=${PASSCODE}`);
    expect(first.status).toBe(200);
    const cookie = first.headers.get('set-cookie')?.split(';')[0] ?? '';
    expect(cookie).toMatch(/^staff-pass=/);
    // A student at the same address keeps guessing; their guesses wait their turn...
    const guesses = Array.from({ length: 30 }, (_, i) => lobbyFrom('127.0.0.1', `guess-number-${i}`));
    await until(() => waits.held.length > 0, 'the guesses to be slowed down');
    // ...while the teacher's browser, which gave the passcode before, goes straight in.
    expect((await createFrom('127.0.0.1', PASSCODE, cookie)).status).toBe(201);
    for (let i = 0; i < 40 && waits.held.length > 0; i++) {
      waits.releaseAll();
      await new Promise((r) => setImmediate(r));
    }
    waits.releaseAll();
    expect((await Promise.all(guesses)).every((reply) => reply.status === 403)).toBe(true);
  });

  it('keep brute force to one guess per wait, each wait longer, from that address only', async () => {
    const waits = heldWaits();
    server = await startTestServer(
      { RELAY_MODE: 'off', TEACHER_PASSCODE: PASSCODE },
      { wait: waits.wait, clock: stillClock },
    );
    const answered: number[] = [];
    const guesses = Array.from({ length: 40 }, (_, i) =>
      lobbyFrom('127.0.0.9', `guess-number-${i}`).then((reply) => (answered.push(reply.status), reply)),
    );
    // A few typos are free; then nothing more is answered until the server's wait is over.
    await until(() => answered.length === 40 || waits.held.length === 1, 'the first slow-down');
    expect(answered).toEqual([403, 403, 403, 403, 403]);
    // Each wait over lets exactly one more guess through, and the next wait is longer.
    for (let i = 0; i < 8; i++) {
      waits.releaseOne();
      await until(() => waits.held.length === 1 && answered.length === 6 + i, `guess ${6 + i}`);
    }
    expect(waits.asked).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000, 30_000]);
    // Another address is not slowed by this one.
    expect((await lobbyFrom('127.0.0.10', PASSCODE)).status).toBe(200);
    for (let i = 0; i < 40 && answered.length < 40; i++) {
      waits.releaseAll();
      await new Promise((r) => setImmediate(r));
    }
    await Promise.all(guesses);
  });
});
