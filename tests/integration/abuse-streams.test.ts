/**
 * Event streams are bounded: per address, per member, and by what a reader leaves unread; HEAD
 * answers and closes.
 */
import { createServer, request, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  HAND_NOTE_MAX_LENGTH,
  MESSAGE_MAX_LENGTH,
  NAME_MAX_LENGTH,
  URL_MAX_LENGTH,
  type ErrorBody,
  type RoomEvent,
} from '../../src/shared/protocol.ts';
import { MAX_MESSAGE_CHARS, MAX_MESSAGES, MAX_REPLIES, MAX_REPLY_CHARS } from '../../server/core/classroom.ts';
import { MAX_STUDENT_VIEW_BYTES, MAX_SUPERVISOR_VIEW_BYTES } from '../../server/core/views.ts';
import { MAX_STREAMS_PER_MEMBER } from '../../server/events/room-streams.ts';
import { MAX_UNSENT_BYTES, openEventStream } from '../../server/events/sse.ts';
import { call, createRoom, join } from '../helpers/client.ts';
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
  /** Pumps 16 KB messages into a stream whose reader never reads; resolves with what was sent before the cut. */
  async function sentBeforeCut(snapshot: unknown | null): Promise<number> {
    let sentBytes = 0;
    let closedByServer = false;
    const message = { filler: 'x'.repeat(16 * 1024) };
    const http = createServer((req, res) => {
      const stream = openEventStream(req, res);
      stream.onClose(() => (closedByServer = true));
      if (snapshot !== null) stream.sendSnapshot(snapshot);
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
    res.destroy();
    await new Promise((resolve) => http.close(resolve));
    return sentBytes;
  }

  it('is cut off once what it left unread passes the bound', async () => {
    // What the kernel buffers on both sides, plus the bound and the message that crossed it.
    expect(await sentBeforeCut(null)).toBeLessThan(64 * 1024 * 1024 + MAX_UNSENT_BYTES);
  });

  it('is cut off too when it never took a snapshot larger than the bound', async () => {
    const snapshot = { filler: 'y'.repeat(4 * MAX_UNSENT_BYTES) };
    expect(await sentBeforeCut(snapshot)).toBeLessThan(64 * 1024 * 1024 + MAX_UNSENT_BYTES);
  });
});

describe('a class that fills every field it may', () => {
  /** Quotes double in JSON, so they make the longest JSON a member's text can make. */
  const quotes = (n: number) => '"'.repeat(n);
  /** Wide characters take three bytes each in UTF-8, so they make the heaviest views on the wire. */
  const wide = (n: number, prefix = '') => prefix + '漢'.repeat(n - prefix.length);
  const longLink = (n: number) => `https://example.org/${'q'.repeat(n - 'https://example.org/'.length)}`;

  async function snapshotOf(code: string, token: string) {
    const stream = await openEvents<RoomEvent>(`${server!.url}/api/rooms/${code}/events?token=${token}`);
    const snapshot = await stream.next((m) => m.type === 'snapshot', 20_000);
    stream.close();
    if (snapshot.type !== 'snapshot') throw new Error('not a snapshot');
    return { room: snapshot.room, length: Buffer.byteLength(JSON.stringify(snapshot)) };
  }

  it('gives a new teacher stream the whole room of 199 students with the longest names, notes and messages', async () => {
    server = await startTestServer({ RELAY_MODE: 'off' });
    const { room, member: host, supervisorKey } = await createRoom(server.url);
    const base = server.url;
    const coTeacher = await join(base, room.code, 'Mr Ode', 'supervisor', supervisorKey);
    const students = [];
    for (let i = 0; i < 198; i++) {
      students.push(await join(base, room.code, wide(NAME_MAX_LENGTH, String(i))));
    }
    const sent = await Promise.all([
      ...students.map(({ token }) =>
        call(base, 'POST', `/api/rooms/${room.code}/hands`, { token, body: { note: wide(HAND_NOTE_MAX_LENGTH) } }),
      ),
      // Replies as many and as long as the room keeps.
      ...students.slice(0, MAX_REPLIES).map(({ token }) =>
        call(base, 'POST', `/api/rooms/${room.code}/messages`, {
          token,
          body: { to: 'teachers', text: wide(MAX_REPLY_CHARS / MAX_REPLIES) },
        }),
      ),
      // And the teachers' own messages and links to the class, as many as the room keeps (25 each is
      // within MESSAGE_ACTIONS_PER_MIN).
      ...[host, coTeacher].flatMap(({ token }) =>
        Array.from({ length: MAX_MESSAGES / 2 }, () =>
          call(base, 'POST', `/api/rooms/${room.code}/messages`, {
            token,
            body: {
              to: 'class',
              text: wide(MESSAGE_MAX_LENGTH),
              url: longLink(MAX_MESSAGE_CHARS / MAX_MESSAGES - MESSAGE_MAX_LENGTH),
            },
          }),
        ),
      ),
    ]);
    expect(sent.filter((reply) => reply.status >= 300)).toEqual([]);

    const { room: view, length } = await snapshotOf(room.code, host.token);
    // Larger than what a reader may leave unread, yet within the room's stated bound: it still streams.
    expect(length).toBeGreaterThan(MAX_UNSENT_BYTES);
    expect(length).toBeLessThanOrEqual(MAX_SUPERVISOR_VIEW_BYTES);
    expect(view.members).toHaveLength(200);
    expect(view.classroom.messages).toHaveLength(MAX_MESSAGES + MAX_REPLIES);
  });

  it("gives every student's new stream the teachers' class messages with the longest links, as many as the room keeps", async () => {
    server = await startTestServer({ RELAY_MODE: 'off' });
    const base = server.url;
    const { room, member: host, supervisorKey } = await createRoom(base);
    // Four teachers, 25 messages each: within each one's MESSAGE_ACTIONS_PER_MIN.
    const coTeachers = await Promise.all(
      ['Mr Ode', 'Ms Ray', 'Mr Tan'].map((name) => join(base, room.code, name, 'supervisor', supervisorKey)),
    );
    const students = await Promise.all(['Ada', 'Bo', 'Cy'].map((name) => join(base, room.code, name)));
    for (const teacher of [host, ...coTeachers]) {
      for (let i = 0; i < 25; i++) {
        const reply = await call(base, 'POST', `/api/rooms/${room.code}/messages`, {
          token: teacher.token,
          body: { to: 'class', text: quotes(MESSAGE_MAX_LENGTH), url: longLink(URL_MAX_LENGTH) },
        });
        expect(reply.status).toBe(201);
      }
    }
    for (const student of students) {
      const { room: view, length } = await snapshotOf(room.code, student.token);
      expect(length).toBeLessThanOrEqual(MAX_STUDENT_VIEW_BYTES);
      // The newest that fit in MAX_MESSAGE_CHARS, the last one sent among them.
      const kept = Math.floor(MAX_MESSAGE_CHARS / (MESSAGE_MAX_LENGTH + URL_MAX_LENGTH));
      expect(view.classroom.messages).toHaveLength(kept);
    }
  });
});
