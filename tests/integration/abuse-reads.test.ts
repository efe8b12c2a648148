/**
 * No code oracle: the member routes answer an unknown room exactly like a wrong token, and reads
 * that need no seat are rate-limited per address (generously: the app polls nothing).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ErrorBody } from '../../src/shared/protocol.ts';
import { call, callFrom, createRoom } from '../helpers/client.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('guessing room codes', () => {
  it('gets the same answer for a room that exists and one that does not', async () => {
    server = await startTestServer({ RELAY_MODE: 'off' });
    const base = server.url;
    const { room } = await createRoom(base);
    const unknown = room.code === 'ZZZZZZ' ? 'YYYYYY' : 'ZZZZZZ';
    const paths = (code: string) => [
      ['GET', `/api/rooms/${code}`],
      ['GET', `/api/rooms/${code}/events?token=guess`],
      ['DELETE', `/api/rooms/${code}/members/me`],
      ['DELETE', `/api/rooms/${code}`],
    ];
    for (const [i, [method, path]] of paths(room.code).entries()) {
      const existing = await call<ErrorBody>(base, method!, path!, { token: 'guess' });
      const missing = await call<ErrorBody>(base, method!, paths(unknown)[i]![1]!, { token: 'guess' });
      expect(existing).toEqual({ status: 401, body: { error: 'unauthorized', message: expect.any(String) } });
      expect(missing).toEqual(existing);
    }
  });
});

describe('reads that need no seat', () => {
  it('are limited per address per minute; guessed tokens and health checks count nowhere', async () => {
    server = await startTestServer({ RELAY_MODE: 'off', READ_RATE_LIMIT_PER_MIN: '40' });
    const base = server.url;
    const { room } = await createRoom(base);
    for (let i = 0; i < 50; i++) {
      const reply = await callFrom('127.0.0.7', base, 'GET', `/api/rooms/${room.code}`, { token: `guess-${i}` });
      expect(reply.status).toBe(401);
      expect((await callFrom('127.0.0.7', base, 'GET', '/api/health')).status).toBe(200);
    }
    for (let i = 0; i < 40; i++) expect((await callFrom('127.0.0.7', base, 'GET', '/api/config')).status).toBe(200);
    const limited = await callFrom<ErrorBody>('127.0.0.7', base, 'GET', '/api/config');
    expect(limited).toMatchObject({ status: 429, body: { error: 'rate-limited' } });
    expect((await callFrom('127.0.0.8', base, 'GET', '/api/config')).status).toBe(200);
  });
});
