/**
 * Issue #24 item 6: a TURN credential must not outlive its seat by hours. Against a real coturn
 * (use-auth-secret), a credential a student saved opens relays while it is valid, the server gives a
 * student who left no new one, and once it expires coturn refuses it a new allocation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IceServer, IceServersResponse } from '../../src/shared/protocol.ts';
import { call, createRoom, join } from '../helpers/client.ts';
import { startCoturn, type TestCoturn } from '../helpers/coturn.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { TurnClient } from '../helpers/turn-client.ts';

/** What docs/threats.md promises with the default TURN_TTL_S: a credential is refused 10 minutes after it was issued. */
const PROMISED_TTL_S = 600;
/**
 * Seconds of that TTL left when the test is handed a credential: the app server's clock runs
 * PROMISED_TTL_S - LEFT_S behind coturn's, so the shipped default is tested without a 10-minute wait.
 */
const LEFT_S = 3;

let coturn: TestCoturn;
let server: TestServer;

beforeAll(async () => {
  coturn = await startCoturn();
  server = await startTestServer(
    { TURN_URLS: coturn.url, TURN_SECRET: coturn.secret, RELAY_MODE: 'off' },
    { clock: () => Date.now() - (PROMISED_TTL_S - LEFT_S) * 1000 },
  );
});
afterAll(async () => {
  await server?.close();
  await coturn?.stop();
});

/** Polls `done` every 50 ms; fails with `why()` if it is still false at `deadlineMs`. */
async function until(done: () => boolean | Promise<boolean>, deadlineMs: number, why: () => string): Promise<void> {
  while (!(await done())) {
    if (Date.now() > deadlineMs) throw new Error(why());
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function turnServer(servers: IceServer[]): { username: string; credential: string } {
  const turn = servers.find((s) => [s.urls].flat().some((u) => u.startsWith('turn:')));
  if (!turn?.username || !turn.credential)
    throw new Error(`no TURN server with credentials in ${JSON.stringify(servers)}`);
  return { username: turn.username, credential: turn.credential };
}

describe('TURN credentials and the seat they were made for', () => {
  it('open relays while valid, are not renewed after the student leaves, and are refused once expired', async () => {
    const { room } = await createRoom(server.url);
    const ada = await join(server.url, room.code, 'Ada');
    const issuedMs = Date.now();
    const reply = await call<IceServersResponse>(server.url, 'GET', `/api/rooms/${room.code}/ice-servers`, {
      token: ada.token,
    });
    expect(reply.status).toBe(200);
    const saved = turnServer(reply.body.iceServers);
    const expiryS = Number(saved.username.split(':')[0]);
    const turn = { host: coturn.host, port: coturn.port };

    // While valid: a relay, as a browser's ICE candidate would get.
    const inClass = await TurnClient.open(turn, saved);
    const allocated = await inClass.allocate();
    expect(allocated.status).toBe(200);
    expect(allocated.relayed?.address).toBe('127.0.0.1');

    const left = await call(server.url, 'DELETE', `/api/rooms/${room.code}/members/me`, { token: ada.token });
    expect(left.status).toBeLessThan(300);
    // A seat that ended gets no fresh credential.
    const after = await call(server.url, 'GET', `/api/rooms/${room.code}/ice-servers`, { token: ada.token });
    expect(after.status).toBe(401);
    // coturn cannot be told a seat ended: until it expires, the saved credential still works.
    const stillValid = await TurnClient.open(turn, saved);
    expect((await stillValid.allocate()).status).toBe(200);
    await stillValid.refresh(0);
    stillValid.close();

    // coturn compares whole seconds and refuses once its clock is past the expiry (`ts < now`).
    await until(
      () => Math.floor(Date.now() / 1000) > expiryS,
      issuedMs + (LEFT_S + 2) * 1000,
      () =>
        `the credential was still valid ${LEFT_S + 2} s after it was issued: it expires at ${expiryS}, in ${expiryS - Math.floor(Date.now() / 1000)} s`,
    );
    // coturn reads its own clock, which it moves on about once a second (later on a busy core): ask
    // until it refuses, for a few seconds past the expiry, and never before the expiry.
    let status = 0;
    await until(
      async () => {
        const afterExpiry = await TurnClient.open(turn, saved);
        status = (await afterExpiry.allocate()).status;
        afterExpiry.close();
        return status === 401;
      },
      (expiryS + 5) * 1000,
      () => `coturn still answered ${status} to the expired credential 5 s after its expiry (${expiryS})`,
    );
    expect(status).toBe(401);

    // What coturn does with an allocation made while the credential was valid: it checked the
    // credential once, at the allocation, and refreshes it with the key it kept (ns_turn_server.c
    // `check_stun_auth`: the user's key is looked up only while `hmackey_set` is 0).
    const refreshed = await inClass.refresh(600);
    expect(refreshed.status).toBe(200);
    expect((await inClass.refresh(0)).status).toBe(200);
    inClass.close();
  });
});
