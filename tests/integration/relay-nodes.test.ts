import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { HealthResponse, RoomEvent, Routes } from '../../src/shared/protocol.ts';
import { call, createRoom, getRoom, join } from '../helpers/client.ts';
import { startRelayNode, type RelayNodeProcess } from '../helpers/relay-node.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { openEvents, type EventReader } from '../helpers/sse.ts';

const CLASS_SIZE = 30;
const SECRET = 'relay-node-secret-0123456789abcdef';
const METRICS_TOKEN = 'metrics-token-0123456789';
let server: TestServer;
const nodes: RelayNodeProcess[] = [];

const until = async (check: () => boolean, what: string, timeoutMs = 20_000) => {
  for (let waited = 0; !check(); waited += 100) {
    if (waited > timeoutMs) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

beforeAll(async () => {
  server = await startTestServer({
    RELAY_MODE: 'always',
    RELAY_WORKERS: '1',
    RELAY_ANNOUNCED_IPS: '127.0.0.1',
    RELAY_PORT_RANGE: '41100-41149',
    RELAY_NODE_SECRET: SECRET,
    METRICS_TOKEN,
  });
  await until(() => server.relay?.up === true, 'the local worker is up');
}, 30_000);
afterAll(async () => {
  for (const node of nodes) node.kill('SIGKILL');
  await server.close();
});

/** A class of 30 students with its host, and one student's event stream. */
async function classroom(base: string, name: string) {
  const { room, member: host } = await createRoom(base, name);
  const student = await join(base, room.code, 'S0');
  for (let i = 1; i < CLASS_SIZE; i++) await join(base, room.code, `S${i}`);
  const events = await openEvents<RoomEvent>(`${base}/api/rooms/${room.code}/events?token=${student.token}`);
  const routes = async () => (await getRoom(base, room.code, host.token)).body.room.routes;
  return { code: room.code, events, routes };
}

const routesChanged = (events: EventReader<RoomEvent>, match: (routes: Routes) => boolean) =>
  events.next((e) => e.type === 'routes-changed' && match(e.routes), 20_000);

/** A node started on its own port slice, once the server counts it as an up relay. */
async function joinedNode(port: number) {
  const node = startRelayNode(server.url, SECRET, { RELAY_PORT_RANGE: `${port}-${port + 49}` });
  nodes.push(node);
  await until(
    () => server.relay!.workers.some((w) => w.kind === 'node' && w.up && w.portRange?.[0] === port),
    'the node is up',
  );
  return { node, peerId: server.relay!.workers.find((w) => w.kind === 'node' && w.portRange?.[0] === port)!.peerId };
}

describe('a relay node on another machine', () => {
  it('is refused with a clear error when its secret is wrong, and the server carries on', async () => {
    const node = startRelayNode(server.url, 'not-the-secret-0123456789abcdef-xyz');
    nodes.push(node);
    expect(await node.exited).toBe(1);
    expect(node.output()).toContain(
      'The app server refused this relay node: its RELAY_NODE_SECRET differs. Set the same secret on both.',
    );
    expect(server.relay!.workers.map((w) => w.kind)).toEqual(['worker']);
    expect(server.logs.some((line) => line.includes('"reason":"wrong-secret"'))).toBe(true);
    expect((await call<HealthResponse>(server.url, 'GET', '/api/health')).body).toMatchObject({
      status: 'ok',
      relay: 'up',
    });
  });

  // This test and the next each wait out a leaving node's linger (LINGER_MS + 1 s), the next on
  // servers of its own: they run side by side.
  it.concurrent(
    'joins, takes a new room by placement, and hands it back to the worker when it leaves, forwarding until then',
    async () => {
      const { node, peerId } = await joinedNode(41200);
      const local = server.relay!.workers.find((w) => w.kind === 'worker')!.peerId;
      // The worker holds the busier room, so the next goes to the node.
      const busy = await classroom(server.url, '10A');
      const onNode = await classroom(server.url, '10B');
      expect(await busy.routes()).toMatchObject({ transport: 'relay', relayPeerId: local });
      expect(await onNode.routes()).toMatchObject({ transport: 'relay', relayPeerId: peerId });
      expect(node.output()).toContain('relay node is up: registered with PeerServer');

      // Make-before-break: the room moves to the worker while the node still runs and forwards.
      node.kill('SIGTERM');
      const moved = await routesChanged(onNode.events, (r) => r.relayPeerId === local);
      expect(moved).toMatchObject({ routes: { transport: 'relay', relayPeerId: local } });
      expect(node.running()).toBe(true);
      expect(await node.exited).toBe(0);
      await until(() => server.relay!.workers.every((w) => w.kind === 'worker'), 'the node is gone');
      expect(busy.events.received.filter((e) => e.type === 'routes-changed')).toEqual([]);
      busy.events.close();
      onNode.events.close();
    },
    60_000,
  );

  it.concurrent(
    'alone (RELAY_WORKERS=0): a server without a secret refuses nodes; with one, its only node relays and its rooms go peer to peer when it leaves',
    async () => {
      const closed = await startTestServer({ RELAY_MODE: 'always', RELAY_WORKERS: '0' });
      const refused = startRelayNode(closed.url, SECRET);
      nodes.push(refused);
      expect(await refused.exited).toBe(1);
      expect(refused.output()).toContain(
        'This app server takes no relay nodes: set RELAY_NODE_SECRET on it (and the same on the node).',
      );
      await closed.close();

      const alone = await startTestServer({ RELAY_MODE: 'always', RELAY_WORKERS: '0', RELAY_NODE_SECRET: SECRET });
      try {
        expect((await call<HealthResponse>(alone.url, 'GET', '/api/health')).body.relay).toBe('down');
        const node = startRelayNode(alone.url, SECRET, { RELAY_PORT_RANGE: '41400-41449' });
        nodes.push(node);
        await until(() => alone.relay!.up, 'the node is up');
        expect((await call<HealthResponse>(alone.url, 'GET', '/api/health')).body.relay).toBe('up');
        const c = await classroom(alone.url, '12A');
        const peerId = alone.relay!.workers[0]!.peerId;
        expect(await c.routes()).toMatchObject({ transport: 'relay', relayPeerId: peerId });
        node.kill('SIGTERM');
        const fallback = await routesChanged(c.events, (r) => r.transport === 'mesh');
        expect(fallback).toMatchObject({ routes: { transport: 'mesh', relayPeerId: null } });
        expect(node.running()).toBe(true);
        c.events.close();
        expect(await node.exited).toBe(0);
      } finally {
        await alone.close();
      }
    },
    60_000,
  );

  it('a node that vanishes: its rooms are placed again at once', async () => {
    const { node, peerId } = await joinedNode(41300);
    const name = server.relay!.workers.find((w) => w.peerId === peerId)!.name;
    const metrics = async () => {
      const res = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
      return (await res.text()).split('\n').filter((line) => line.includes(`worker="${name}"`));
    };
    expect(await metrics()).toContain(`classroom_relay_worker_up{worker="${name}"} 1`);
    const local = server.relay!.workers.find((w) => w.kind === 'worker')!.peerId;
    // Fill the worker so the node is the lighter one.
    const filler = await classroom(server.url, '11A');
    const onNode = await classroom(server.url, '11B');
    expect(await onNode.routes()).toMatchObject({ relayPeerId: peerId });
    node.kill('SIGKILL');
    const moved = await routesChanged(onNode.events, (r) => r.relayPeerId === local);
    expect(moved).toMatchObject({ routes: { transport: 'relay', relayPeerId: local } });
    // Gone from the metrics too: no series is left behind for a node that left.
    await until(() => !server.relay!.workers.some((w) => w.peerId === peerId), 'the node is forgotten');
    expect(await metrics()).toEqual([]);
    filler.events.close();
    onNode.events.close();
  }, 60_000);

  it('its control socket takes nothing but the secret, and shrugs off garbage', async () => {
    const open = (headers: Record<string, string>) =>
      new Promise<{ status: number; body: string } | WebSocket>((resolve) => {
        const ws = new WebSocket(`${server.url.replace('http', 'ws')}/relay-node`, { headers });
        ws.on('unexpected-response', (_req, res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += String(c)));
          res.on('end', () => resolve({ status: res.statusCode!, body }));
        });
        ws.on('open', () => resolve(ws));
      });
    expect(await open({})).toEqual({
      status: 401,
      body: JSON.stringify({
        error: 'wrong-secret',
        message: 'The app server refused this relay node: its RELAY_NODE_SECRET differs. Set the same secret on both.',
      }),
    });
    const ws = (await open({ authorization: `Bearer ${SECRET}` })) as WebSocket;
    for (const junk of ['not json', '{"type":"stats","forwardedPackets":-1}', '[]', '{"type":"hello","name":7}'])
      ws.send(junk);
    ws.send(JSON.stringify({ type: 'hello', name: 'probe', cores: 4, portRange: [1, 2] }));
    const welcome = await new Promise<{ type: string; peerId: string }>((resolve) =>
      ws.once('message', (data) => resolve(JSON.parse(String(data)) as { type: string; peerId: string })),
    );
    expect(welcome.type).toBe('welcome');
    expect(server.relay!.workers.find((w) => w.peerId === welcome.peerId)).toMatchObject({
      kind: 'node',
      name: 'probe',
      up: false,
      cores: 4,
    });
    ws.close();
    await until(() => server.relay!.workers.every((w) => w.kind === 'worker'), 'the probe is gone');
    expect((await call<HealthResponse>(server.url, 'GET', '/api/health')).body.status).toBe('ok');
  });
});
