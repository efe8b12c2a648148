import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RoomEvent } from '../../src/shared/protocol.ts';
import { call, createRoom, getRoom, join } from '../helpers/client.ts';
import { connectPeer } from '../helpers/peer.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { openEvents } from '../helpers/sse.ts';

let server: TestServer;
let base: string;

beforeAll(async () => {
  // A one-second grace keeps the disconnect-to-removal path quick to observe.
  server = await startTestServer({ RECONNECT_GRACE_S: '1' });
  base = server.url;
});
afterAll(() => server.close());

describe('PeerServer admission', () => {
  it('accepts a member’s peer id with their token and relays signalling between members', async () => {
    const { room, member: host } = await createRoom(base);
    const ada = await join(base, room.code, 'Ada');
    const hostPeer = await connectPeer(base, host.peerId, host.token);
    const adaPeer = await connectPeer(base, ada.peerId, ada.token);
    await hostPeer.waitFor('OPEN');
    await adaPeer.waitFor('OPEN');
    adaPeer.send({ type: 'OFFER', dst: host.peerId, payload: { sdp: 'v=0 offer from Ada' } });
    const offer = await hostPeer.waitFor('OFFER');
    expect(offer).toMatchObject({ src: ada.peerId, payload: { sdp: 'v=0 offer from Ada' } });
    hostPeer.ws.close();
    adaPeer.ws.close();
  });

  it('refuses the upgrade for a wrong token, an unknown id, or a member who left', async () => {
    const { room, member: host } = await createRoom(base);
    const ada = await join(base, room.code, 'Ada');
    await expect(connectPeer(base, host.peerId, ada.token)).rejects.toMatchObject({ status: 401 });
    await expect(connectPeer(base, 'a'.repeat(32), ada.token)).rejects.toMatchObject({ status: 401 });
    await expect(connectPeer(base, host.peerId, '')).rejects.toMatchObject({ status: 401 });
    await call(base, 'DELETE', `/api/rooms/${room.code}/members/me`, { token: ada.token });
    await expect(connectPeer(base, ada.peerId, ada.token)).rejects.toMatchObject({ status: 401 });
  });

  it('does not let anyone take a supervisor’s id while they are briefly offline', async () => {
    const { room, member: host } = await createRoom(base);
    const ada = await join(base, room.code, 'Ada');
    const first = await connectPeer(base, host.peerId, host.token);
    first.ws.close();
    await first.closed;
    await expect(connectPeer(base, host.peerId, ada.token)).rejects.toMatchObject({ status: 401 });
    const back = await connectPeer(base, host.peerId, host.token);
    await back.waitFor('OPEN');
    back.ws.close();
  });
});

describe('presence', () => {
  it('turns PeerServer connects and disconnects into events, and removes a member after the grace period', async () => {
    const { room, member: host } = await createRoom(base);
    const hostPeer = await connectPeer(base, host.peerId, host.token);
    const ada = await join(base, room.code, 'Ada');
    const events = await openEvents<RoomEvent>(`${base}/api/rooms/${room.code}/events?token=${host.token}`);

    const adaPeer = await connectPeer(base, ada.peerId, ada.token);
    await events.next((e) => e.type === 'member-connected' && e.memberId === ada.id);
    expect((await getRoom(base, room.code, host.token)).body.room.members.find((m) => m.id === ada.id)?.connected).toBe(
      true,
    );

    adaPeer.ws.close();
    await events.next((e) => e.type === 'member-disconnected' && e.memberId === ada.id);
    expect(await events.next((e) => e.type === 'member-left', 4000)).toEqual({
      type: 'member-left',
      memberId: ada.id,
      reason: 'timed-out',
    });
    expect((await getRoom(base, room.code, ada.token)).status).toBe(401);
    events.close();
    hostPeer.ws.close();
  });

  it('keeps a member who reconnects within the grace period', async () => {
    const { room, member: host } = await createRoom(base);
    const hostPeer = await connectPeer(base, host.peerId, host.token);
    const ada = await join(base, room.code, 'Ada');
    const first = await connectPeer(base, ada.peerId, ada.token);
    first.ws.close();
    await first.closed;
    const second = await connectPeer(base, ada.peerId, ada.token);
    await second.waitFor('OPEN');
    await new Promise((r) => setTimeout(r, 1600));
    const seen = (await getRoom(base, room.code, ada.token)).body.room.members.find((m) => m.id === ada.id);
    expect(seen).toMatchObject({ connected: true });
    second.ws.close();
    hostPeer.ws.close();
  });

  it('promotes the other supervisor when the host stays disconnected past the grace period', async () => {
    const { room, member: host, supervisorKey } = await createRoom(base);
    const co = await join(base, room.code, 'Mr Ode', 'supervisor', supervisorKey);
    const coPeer = await connectPeer(base, co.peerId, co.token);
    const hostPeer = await connectPeer(base, host.peerId, host.token);
    const events = await openEvents<RoomEvent>(`${base}/api/rooms/${room.code}/events?token=${co.token}`);
    await events.next((e) => e.type === 'snapshot');
    hostPeer.ws.terminate();
    const change = await events.next((e) => e.type === 'host-changed', 4000);
    expect(change).toEqual({ type: 'host-changed', hostId: co.id, previousHostId: host.id, reason: 'promotion' });
    expect((await getRoom(base, room.code, co.token)).body.room.hostId).toBe(co.id);
    events.close();
    coPeer.ws.close();
  });

  it('closes the PeerServer socket of a member who is removed or whose room ends', async () => {
    const { room, member: host } = await createRoom(base);
    const ada = await join(base, room.code, 'Ada');
    const hostPeer = await connectPeer(base, host.peerId, host.token);
    const adaPeer = await connectPeer(base, ada.peerId, ada.token);
    await adaPeer.waitFor('OPEN');
    await call(base, 'DELETE', `/api/rooms/${room.code}/members/${ada.id}`, { token: host.token });
    expect(await adaPeer.closed).toBe(1000);
    await call(base, 'DELETE', `/api/rooms/${room.code}`, { token: host.token });
    expect(await hostPeer.closed).toBe(1000);
  });
});
