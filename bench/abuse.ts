/**
 * Abuse: what a hostile student on the school network can do to a default server. Room spam from
 * many addresses (does a teacher still get a room?), a signalling flood (server memory and health
 * latency during and after, deliveries where none belong), and a flood of unread event streams
 * (memory returned afterwards). Several machines are played with loopback source addresses.
 */
import { statSync } from 'node:fs';
import { request } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import {
  HAND_NOTE_MAX_LENGTH,
  MESSAGE_MAX_LENGTH,
  NAME_MAX_LENGTH,
  ROOM_NAME_MAX_LENGTH,
  type CreateRoomResponse,
  type JoinRoomResponse,
  type OwnMember,
} from '../src/shared/protocol.ts';
import { call, callFrom } from '../tests/helpers/client.ts';
import { percentile, rssBytes, saveResult, startBuiltServer } from './lib.ts';

/** The per-address limits at their defaults (the benchmark server otherwise turns them off). */
const DEFAULT_LIMITS = {
  SEAT_RATE_LIMIT_PER_MIN: '300',
  RATE_LIMIT_PER_MIN: '1500',
  READ_RATE_LIMIT_PER_MIN: '3000',
  ROOM_CREATIONS_PER_HOUR: '30',
  ROOMS_PER_ADDRESS: '10',
  STREAMS_PER_ADDRESS: '50',
};
const SPAM_ADDRESSES = 10;
const SPAM_CONNECTIONS_PER_ADDRESS = 4;
const SPAM_S = 60;
const FLOODERS = 8;
const FLOOD_S = 60;
const AFTER_S = 10;
const STREAM_ATTEMPTS = 2000;
const STREAM_ADDRESSES = 10;
const STREAM_EVENTS_S = 20;
const MiB = 1024 * 1024;

const HOSTILE_ROOMS = 10;
const HOSTILE_SEATS_PER_ROOM = 4;
const HOSTILE_S = 90;
const UNLIMITED_S = 30;
const METRICS_TOKEN = 'bench-metrics-token-0123456789';

/** Runs the four scenarios and returns the figures it saved. */
export async function benchAbuse() {
  const result = {
    date: new Date().toISOString(),
    node: process.version,
    roomSpam: await roomSpam(),
    signallingFlood: await signallingFlood(),
    streamFlood: await streamFlood(),
    hostileClass: await hostileClass('default'),
    hostileClassUnlimited: await hostileClass('off'),
  };
  saveResult('abuse', result);
  return result;
}

/** 10 addresses create rooms at full speed for 60 s; a teacher elsewhere tries once a second. */
async function roomSpam() {
  const server = await startBuiltServer({ ...DEFAULT_LIMITS, RELAY_MODE: 'off' });
  try {
    const until = Date.now() + SPAM_S * 1000;
    const spamStatuses: Record<string, number> = {};
    const spam = async (address: string) => {
      while (Date.now() < until) {
        const reply = await callFrom(address, server.url, 'POST', '/api/rooms', {
          body: { name: 'Maths 7B', hostName: 'Ms Lee' },
        }).catch(() => ({ status: 0 }));
        spamStatuses[reply.status] = (spamStatuses[reply.status] ?? 0) + 1;
      }
    };
    // Teachers, each on their own machine, arrive one a second and open a room (as a class starts).
    const teachers = async () => {
      const latencies: number[] = [];
      let created = 0;
      while (Date.now() < until) {
        const address = `127.0.1.${(latencies.length % 250) + 1}`;
        const t0 = performance.now();
        const reply = await callFrom<CreateRoomResponse>(address, server.url, 'POST', '/api/rooms', {
          body: { name: `Real class ${latencies.length}`, hostName: 'Mr Real' },
        });
        latencies.push(performance.now() - t0);
        if (reply.status === 201) created++;
        await new Promise((r) => setTimeout(r, 1000));
      }
      return { attempts: latencies.length, created, latencies };
    };
    const spammers = Array.from({ length: SPAM_ADDRESSES }, (_, i) => `127.0.0.${10 + i}`);
    const [real] = await Promise.all([
      teachers(),
      ...spammers.flatMap((a) => Array.from({ length: SPAM_CONNECTIONS_PER_ADDRESS }, () => spam(a))),
    ]);
    const health = (await call<{ rooms: number }>(server.url, 'GET', '/api/health')).body;
    return {
      scenario: `${SPAM_ADDRESSES} addresses × ${SPAM_CONNECTIONS_PER_ADDRESS} connections creating rooms at full speed for ${SPAM_S} s against the default limits; meanwhile a teacher on another machine creates a room every second`,
      teacherAttempts: real.attempts,
      teacherCreated: real.created,
      teacherSuccessPercent: Math.round((real.created / real.attempts) * 1000) / 10,
      teacherCreateMs: { p50: round(percentile(real.latencies, 50)), p99: round(percentile(real.latencies, 99)) },
      spamRequestsByStatus: spamStatuses,
      roomsOpenAtEnd: health.rooms,
    };
  } finally {
    await server.stop();
  }
}

/** A raw PeerServer socket that counts what it receives by marker instead of keeping it. */
async function peerSocket(base: string, member: OwnMember, counts: Map<string, number>): Promise<WebSocket> {
  const url = `${base.replace(/^http/, 'ws')}/peerjs/peerjs?key=peerjs&id=${member.peerId}&token=${member.token}`;
  const ws = new WebSocket(url);
  ws.on('message', (data) => {
    const text = String(data);
    const marker = /"marker":"([a-z-]+)"/.exec(text)?.[1] ?? 'other';
    counts.set(marker, (counts.get(marker) ?? 0) + 1);
  });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  // PeerJS clients send a heartbeat every 5 s; without it the server drops the socket after 15 s.
  const heartbeat = setInterval(() => ws.readyState === WebSocket.OPEN && ws.send('{"type":"HEARTBEAT"}'), 5000);
  ws.once('close', () => clearInterval(heartbeat));
  return ws;
}

/** Samples /api/health latency every 100 ms until stopped. */
function probeHealth(base: string) {
  const latencies: number[] = [];
  let running = true;
  const done = (async () => {
    while (running) {
      const t0 = performance.now();
      await call(base, 'GET', '/api/health');
      latencies.push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await done;
      return {
        p50: round(percentile(latencies, 50)),
        p99: round(percentile(latencies, 99)),
        samples: latencies.length,
      };
    },
  };
}

/** 8 members (4 in each of two rooms) send 60 KB offers at full speed for 60 s to every kind of target. */
async function signallingFlood() {
  const server = await startBuiltServer({ ...DEFAULT_LIMITS, RATE_LIMIT_PER_MIN: '0', RELAY_MODE: 'off' });
  const sockets: WebSocket[] = [];
  try {
    const rooms = await Promise.all(
      ['A', 'B'].map(async (name) => {
        const created = (
          await call<CreateRoomResponse>(server.url, 'POST', '/api/rooms', {
            body: { name: `Room ${name}`, hostName: `Teacher ${name}` },
          })
        ).body;
        const students: OwnMember[] = [];
        for (let i = 0; i < FLOODERS / 2; i++) {
          const joined = await call<JoinRoomResponse>(server.url, 'POST', `/api/rooms/${created.room.code}/members`, {
            body: { name: `Flood ${name}${i}`, role: 'student' },
          });
          students.push(joined.body.member);
        }
        return { host: created.member, students };
      }),
    );
    const hostCounts = [new Map<string, number>(), new Map<string, number>()];
    const studentCounts = new Map<string, number>();
    for (const [i, room] of rooms.entries()) sockets.push(await peerSocket(server.url, room.host, hostCounts[i]!));
    const flooders: { ws: WebSocket; targets: [string, string][] }[] = [];
    for (const [i, room] of rooms.entries()) {
      const other = rooms[1 - i]!;
      for (const [j, student] of room.students.entries()) {
        const ws = await peerSocket(server.url, student, studentCounts);
        sockets.push(ws);
        const classmate = room.students[(j + 1) % room.students.length]!;
        flooders.push({
          ws,
          targets: [
            [room.host.peerId, 'own-teacher'],
            [other.host.peerId, 'other-room'],
            [classmate.peerId, 'classmate'],
            ['f'.repeat(32), 'nobody'],
          ],
        });
      }
    }

    const rssBefore = rssBytes(server.pid);
    const health = probeHealth(server.url);
    let rssPeak = rssBefore;
    const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, rssBytes(server.pid))), 500);
    const until = Date.now() + FLOOD_S * 1000;
    const sent: Record<string, number> = {};
    await Promise.all(
      flooders.map(async ({ ws, targets }) => {
        let n = 0;
        while (Date.now() < until) {
          if (ws.bufferedAmount > MiB) {
            await new Promise((r) => setTimeout(r, 5));
            continue;
          }
          const [dst, marker] = targets[n++ % targets.length]!;
          ws.send(JSON.stringify({ type: 'OFFER', dst, payload: { marker, sdp: 'x'.repeat(60 * 1024) } }));
          sent[marker] = (sent[marker] ?? 0) + 1;
          if (n % 16 === 0) await new Promise((r) => setImmediate(r));
        }
      }),
    );
    const during = await health.stop();
    const rssEndOfFlood = rssBytes(server.pid);
    const after = probeHealth(server.url);
    await new Promise((r) => setTimeout(r, AFTER_S * 1000));
    const healthAfter = await after.stop();
    clearInterval(sampler);
    const rssAfter = rssBytes(server.pid);
    const sum = (marker: string) => hostCounts.reduce((n, m) => n + (m.get(marker) ?? 0), 0);
    return {
      scenario: `${FLOODERS} students in 2 rooms send 60 KB OFFERs at full speed for ${FLOOD_S} s, in turn to their own teacher, the other room's teacher, a classmate and an id nobody holds`,
      offersSent: sent,
      offersDelivered: {
        ownTeacher: sum('own-teacher'),
        otherRoomTeacher: sum('other-room'),
        classmate: studentCounts.get('classmate') ?? 0,
      },
      serverRssMiB: {
        before: mib(rssBefore),
        peakDuringFlood: mib(rssPeak),
        endOfFlood: mib(rssEndOfFlood),
        afterS: AFTER_S,
        after: mib(rssAfter),
      },
      healthMs: { duringFlood: during, after: healthAfter },
      targets: { serverRssMiB: 200, healthP99Ms: 50, deliveriesAcrossRoomsOrBetweenStudents: 0 },
    };
  } finally {
    for (const ws of sockets) ws.terminate();
    await server.stop();
  }
}

/** 2,000 lobby streams opened from 10 addresses and never read, while the lobby changes. */
async function streamFlood() {
  const server = await startBuiltServer({ ...DEFAULT_LIMITS, RATE_LIMIT_PER_MIN: '0', RELAY_MODE: 'off' });
  const responses: { destroy(): void }[] = [];
  try {
    const before = await server.memoryAfterGc();
    const rssBefore = rssBytes(server.pid);
    const statuses: Record<string, number> = {};
    let cutByServer = 0;
    await Promise.all(
      Array.from({ length: STREAM_ATTEMPTS }, (_, i) => {
        const localAddress = `127.0.0.${50 + (i % STREAM_ADDRESSES)}`;
        return new Promise<void>((resolve) => {
          const req = request(`${server.url}/api/lobby/events`, { localAddress, agent: false }, (res) => {
            statuses[res.statusCode!] = (statuses[res.statusCode!] ?? 0) + 1;
            // Never read: the socket's buffers fill and the server's unsent data grows.
            res.pause();
            if (res.statusCode === 200) res.socket.once('close', () => cutByServer++);
            responses.push(res);
            resolve();
          });
          req.on('error', () => {
            statuses.error = (statuses.error ?? 0) + 1;
            resolve();
          });
          req.end();
        });
      }),
    );
    // The lobby changes as fast as a busy school's would never: a teacher's room gains and loses students.
    const room = (
      await call<CreateRoomResponse>(server.url, 'POST', '/api/rooms', {
        body: { name: 'A room with a long name to make the lobby lines longer', hostName: 'Teacher' },
      })
    ).body;
    const health = probeHealth(server.url);
    let rssPeak = rssBytes(server.pid);
    const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, rssBytes(server.pid))), 500);
    const until = Date.now() + STREAM_EVENTS_S * 1000;
    let lobbyChanges = 0;
    while (Date.now() < until) {
      const joined = await call<JoinRoomResponse>(server.url, 'POST', `/api/rooms/${room.room.code}/members`, {
        body: { name: 'Passing student', role: 'student' },
      });
      await call(server.url, 'DELETE', `/api/rooms/${room.room.code}/members/me`, { token: joined.body.member.token });
      lobbyChanges += 2;
    }
    clearInterval(sampler);
    const during = await health.stop();
    const rssWithStreams = rssBytes(server.pid);
    const cutWhileUnread = cutByServer;
    for (const res of responses) res.destroy();
    await new Promise((r) => setTimeout(r, 1000));
    const after = await server.memoryAfterGc();
    const rssAfter = rssBytes(server.pid);
    return {
      scenario: `${STREAM_ATTEMPTS} lobby streams from ${STREAM_ADDRESSES} addresses, never read, while the lobby changes ${STREAM_EVENTS_S} s without pause; then the attacker disconnects`,
      streamsByStatus: statuses,
      lobbyChanges,
      streamsCutByServerWhileUnread: cutWhileUnread,
      serverRssMiB: {
        before: mib(rssBefore),
        peak: mib(rssPeak),
        withStreamsOpen: mib(rssWithStreams),
        afterDisconnect: mib(rssAfter),
      },
      retainedAfterGcMiB: {
        before: mib(before.heapUsed + before.external),
        afterDisconnect: mib(after.heapUsed + after.external),
      },
      rssAfterGcMiB: { before: mib(before.rss), afterDisconnect: mib(after.rss) },
      healthMsDuringFlood: during,
    };
  } finally {
    for (const res of responses) res.destroy();
    await server.stop();
  }
}

/**
 * One address does the worst it may for 90 s: the 10 rooms it may open, 4 students in each, every
 * member writing the longest text in the widest characters (three UTF-8 bytes each) as fast as the
 * limits let through, teachers the longest links, students leaving and joining again under new
 * names. Meanwhile a teacher elsewhere reads /api/health; the saved state's size and the time each
 * save took are read at the end.
 */
export async function hostileClass(limits: 'default' | 'off') {
  const seconds = limits === 'default' ? HOSTILE_S : UNLIMITED_S;
  const dataDir = mkdtempSync(join(tmpdir(), 'classroom-hostile-'));
  const server = await startBuiltServer({
    ...(limits === 'default' ? DEFAULT_LIMITS : {}),
    RELAY_MODE: 'off',
    DATA_DIR: dataDir,
    METRICS_TOKEN,
  });
  const attacker = '127.0.0.70';
  const sockets = new Map<string, WebSocket>();
  const wide = (n: number, prefix = '') => prefix + '漢'.repeat(n - prefix.length);
  // The longest link that fits the stored limit, in wide characters (each written as 9).
  const link = `https://example.org/${'漢'.repeat(Math.floor((2000 - 'https://example.org/'.length) / 9))}`;
  try {
    const rooms: { code: string; host: OwnMember; students: OwnMember[] }[] = [];
    for (let r = 0; r < HOSTILE_ROOMS; r++) {
      const created = await callFrom<CreateRoomResponse>(attacker, server.url, 'POST', '/api/rooms', {
        body: { name: wide(ROOM_NAME_MAX_LENGTH, `${r}`), hostName: wide(NAME_MAX_LENGTH, `h${r}`) },
      });
      if (created.status !== 201) break;
      rooms.push({ code: created.body.room.code, host: created.body.member, students: [] });
      sockets.set(created.body.member.id, await peerSocket(server.url, created.body.member, new Map()));
    }
    const statuses: Record<string, number> = {};
    const count = (status: number) => (statuses[status] = (statuses[status] ?? 0) + 1);
    let names = 0;
    const joinStudent = async (code: string) => {
      for (let attempt = 0; attempt < 120; attempt++) {
        const joined = await callFrom<JoinRoomResponse>(attacker, server.url, 'POST', `/api/rooms/${code}/members`, {
          body: { name: wide(NAME_MAX_LENGTH, `${names++}`), role: 'student' },
        });
        count(joined.status);
        if (joined.status === 201) {
          // Connected, as a real student's app is, so the seat is not given up after the grace.
          sockets.set(joined.body.member.id, await peerSocket(server.url, joined.body.member, new Map()));
          return joined.body.member;
        }
        if (joined.status !== 429) return null;
        await new Promise((r) => setTimeout(r, 1000));
      }
      return null;
    };
    for (const room of rooms) {
      for (let i = 0; i < HOSTILE_SEATS_PER_ROOM; i++) {
        const student = await joinStudent(room.code);
        if (student) room.students.push(student);
      }
    }

    const rssBefore = rssBytes(server.pid);
    const health = probeHealth(server.url);
    let rssPeak = rssBefore;
    const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, rssBytes(server.pid))), 500);
    const until = Date.now() + seconds * 1000;
    // Refused for its rate, the attacker waits a second and goes on: what it gets through is the most
    // the limits allow, without the load of a flood of refusals (the other scenarios measure that).
    const send = async (token: string, path: string, method: string, body?: unknown) => {
      const reply = await callFrom(attacker, server.url, method, path, {
        token,
        ...(body === undefined ? {} : { body }),
      }).catch(() => ({ status: 0, body: null }));
      count(reply.status);
      if (reply.status === 429) await new Promise((r) => setTimeout(r, 1000));
      return reply;
    };
    await Promise.all(
      rooms.map(async (room) => {
        for (let step = 0; Date.now() < until; step++) {
          const base = `/api/rooms/${room.code}`;
          await send(room.host.token, `${base}/messages`, 'POST', {
            to: 'class',
            text: wide(MESSAGE_MAX_LENGTH),
            url: link,
          });
          for (const [i, student] of room.students.entries()) {
            await send(student.token, `${base}/hands`, 'POST', { note: wide(HAND_NOTE_MAX_LENGTH) });
            await send(student.token, `${base}/messages`, 'POST', { to: 'teachers', text: wide(MESSAGE_MAX_LENGTH) });
            // Each round one student leaves and a new name takes the seat: attendance grows.
            if (i === step % room.students.length) {
              await send(student.token, `${base}/members/me`, 'DELETE');
              sockets.get(student.id)?.terminate();
              const next = await joinStudent(room.code);
              if (next) room.students[i] = next;
            }
          }
        }
      }),
    );
    clearInterval(sampler);
    const during = await health.stop();
    const metrics = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    const saves = saveHistogram(await metrics.text());
    return {
      scenario: `one address opens ${rooms.length} rooms with ${HOSTILE_SEATS_PER_ROOM} students each and for ${seconds} s sends the longest wide-character messages, links, hand notes and new names as fast as ${limits === 'default' ? 'the default limits let through' : 'it can, with every rate limit off (more than any address may: an upper bound)'}; a teacher elsewhere reads /api/health`,
      requestsByStatus: statuses,
      accepted: Object.entries(statuses).reduce((n, [status, k]) => n + (Number(status) < 300 ? k : 0), 0),
      healthMs: during,
      serverRssMiB: { before: mib(rssBefore), peak: mib(rssPeak), after: mib(rssBytes(server.pid)) },
      savedStateKiB: Math.round(statSync(join(dataDir, 'state.jsonl')).size / 1024),
      saves,
      targets: { healthP99Ms: 50 },
    };
  } finally {
    for (const ws of sockets.values()) ws.terminate();
    await server.stop();
  }
}

/** The hostile class's figures as rows of the printed table. */
export function hostileClassRows(figures: Awaited<ReturnType<typeof hostileClass>>, label = 'hostile class') {
  return {
    [`${label}: health p99 during (ms), target < 50`]: figures.healthMs.p99,
    [`${label}: server RSS peak (MiB)`]: figures.serverRssMiB.peak,
    [`${label}: saved state (KiB)`]: figures.savedStateKiB,
    [`${label}: requests taken / refused for rate`]: `${figures.accepted} / ${figures.requestsByStatus[429] ?? 0}`,
    [`${label}: saves, mean (ms) / p99 at most (ms)`]: `${figures.saves.meanMs} / ${figures.saves.p99AtMostMs}`,
  };
}

/** Count, mean and the bucket holding the 99th percentile of the store's save durations, from /metrics. */
function saveHistogram(text: string) {
  const line = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
  const count = line('classroom_store_save_duration_seconds_count');
  const sum = line('classroom_store_save_duration_seconds_sum');
  const buckets = [...text.matchAll(/^classroom_store_save_duration_seconds_bucket\{le="([^"]+)"\} (\S+)$/gm)].map(
    ([, le, n]) => ({ le: le === '+Inf' ? Infinity : Number(le), n: Number(n) }),
  );
  const p99 = buckets.find((b) => b.n >= count * 0.99)?.le ?? NaN;
  return { count, meanMs: round((sum / count) * 1000), p99AtMostMs: p99 * 1000 };
}

function mib(bytes: number): number {
  return Math.round((bytes / MiB) * 10) / 10;
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
