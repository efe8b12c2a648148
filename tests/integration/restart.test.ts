/**
 * A class outlives its server: the real server as its own process, killed (SIGKILL, a crash) or
 * stopped (SIGTERM, an update), and started again on the same port and DATA_DIR.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { HealthResponse, LobbyEvent, OwnMember, RoomEvent, RoomView } from '../../src/shared/protocol.ts';
import { STATE_FILE } from '../../server/store/file-store.ts';
import { freePort } from '../helpers/built-server.ts';
import { call, createRoom, getRoom, join as joinRoom } from '../helpers/client.ts';
import { connectPeer, type PeerSocket } from '../helpers/peer.ts';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.ts';
import { startTestServer } from '../helpers/server.ts';
import { openEvents } from '../helpers/sse.ts';

const STUDENTS = 30;
const running: ServerProcess[] = [];
const sockets: PeerSocket[] = [];

afterEach(async () => {
  for (const s of sockets.splice(0)) s.ws.terminate();
  // SIGINT stops for good, the relay workers too (SIGKILL and SIGTERM leave them for a next process).
  for (const server of running.splice(0)) {
    server.kill('SIGINT');
    await server.exited;
  }
});

async function start(port: number, dataDir: string): Promise<ServerProcess> {
  const server = await startServerProcess({ port, env: { DATA_DIR: dataDir, RECONNECT_GRACE_S: '30' } });
  running.push(server);
  return server;
}

/** A class: the host, a co-teacher who is made host, and 30 students; ten connected, five sharing. */
async function runningClass(base: string) {
  const created = await createRoom(base, 'Maths 7B', 'Ms Lee');
  const code = created.room.code;
  const co = await joinRoom(base, code, 'Mr Ode', 'supervisor', created.supervisorKey);
  const students: OwnMember[] = [];
  for (let i = 0; i < STUDENTS; i++) students.push(await joinRoom(base, code, `Student ${i + 1}`));
  const members = [created.member, co, ...students];
  for (const m of members.slice(0, 12)) {
    const socket = await connectPeer(base, m.peerId, m.token);
    await socket.waitFor('OPEN');
    sockets.push(socket);
  }
  for (const s of students.slice(0, 5)) {
    await call(base, 'PUT', `/api/rooms/${code}/members/me/share`, { token: s.token, body: { sharing: true } });
  }
  await call(base, 'POST', `/api/rooms/${code}/host`, { token: created.member.token, body: { memberId: co.id } });
  // An unrelated small room, to see nothing mixes.
  const other = await createRoom(base, 'Art 9A', 'Mx Kay', false);
  return { code, key: created.supervisorKey, host: created.member, co, students, members, other };
}

/** Every member's view of their room, as the API shows it. */
async function views(base: string, code: string, members: OwnMember[]): Promise<RoomView[]> {
  return Promise.all(
    members.map(async (m) => {
      const reply = await getRoom(base, code, m.token);
      expect(reply.status, `${m.name} still has a seat`).toBe(200);
      return reply.body.room;
    }),
  );
}

/** The view with presence left out: presence rebuilds as members reconnect after a start. */
const withoutPresence = (view: RoomView) => ({
  ...view,
  members: view.members.map((m) => ({ ...m, connected: false })),
});

describe('restart', () => {
  it('after SIGKILL, the same tokens work, every view is the same, the host is the same, and everyone reconnects', async () => {
    const port = await freePort();
    const dataDir = mkdtempSync(join(tmpdir(), 'classroom-restart-'));
    const first = await start(port, dataDir);
    const klass = await runningClass(first.url);
    const before = await views(first.url, klass.code, klass.members);
    expect(before[0]!.hostId).toBe(klass.co.id);
    const relayPeerId = before[0]!.routes.relayPeerId;
    expect(relayPeerId).toMatch(/^relay/);
    // Saves trail changes (by 100 ms, longer on a busy machine): the kill comes once the last change
    // made, the second room, is in the state file.
    await expect
      .poll(() => readFileSync(join(dataDir, STATE_FILE), 'utf8').includes(klass.other.room.code), { timeout: 10_000 })
      .toBe(true);

    first.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');
    const second = await start(port, dataDir);

    const after = await views(second.url, klass.code, klass.members);
    expect(after.map(withoutPresence)).toEqual(before.map(withoutPresence));
    expect(after[0]!.hostId).toBe(klass.co.id);
    expect(after[0]!.supervisorKey).toBe(klass.key);
    expect(after.every((v) => v.members.every((m) => !m.connected))).toBe(true);
    expect((await getRoom(second.url, klass.other.room.code, klass.other.member.token)).status).toBe(200);
    // The room's relay worker outlived the crash and was adopted: the id browsers already know.
    expect(after[0]!.routes.relayPeerId).toBe(relayPeerId);
    expect((await call<HealthResponse>(second.url, 'GET', '/api/health')).body).toMatchObject({
      status: 'ok',
      rooms: 2,
      members: STUDENTS + 3,
      relay: 'up',
      store: { kind: 'file', saving: 'ok' },
    });

    // Presence rebuilds as members reconnect with the id and token they had.
    const hostStream = await openEvents<RoomEvent>(
      `${second.url}/api/rooms/${klass.code}/events?token=${klass.co.token}`,
    );
    const ada = klass.students[0]!;
    const socket = await connectPeer(second.url, ada.peerId, ada.token);
    sockets.push(socket);
    await socket.waitFor('OPEN');
    await hostStream.next((e) => e.type === 'member-connected' && e.memberId === ada.id);
    hostStream.close();
    // The code still lets students in.
    expect((await joinRoom(second.url, klass.code, 'Late Lou')).name).toBe('Late Lou');
  });

  it('after SIGTERM, every stream heard server-restarting, sockets closed cleanly, and the class is back', async () => {
    const port = await freePort();
    const dataDir = mkdtempSync(join(tmpdir(), 'classroom-restart-'));
    const first = await start(port, dataDir);
    const klass = await runningClass(first.url);
    const before = await views(first.url, klass.code, klass.members);
    const streams = await Promise.all(
      [klass.co, klass.host, klass.students[0]!].map((m) =>
        openEvents<RoomEvent>(`${first.url}/api/rooms/${klass.code}/events?token=${m.token}`),
      ),
    );
    const lobby = await openEvents<LobbyEvent>(`${first.url}/api/lobby/events`);
    const hostSocket = sockets[0]!;

    first.kill('SIGTERM');
    for (const stream of streams) await stream.next((e) => e.type === 'server-restarting');
    await lobby.next((e) => e.type === 'server-restarting');
    for (const stream of [...streams, lobby]) await stream.ended;
    expect(await hostSocket.closed).toBe(1001);
    // Exit code 0: it finished inside its 5 s deadline (past it the process exits with 1).
    expect(await first.exited).toEqual({ code: 0, signal: null });
    expect(first.output.join('')).toContain('stopping for a restart');

    const second = await start(port, dataDir);
    const after = await views(second.url, klass.code, klass.members);
    expect(after.map(withoutPresence)).toEqual(before.map(withoutPresence));
    expect(after[0]!.hostId).toBe(klass.co.id);
  });

  it('starts on a damaged state file with the rooms it can read, keeps the file aside and logs what was lost', async () => {
    const port = await freePort();
    const dataDir = mkdtempSync(join(tmpdir(), 'classroom-restart-'));
    const first = await start(port, dataDir);
    const kept = await createRoom(first.url, 'Kept', 'Ms Lee');
    await createRoom(first.url, 'Damaged', 'Mr Ode');
    first.kill('SIGTERM');
    await first.exited;
    // The last line is cut short, as a disk error or a careless edit might leave it.
    const saved = readFileSync(join(dataDir, 'state.jsonl'), 'utf8').trimEnd();
    const damaged = saved.slice(0, saved.length - 40);
    writeFileSync(join(dataDir, 'state.jsonl'), damaged);

    const second = await start(port, dataDir);
    expect((await getRoom(second.url, kept.room.code, kept.member.token)).status).toBe(200);
    expect((await call<HealthResponse>(second.url, 'GET', '/api/health')).body.rooms).toBe(1);
    const aside = readdirSync(dataDir).filter((f) => f.startsWith('state.jsonl.damaged-'));
    expect(aside).toHaveLength(1);
    expect(readFileSync(join(dataDir, aside[0]!), 'utf8')).toBe(damaged);
    const logged = second.output.join('');
    expect(logged).toContain('Part of the saved room state');
    expect(logged).toContain('line 3: not JSON (damaged or cut short); the room on it is lost');
  });

  it('refuses to start on an unreachable Redis with a message naming STORE_URL', async () => {
    const starting = startServerProcess({ port: await freePort(), env: { STORE_URL: 'redis://127.0.0.1:1/0' } });
    await expect(starting).rejects.toThrow('Cannot reach Redis at STORE_URL=redis://127.0.0.1:1/0');
  });

  it('while stopping, refuses new rooms and members with 503 but keeps answering members', async () => {
    const server = await startTestServer();
    try {
      const created = await createRoom(server.url);
      server.drain();
      const refused = {
        status: 503,
        body: {
          error: 'server-restarting',
          message:
            'The server is restarting and takes no new rooms or members for a moment; try again in a few seconds.',
        },
      };
      expect(await call(server.url, 'POST', '/api/rooms', { body: { name: 'New', hostName: 'T' } })).toEqual(refused);
      expect(
        await call(server.url, 'POST', `/api/rooms/${created.room.code}/members`, {
          body: { name: 'Ada', role: 'student' },
        }),
      ).toEqual(refused);
      expect((await getRoom(server.url, created.room.code, created.member.token)).status).toBe(200);
      const health = await call<HealthResponse>(server.url, 'GET', '/api/health');
      expect(health).toMatchObject({ status: 503, body: { status: 'stopping' } });
    } finally {
      await server.close();
    }
  });
});
