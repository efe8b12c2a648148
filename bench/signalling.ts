/**
 * Signalling load: 40 rooms, 1,000 members joining over HTTP, each opening the room's event stream
 * and a PeerServer websocket, then all leaving. Measures join latency, errors and server memory.
 */
import type { OwnMember, RoomEvent } from '../src/shared/protocol.ts';
import { call, createRoom } from '../tests/helpers/client.ts';
import { connectPeer, type PeerSocket } from '../tests/helpers/peer.ts';
import { openEvents, type EventReader } from '../tests/helpers/sse.ts';
import { percentile, pool, rssBytes, saveResult, startBuiltServer, type Memory } from './lib.ts';

const ROOMS = 40;
const MEMBERS = 1000;
const CONCURRENCY = 20;

interface Connected {
  code: string;
  member: OwnMember;
  events: EventReader<RoomEvent>;
  peer: PeerSocket;
}

/** Runs the scenario and returns the figures it saved. */
export async function benchSignalling() {
  const server = await startBuiltServer({ MAX_ROOMS: String(ROOMS * 2) });
  const errors: string[] = [];
  try {
    const before = await server.memoryAfterGc();
    const rssBefore = rssBytes(server.pid);
    const rooms = await Promise.all(
      Array.from({ length: ROOMS }, (_, i) => createRoom(server.url, `Room ${i}`, `Teacher ${i}`)),
    );

    const joinMs: number[] = [];
    const connected: Connected[] = [];
    const plan = Array.from({ length: MEMBERS }, (_, i) => {
      const room = rooms[i % ROOMS]!;
      // Every 25th joiner is a co-teacher, the rest are students.
      return i % 25 === 0
        ? { code: room.room.code, name: `Co ${i}`, role: 'supervisor' as const, supervisorKey: room.supervisorKey }
        : { code: room.room.code, name: `Student ${i}`, role: 'student' as const };
    });

    const started = performance.now();
    await pool(plan, CONCURRENCY, async ({ code, ...body }) => {
      const t0 = performance.now();
      const reply = await call<{ member: OwnMember }>(server.url, 'POST', `/api/rooms/${code}/members`, { body });
      joinMs.push(performance.now() - t0);
      if (reply.status !== 201) return void errors.push(`join ${reply.status}`);
      const member = reply.body.member;
      try {
        const events = await openEvents<RoomEvent>(`${server.url}/api/rooms/${code}/events?token=${member.token}`);
        await events.next((e) => e.type === 'snapshot');
        const peer = await connectPeer(server.url, member.peerId, member.token);
        await peer.waitFor('OPEN');
        connected.push({ code, member, events, peer });
      } catch (error) {
        errors.push(`connect ${(error as Error).message}`);
      }
    });
    const joinWallS = (performance.now() - started) / 1000;
    await new Promise((r) => setTimeout(r, 500));
    const rssConnected = rssBytes(server.pid);
    const connectedGc = await server.memoryAfterGc();
    const health = (await call<{ members: number }>(server.url, 'GET', '/api/health')).body;

    await pool(connected, CONCURRENCY, async ({ code, member, events, peer }) => {
      const reply = await call(server.url, 'DELETE', `/api/rooms/${code}/members/me`, { token: member.token });
      if (reply.status !== 204) errors.push(`leave ${reply.status}`);
      await events.ended;
      await peer.closed;
    });
    await new Promise((r) => setTimeout(r, 500));
    const rssAfter = rssBytes(server.pid);
    const afterGc = await server.memoryAfterGc();
    const retained = (m: Memory) => m.heapUsed + m.external;

    const result = {
      scenario: `${ROOMS} rooms, ${MEMBERS} members joining (${CONCURRENCY} at a time), each with an event stream and a PeerServer socket, then leaving`,
      date: new Date().toISOString(),
      node: process.version,
      joins: joinMs.length,
      joinLatencyMs: {
        p50: round(percentile(joinMs, 50)),
        p99: round(percentile(joinMs, 99)),
        max: round(Math.max(...joinMs)),
      },
      joinsPerSecond: round(MEMBERS / joinWallS),
      errors: errors.length,
      errorSamples: errors.slice(0, 5),
      membersOnServerAtPeak: health.members,
      serverRssMiB: { before: mib(rssBefore), connected: mib(rssConnected), afterLeaving: mib(rssAfter) },
      rssPerMemberKB: round((rssConnected - rssBefore) / 1024 / health.members),
      afterFullGc: {
        rssMiB: { before: mib(before.rss), connected: mib(connectedGc.rss), afterLeaving: mib(afterGc.rss) },
        retainedHeapMiB: {
          before: mib(retained(before)),
          connected: mib(retained(connectedGc)),
          afterLeaving: mib(retained(afterGc)),
        },
        retainedPerMemberKB: round((retained(connectedGc) - retained(before)) / 1024 / health.members),
      },
      targets: { joinP99Ms: 50, errors: 0, rssPerMemberKB: 20 },
    };
    saveResult('signalling', result);
    return result;
  } finally {
    await server.stop();
  }
}

const round = (n: number) => Math.round(n * 10) / 10;
const mib = (bytes: number) => round(bytes / 1024 / 1024);
