import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErrorBody, HealthResponse, RoomEvent } from '../../src/shared/protocol.ts';
import { call, createRoom, getRoom, join } from '../helpers/client.ts';
import { connectPeer, type PeerSocket } from '../helpers/peer.ts';
import { relayUp, startTestServer, type TestServer } from '../helpers/server.ts';
import { openEvents } from '../helpers/sse.ts';

// Failure reports reroute only while a relay is up to take the rerouted screens.
let auto: TestServer;
let always: TestServer;
const sockets: PeerSocket[] = [];

beforeAll(async () => {
  [auto, always] = await Promise.all([
    startTestServer({ RELAY_MODE: 'auto', RELAY_ANNOUNCED_IPS: '127.0.0.1' }),
    startTestServer({ RELAY_MODE: 'always', RELAY_ANNOUNCED_IPS: '127.0.0.1' }),
  ]);
  await Promise.all([relayUp(auto), relayUp(always)]);
}, 20_000);
afterAll(async () => {
  for (const s of sockets) s.ws.close();
  await Promise.all([auto.close(), always.close()]);
});

/** A room with a connected host and student, and the host's event stream. */
async function classroom(base: string) {
  const { room, member: host } = await createRoom(base);
  const ada = await join(base, room.code, 'Ada');
  sockets.push(await connectPeer(base, host.peerId, host.token), await connectPeer(base, ada.peerId, ada.token));
  const events = await openEvents<RoomEvent>(`${base}/api/rooms/${room.code}/events?token=${host.token}`);
  const report = (token: string, withId: string) =>
    call<{ counted: boolean } | ErrorBody>(base, 'POST', `/api/rooms/${room.code}/connection-failures`, {
      token,
      body: { with: withId },
    });
  return { code: room.code, host, ada, events, report };
}

describe('connection failure reports', () => {
  it('without a relay, relay nothing and tell the supervisor the pair has no route', async () => {
    const off = await startTestServer({ RELAY_MODE: 'off' });
    try {
      expect((await call<HealthResponse>(off.url, 'GET', '/api/health')).body.relay).toBe('off');
      const { code, host, ada, events, report } = await classroom(off.url);
      expect(await report(ada.token, host.id)).toEqual({ status: 202, body: { counted: true } });
      expect(await events.next((e) => e.type === 'routes-changed')).toEqual({
        type: 'routes-changed',
        routes: {
          transport: 'mesh',
          relayedPairs: [],
          directMembers: [],
          relayPeerId: null,
          unroutablePairs: [`${ada.id}/${host.id}`],
          presentationTransport: 'mesh',
          racing: false,
        },
      });
      expect((await getRoom(off.url, code, host.token)).body.room.routes).toMatchObject({
        transport: 'mesh',
        relayedPairs: [],
      });
      events.close();
    } finally {
      await off.close();
    }
  });

  it('relay a student–supervisor pair on its own as soon as its direct connection is reported failing', async () => {
    const { code, host, ada, events, report } = await classroom(auto.url);
    expect(await report(ada.token, host.id)).toEqual({ status: 202, body: { counted: true } });

    const pair = `${ada.id}/${host.id}`;
    expect(await events.next((e) => e.type === 'routes-changed')).toEqual({
      type: 'routes-changed',
      routes: {
        transport: 'mesh',
        relayedPairs: [pair],
        directMembers: [],
        relayPeerId: auto.relay!.workers[0]!.peerId,
        unroutablePairs: [],
        presentationTransport: 'mesh',
        // No direct call has come up in this room, on a network the server has not seen.
        racing: true,
      },
    });
    // The room as a whole stays peer to peer; the student learns of their pair.
    expect((await getRoom(auto.url, code, ada.token)).body.room.routes).toMatchObject({
      transport: 'mesh',
      relayedPairs: [pair],
    });
    // A pair already relayed has no direct connection left to fail.
    expect(await report(ada.token, host.id)).toEqual({ status: 202, body: { counted: false } });
    events.close();
  });

  it('send a student who cannot reach the relay straight to supervisors after two failures', async () => {
    const { code, ada, events, report } = await classroom(always.url);
    expect((await getRoom(always.url, code, ada.token)).body.room.routes.transport).toBe('relay');
    await report(ada.token, 'relay');
    await report(ada.token, 'relay');
    expect(await events.next((e) => e.type === 'routes-changed')).toEqual({
      type: 'routes-changed',
      routes: {
        transport: 'relay',
        relayedPairs: [],
        directMembers: [ada.id],
        relayPeerId: always.relay!.workers[0]!.peerId,
        unroutablePairs: [],
        presentationTransport: 'relay',
        racing: false,
      },
    });
    expect((await getRoom(always.url, code, ada.token)).body.room.routes).toMatchObject({
      transport: 'relay',
      directMembers: [ada.id],
    });
    events.close();
  });

  it('forget what counted against a link to the relay once a connection with it comes up', async () => {
    const { code, ada, events, report } = await classroom(always.url);
    const working = () =>
      call<{ counted: boolean }>(always.url, 'DELETE', `/api/rooms/${code}/connection-failures/relay`, {
        token: ada.token,
      });
    // Nothing to forget yet.
    expect(await working()).toEqual({ status: 202, body: { counted: false } });
    // A slow call reported, then up: forgotten. Another slow one does not make two.
    expect(await report(ada.token, 'relay')).toEqual({ status: 202, body: { counted: true } });
    expect(await working()).toEqual({ status: 202, body: { counted: true } });
    expect(await report(ada.token, 'relay')).toEqual({ status: 202, body: { counted: true } });
    expect((await getRoom(always.url, code, ada.token)).body.room.routes.directMembers).toEqual([]);
    // Two failures in a row send her direct, and a late success does not take that back.
    await report(ada.token, 'relay');
    await events.next((e) => e.type === 'routes-changed');
    expect(await working()).toEqual({ status: 202, body: { counted: false } });
    expect((await getRoom(always.url, code, ada.token)).body.room.routes.directMembers).toEqual([ada.id]);
    expect(await call(always.url, 'DELETE', `/api/rooms/${code}/connection-failures/relay`)).toMatchObject({
      status: 401,
      body: { error: 'unauthorized' },
    });
    events.close();
  });

  it('refuse reports that name no one to connect with, saying what to send', async () => {
    const { code, host, ada, report } = await classroom(auto.url);
    const bo = await join(auto.url, code, 'Bo');
    const path = `/api/rooms/${code}/connection-failures`;
    expect(await call(auto.url, 'POST', path, { body: { with: host.id } })).toMatchObject({
      status: 401,
      body: { error: 'unauthorized' },
    });
    expect(await call(auto.url, 'POST', path, { token: ada.token, body: {} })).toMatchObject({
      status: 400,
      body: { error: 'invalid-request', field: 'with', message: 'with is required.' },
    });
    expect(await call(auto.url, 'POST', path, { token: ada.token, body: { with: 7 } })).toMatchObject({
      status: 400,
      body: { field: 'with' },
    });
    expect(await report(ada.token, bo.id)).toMatchObject({
      status: 403,
      body: { error: 'wrong-role', field: 'with', message: expect.stringContaining('other role') },
    });
    expect(await report(ada.token, ada.id)).toMatchObject({ status: 409, body: { error: 'invalid-target' } });
    expect(await report(ada.token, 'nobody')).toMatchObject({ status: 404, body: { error: 'member-not-found' } });
    // None of it changed the room.
    expect((await getRoom(auto.url, code, host.token)).body.room.routes).toMatchObject({
      relayedPairs: [],
      directMembers: [],
    });
  });
});

describe('direct connection reports', () => {
  it('end a room’s race at the first, for every member, and later rooms from that network do not race', async () => {
    // A server of its own: what it learns of loopback's network would change the other tests' rooms.
    const server = await startTestServer({ RELAY_MODE: 'auto', RELAY_ANNOUNCED_IPS: '127.0.0.1' });
    try {
      await relayUp(server);
      const { code, host, ada, events } = await classroom(server.url);
      expect((await getRoom(server.url, code, ada.token)).body.room.routes).toMatchObject({
        transport: 'mesh',
        racing: true,
      });
      const path = `/api/rooms/${code}/direct-connections`;
      const up = (token: string, withId: unknown) => call(server.url, 'POST', path, { token, body: { with: withId } });
      expect(await up(ada.token, host.id)).toEqual({ status: 202, body: { counted: true } });
      expect(await events.next((e) => e.type === 'routes-changed')).toMatchObject({
        type: 'routes-changed',
        routes: { transport: 'mesh', racing: false },
      });
      // Once over, a report changes nothing; bad ones are refused, saying what to send.
      expect(await up(ada.token, host.id)).toEqual({ status: 202, body: { counted: false } });
      expect(await up(ada.token, ada.id)).toMatchObject({
        status: 409,
        body: { error: 'invalid-target', field: 'with' },
      });
      expect(await up(ada.token, '')).toMatchObject({
        status: 400,
        body: { error: 'invalid-request', field: 'with', message: expect.stringContaining('supervisor') },
      });
      expect(await call(server.url, 'POST', path, { body: { with: host.id } })).toMatchObject({ status: 401 });
      events.close();
      // The next room opened from this network goes peer to peer without a race.
      const next = await createRoom(server.url);
      expect(next.room.routes).toMatchObject({ transport: 'mesh', racing: false });
    } finally {
      await server.close();
    }
  });
});
