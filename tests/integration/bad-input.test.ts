import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { URL_MAX_LENGTH, type ErrorBody, type HealthResponse } from '../../src/shared/protocol.ts';
import { call, createRoom, getRoom, join } from '../helpers/client.ts';
import { relayUp, startTestServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
let base: string;

beforeAll(async () => {
  server = await startTestServer();
  base = server.url;
  // A relay coming up reroutes the rooms (a room on an unknown network races): wait for it, so the
  // only thing that could change the room below is the bad input.
  await relayUp(server);
}, 30_000);
afterAll(() => server.close());

/** Values of every JSON type and a few hostile shapes, for use in any field. */
const oddValues: unknown[] = [
  null,
  0,
  -1,
  1,
  1e308,
  '',
  '   ',
  'x'.repeat(100),
  'x'.repeat(5000),
  'tab\tname',
  'bell\u0007',
  'rtl\u202Eevil',
  [],
  ['a'],
  {},
  { nested: { deep: true } },
  { $gt: '' },
];

/** Raw bodies that are not a JSON object. */
const rawBodies = [
  '',
  '{',
  '{"name":',
  'null',
  '[]',
  '"text"',
  '42',
  'true',
  '{"a":1}}',
  '\u0000',
  '{name: "unquoted"}',
];

describe('bad input', () => {
  it('answers hundreds of malformed requests with a clear 4xx, stays healthy and changes no room', async () => {
    const { room, member: host, supervisorKey } = await createRoom(base);
    const code = room.code;
    const ada = await join(base, code, 'Ada');
    const before = JSON.stringify((await getRoom(base, code, host.token)).body);
    const roomsBefore = (await call<HealthResponse>(base, 'GET', '/api/health')).body.rooms;

    type Attempt = {
      method: string;
      path: string;
      token?: string;
      body?: unknown;
      raw?: string;
      headers?: Record<string, string>;
    };
    const attempts: Attempt[] = [];
    /** Every field of a good body replaced by each odd value, each required field dropped, and extra keys added. */
    const withFields = (good: Record<string, unknown>, optional: string[] = []) => {
      const bodies: unknown[] = [];
      for (const field of Object.keys(good)) {
        for (const value of oddValues) bodies.push({ ...good, [field]: value });
        const { [field]: _dropped, ...missing } = good;
        if (!optional.includes(field)) bodies.push(missing);
      }
      // An own "__proto__" key, as JSON.parse makes it, must be refused like any unknown field.
      bodies.push({ ...good, unexpected: 1 }, Object.assign(JSON.parse('{"__proto__":{"isHost":true}}'), good));
      return bodies;
    };

    for (const body of withFields({ name: 'Room', hostName: 'Host', listed: true }, ['listed']))
      attempts.push({ method: 'POST', path: '/api/rooms', body });
    for (const body of withFields({ name: 'Cy', role: 'student' }))
      attempts.push({ method: 'POST', path: `/api/rooms/${code}/members`, body });
    for (const body of withFields({ name: 'Cy', role: 'supervisor', supervisorKey: 'WRONG-KEY' }, ['supervisorKey'])) {
      attempts.push({ method: 'POST', path: `/api/rooms/${code}/members`, body });
    }
    for (const body of withFields({ sharing: true })) {
      attempts.push({ method: 'PUT', path: `/api/rooms/${code}/members/me/share`, token: ada.token, body });
    }
    for (const body of withFields({ memberId: 'someone' }))
      attempts.push({ method: 'POST', path: `/api/rooms/${code}/host`, token: host.token, body });
    for (const body of withFields({ with: 'someone' }))
      attempts.push({ method: 'POST', path: `/api/rooms/${code}/connection-failures`, token: ada.token, body });
    const json = { 'content-type': 'application/json' };
    for (const raw of rawBodies) {
      attempts.push({ method: 'POST', path: '/api/rooms', raw, headers: json });
      attempts.push({ method: 'POST', path: `/api/rooms/${code}/members`, raw, headers: json });
      attempts.push({
        method: 'PUT',
        path: `/api/rooms/${code}/members/me/share`,
        raw,
        token: ada.token,
        headers: json,
      });
      attempts.push({ method: 'POST', path: `/api/rooms/${code}/host`, raw, token: host.token, headers: json });
      const failures = `/api/rooms/${code}/connection-failures`;
      attempts.push({ method: 'POST', path: failures, raw, token: ada.token, headers: json });
    }
    // Not JSON at all, and oversized bodies.
    attempts.push({
      method: 'POST',
      path: '/api/rooms',
      raw: 'name=Room&hostName=Host',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    attempts.push({ method: 'POST', path: '/api/rooms', raw: 'name: Room', headers: { 'content-type': 'text/plain' } });
    attempts.push({
      method: 'POST',
      path: '/api/rooms',
      body: { name: 'R', hostName: 'H', padding: 'x'.repeat(20_000) },
    });
    attempts.push({
      method: 'POST',
      path: `/api/rooms/${code}/members`,
      raw: `[${'1,'.repeat(100_000)}1]`,
      headers: { 'content-type': 'application/json' },
    });
    // Bad tokens and paths on every member endpoint.
    const memberEndpoints = [
      ['GET', `/api/rooms/${code}`],
      ['DELETE', `/api/rooms/${code}/members/me`],
      ['PUT', `/api/rooms/${code}/members/me/share`],
      ['DELETE', `/api/rooms/${code}/members/${ada.id}`],
      ['POST', `/api/rooms/${code}/host`],
      ['POST', `/api/rooms/${code}/connection-failures`],
      ['DELETE', `/api/rooms/${code}`],
    ] as const;
    for (const [method, path] of memberEndpoints) {
      for (const token of ['', 'x', ada.token.slice(0, -1), `${host.token}x`, 'Bearer', ' '.repeat(3)]) {
        attempts.push({
          method,
          path,
          token,
          body: method === 'PUT' ? { sharing: true } : method === 'POST' ? { memberId: ada.id } : undefined,
        });
      }
      attempts.push({ method, path, headers: { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` } });
    }
    // Students trying host actions; strange codes and ids.
    attempts.push({ method: 'DELETE', path: `/api/rooms/${code}`, token: ada.token });
    attempts.push({ method: 'DELETE', path: `/api/rooms/${code}/members/${host.id}`, token: ada.token });
    attempts.push({ method: 'POST', path: `/api/rooms/${code}/host`, token: ada.token, body: { memberId: ada.id } });
    attempts.push({ method: 'POST', path: `/api/rooms/${code}/host`, token: host.token, body: { memberId: host.id } });
    attempts.push({ method: 'DELETE', path: `/api/rooms/${code}/members/${host.id}`, token: host.token });
    attempts.push({
      method: 'PUT',
      path: `/api/rooms/${code}/members/me/share`,
      token: host.token,
      body: { sharing: true },
    });
    for (const weird of [
      '%00',
      '..%2F..%2Fetc',
      'A'.repeat(2000),
      '%F0%9F%92%A9',
      '%E0%A4%A',
      'null',
      'undefined',
      '__proto__',
      'constructor',
    ]) {
      attempts.push({ method: 'POST', path: `/api/rooms/${weird}/members`, body: { name: 'Cy', role: 'student' } });
      attempts.push({ method: 'GET', path: `/api/rooms/${weird}`, token: host.token });
      attempts.push({ method: 'DELETE', path: `/api/rooms/${code}/members/${weird}`, token: host.token });
    }
    attempts.push({ method: 'PATCH', path: `/api/rooms/${code}`, token: host.token, body: {} });
    attempts.push({ method: 'POST', path: '/api/health', body: {} });
    attempts.push({
      method: 'POST',
      path: `/api/rooms/${code}/members`,
      body: { name: 'Cy', role: 'student' },
      headers: { 'content-encoding': 'gzip' },
    });
    attempts.push({
      method: 'POST',
      path: `/api/rooms/${code}/members`,
      raw: '{"name":"Cy","role":"student"}',
      headers: { 'content-type': 'application/json; charset=latin-9' },
    });

    expect(attempts.length).toBeGreaterThan(300);
    const failures: string[] = [];
    for (const attempt of attempts) {
      const { method, path, ...options } = attempt;
      const reply = await call<ErrorBody>(base, method, path, options).catch((e: Error) => ({
        status: 0,
        body: { error: e.message } as ErrorBody,
      }));
      const describeIt = `${method} ${path.slice(0, 60)} ${JSON.stringify(attempt.body ?? attempt.raw ?? '').slice(0, 60)}`;
      if (reply.status < 400 || reply.status >= 500) failures.push(`${describeIt} -> ${reply.status}`);
      else if (
        typeof reply.body?.error !== 'string' ||
        typeof reply.body.message !== 'string' ||
        reply.body.message.length < 10
      ) {
        failures.push(`${describeIt} -> body ${JSON.stringify(reply.body)}`);
      }
    }
    expect(failures).toEqual([]);

    const health = await call<HealthResponse>(base, 'GET', '/api/health');
    expect(health.status).toBe(200);
    expect(health.body.rooms).toBe(roomsBefore);
    expect(JSON.stringify((await getRoom(base, code, host.token)).body)).toBe(before);
    // The room still works normally afterwards.
    await join(base, code, 'Cy');
    await join(base, code, 'Dr Ng', 'supervisor', supervisorKey);
  });

  it('names the field at fault and what it should be', async () => {
    const { room } = await createRoom(base);
    const cases: [unknown, string, RegExp][] = [
      [{ role: 'student' }, 'name', /name is required/],
      [{ name: '', role: 'student' }, 'name', /must not be empty/],
      [{ name: 'x'.repeat(41), role: 'student' }, 'name', /at most 40 characters/],
      [{ name: 'Cy', role: 'teacher' }, 'role', /"student" or "supervisor"/],
      [{ name: 'Cy', role: 'student', colour: 'red' }, 'colour', /Unknown field\(s\): colour/],
      [{ name: 'Cy\uD800', role: 'student' }, 'name', /^name \(your name\) is not valid Unicode text/],
      [{ name: '\uDC00Cy', role: 'student' }, 'name', /lone surrogate/],
      [{ name: 'C\u200By', role: 'student' }, 'name', /^name \(your name\) must not contain invisible or control/],
      [{ name: '\u3164', role: 'student' }, 'name', /invisible or control characters/],
      [{ name: 'Cy\u2028', role: 'student' }, 'name', /invisible or control characters/],
    ];
    for (const [body, field, message] of cases) {
      const reply = await call<ErrorBody>(base, 'POST', `/api/rooms/${room.code}/members`, { body });
      expect(reply.status).toBe(400);
      expect(reply.body.field).toBe(field);
      expect(reply.body.message).toMatch(message);
    }
    const huge = await call<ErrorBody>(base, 'POST', '/api/rooms', {
      body: { name: 'R', hostName: 'H', pad: 'x'.repeat(20_000) },
    });
    expect(huge.status).toBe(413);
    expect(huge.body.error).toBe('body-too-large');
    const broken = await call<ErrorBody>(base, 'POST', '/api/rooms', {
      raw: '{"name":',
      headers: { 'content-type': 'application/json' },
    });
    expect(broken.status).toBe(400);
    expect(broken.body.error).toBe('invalid-json');
    const hostName = await call<ErrorBody>(base, 'POST', '/api/rooms', {
      body: { name: 'R', hostName: 'Ms\u202ELee' },
    });
    expect(hostName.body).toMatchObject({ error: 'invalid-request', field: 'hostName' });
  });

  it('gives names that only look different the visible suffix, and stores names in NFC', async () => {
    const { room } = await createRoom(base, 'Look-alikes', 'Host');
    const names = [];
    for (const name of [
      '\uFF28\uFF4F\uFF53\uFF54',
      'HOST',
      'ho\uFB06',
      'hoſt',
      'Jose\u0301',
      'Jos\u00E9',
      '  Ada   Lovelace ',
    ]) {
      names.push((await join(base, room.code, name)).name);
    }
    expect(names).toEqual([
      '\uFF28\uFF4F\uFF53\uFF54 (2)',
      'HOST (3)',
      'ho\uFB06 (4)',
      'hoſt (5)',
      'Jos\u00E9',
      'Jos\u00E9 (2)',
      'Ada Lovelace',
    ]);
  });

  it('measures a link as it is stored: a 2,000-character CJK link is refused with the field named', async () => {
    const { room, member } = await createRoom(base);
    const send = (url: string) =>
      call<ErrorBody>(base, 'POST', `/api/rooms/${room.code}/messages`, { body: { url }, token: member.token });
    const cjk = `https://example.org/${'漢'.repeat(URL_MAX_LENGTH - 'https://example.org/'.length)}`;
    expect(cjk.length).toBe(URL_MAX_LENGTH);
    const refused = await send(cjk);
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ error: 'invalid-request', field: 'url' });
    expect(refused.body.message).toBe(
      `url must be at most ${URL_MAX_LENGTH} characters once written as a web address, where a letter outside A–Z takes 6 to 12; shorten it, or use a link shortener your school trusts.`,
    );
    const room0 = await getRoom(base, room.code, member.token);
    expect(room0.body.room.classroom.messages).toEqual([]);
    // The longest link that fits as stored is kept as sent.
    const fits = `https://example.org/${'漢'.repeat(Math.floor((URL_MAX_LENGTH - 'https://example.org/'.length) / 9))}`;
    expect((await send(fits)).status).toBe(201);
  });

  it('answers a URL over 16 KB with a JSON 431', async () => {
    const reply = await fetch(`${base}/api/rooms/${'K'.repeat(17_000)}`);
    expect(reply.status).toBe(431);
    expect(((await reply.json()) as ErrorBody).error).toBe('headers-too-large');
    expect((await call(base, 'GET', '/api/health')).status).toBe(200);
  });

  it('answers HEAD on the event streams and closes them', async () => {
    const { room, member } = await createRoom(base);
    for (const path of ['/api/lobby/events', `/api/rooms/${room.code}/events?token=${member.token}`]) {
      const reply = await fetch(`${base}${path}`, { method: 'HEAD', signal: AbortSignal.timeout(3000) });
      expect(reply.status).toBe(200);
    }
    const forged = await fetch(`${base}/api/rooms/${room.code}/events?token=forged`, { method: 'HEAD' });
    expect(forged.status).toBe(401);
    expect(server.connections()).toMatchObject({ lobbyStreams: 0, roomStreams: 0 });
  });
});
