import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HealthResponse, RoomEvent, Routes } from '../../src/shared/protocol.ts';
import { call, createRoom, getRoom, join } from '../helpers/client.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { openEvents, type EventReader } from '../helpers/sse.ts';

const CLASS_SIZE = 30;
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({
    RELAY_MODE: 'always',
    RELAY_WORKERS: '2',
    RELAY_ANNOUNCED_IPS: '127.0.0.1',
    RELAY_PORT_RANGE: '41000-41099',
  });
  for (let i = 0; i < 150 && !server.relay?.up; i++) await new Promise((r) => setTimeout(r, 100));
}, 30_000);
afterAll(async () => {
  await server.close();
});

/** A class of 30 students with its host, and one student's event stream. */
async function classroom(name: string) {
  const { room, member: host } = await createRoom(server.url, name);
  const student = await join(server.url, room.code, 'S0');
  for (let i = 1; i < CLASS_SIZE; i++) await join(server.url, room.code, `S${i}`);
  const events = await openEvents<RoomEvent>(`${server.url}/api/rooms/${room.code}/events?token=${student.token}`);
  const routes = async () => (await getRoom(server.url, room.code, host.token)).body.room.routes;
  return { code: room.code, host, student, events, routes };
}

const routesChanged = (events: EventReader<RoomEvent>, match: (routes: Routes) => boolean) =>
  events.next((e) => e.type === 'routes-changed' && match(e.routes), 20_000);

describe('two relay workers in one server', () => {
  it('each register with PeerServer on their own port slice, and rooms spread over both', async () => {
    expect(server.relay?.workers.map((w) => [w.up, w.portRange])).toEqual([
      [true, [41000, 41049]],
      [true, [41050, 41099]],
    ]);
    const health = await call<HealthResponse>(server.url, 'GET', '/api/health');
    expect(health.body.relay).toBe('up');
    const [first, second] = server.relay!.workers.map((w) => w.peerId);
    expect(first).not.toBe(second);
    const classes = [];
    for (const name of ['7A', '7B', '8A', '8B']) classes.push(await classroom(name));
    const placed = await Promise.all(classes.map((c) => c.routes()));
    expect(placed.map((r) => [r.transport, r.relayPeerId])).toEqual([
      ['relay', first],
      ['relay', second],
      ['relay', first],
      ['relay', second],
    ]);
    for (const c of classes) c.events.close();
  });

  it('a worker that dies: its rooms go peer to peer, the others stay relayed, and they return when it restarts', async () => {
    const [a, b] = [await classroom('9A'), await classroom('9B')];
    const [onA, onB] = [(await a.routes()).relayPeerId, (await b.routes()).relayPeerId];
    expect(onA).not.toBe(onB);
    const worker = server.relay!.workers.find((w) => w.peerId === onA)!;
    const pid = worker.pid!;
    process.kill(pid, 'SIGKILL');

    // Students learn on their event stream: peer to peer meanwhile, still named with their worker.
    const fallback = await routesChanged(a.events, (r) => r.transport === 'mesh');
    expect(fallback).toMatchObject({ routes: { transport: 'mesh', relayPeerId: onA } });
    expect(await b.routes()).toMatchObject({ transport: 'relay', relayPeerId: onB });
    expect(b.events.received.filter((e) => e.type === 'routes-changed')).toEqual([]);

    const back = await routesChanged(a.events, (r) => r.transport === 'relay');
    expect(back).toMatchObject({ routes: { transport: 'relay', relayPeerId: onA } });
    expect(worker.up).toBe(true);
    expect(worker.pid).not.toBe(pid);
    expect((await call<HealthResponse>(server.url, 'GET', '/api/health')).body.relay).toBe('up');
    a.events.close();
    b.events.close();
  }, 40_000);
});
