/**
 * Event streams are bounded: per address, per member, and by what a reader leaves unread; HEAD
 * answers and closes.
 */
import { createServer, request, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { ErrorBody } from '../../src/shared/protocol.ts';
import { MAX_STREAMS_PER_MEMBER } from '../../server/events/room-streams.ts';
import { MAX_UNSENT_BYTES, openEventStream } from '../../server/events/sse.ts';
import { createRoom } from '../helpers/client.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { openEvents } from '../helpers/sse.ts';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Opens `url` from a loopback source address and resolves with the response, unread. */
function openFrom(localAddress: string, url: string): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = request(url, { localAddress, agent: false, headers: { accept: 'text/event-stream' } }, resolve);
    req.on('error', reject);
    req.end();
  });
}

async function json(res: IncomingMessage): Promise<unknown> {
  let text = '';
  for await (const chunk of res) text += String(chunk);
  return JSON.parse(text);
}

async function until(check: () => boolean, what: string) {
  for (let i = 0; i < 100 && !check(); i++) await new Promise((r) => setTimeout(r, 50));
  if (!check()) throw new Error(`timed out waiting for ${what}`);
}

describe('event stream caps', () => {
  it('refuse streams past STREAMS_PER_ADDRESS, per address, and give the place back on close', async () => {
    server = await startTestServer({ RELAY_MODE: 'off', STREAMS_PER_ADDRESS: '5' });
    const url = `${server.url}/api/lobby/events`;
    const open = await Promise.all([1, 2, 3, 4, 5].map(() => openFrom('127.0.0.21', url)));
    expect(open.map((r) => r.statusCode)).toEqual([200, 200, 200, 200, 200]);
    const refused = await openFrom('127.0.0.21', url);
    expect(refused.statusCode).toBe(429);
    expect(((await json(refused)) as ErrorBody).error).toBe('too-many-streams');
    const other = await openFrom('127.0.0.22', url);
    expect(other.statusCode).toBe(200);
    open[0]!.destroy();
    await until(() => server!.connections().lobbyStreams === 5, 'the closed stream to be counted out');
    const again = await openFrom('127.0.0.21', url);
    expect(again.statusCode).toBe(200);
    for (const res of [...open, other, again]) res.destroy();
  });

  it('keep a member to MAX_STREAMS_PER_MEMBER streams: the oldest gives way', async () => {
    server = await startTestServer({ RELAY_MODE: 'off' });
    const { room, member } = await createRoom(server.url);
    const url = `${server.url}/api/rooms/${room.code}/events?token=${member.token}`;
    const streams = [];
    for (let i = 0; i <= MAX_STREAMS_PER_MEMBER; i++) {
      const stream = await openEvents<{ type: string }>(url);
      await stream.next((m) => m.type === 'snapshot');
      streams.push(stream);
    }
    await streams[0]!.ended;
    expect(server.connections().roomStreams).toBe(MAX_STREAMS_PER_MEMBER);
    for (const stream of streams) stream.close();
  });

  it('answer HEAD with the headers and close at once', async () => {
    server = await startTestServer({ RELAY_MODE: 'off' });
    const { room, member } = await createRoom(server.url);
    for (const path of ['/api/lobby/events', `/api/rooms/${room.code}/events?token=${member.token}`]) {
      const res = await fetch(`${server.url}${path}`, { method: 'HEAD', signal: AbortSignal.timeout(2000) });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    }
    expect(server.connections()).toMatchObject({ lobbyStreams: 0, roomStreams: 0 });
  });
});

describe('a reader that stops reading', () => {
  it('is cut off once what it left unread passes the bound', async () => {
    let sentBytes = 0;
    let closedByServer = false;
    const message = { filler: 'x'.repeat(16 * 1024) };
    const http = createServer((req, res) => {
      const stream = openEventStream(req, res);
      stream.onClose(() => (closedByServer = true));
      // One message per turn of the event loop, as a busy room would send, until the stream ends itself.
      const pump = () => {
        stream.send(message);
        sentBytes += message.filler.length;
        if (!closedByServer && sentBytes < 512 * 1024 * 1024) setImmediate(pump);
      };
      pump();
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const { port } = http.address() as AddressInfo;
    const res = await openFrom('127.0.0.1', `http://127.0.0.1:${port}/`);
    res.pause();
    await until(() => closedByServer, 'the server to cut the stream');
    // What the kernel buffers on both sides, plus the bound and the message that crossed it.
    expect(sentBytes).toBeLessThan(64 * 1024 * 1024 + MAX_UNSENT_BYTES);
    res.destroy();
    await new Promise((resolve) => http.close(resolve));
  });
});
