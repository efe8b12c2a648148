/**
 * The ceiling of one app process: members join in rooms of 30 (a teacher and 29 students), each
 * keeping the room's event stream and a PeerServer socket open, step after step. Each step fills
 * quickly, then times 200 joins arriving two at a time (a class coming in), until their p99 passes
 * 100 ms or a join or connection fails. Reports the members connected at the last good
 * step and the server's memory there. The members are simulated in this process (HTTP, SSE and
 * websocket clients, no media), so its own CPU and file descriptors are limits too: both are saved.
 */
import type { OwnMember, RoomEvent } from '../src/shared/protocol.ts';
import { call, createRoom } from '../tests/helpers/client.ts';
import { connectPeer, type PeerSocket } from '../tests/helpers/peer.ts';
import { openEvents, type EventReader } from '../tests/helpers/sse.ts';
import { percentile, pool, rssBytes, saveResult, startBuiltServer } from './lib.ts';

const ROOM_SIZE = 30;
/** Members connected after each step. */
const STEPS = [1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000];
/** Members are added this many at a time (not what is judged: 20 in flight queue behind each other). */
const FILL_CONCURRENCY = 20;
/** Then this many more join with this many in flight, as a class arriving, and their p99 is judged. */
const PROBE_JOINS = 200;
const PROBE_CONCURRENCY = 2;
const P99_LIMIT_MS = 100;

/** Runs the steps and returns the figures it saved. */
export async function benchCeiling() {
  const server = await startBuiltServer({ MAX_ROOMS: '2000', RECONNECT_GRACE_S: '3600' });
  const open: { events: EventReader<RoomEvent>; peer: PeerSocket }[] = [];
  const steps = [];
  let stoppedBecause = 'all steps passed';
  try {
    const rssBefore = rssBytes(server.pid);
    for (const target of STEPS) {
      const count = target - open.length;
      const rooms = await Promise.all(
        Array.from({ length: Math.ceil(count / ROOM_SIZE) }, (_, i) => createRoom(server.url, `R${target}-${i}`, 'T')),
      );
      // The room's creator is its teacher (one request, counted as a join); the rest are students.
      const plan = rooms.flatMap((r) =>
        Array.from({ length: ROOM_SIZE - 1 }, (_, i) => ({ code: r.room.code, name: `S${i}` })),
      );
      const joinMs: number[] = [];
      const fillMs: number[] = [];
      const errors: string[] = [];
      const own = process.cpuUsage();
      const started = performance.now();
      const connect = async (code: string, member: OwnMember) => {
        try {
          const events = await openEvents<RoomEvent>(`${server.url}/api/rooms/${code}/events?token=${member.token}`);
          await events.next((e) => e.type === 'snapshot');
          const peer = await connectPeer(server.url, member.peerId, member.token);
          await peer.waitFor('OPEN');
          open.push({ events, peer });
        } catch (error) {
          errors.push(`connect ${(error as Error).message}`);
        }
      };
      for (const r of rooms) await connect(r.room.code, r.member);
      const joinOne = async ({ code, name }: { code: string; name: string }, times: number[]) => {
        const t0 = performance.now();
        const reply = await call<{ member: OwnMember }>(server.url, 'POST', `/api/rooms/${code}/members`, {
          body: { name, role: 'student' },
        });
        times.push(performance.now() - t0);
        if (reply.status !== 201) return void errors.push(`join ${reply.status}`);
        await connect(code, reply.body.member);
      };
      const joins = plan.slice(0, count - rooms.length);
      const probes = joins.splice(Math.max(0, joins.length - PROBE_JOINS));
      await pool(joins, FILL_CONCURRENCY, (j) => joinOne(j, fillMs));
      await pool(probes, PROBE_CONCURRENCY, (j) => joinOne(j, joinMs));
      const wallS = (performance.now() - started) / 1000;
      const ownCpu = process.cpuUsage(own);
      await new Promise((r) => setTimeout(r, 500));
      const health = (await call<{ members: number; rooms: number }>(server.url, 'GET', '/api/health')).body;
      const step = {
        membersConnected: open.length,
        membersOnServer: health.members,
        rooms: health.rooms,
        probeJoins: joinMs.length,
        joinLatencyMs: { p50: round(percentile(joinMs, 50)), p99: round(percentile(joinMs, 99)) },
        fillJoinLatencyMs: { p50: round(percentile(fillMs, 50)), p99: round(percentile(fillMs, 99)) },
        joinsPerSecond: round((joinMs.length + fillMs.length) / wallS),
        errors: errors.length,
        errorSamples: errors.slice(0, 3),
        serverRssMiB: round(rssBytes(server.pid) / 1024 / 1024),
        benchProcessCpuPercentOfCore: Math.round(((ownCpu.user + ownCpu.system) / 1e6 / wallS) * 100),
      };
      steps.push(step);
      console.error(JSON.stringify(step));
      if (step.errors > 0) {
        stoppedBecause = `errors at ${target} members`;
        break;
      }
      if (step.joinLatencyMs.p99 > P99_LIMIT_MS) {
        stoppedBecause = `join p99 passed ${P99_LIMIT_MS} ms at ${target} members`;
        break;
      }
    }
    const good = steps.filter((s) => s.errors === 0 && s.joinLatencyMs.p99 <= P99_LIMIT_MS);
    const last = good.at(-1);
    const result = {
      scenario: `rooms of ${ROOM_SIZE}, each member keeping an event stream and a PeerServer socket; each step fills ${FILL_CONCURRENCY} at a time, then ${PROBE_JOINS} more join ${PROBE_CONCURRENCY} at a time and their p99 is judged; stop when it passes ${P99_LIMIT_MS} ms or on any error`,
      date: new Date().toISOString(),
      node: process.version,
      serverRssMiBBefore: round(rssBefore / 1024 / 1024),
      steps,
      stoppedBecause,
      ceilingMembers: last?.membersConnected ?? 0,
      serverRssMiBAtCeiling: last?.serverRssMiB ?? null,
      note: 'Simulated members live in the benchmark process (one Node process, 2 sockets each); its file-descriptor limit (20,000 on the benchmark machine, so at most 8,000 members) and its own CPU bound the steps too.',
    };
    saveResult('ceiling', result);
    return result;
  } finally {
    for (const { events, peer } of open) {
      events.close();
      peer.ws.close();
    }
    await server.stop();
  }
}

const round = (n: number) => Math.round(n * 10) / 10;
