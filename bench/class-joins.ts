/**
 * Joins into lessons at 1,000 members: 34 classes of 30 on their rosters each start a lesson, then
 * 1,000 students join by their class link as the roster name they pick (a roster lookup, then the
 * lesson record written behind the join), 20 at a time. Run on the built server with SQLite and
 * with a real PostgreSQL on loopback, beside plain rooms joined by code on the same server (today's
 * join, with no database on its path). Only the join request is timed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClassLinkResponse, CreateClassResponse, StartLessonResponse } from '../src/shared/protocol.ts';
import { call, createRoom } from '../tests/helpers/client.ts';
import { startPostgres } from '../tests/helpers/postgres.ts';
import { percentile, pool, saveResult, startBuiltServer } from './lib.ts';

const CLASSES = 34;
const CLASS_SIZE = 30;
const MEMBERS = 1000;
const CONCURRENCY = 20;

type Figures = { p50: number; p99: number; max: number; joins: number; errors: number };

/** Times `joins` run CONCURRENCY at a time; each resolves to its HTTP status. */
async function timeJoins(joins: (() => Promise<number>)[]): Promise<Figures> {
  const ms: number[] = [];
  let errors = 0;
  await pool(joins, CONCURRENCY, async (joinOne) => {
    const t0 = performance.now();
    const status = await joinOne();
    ms.push(performance.now() - t0);
    if (status !== 201) errors++;
  });
  const round = (n: number) => Math.round(n * 10) / 10;
  return {
    p50: round(percentile(ms, 50)),
    p99: round(percentile(ms, 99)),
    max: round(Math.max(...ms)),
    joins: ms.length,
    errors,
  };
}

/** One server: plain rooms joined by code, then lessons joined by class link. */
async function benchOn(env: Record<string, string>) {
  const server = await startBuiltServer({ MAX_ROOMS: String(CLASSES * 3), ROOMS_PER_ADDRESS: '1000', ...env });
  try {
    const rooms = await Promise.all(
      Array.from({ length: CLASSES }, (_, i) => createRoom(server.url, `Room ${i}`, `Teacher ${i}`)),
    );
    const plain = await timeJoins(
      Array.from({ length: MEMBERS }, (_, i) => async () => {
        const code = rooms[i % CLASSES]!.room.code;
        return (
          await call(server.url, 'POST', `/api/rooms/${code}/members`, { body: { name: `S${i}`, role: 'student' } })
        ).status;
      }),
    );

    const links: { secret: string; names: { id: string }[] }[] = [];
    for (let c = 0; c < CLASSES; c++) {
      const made = await call<CreateClassResponse>(server.url, 'POST', '/api/classes', {
        body: { name: `Class ${c}` },
      });
      const { class: klass, teacherKey } = made.body;
      const names = Array.from({ length: CLASS_SIZE }, (_, i) => `Student ${c}-${i}`);
      await call(server.url, 'PUT', `/api/classes/${klass.id}/roster`, {
        token: teacherKey,
        body: { mode: 'replace', from: 'typed', text: names.join('\n') },
      });
      await call<StartLessonResponse>(server.url, 'POST', `/api/classes/${klass.id}/lessons`, {
        token: teacherKey,
        body: { hostName: `Teacher ${c}` },
      });
      const link = await call<ClassLinkResponse>(server.url, 'GET', `/api/join/${klass.joinSecret}`);
      links.push({ secret: klass.joinSecret, names: link.body.names ?? [] });
    }
    const lessons = await timeJoins(
      Array.from({ length: MEMBERS }, (_, i) => async () => {
        const { secret, names } = links[i % CLASSES]!;
        const entry = names[Math.floor(i / CLASSES)]!;
        return (await call(server.url, 'POST', `/api/join/${secret}/members`, { body: { rosterEntryId: entry.id } }))
          .status;
      }),
    );
    return { plainRoomsByCode: plain, lessonsByClassLink: lessons };
  } finally {
    await server.stop();
  }
}

/** Runs the scenario on SQLite and on PostgreSQL and returns the figures it saved. */
export async function benchClassJoins() {
  const dataDir = mkdtempSync(join(tmpdir(), 'classroom-bench-joins-'));
  const postgres = await startPostgres();
  try {
    const sqlite = await benchOn({ DATA_DIR: dataDir });
    const pg = await benchOn({ DATABASE_URL: await postgres.createDatabase('bench_joins') });
    const result = {
      scenario: `${CLASSES} classes of ${CLASS_SIZE} with a lesson each; ${MEMBERS} students join by class link as a picked roster name, ${CONCURRENCY} at a time; beside ${MEMBERS} joins by code into ${CLASSES} plain rooms on the same server`,
      date: new Date().toISOString(),
      node: process.version,
      sqlite,
      postgres: pg,
      targets: { joinP99Ms: 50, errors: 0 },
    };
    saveResult('class-joins', result);
    return result;
  } finally {
    await postgres.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
