/**
 * A relay node outlives the app server's restarts: the server as its own process, stopped (SIGTERM)
 * and killed (SIGKILL) and started again on the same port and DATA_DIR, and a real node process that
 * reconnects naming the identity it was welcomed with. The server takes it back under that identity,
 * its room still placed on it; an identity claimed with a wrong token, already taken, or of a node
 * that said it was leaving gets a fresh one, and nothing a node says stops the server.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { HealthResponse } from '../../src/shared/protocol.ts';
import { freePort } from '../helpers/built-server.ts';
import { call, createRoom, getRoom, join as joinRoom } from '../helpers/client.ts';
import {
  REGISTERED,
  TAKEN_BACK,
  nodeSaid as said,
  startRelayNode,
  type RelayNodeProcess,
} from '../helpers/relay-node.ts';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.ts';

const SECRET = 'relay-node-secret-0123456789abcdef';
const STUDENTS = 8;
const running: ServerProcess[] = [];
const nodes: RelayNodeProcess[] = [];
const sockets: WebSocket[] = [];

afterEach(async () => {
  for (const ws of sockets.splice(0)) ws.terminate();
  for (const node of nodes.splice(0)) node.kill('SIGKILL');
  for (const server of running.splice(0)) {
    server.kill('SIGINT');
    await server.exited;
  }
});

/** Waits for a state (vitest's poll), naming it when it never comes. */
const until = (check: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000) =>
  expect.poll(check, { timeout: timeoutMs, message: `waiting until ${what}` }).toBe(true);

interface Welcome {
  type: 'welcome';
  peerId: string;
  token: string;
  peerPath: string;
}

/** A hand-made node on the control socket: sends `messages` (the first one a hello, or junk) and resolves with the welcome. */
async function probe(base: string, messages: unknown[]): Promise<{ ws: WebSocket; welcome: Welcome }> {
  const ws = new WebSocket(`${base.replace('http', 'ws')}/relay-node`, {
    headers: { authorization: `Bearer ${SECRET}` },
  });
  sockets.push(ws);
  const welcome = new Promise<Welcome>((resolve) =>
    ws.once('message', (data) => resolve(JSON.parse(String(data)) as Welcome)),
  );
  await new Promise((resolve) => ws.once('open', resolve));
  for (const m of messages) ws.send(typeof m === 'string' ? m : JSON.stringify(m));
  return { ws, welcome: await welcome };
}

const hello = (name: string, previous?: unknown) => ({
  type: 'hello',
  name,
  cores: 2,
  portRange: null,
  ...(previous === undefined ? {} : { previous }),
});

describe('a relay node through app server restarts', () => {
  it('is taken back under its identity after a planned restart and after a crash, its room placed on it throughout; forged, taken or given-up identities are not', async () => {
    const port = await freePort();
    const dataDir = mkdtempSync(join(tmpdir(), 'classroom-node-restart-'));
    const start = async () => {
      const server = await startServerProcess({
        port,
        waitForRelay: false,
        env: {
          DATA_DIR: dataDir,
          RECONNECT_GRACE_S: '30',
          RELAY_MODE: 'always',
          RELAY_WORKERS: '0',
          RELAY_ANNOUNCED_IPS: '127.0.0.1',
          RELAY_NODE_SECRET: SECRET,
        },
      });
      running.push(server);
      return server;
    };
    const health = async (base: string) => (await call<HealthResponse>(base, 'GET', '/api/health')).body;

    const first = await start();
    const node = startRelayNode(first.url, SECRET, { RELAY_PORT_RANGE: '41500-41549' });
    nodes.push(node);
    await until(async () => (await health(first.url)).relay === 'up', 'the node is up');
    // The server hears the node is ready before the node's own log line about it is read.
    await until(() => said(node, REGISTERED).length === 1, 'the node says under which id it registered');
    const nodeId = said(node, REGISTERED)[0]!.peerId!;

    const { room, member: host } = await createRoom(first.url, 'Node class');
    for (let i = 0; i < STUDENTS; i++) await joinRoom(first.url, room.code, `S${i}`);
    const routes = async (base: string) => (await getRoom(base, room.code, host.token)).body.room.routes;
    expect(await routes(first.url)).toMatchObject({ transport: 'relay', relayPeerId: nodeId });

    // Two hand-made nodes that registered: one stays, one says it leaves.
    const kept = await probe(first.url, [hello('kept'), { type: 'ready' }]);
    const left = await probe(first.url, [hello('left'), { type: 'ready' }]);
    expect(kept.welcome).toMatchObject({ type: 'welcome', token: expect.any(String) as string });
    expect(kept.welcome.peerPath).toContain(`id=${kept.welcome.peerId}&token=${kept.welcome.token}`);
    left.ws.send(JSON.stringify({ type: 'leaving' }));
    await until(() => first.output.join('').includes('relay node is leaving'), 'the server heard it leave');

    // A planned restart: the node forwards on, connects again naming its identity, and is taken back.
    first.kill('SIGTERM');
    expect(await first.exited).toEqual({ code: 0, signal: null });
    const second = await start();
    expect(await health(second.url)).toMatchObject({ status: 'ok', relay: 'up' });

    // Claims the server must refuse: each gets a fresh identity, never another node's rooms.
    const forged = await probe(second.url, [hello('forged', { peerId: nodeId, token: kept.welcome.token })]);
    expect(forged.welcome.peerId).not.toBe(nodeId);
    const wrongToken = await probe(second.url, [hello('wrong', { peerId: kept.welcome.peerId, token: 'guess' })]);
    expect(wrongToken.welcome.peerId).not.toBe(kept.welcome.peerId);
    const gaveUp = await probe(second.url, [hello('left', { peerId: left.welcome.peerId, token: left.welcome.token })]);
    expect(gaveUp.welcome.peerId).not.toBe(left.welcome.peerId);
    // Garbage first, then a malformed claim (no claim at all), is a plain new node.
    const junk = await probe(second.url, [
      'not json',
      '{"type":"hello","name":"x","cores":-1}',
      hello('junk', { peerId: ['relay'], token: {} }),
    ]);
    expect(junk.welcome.peerId).toMatch(/^relay[0-9a-f]{24}$/);
    // The right token takes the identity back, once: a second claim while it is connected is refused.
    const back = await probe(second.url, [hello('kept', { peerId: kept.welcome.peerId, token: kept.welcome.token })]);
    expect(back.welcome).toMatchObject({ peerId: kept.welcome.peerId, token: kept.welcome.token });
    const twice = await probe(second.url, [hello('kept', { peerId: kept.welcome.peerId, token: kept.welcome.token })]);
    expect(twice.welcome.peerId).not.toBe(kept.welcome.peerId);

    await until(() => said(node, TAKEN_BACK).length === 1, 'the node is taken back');
    expect(said(node, TAKEN_BACK)[0]!.peerId).toBe(nodeId);
    // Registered again under the same id, and never under another.
    await until(() => said(node, REGISTERED).length === 2, 'the node registered again');
    expect(new Set(said(node, REGISTERED).map((l) => l.peerId))).toEqual(new Set([nodeId]));
    expect(await routes(second.url)).toMatchObject({ transport: 'relay', relayPeerId: nodeId });
    expect(await health(second.url)).toMatchObject({ status: 'ok', relay: 'up' });

    // A crash: the same again, from what the last process saved as it went.
    second.kill('SIGKILL');
    await second.exited;
    const third = await start();
    await until(() => said(node, TAKEN_BACK).length === 2, 'the node is taken back after the crash');
    expect(said(node, TAKEN_BACK)[1]!.peerId).toBe(nodeId);
    expect(await routes(third.url)).toMatchObject({ transport: 'relay', relayPeerId: nodeId });
    expect(node.running()).toBe(true);
  }, 90_000);
});
