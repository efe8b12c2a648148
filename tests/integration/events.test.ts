import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErrorBody, LobbyEvent, RoomEvent } from '../../src/shared/protocol.ts';
import { call, createRoom, join } from '../helpers/client.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { openEvents } from '../helpers/sse.ts';

let server: TestServer;
let base: string;

beforeAll(async () => {
  server = await startTestServer();
  base = server.url;
});
afterAll(() => server.close());

const roomEvents = (code: string, token: string) =>
  openEvents<RoomEvent>(`${base}/api/rooms/${code}/events?token=${token}`);

describe('room event stream', () => {
  it('refuses a stream without a valid token, with a JSON error', async () => {
    const { room } = await createRoom(base);
    await expect(roomEvents(room.code, 'forged')).rejects.toMatchObject({
      status: 401,
      body: { error: 'unauthorized' },
    });
    await expect(openEvents(`${base}/api/rooms/${room.code}/events`)).rejects.toMatchObject({ status: 401 });
    // An unknown room answers like a wrong token: no way to tell which codes are open.
    await expect(roomEvents('ZZZZZZ', 'x')).rejects.toMatchObject({ status: 401, body: { error: 'unauthorized' } });
  });

  it('starts with a snapshot, then delivers each event to the members who may see it', async () => {
    const { room, member: host, supervisorKey } = await createRoom(base);
    const code = room.code;
    const ada = await join(base, code, 'Ada');
    const hostStream = await roomEvents(code, host.token);
    const adaStream = await roomEvents(code, ada.token);

    const hostSnap = await hostStream.next((e) => e.type === 'snapshot');
    expect(hostSnap).toMatchObject({ type: 'snapshot', you: host.id, room: { code, hostId: host.id } });
    const adaSnap = await adaStream.next((e) => e.type === 'snapshot');
    expect(adaSnap.type === 'snapshot' && adaSnap.room.members.map((m) => m.name)).toEqual(['Ms Lee', 'Ada']);

    // A student joining is news to supervisors only.
    const bo = await join(base, code, 'Bo');
    const joined = await hostStream.next((e) => e.type === 'member-joined');
    expect(joined).toMatchObject({ member: { id: bo.id, name: 'Bo', role: 'student', peerId: bo.peerId } });

    // A supervisor joining is news to everyone; students get their peer id to call them.
    const co = await join(base, code, 'Mr Ode', 'supervisor', supervisorKey);
    const coForAda = await adaStream.next((e) => e.type === 'member-joined');
    expect(coForAda).toMatchObject({ member: { id: co.id, role: 'supervisor', peerId: co.peerId } });

    // Sharing: the supervisors and the student themself.
    await call(base, 'PUT', `/api/rooms/${code}/members/me/share`, { token: ada.token, body: { sharing: true } });
    await call(base, 'PUT', `/api/rooms/${code}/members/me/share`, { token: bo.token, body: { sharing: true } });
    await call(base, 'PUT', `/api/rooms/${code}/members/me/share`, { token: bo.token, body: { sharing: false } });
    await hostStream.next((e) => e.type === 'share-stopped' && e.memberId === bo.id);
    expect(await adaStream.next((e) => e.type === 'share-started')).toEqual({
      type: 'share-started',
      memberId: ada.id,
    });

    // Host change: everyone.
    await call(base, 'POST', `/api/rooms/${code}/host`, { token: host.token, body: { memberId: co.id } });
    const change = { type: 'host-changed', hostId: co.id, previousHostId: host.id, reason: 'transfer' };
    expect(await adaStream.next((e) => e.type === 'host-changed')).toEqual(change);
    expect(await hostStream.next((e) => e.type === 'host-changed')).toEqual(change);

    // Nothing about Bo ever reached Ada.
    expect(JSON.stringify(adaStream.received)).not.toContain(bo.id);
    expect(adaStream.received.map((e) => e.type)).toEqual([
      'snapshot',
      'member-joined',
      'share-started',
      'host-changed',
    ]);
    hostStream.close();
    adaStream.close();
  });

  it('tells a removed student, then ends their stream; the others see them leave', async () => {
    const { room, member: host } = await createRoom(base);
    const ada = await join(base, room.code, 'Ada');
    const hostStream = await roomEvents(room.code, host.token);
    const adaStream = await roomEvents(room.code, ada.token);
    await adaStream.next((e) => e.type === 'snapshot');
    await call(base, 'DELETE', `/api/rooms/${room.code}/members/${ada.id}`, { token: host.token });
    expect(await adaStream.next((e) => e.type === 'member-left')).toEqual({
      type: 'member-left',
      memberId: ada.id,
      reason: 'kicked',
    });
    await adaStream.ended;
    expect(await hostStream.next((e) => e.type === 'member-left')).toEqual({
      type: 'member-left',
      memberId: ada.id,
      reason: 'kicked',
    });
    await expect(roomEvents(room.code, ada.token)).rejects.toMatchObject({ status: 401 });
    hostStream.close();
  });

  it('tells everyone when the host ends the room, then ends every stream', async () => {
    const { room, member: host, supervisorKey } = await createRoom(base);
    const ada = await join(base, room.code, 'Ada');
    const co = await join(base, room.code, 'Co', 'supervisor', supervisorKey);
    const streams = await Promise.all([host, ada, co].map((m) => roomEvents(room.code, m.token)));
    await Promise.all(streams.map((s) => s.next((e) => e.type === 'snapshot')));
    expect((await call(base, 'DELETE', `/api/rooms/${room.code}`, { token: host.token })).status).toBe(204);
    for (const stream of streams) {
      expect(await stream.next((e) => e.type === 'room-terminated')).toEqual({
        type: 'room-terminated',
        reason: 'ended-by-host',
      });
      await stream.ended;
    }
    expect(server.connections().roomStreams).toBe(0);
  });

  it('gives a reconnecting client a fresh snapshot that includes what it missed', async () => {
    const { room, member: host } = await createRoom(base);
    const first = await roomEvents(room.code, host.token);
    await first.next((e) => e.type === 'snapshot');
    first.close();
    const ada = await join(base, room.code, 'Ada');
    const second = await roomEvents(room.code, host.token);
    const snapshot = await second.next((e) => e.type === 'snapshot');
    expect(snapshot.type === 'snapshot' && snapshot.room.members.map((m) => m.id)).toContain(ada.id);
    second.close();
  });
});

describe('lobby event stream', () => {
  it('starts with the listed rooms, then shows rooms added, updated and removed', async () => {
    const before = await createRoom(base, 'Already open', 'Mr Ode');
    const hidden = await createRoom(base, 'Hidden', 'Ms Lee', false);
    const lobby = await openEvents<LobbyEvent>(`${base}/api/lobby/events`);
    const snapshot = await lobby.next((e) => e.type === 'snapshot');
    const codes = snapshot.type === 'snapshot' ? snapshot.rooms.map((r) => r.code) : [];
    expect(codes).toContain(before.room.code);
    expect(codes).not.toContain(hidden.room.code);

    const { room, member: host } = await createRoom(base, 'Chemistry', 'Dr Ng');
    expect(await lobby.next((e) => e.type === 'room-added' && e.room.code === room.code)).toMatchObject({
      room: { name: 'Chemistry', hostName: 'Dr Ng', students: 0, supervisors: 1 },
    });
    await join(base, room.code, 'Ada');
    expect(await lobby.next((e) => e.type === 'room-updated' && e.room.code === room.code)).toMatchObject({
      room: { students: 1 },
    });
    await call(base, 'DELETE', `/api/rooms/${room.code}`, { token: host.token });
    expect(await lobby.next((e) => e.type === 'room-removed')).toEqual({ type: 'room-removed', code: room.code });

    // Activity in an unlisted room never reaches the lobby.
    await join(base, hidden.room.code, 'Bo');
    await call(base, 'DELETE', `/api/rooms/${hidden.room.code}`, { token: hidden.member.token });
    const marker = await createRoom(base, 'Marker', 'T');
    await lobby.next((e) => e.type === 'room-added' && e.room.code === marker.room.code);
    expect(JSON.stringify(lobby.received)).not.toContain(hidden.room.code);
    lobby.close();
  });
});

describe('errors on the stream endpoints', () => {
  it('answers a bad room code with JSON, not a stream', async () => {
    const res = await fetch(`${base}/api/rooms/NOPE/events?token=x`);
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toContain('application/json');
    expect(((await res.json()) as ErrorBody).error).toBe('unauthorized');
  });
});
