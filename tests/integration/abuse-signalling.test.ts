/**
 * Signalling only where it belongs, with real websockets: PeerServer passes offers, answers,
 * candidates and hang-ups only between a student and a supervisor of the same room, within a
 * per-socket budget, holds little for an absent member, and a seat's sockets all close with it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createRoom, join } from '../helpers/client.ts';
import { connectPeer, type PeerSocket } from '../helpers/peer.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { HELD_FOR_ABSENT, SIGNAL_BUDGET, CLOSE_REPLACED } from '../../server/peer/peer-gate.ts';

let server: TestServer;
let base: string;

beforeAll(async () => {
  server = await startTestServer({ RELAY_MODE: 'off' });
  base = server.url;
});
afterAll(() => server.close());

async function connected(peerId: string, token: string): Promise<PeerSocket> {
  const socket = await connectPeer(base, peerId, token);
  await socket.waitFor('OPEN');
  return socket;
}

/** Every message of `type` carrying `marker` in its payload that reached `socket`. */
function received(socket: PeerSocket, marker: string) {
  return socket.messages.filter((m) => JSON.stringify(m.payload ?? null).includes(marker));
}

/** Sends an allowed message and waits for it, so everything `from` sent before it has been handled. */
async function flushed(from: PeerSocket, to: PeerSocket, toPeerId: string, marker: string) {
  from.send({ type: 'CANDIDATE', dst: toPeerId, payload: { marker } });
  await new Promise<void>((resolve, reject) => {
    const started = Date.now();
    const check = () => {
      if (received(to, marker).length > 0) return resolve();
      if (Date.now() - started > 5000) return reject(new Error(`${marker} never arrived`));
      setTimeout(check, 10);
    };
    check();
  });
}

describe('who may signal whom', () => {
  it('passes nothing across rooms, between students, between supervisors, or to ids that are not members', async () => {
    const a = await createRoom(base, 'Room A', 'Ms A');
    const b = await createRoom(base, 'Room B', 'Mr B');
    const coTeacher = await join(base, a.room.code, 'Mx C', 'supervisor', a.supervisorKey);
    const [a1, a2, b1] = [
      await join(base, a.room.code, 'Ada'),
      await join(base, a.room.code, 'Bo'),
      await join(base, b.room.code, 'Cy'),
    ];
    const hostA = await connected(a.member.peerId, a.member.token);
    const hostB = await connected(b.member.peerId, b.member.token);
    const coA = await connected(coTeacher.peerId, coTeacher.token);
    const ada = await connected(a1.peerId, a1.token);
    const bo = await connected(a2.peerId, a2.token);
    const cy = await connected(b1.peerId, b1.token);
    const before = server.droppedSignals()['not-allowed'];

    const forbidden: [PeerSocket, string, string][] = [
      [ada, 'OFFER', b.member.peerId], // another room's teacher
      [ada, 'CANDIDATE', a2.peerId], // another student
      [hostA, 'OFFER', b1.peerId], // another room's student
      [hostA, 'ANSWER', coTeacher.peerId], // another supervisor
      [ada, 'LEAVE', b.member.peerId],
      [ada, 'EXPIRE', a.member.peerId], // only the server says EXPIRE
      [ada, 'OFFER', 'f'.repeat(32)], // nobody
      [ada, 'OFFER', a1.peerId], // itself
    ];
    for (const [from, type, dst] of forbidden) from.send({ type, dst, payload: { marker: 'forbidden' } });
    ada.send({ type: 'LEAVE', payload: { marker: 'forbidden' } });

    // Allowed pairs still work, and prove the forbidden messages were handled first.
    await flushed(ada, hostA, a.member.peerId, 'ada-to-host');
    await flushed(hostA, ada, a1.peerId, 'host-to-ada');
    await flushed(cy, hostB, b.member.peerId, 'cy-to-host-b');
    await flushed(bo, coA, coTeacher.peerId, 'bo-to-co');
    await flushed(coA, bo, a2.peerId, 'co-to-bo');
    for (const socket of [hostA, hostB, coA, ada, bo, cy]) expect(received(socket, 'forbidden')).toEqual([]);
    expect(server.droppedSignals()['not-allowed'] - before).toBe(forbidden.length + 1);
    // A LEAVE without a destination would have made PeerServer forget Ada; she is still reachable.
    await flushed(hostA, ada, a1.peerId, 'still-there');
    for (const socket of [hostA, hostB, coA, ada, bo, cy]) socket.ws.close();
  });
});

describe('flooding', () => {
  it('bounds what one member pushes through to its room, and what waits for an absent member', async () => {
    const { room, member: host } = await createRoom(base, 'Flood', 'Ms F');
    const student = await join(base, room.code, 'Flo');
    const other = await join(base, room.code, 'Sam');
    const absent = await join(base, room.code, 'Mx Away', 'supervisor', (await createRoomKey(room.code, host.token))!);
    const hostPeer = await connected(host.peerId, host.token);
    const flo = await connected(student.peerId, student.token);
    const offer = { sdp: 'x'.repeat(60 * 1024 - 200), marker: 'flood' };

    const started = Date.now();
    let sent = 0;
    while (Date.now() - started < 2000) {
      if (flo.ws.bufferedAmount > 1024 * 1024) {
        await new Promise((r) => setTimeout(r, 5));
        continue;
      }
      flo.send({ type: 'OFFER', dst: sent % 2 === 0 ? host.peerId : absent.peerId, payload: offer });
      sent++;
    }
    const elapsedS = (Date.now() - started) / 1000;
    // Cut the flooder off: what it still had queued is discarded with its socket. Once the server
    // has seen the close, a message from another member proves the teacher has had all it will get.
    const socketsBefore = server.connections().peerSockets;
    flo.ws.terminate();
    await until(() => server.connections().peerSockets === socketsBefore - 1);
    const sam = await connected(other.peerId, other.token);
    await flushed(sam, hostPeer, host.peerId, 'after-flood');
    const delivered = received(hostPeer, 'flood').length;
    const budget = (SIGNAL_BUDGET.burstBytes + SIGNAL_BUDGET.bytesPerS * (elapsedS + 1)) / (60 * 1024);
    expect(sent).toBeGreaterThan(budget * 2);
    expect(delivered).toBeGreaterThan(0);
    expect(delivered).toBeLessThanOrEqual(budget);
    expect(server.droppedSignals()['over-budget']).toBeGreaterThan(0);

    // The absent supervisor finds at most what one call needs waiting for them.
    const late = await connected(absent.peerId, absent.token);
    await flushed(sam, late, absent.peerId, 'late-hello');
    // (PeerServer itself forgets what waited longer than 5 s, so this may be nothing by now.)
    expect(server.droppedSignals()['recipient-absent']).toBeGreaterThan(0);
    expect(received(late, 'flood').length).toBeLessThanOrEqual(HELD_FOR_ABSENT.messages);
    expect((await call(base, 'GET', '/api/health')).status).toBe(200);
    for (const socket of [hostPeer, sam, late]) socket.ws.close();
    // A flood is heavy by design: on a busy machine the server may take a while to work through it.
  }, 60_000);
});

describe('sockets of a seat', () => {
  it('a second socket for the same id replaces the first, which can no longer send', async () => {
    const { room, member: host } = await createRoom(base, 'Twice', 'Ms T');
    const student = await join(base, room.code, 'Ty');
    const hostPeer = await connected(host.peerId, host.token);
    const first = await connected(student.peerId, student.token);
    const withFirst = server.connections().peerSockets;
    const second = await connectPeer(base, student.peerId, student.token);
    expect(await first.closed).toBe(CLOSE_REPLACED);
    await flushed(second, hostPeer, host.peerId, 'from-second');
    // The first is gone from the server too: one socket for the id, not two.
    await until(() => server.connections().peerSockets === withFirst);
    hostPeer.ws.close();
    second.ws.close();
  });

  it('a kicked student loses every socket, the older one included', async () => {
    const { room, member: host } = await createRoom(base, 'Kick', 'Ms K');
    const student = await join(base, room.code, 'Kit');
    const hostPeer = await connected(host.peerId, host.token);
    const first = await connected(student.peerId, student.token);
    const second = await connectPeer(base, student.peerId, student.token);
    const kicked = await call(base, 'DELETE', `/api/rooms/${room.code}/members/${student.id}`, { token: host.token });
    expect(kicked.status).toBe(204);
    expect(await first.closed).toBe(CLOSE_REPLACED);
    expect(await second.closed).toBe(1000);
    // Whatever it sent in between reached nobody.
    expect(received(hostPeer, 'Kit')).toEqual([]);
    hostPeer.ws.close();
  });
});

/**
 * Waits for the server to reach a state, however long a busy machine takes (the test's own timeout
 * bounds it): after a 2 s flood, a loaded core may take seconds to reach a socket's close.
 */
async function until(check: () => boolean) {
  while (!check()) await new Promise((r) => setTimeout(r, 20));
}

async function createRoomKey(code: string, token: string): Promise<string | undefined> {
  const reply = await call<{ room: { supervisorKey?: string } }>(base, 'GET', `/api/rooms/${code}`, { token });
  return reply.body.room.supervisorKey;
}

describe('refused connections', () => {
  it('are logged once per address per interval, however many there are', async () => {
    const refused = () => server.logs.filter((line) => line.includes('PeerServer connection')).length;
    const before = refused();
    for (let batch = 0; batch < 10; batch++) {
      const attempts = Array.from({ length: 100 }, () =>
        connectPeer(base, 'a'.repeat(32), 'no-token').then(
          () => 'opened',
          (error: { status?: number }) => error.status,
        ),
      );
      expect(new Set(await Promise.all(attempts))).toEqual(new Set([401]));
    }
    // 1,000 refusals from 127.0.0.1: one line now; the count follows when REFUSAL_LOG_INTERVAL_MS ends.
    expect(refused() - before).toBeLessThanOrEqual(1);
  });
});
