import { createHmac, randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClientConfig, ErrorBody, IceServersResponse } from '../../src/shared/protocol.ts';
import { call, createRoom, join } from '../helpers/client.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const SECRET = 'a-test-secret-of-some-length';
const TTL_S = 600;
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({
    TURN_URLS: 'turn:127.0.0.1:3478?transport=udp,turn:127.0.0.1:3478?transport=tcp',
    TURN_SECRET: SECRET,
    TURN_TTL_S: String(TTL_S),
  });
});
afterAll(() => server.close());

/** Sends one STUN Binding request to `port` and returns the address and port the answer maps us to. */
async function bind(port: number): Promise<{ address: string; port: number; localPort: number; fingerprint: boolean }> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const transaction = randomBytes(12);
  const request = Buffer.concat([Buffer.from([0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42]), transaction]);
  try {
    const answer = await new Promise<Buffer>((resolve, reject) => {
      setTimeout(() => reject(new Error('no STUN answer within 2 s')), 2000);
      socket.once('message', resolve);
      socket.send(request, port, '127.0.0.1');
    });
    expect(answer.readUInt16BE(0)).toBe(0x0101);
    expect(answer.subarray(8, 20)).toEqual(transaction);
    let offset = 20;
    let mapped: { address: string; port: number } | null = null;
    let fingerprint = false;
    while (offset < answer.length) {
      const type = answer.readUInt16BE(offset);
      const length = answer.readUInt16BE(offset + 2);
      const value = answer.subarray(offset + 4, offset + 4 + length);
      if (type === 0x0020) {
        const cookie = [0x21, 0x12, 0xa4, 0x42];
        mapped = {
          port: value.readUInt16BE(2) ^ 0x2112,
          address: [...value.subarray(4, 8)].map((b, i) => b ^ cookie[i]!).join('.'),
        };
      }
      if (type === 0x8028) fingerprint = true;
      offset += 4 + Math.ceil(length / 4) * 4;
    }
    return { ...mapped!, localPort: socket.address().port, fingerprint };
  } finally {
    socket.close();
  }
}

describe('STUN and TURN run by the school', () => {
  it('answer STUN binding requests with the address they came from, and hand that server to browsers', async () => {
    const { body: config } = await call<ClientConfig>(server.url, 'GET', '/api/config');
    const stun = config.iceServers.find((s) => String(s.urls).startsWith('stun:'));
    const port = Number(/^stun:127\.0\.0\.1:(\d+)$/.exec(String(stun?.urls))?.[1]);
    expect(port).toBeGreaterThan(0);
    const answer = await bind(port);
    expect(answer).toEqual({
      address: '127.0.0.1',
      port: answer.localPort,
      localPort: answer.localPort,
      fingerprint: true,
    });
    // The unauthenticated config never carries TURN credentials.
    expect(JSON.stringify(config.iceServers)).not.toContain('turn:');
  });

  it('give each member short-lived TURN credentials that coturn can check with the shared secret', async () => {
    const { room } = await createRoom(server.url);
    const ada = await join(server.url, room.code, 'Ada');
    const before = Math.floor(Date.now() / 1000);
    const reply = await call<IceServersResponse>(server.url, 'GET', `/api/rooms/${room.code}/ice-servers`, {
      token: ada.token,
    });
    expect(reply.status).toBe(200);
    // How long they last, as a duration: the browser renews them before then by its own clock.
    expect(reply.body.expiresInS).toBe(TTL_S);
    const turn = reply.body.iceServers.find((s) => [s.urls].flat().some((u) => u.startsWith('turn:')))!;
    expect(turn.urls).toEqual(['turn:127.0.0.1:3478?transport=udp', 'turn:127.0.0.1:3478?transport=tcp']);
    const [expiry, memberId] = turn.username!.split(':');
    expect(memberId).toBe(ada.id);
    expect(Number(expiry)).toBeGreaterThanOrEqual(before + TTL_S);
    expect(Number(expiry)).toBeLessThanOrEqual(before + TTL_S + 5);
    expect(turn.credential).toBe(createHmac('sha1', SECRET).update(turn.username!).digest('base64'));
    expect(JSON.stringify(reply.body)).not.toContain(SECRET);
    // The STUN responder comes with it.
    expect(reply.body.iceServers.some((s) => String(s.urls).startsWith('stun:127.0.0.1:'))).toBe(true);
  });

  it('give none to a student who was removed or left: credentials are renewed only while the seat lasts', async () => {
    const { room, member: host } = await createRoom(server.url);
    const removed = await join(server.url, room.code, 'Bo');
    const leaving = await join(server.url, room.code, 'Cy');
    const path = `/api/rooms/${room.code}/ice-servers`;
    expect((await call(server.url, 'GET', path, { token: removed.token })).status).toBe(200);
    const kick = await call(server.url, 'DELETE', `/api/rooms/${room.code}/members/${removed.id}`, {
      token: host.token,
    });
    expect(kick.status).toBeLessThan(300);
    const leave = await call(server.url, 'DELETE', `/api/rooms/${room.code}/members/me`, { token: leaving.token });
    expect(leave.status).toBeLessThan(300);
    for (const token of [removed.token, leaving.token])
      expect(await call<ErrorBody>(server.url, 'GET', path, { token })).toMatchObject({
        status: 401,
        body: { error: 'unauthorized' },
      });
  });

  it('give no credentials without a member token', async () => {
    const { room } = await createRoom(server.url);
    const reply = await call<ErrorBody>(server.url, 'GET', `/api/rooms/${room.code}/ice-servers`, { token: 'nope' });
    expect(reply).toMatchObject({ status: 401, body: { error: 'unauthorized' } });
  });
});
