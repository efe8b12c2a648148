/**
 * Restarts: 1,000 members in 40 rooms saved, the server killed (SIGKILL) and started again on the
 * same port and DATA_DIR, every simulated member reconnecting as the PWA does; join latency with
 * nothing saved, the file store and Redis, in one run; real browsers: time from the restarted
 * server answering until every tile is live with its student present again; and a relayed class of
 * eight through planned restarts and crashes (with and without its relay worker): how long each
 * tile's picture stood still, and when the wall was whole again; and a standby on Redis taking
 * over from an active instance killed.
 */
import { mkdtempSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from '@playwright/test';
import { Redis } from 'ioredis';
import type { OwnMember, RoomEvent } from '../src/shared/protocol.ts';
import { CHROMIUM_ARGS, chromiumExecutable } from '../tests/e2e/browser.ts';
import { HomePage, StudentRoomPage, person, type Person } from '../tests/e2e/pages.ts';
import { countPeerConnections, peerConnectionsCreated } from '../tests/e2e/restart-watch.ts';
import { relayWorkerPids } from '../tests/helpers/relay-workers.ts';
import { freePort } from '../tests/helpers/built-server.ts';
import { call, createRoom, getRoom, join as joinRoom } from '../tests/helpers/client.ts';
import { connectPeer, type PeerSocket } from '../tests/helpers/peer.ts';
import { startRedis } from '../tests/helpers/redis.ts';
import { startServerProcess, type ServerProcess } from '../tests/helpers/server-process.ts';
import { openEvents, type EventReader } from '../tests/helpers/sse.ts';
import { STATE_KEY } from '../server/store/redis-store.ts';
import { percentile, pool, rssBytes, saveResult, startBuiltServer } from './lib.ts';

const ROOMS = 40;
const MEMBERS = 1000;
const CONCURRENCY = 20;
const BROWSER_RUNS = 5;
/** Join latency is measured this many times per store, interleaved, so a busy moment on the machine hits all three alike. */
const JOIN_ROUNDS = 3;
/** What the PWA does after a drop: PeerServer backoff from 0.5 s doubling to 3 s; EventSource's retry is 2 s. */
const PEER_BACKOFF_MS = [500, 1000, 2000, 3000] as const;
const STREAM_RETRY_MS = 2000;

interface Seat {
  code: string;
  member: OwnMember;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const round = (n: number) => Math.round(n * 10) / 10;
const mib = (bytes: number) => round(bytes / 1024 / 1024);

/** 40 rooms and 1,000 members (every 25th a co-teacher) joined over HTTP. */
async function fillServer(url: string): Promise<{ seats: Seat[]; joinMs: number[]; errors: number }> {
  const rooms = await Promise.all(
    Array.from({ length: ROOMS }, (_, i) => createRoom(url, `Room ${i}`, `Teacher ${i}`)),
  );
  const seats: Seat[] = rooms.map((r) => ({ code: r.room.code, member: r.member }));
  const plan = Array.from({ length: MEMBERS - ROOMS }, (_, i) => {
    const room = rooms[i % ROOMS]!;
    return i % 25 === 0
      ? { code: room.room.code, name: `Co ${i}`, role: 'supervisor' as const, supervisorKey: room.supervisorKey }
      : { code: room.room.code, name: `Student ${i}`, role: 'student' as const };
  });
  const joinMs: number[] = [];
  let errors = 0;
  await pool(plan, CONCURRENCY, async ({ code, ...body }) => {
    const t0 = performance.now();
    const reply = await call<{ member: OwnMember }>(url, 'POST', `/api/rooms/${code}/members`, { body });
    joinMs.push(performance.now() - t0);
    if (reply.status === 201) seats.push({ code, member: reply.body.member });
    else errors++;
  });
  return { seats, joinMs, errors };
}

/** A member's PeerServer socket and event stream, as the PWA keeps them. */
interface Connection {
  peer: PeerSocket;
  events: EventReader<RoomEvent>;
}

/** Connects a member, retrying like the PWA until both the PeerServer socket and the event stream are up. */
async function connectLikeThePwa(url: string, { code, member }: Seat): Promise<Connection> {
  const peer = (async () => {
    for (let attempt = 0; ; attempt++) {
      try {
        const socket = await connectPeer(url, member.peerId, member.token);
        await socket.waitFor('OPEN');
        return socket;
      } catch {
        await sleep(PEER_BACKOFF_MS[Math.min(attempt, PEER_BACKOFF_MS.length - 1)]!);
      }
    }
  })();
  const events = (async () => {
    for (;;) {
      try {
        const reader = await openEvents<RoomEvent>(`${url}/api/rooms/${code}/events?token=${member.token}`);
        await reader.next((e) => e.type === 'snapshot');
        return reader;
      } catch {
        await sleep(STREAM_RETRY_MS);
      }
    }
  })();
  return { peer: await peer, events: await events };
}

/** SIGKILL with 1,000 members connected; start again; how long until each member is back. */
async function restartWithMembers() {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'classroom-bench-restart-'));
  const env = { DATA_DIR: dataDir, MAX_ROOMS: String(ROOMS * 2), LOG_LEVEL: 'info' };
  const first = await startServerProcess({ port, built: true, env });
  const { seats, errors } = await fillServer(first.url);
  let connections: Connection[] = [];
  await pool([...seats], CONCURRENCY, async (seat) => void connections.push(await connectLikeThePwa(first.url, seat)));
  await sleep(500);
  const rssConnectedBefore = rssBytes(first.pid);
  const stateBytes = statSync(join(dataDir, 'state.jsonl')).size;

  first.kill('SIGKILL');
  await first.exited;
  for (const c of connections) c.events.close();
  const startedAt = performance.now();
  // Every member starts retrying at once, as browsers notice the drop together.
  const backAt: number[] = [];
  const reconnecting = seats.map((seat) =>
    connectLikeThePwa(`http://127.0.0.1:${port}`, seat).then((c) => {
      backAt.push(performance.now());
      return c;
    }),
  );
  const second = await startServerProcess({ port, built: true, env });
  const rssAfterLoad = rssBytes(second.pid);
  connections = await Promise.all(reconnecting);
  await sleep(500);
  const rssAllBack = rssBytes(second.pid);
  const health = (await call<{ members: number; rooms: number }>(second.url, 'GET', '/api/health')).body;
  const loadedLine = second.output
    .join('')
    .split('\n')
    .find((line) => line.includes('loaded the saved rooms'));
  const loaded = loadedLine ? (JSON.parse(loadedLine) as { loadMs: number; rooms: number }) : null;
  const backMs = backAt.map((t) => t - second.answeredAt);
  for (const c of connections) {
    c.events.close();
    c.peer.ws.terminate();
  }
  second.kill('SIGINT');
  await second.exited;
  return {
    members: seats.length,
    rooms: ROOMS,
    setupErrors: errors,
    stateFileKB: round(stateBytes / 1024),
    loadMs: loaded?.loadMs ?? null,
    roomsLoaded: loaded?.rooms ?? null,
    processStartToHealthMs: round(second.answeredAt - startedAt),
    membersOnServerAfter: health.members,
    backAfterServerAnswersMs: {
      p50: round(percentile(backMs, 50)),
      p99: round(percentile(backMs, 99)),
      max: round(Math.max(...backMs)),
    },
    serverRssMiB: {
      connectedBeforeKill: mib(rssConnectedBefore),
      justAfterLoad: mib(rssAfterLoad),
      allMembersBack: mib(rssAllBack),
    },
  };
}

/** Join latency (HTTP only) for 1,000 members in 40 rooms, with `env` choosing the store. */
async function joinLatency(env: Record<string, string>) {
  const server = await startBuiltServer({ MAX_ROOMS: String(ROOMS * 2), RELAY_MODE: 'off', ...env });
  try {
    const { joinMs, errors } = await fillServer(server.url);
    return { p50: round(percentile(joinMs, 50)), p99: round(percentile(joinMs, 99)), errors };
  } finally {
    await server.stop();
  }
}

/** Whether a teacher's page shows every student live and present, with no outage line. */
async function wallWhole(page: Page, students: string[]): Promise<boolean> {
  return page.evaluate((names) => {
    const tiles = names.map((n) => document.querySelector(`figure[aria-label="${n}: Live"]`));
    const badges = [...document.querySelectorAll('ul[aria-label="Students"] .badge')].map((b) => b.textContent);
    const away = document.body.textContent?.includes('The server is restarting');
    return tiles.every(Boolean) && badges.length === names.length && badges.every((b) => b === 'Sharing') && !away;
  }, students);
}

/** Real browsers: a teacher and two sharing students; SIGKILL; ms from the server answering until the wall is whole. */
async function browserRestarts() {
  const browser = await chromium.launch({ executablePath: chromiumExecutable(), args: CHROMIUM_ARGS });
  const wholeMs: number[] = [];
  try {
    for (let run = 0; run < BROWSER_RUNS; run++) {
      const port = await freePort();
      const env = { DATA_DIR: mkdtempSync(join(tmpdir(), 'classroom-bench-')), RELAY_ANNOUNCED_IPS: '127.0.0.1' };
      let server: ServerProcess = await startServerProcess({ port, built: true, env });
      const people: Person[] = [];
      try {
        const teacher = await person(browser, '/', { width: 1280, height: 800 }, server.url);
        people.push(teacher);
        const code = await (await new HomePage(teacher.page).createRoom('Bench', 'Ms Lee')).code();
        for (const name of ['Ada', 'Bo']) {
          const p = await person(browser, `/join/${code}`, { width: 1280, height: 720 }, server.url);
          people.push(p);
          await new HomePage(p.page).join({ name });
          await new StudentRoomPage(p.page).shareButton().click();
        }
        while (!(await wallWhole(teacher.page, ['Ada', 'Bo']))) await sleep(100);
        await sleep(300);
        server.kill('SIGKILL');
        await server.exited;
        server = await startServerProcess({ port, built: true, env });
        while (!(await wallWhole(teacher.page, ['Ada', 'Bo']))) await sleep(50);
        wholeMs.push(performance.now() - server.answeredAt);
      } finally {
        for (const p of people) await p.context.close();
        server.kill('SIGINT');
        await server.exited;
      }
    }
  } finally {
    await browser.close();
  }
  return {
    runs: wholeMs.length,
    p50: round(percentile(wholeMs, 50)),
    p90: round(percentile(wholeMs, 90)),
    all: wholeMs.map(round),
  };
}

const RELAYED_STUDENTS = ['Ada', 'Bo', 'Cy', 'Di', 'Ed', 'Fay', 'Gus', 'Hal'];
/** Each round restarts the same class three ways: planned, crash (the worker lives), crash with the worker. */
const RELAYED_ROUNDS = 3;
const RESTART_KINDS = ['planned', 'crashWorkerLives', 'crashWorkerKilledToo'] as const;

/** What the teacher's wall shows at one moment. */
interface WallSample {
  at: number;
  /** Each tile's accessible name and frames decoded so far (its video element's count). */
  labels: (string | null)[];
  frames: number[];
  sharingBadges: number;
  away: boolean;
  throughRelay: boolean;
}

/** Reads the wall once, in the page. */
async function sampleWall(page: Page): Promise<WallSample> {
  const read = await page.evaluate((names) => {
    const figures = names.map((n) => document.querySelector(`figure[aria-label^="${n}:"]`));
    const text = document.body.textContent ?? '';
    return {
      labels: figures.map((f) => f?.getAttribute('aria-label') ?? null),
      frames: figures.map((f) => f?.querySelector('video')?.getVideoPlaybackQuality().totalVideoFrames ?? 0),
      sharingBadges: [...document.querySelectorAll('ul[aria-label="Students"] .badge')].filter(
        (b) => b.textContent === 'Sharing',
      ).length,
      away: text.includes('The server is restarting'),
      throughRelay: text.includes('screens arrive through the server’s relay'),
    };
  }, RELAYED_STUDENTS);
  return { at: performance.now(), ...read };
}

/** Reads the wall every 50 ms (or as fast as a busy page answers) into `samples` until stopped. */
function watchWall(page: Page) {
  const samples: WallSample[] = [];
  let running = true;
  const done = (async () => {
    while (running) {
      samples.push(await sampleWall(page));
      await sleep(50);
    }
  })();
  return {
    samples,
    stop: async () => {
      running = false;
      await done;
    },
  };
}

/** Times at which tile `i` showed a new frame (its count changed: a new call's video starts again from 0). */
function frameTimes(samples: WallSample[], i: number): number[] {
  const times: number[] = [];
  for (let k = 1; k < samples.length; k++)
    if (samples[k]!.frames[i] !== samples[k - 1]!.frames[i]) times.push(samples[k]!.at);
  return times;
}

/** The first sample after `since` at which every tile is live and has shown a frame since `since`, every student sharing, no outage line. */
function wholeAt(samples: WallSample[], since: number): number | null {
  const firstFrame = RELAYED_STUDENTS.map((_, i) => frameTimes(samples, i).find((t) => t > since) ?? Infinity);
  const whole = samples.find(
    (s) =>
      s.at > since &&
      firstFrame.every((t) => t <= s.at) &&
      s.labels.every((label, i) => label === `${RELAYED_STUDENTS[i]}: Live`) &&
      s.sharingBadges === RELAYED_STUDENTS.length &&
      !s.away,
  );
  return whole?.at ?? null;
}

/** Until `check` holds on the latest sample, or `timeoutMs`. */
async function until(samples: WallSample[], check: (s: WallSample) => boolean, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(samples.length > 0 && check(samples.at(-1)!))) {
    if (performance.now() > deadline) throw new Error('the relayed class did not reach the state waited for');
    await sleep(50);
  }
}

/** A teacher and eight students sharing through one relay worker; the server restarted three ways, three rounds. */
async function relayedRestarts(browser: Browser) {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'classroom-bench-relayed-'));
  const env = {
    DATA_DIR: dataDir,
    RELAY_MODE: 'always',
    RELAY_WORKERS: '1',
    RELAY_ANNOUNCED_IPS: '127.0.0.1',
    RECONNECT_GRACE_S: '30',
    LOG_LEVEL: 'warn',
  };
  // A busy machine stretches every figure here: the load is kept with them.
  const loadAtStart = loadavg()[0]!;
  let server: ServerProcess = await startServerProcess({ port, built: true, env });
  const pages: Page[] = [];
  const enter = async (path: string, viewport: { width: number; height: number }) => {
    const context = await browser.newContext({ viewport, baseURL: server.url });
    await countPeerConnections(context);
    const page = await context.newPage();
    await page.goto(path);
    pages.push(page);
    return page;
  };
  /** The longest a tile stood still over 6 s with no restart: the cadence of thumbnails on an eight-tile wall. */
  const steady = { longestFreezeMs: 0 };
  const runs: Record<(typeof RESTART_KINDS)[number], Record<string, number | null>[]> = {
    planned: [],
    crashWorkerLives: [],
    crashWorkerKilledToo: [],
  };
  try {
    const teacher = await enter('/', { width: 1600, height: 1000 });
    const code = await (await new HomePage(teacher).createRoom('Bench', 'Ms Lee')).code();
    for (const name of RELAYED_STUDENTS) {
      const page = await enter(`/join/${code}`, { width: 800, height: 600 });
      await new HomePage(page).join({ name });
      await new StudentRoomPage(page).shareButton().click();
    }
    const watch = watchWall(teacher);
    const connections = async () => (await Promise.all(pages.map(peerConnectionsCreated))).reduce((a, b) => a + b);
    /** The longest a tile's picture stood still between `from` and `to`, over every tile. */
    const longestFreeze = (from: number, to: number) =>
      Math.max(
        ...RELAYED_STUDENTS.map((_, i) => {
          const times = frameTimes(watch.samples, i).filter((t) => t >= from && t <= to);
          return Math.max(0, ...times.slice(1).map((t, k) => t - times[k]!));
        }),
      );
    try {
      // For comparison: the same measure over a quiet stretch with no restart.
      await until(watch.samples, (s) => s.throughRelay && wholeAt(watch.samples, s.at - 1000) !== null, 60_000);
      const quietFrom = performance.now();
      await sleep(6000);
      steady.longestFreezeMs = round(longestFreeze(quietFrom, performance.now()));
      for (let pass = 0; pass < RELAYED_ROUNDS; pass++) {
        for (const kind of RESTART_KINDS) {
          // Settled: every tile live through the relay and moving over the last second.
          await until(watch.samples, (s) => s.throughRelay && wholeAt(watch.samples, s.at - 1000) !== null, 60_000);
          // Nothing still moving to the relay after the last restart: no page made a connection for 2 s.
          let connectionsBefore = await connections();
          for (let settled = false; !settled;) {
            await sleep(2000);
            const now = await connections();
            settled = now === connectionsBefore;
            connectionsBefore = now;
          }
          const stoppedAt = performance.now();
          if (kind === 'planned') {
            server.kill('SIGTERM');
          } else {
            const workers = relayWorkerPids(dataDir);
            server.kill('SIGKILL');
            if (kind === 'crashWorkerKilledToo') for (const pid of workers) process.kill(pid, 'SIGKILL');
          }
          await server.exited;
          server = await startServerProcess({ port, built: true, env });
          const answeredAt = server.answeredAt;
          await until(watch.samples, () => wholeAt(watch.samples, answeredAt) !== null, 30_000);
          const whole = wholeAt(watch.samples, answeredAt)!;
          // How long each tile's picture stood still, from a second before the stop until a second after the wall was whole.
          await sleep(1000);
          runs[kind].push({
            stopToHealthMs: round(answeredAt - stoppedAt),
            wallWholeAfterHealthMs: round(whole - answeredAt),
            longestFreezeMs: round(longestFreeze(stoppedAt - 1000, whole + 1000)),
            newPeerConnections: (await connections()) - connectionsBefore,
          });
        }
      }
    } finally {
      await watch.stop();
    }
  } finally {
    for (const page of pages) await page.context().close();
    server.kill('SIGINT');
    await server.exited;
  }
  const summary = (kind: (typeof RESTART_KINDS)[number]) => {
    const of = (key: string) => runs[kind].map((r) => r[key] ?? 0);
    return {
      wallWholeAfterHealthMs: {
        p50: round(percentile(of('wallWholeAfterHealthMs'), 50)),
        max: Math.max(...of('wallWholeAfterHealthMs')),
      },
      longestFreezeMs: { p50: round(percentile(of('longestFreezeMs'), 50)), max: Math.max(...of('longestFreezeMs')) },
      runs: runs[kind],
    };
  };
  return {
    scenario: `one teacher and ${RELAYED_STUDENTS.length} students sharing through one relay worker (RELAY_MODE=always), real Chromium; each round: SIGTERM, SIGKILL of the server alone, SIGKILL of the server and its worker; started again on the same port and data`,
    date: new Date().toISOString(),
    rounds: RELAYED_ROUNDS,
    loadAverage1m: { atStart: round(loadAtStart), atEnd: round(loadavg()[0]!) },
    steadyLongestFreezeMs: steady.longestFreezeMs,
    planned: summary('planned'),
    crashWorkerLives: summary('crashWorkerLives'),
    crashWorkerKilledToo: summary('crashWorkerKilledToo'),
    targets: { plannedLongestFreezeMs: 'frames keep decoding', crashWallWholeAfterHealthMs: 3000 },
  };
}

const STANDBY_ROUNDS = 5;

/**
 * A standby taking over: an active instance and a standby on one redis-server, a room of 26 saved,
 * the active one killed (SIGKILL, so its lease runs out rather than being released); how long until
 * the standby answers /api/health as the instance serving rooms, and whether it serves that room.
 */
async function standbyTakeovers() {
  const redis = await startRedis();
  const env = { STORE_URL: redis.url, RELAY_MODE: 'off', LOG_LEVEL: 'warn' };
  const takeoverMs: number[] = [];
  try {
    for (let round = 0; round < STANDBY_ROUNDS; round++) {
      const admin = new Redis(redis.url);
      await admin.flushdb();
      const active = await startServerProcess({ port: await freePort(), env, built: true });
      const standby = await startServerProcess({ port: await freePort(), env, built: true, standby: true });
      try {
        const { room, member } = await createRoom(active.url, 'Maths 7B', 'Ms Lee');
        for (let i = 0; i < 25; i++) await joinRoom(active.url, room.code, `Student ${i + 1}`);
        // The kill comes once the last join is saved (saves trail changes by 100 ms).
        while (!((await admin.get(STATE_KEY))?.includes('Student 25') ?? false)) await sleep(20);
        active.kill('SIGKILL');
        const killed = performance.now();
        await active.exited;
        // The standby closes its port for a moment as it turns into the serving instance.
        const serving = () =>
          call(standby.url, 'GET', '/api/health').then(
            (r) => r.status === 200,
            () => false,
          );
        while (!(await serving())) await sleep(20);
        takeoverMs.push(Math.round(performance.now() - killed));
        const served = await getRoom(standby.url, room.code, member.token);
        if (served.status !== 200) throw new Error(`the standby did not serve the room: ${served.status}`);
      } finally {
        for (const server of [active, standby]) server.kill('SIGKILL');
        await Promise.all([active.exited, standby.exited]);
        await admin.quit();
      }
    }
  } finally {
    await redis.stop();
  }
  return {
    rounds: STANDBY_ROUNDS,
    p50: percentile(takeoverMs, 50),
    p90: percentile(takeoverMs, 90),
    samples: takeoverMs,
  };
}

/** The standby scenario alone, merged into restart.json beside the figures already there. */
export async function benchStandbyTakeover() {
  const standby = await standbyTakeovers();
  saveResult('restart', { standbyTakeoverMs: standby });
  return standby;
}

/** The relayed-class scenario alone, merged into restart.json beside the figures already there. */
export async function benchRelayedRestart() {
  const browser = await chromium.launch({ executablePath: chromiumExecutable(), args: CHROMIUM_ARGS });
  try {
    const relayed = await relayedRestarts(browser);
    saveResult('restart', { relayedClass: relayed });
    return relayed;
  } finally {
    await browser.close();
  }
}

/** Runs the scenarios and returns the figures it saved. */
export async function benchRestart() {
  const restart = await restartWithMembers();
  const redis = await startRedis();
  const rounds: Record<'memory' | 'file' | 'redis', Awaited<ReturnType<typeof joinLatency>>[]> = {
    memory: [],
    file: [],
    redis: [],
  };
  try {
    for (let round = 0; round < JOIN_ROUNDS; round++) {
      rounds.memory.push(await joinLatency({ STORE_URL: 'memory' }));
      rounds.file.push(await joinLatency({}));
      // Each round starts from an empty Redis, as the other stores start from nothing.
      const admin = new Redis(redis.url);
      await admin.flushdb();
      await admin.quit();
      rounds.redis.push(await joinLatency({ STORE_URL: redis.url }));
    }
  } finally {
    await redis.stop();
  }
  // The median round of each, by p99, with every round kept for the record.
  const median = (runs: Awaited<ReturnType<typeof joinLatency>>[]) => ({
    ...[...runs].sort((a, b) => a.p99 - b.p99)[Math.floor(runs.length / 2)]!,
    rounds: runs,
  });
  const joins = { memory: median(rounds.memory), file: median(rounds.file), redis: median(rounds.redis) };
  const browsers = await browserRestarts();
  const browser = await chromium.launch({ executablePath: chromiumExecutable(), args: CHROMIUM_ARGS });
  const relayedClass = await relayedRestarts(browser).finally(() => browser.close());
  const standbyTakeoverMs = await standbyTakeovers();
  const result = {
    scenario: `${ROOMS} rooms, ${MEMBERS} members (each with an event stream and a PeerServer socket) saved in DATA_DIR; SIGKILL; started again on the same port and data, members reconnecting as the PWA does`,
    date: new Date().toISOString(),
    node: process.version,
    restart,
    joinLatencyMsByStore: joins,
    browserRestartToWallWholeMs: browsers,
    relayedClass,
    standbyTakeoverMs,
    targets: { allTilesLiveAfterAnsweringMs: 10_000, standbyTakeoverMs: 10_000 },
  };
  saveResult('restart', result);
  return result;
}
