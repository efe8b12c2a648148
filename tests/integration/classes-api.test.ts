/**
 * Classes over HTTP (issue #20), on the real server in-process, once with SQLite in DATA_DIR and
 * once with a real PostgreSQL on loopback: a class, its roster, lessons that are rooms, the record
 * they leave, restarts between and during lessons, the keys, and retention.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseCsv } from '../../src/shared/csv.ts';
import type {
  AdmissionResponse,
  ClassLinkResponse,
  ClassResponse,
  CreateClassResponse,
  ErrorBody,
  LessonsResponse,
  OneRosterClassesResponse,
  RosterImportResponse,
  StartLessonResponse,
  TeacherKeyResponse,
  WaitingResponse,
} from '../../src/shared/protocol.ts';
import { call, joinByClassLink } from '../helpers/client.ts';
import { startPostgres, type TestPostgres } from '../helpers/postgres.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const MINUTE = 60_000;
const DAY = 86_400_000;
const T0 = Date.UTC(2026, 8, 7, 8, 0);
const fixture = (path: string) => readFileSync(join(import.meta.dirname, '../fixtures/roster', path), 'utf8');

let postgres: TestPostgres;
let databases = 0;
const temporary: string[] = [];
const running: TestServer[] = [];

beforeAll(async () => {
  postgres = await startPostgres();
}, 60_000);

afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()));
});

afterAll(async () => {
  await postgres?.stop();
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
});

/** The error body as the errors table words it. */
const refusal = (status: number, error: string) => ({ status, body: expect.objectContaining({ error }) });

/** The rows of a CSV sheet, by its header. */
function sheet(text: string): Record<string, string>[] {
  const parsed = parseCsv(text);
  if (!parsed.ok) throw new Error(parsed.error.problem);
  const [header, ...rows] = parsed.records;
  return rows.map((r) => Object.fromEntries(header!.cells.map((name, i) => [name, r.cells[i] ?? ''])));
}

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`classes API on ${kind}`, () => {
    /** A server on one DATA_DIR (the room state file; the SQLite file) and, for PostgreSQL, one database, restartable. */
    async function setup() {
      const dataDir = mkdtempSync(join(tmpdir(), 'classroom-classes-'));
      temporary.push(dataDir);
      const env: Record<string, string> = {
        DATA_DIR: dataDir,
        STORE_URL: '', // rooms saved in DATA_DIR, so they come back after a restart
        RELAY_MODE: 'off',
        RECONNECT_GRACE_S: '3600',
        UNCLAIMED_ROOM_TTL_S: '86400',
        EMPTY_ROOM_TTL_S: '86400',
      };
      if (kind === 'postgres') env.DATABASE_URL = await postgres.createDatabase(`classes_api_${++databases}`);
      const clock = { now: T0 };
      let server = await start();
      async function start() {
        const started = await startTestServer(env, { clock: () => clock.now });
        running.push(started);
        return started;
      }
      return {
        clock,
        get url() {
          return server.url;
        },
        server: () => server,
        async restart() {
          await server.close();
          running.splice(running.indexOf(server), 1);
          server = await start();
        },
      };
    }

    async function newClass(base: string, name = 'Biology 3') {
      const reply = await call<CreateClassResponse>(base, 'POST', '/api/classes', { body: { name } });
      expect(reply.status).toBe(201);
      return reply.body;
    }

    it('records a lesson: roster, three students who leave and come back, the room ends, the CSV; a restart keeps it', async () => {
      const s = await setup();
      const { class: klass, teacherKey: key } = await newClass(s.url);
      const base = `/api/classes/${klass.id}`;

      const broken = await call<ErrorBody>(s.url, 'PUT', `${base}/roster`, {
        token: key,
        body: { mode: 'replace', from: 'csv', csv: fixture('plain/bad-quoting.csv') },
      });
      expect(broken.status).toBe(400);
      expect(broken.body.error).toBe('invalid-roster');
      expect(broken.body.message).toMatch(/^roster\.csv line 3, column/);
      expect(broken.body.field).toMatch(/^csv:3:/);
      const good = await call<RosterImportResponse>(s.url, 'PUT', `${base}/roster`, {
        token: key,
        body: {
          mode: 'replace',
          from: 'csv',
          csv: 'name,email,student id\nAda Lovelace,ada@school.example,S1\nBo Chen,,S2\nCy Diaz,,\n',
        },
      });
      expect(good.status).toBe(200);
      expect(good.body).toMatchObject({ added: 3, updated: 0, removed: 0, unchanged: 0 });
      expect(good.body.roster.map((e) => e.name)).toEqual(['Ada Lovelace', 'Bo Chen', 'Cy Diaz']);

      const link = `/api/join/${klass.joinSecret}`;
      expect((await call<ClassLinkResponse>(s.url, 'GET', link)).body).toEqual({
        class: { name: 'Biology 3' },
        hasRoster: true,
        signInRequired: false,
        live: null,
      });

      const started = await call<StartLessonResponse>(s.url, 'POST', `${base}/lessons`, {
        token: key,
        body: { hostName: 'Ms Lee' },
      });
      expect(started.status).toBe(201);
      const { room, member: host, lesson } = started.body;
      expect(room).toMatchObject({ name: 'Biology 3' });
      expect(lesson).toMatchObject({ roomCode: room.code, startedAt: T0, endedAt: null });
      expect(await call(s.url, 'POST', `${base}/lessons`, { token: key, body: { hostName: 'Mr Ode' } })).toMatchObject(
        refusal(409, 'lesson-live'),
      );
      const linked = await call<ClassLinkResponse>(s.url, 'GET', link);
      expect(linked.body.live).toEqual({ roomCode: room.code, startedAt: T0 });
      // While the lesson runs, the link offers the roster's names to pick from: names only.
      expect(linked.body.names?.map((n) => n.name)).toEqual(['Ada Lovelace', 'Bo Chen', 'Cy Diaz']);
      expect(JSON.stringify(linked.body)).not.toMatch(/ada@school|"S1"|"S2"/);

      /** A student opens the class link and picks their name. */
      const join = (name: string) => joinByClassLink(s.url, klass.joinSecret, name);
      const leave = (token: string) => call(s.url, 'DELETE', `/api/rooms/${room.code}/members/me`, { token });
      const ada = await join('Ada Lovelace');
      s.clock.now = T0 + 1 * MINUTE;
      const bo = await join('Bo Chen');
      const cy = await join('Cy Diaz');
      await call(s.url, 'PUT', `/api/rooms/${room.code}/members/me/share`, {
        token: ada.token,
        body: { sharing: true },
      });
      s.clock.now = T0 + 11 * MINUTE;
      await call(s.url, 'PUT', `/api/rooms/${room.code}/members/me/share`, {
        token: ada.token,
        body: { sharing: false },
      });
      await call(s.url, 'POST', `/api/rooms/${room.code}/hands`, { token: ada.token, body: {} });
      expect((await leave(bo.token)).status).toBe(204);
      s.clock.now = T0 + 20 * MINUTE;
      expect((await leave(cy.token)).status).toBe(204);
      const boAgain = await join('Bo Chen');
      await call(s.url, 'POST', `/api/rooms/${room.code}/hands`, { token: boAgain.token, body: {} });
      s.clock.now = T0 + 30 * MINUTE;
      expect((await leave(boAgain.token)).status).toBe(204);
      // Mid-lesson, the record already has who came and who left.
      await s.server().flushRecords();
      const sofar = await fetch(`${s.url}${base}/lessons/${lesson.id}/attendance.csv`, {
        headers: { authorization: `Bearer ${key}` },
      });
      expect(sheet(await sofar.text()).map((r) => [r.Name, r.Left, r['Lesson ended']])).toEqual([
        ['Ada Lovelace', 'still in the lesson', 'live'],
        ['Bo Chen', '2026-09-07 08:30', 'live'],
        ['Cy Diaz', '2026-09-07 08:20', 'live'],
      ]);
      s.clock.now = T0 + 45 * MINUTE;
      expect((await call(s.url, 'DELETE', `/api/rooms/${room.code}`, { token: host.token })).status).toBe(204);
      await s.server().flushRecords();

      const lessons = await call<LessonsResponse>(s.url, 'GET', `${base}/lessons`, { token: key });
      expect(lessons.body.lessons).toEqual([
        { id: lesson.id, roomCode: room.code, startedAt: T0, endedAt: T0 + 45 * MINUTE, students: 3 },
      ]);
      const csv = await fetch(`${s.url}${base}/lessons/${lesson.id}/attendance.csv?tz=Europe/London`, {
        headers: { authorization: `Bearer ${key}` },
      });
      expect(csv.status).toBe(200);
      expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
      const rows = sheet(await csv.text());
      const pick = (r: Record<string, string>) => [
        r.Name,
        r.Joined,
        r.Left,
        r['Time sharing (h:mm:ss)'],
        r['Times stopped sharing'],
        r['Hands raised'],
      ];
      // London is UTC+1 in September.
      expect(rows.map(pick)).toEqual([
        ['Ada Lovelace', '2026-09-07 09:00', '2026-09-07 09:45', '0:10:00', '1', '1'],
        ['Bo Chen', '2026-09-07 09:01', '2026-09-07 09:30', '0:00:00', '0', '1'],
        ['Cy Diaz', '2026-09-07 09:01', '2026-09-07 09:20', '0:00:00', '0', '0'],
      ]);
      expect(rows.every((r) => r.Class === 'Biology 3' && r['Lesson ended'] === '2026-09-07 09:45')).toBe(true);
      // Students seated by their roster names are recorded with the roster's e-mail and student id.
      expect(rows.map((r) => [r.Email, r['Student id']])).toEqual([
        ['ada@school.example', 'S1'],
        ['', 'S2'],
        ['', ''],
      ]);

      // A restart between lessons: the class, its roster and its first lesson are still there.
      await s.restart();
      const page = await call<ClassResponse>(s.url, 'GET', base, { token: key });
      expect(page.status).toBe(200);
      expect(page.body.roster).toHaveLength(3);
      expect(page.body.liveLesson).toBeNull();
      expect(page.body.lessons.map((l) => l.id)).toEqual([lesson.id]);

      // The second lesson, with a restart in the middle of it: the room and its record carry on.
      s.clock.now = T0 + DAY;
      const second = (
        await call<StartLessonResponse>(s.url, 'POST', `${base}/lessons`, { token: key, body: { hostName: 'Ms Lee' } })
      ).body;
      const code = second.room.code;
      // Dee is on no roster: by the room code, she waits until a teacher admits her and adds her to the roster.
      const asked = await call<WaitingResponse>(s.url, 'POST', `/api/rooms/${code}/members`, {
        body: { name: 'Dee Ng', role: 'student' },
      });
      expect(asked.status).toBe(202);
      expect(asked.body).toMatchObject({ roomCode: code, waiting: { name: 'Dee Ng' } });
      const admit = `/api/rooms/${code}/waiting/${asked.body.waiting.id}/admit`;
      expect(
        (await call(s.url, 'POST', admit, { token: second.member.token, body: { addToRoster: true } })).status,
      ).toBe(200);
      const admitted = await call<AdmissionResponse>(s.url, 'GET', `/api/rooms/${code}/admission`, {
        token: asked.body.token,
      });
      if (admitted.body.status !== 'admitted') throw new Error('Dee was not admitted');
      const dee = admitted.body.member;
      expect(dee.name).toBe('Dee Ng');
      const live = (await call<ClassResponse>(s.url, 'GET', base, { token: key })).body.liveLesson;
      expect(live).toEqual({
        id: second.lesson.id,
        roomCode: code,
        startedAt: T0 + DAY,
        supervisorKey: second.supervisorKey,
      });
      await s.restart();
      s.clock.now = T0 + DAY + 40 * MINUTE;
      expect((await call(s.url, 'DELETE', `/api/rooms/${code}`, { token: second.member.token })).status).toBe(204);
      await s.server().flushRecords();
      const both = (await call<LessonsResponse>(s.url, 'GET', `${base}/lessons`, { token: key })).body.lessons;
      expect(both.map((l) => [l.id, l.students, l.endedAt])).toEqual([
        [second.lesson.id, 1, T0 + DAY + 40 * MINUTE],
        [lesson.id, 3, T0 + 45 * MINUTE],
      ]);
      const range = await fetch(`${s.url}${base}/attendance.csv?from=${T0}&to=${T0 + 2 * DAY}`, {
        headers: { authorization: `Bearer ${key}` },
      });
      expect(sheet(await range.text()).map((r) => [r['Lesson started'], r.Name])).toEqual([
        ['2026-09-07 08:00', 'Ada Lovelace'],
        ['2026-09-07 08:00', 'Bo Chen'],
        ['2026-09-07 08:00', 'Cy Diaz'],
        ['2026-09-08 08:00', 'Dee Ng'],
      ]);

      // A teacher deletes a lesson's record; a live one waits for its end.
      expect((await call(s.url, 'DELETE', `${base}/lessons/${lesson.id}`, { token: key })).status).toBe(204);
      expect(await call(s.url, 'DELETE', `${base}/lessons/${lesson.id}`, { token: key })).toMatchObject(
        refusal(404, 'lesson-not-found'),
      );

      // Retention: a year and more later, the remaining lesson is gone at start.
      s.clock.now = T0 + DAY + 366 * DAY;
      await s.restart();
      expect((await call<LessonsResponse>(s.url, 'GET', `${base}/lessons`, { token: key })).body.lessons).toEqual([]);
    }, 60_000);

    it('refuses missing, wrong and rotated keys with the error table text; rotates the join link', async () => {
      const s = await setup();
      const { class: klass, teacherKey: key } = await newClass(s.url);
      const base = `/api/classes/${klass.id}`;
      expect(await call(s.url, 'GET', base)).toMatchObject({
        status: 401,
        body: {
          error: 'class-key-required',
          message:
            "This needs the class's teacher key: open the class from the app it was made in, or ask a teacher of the class for its invite link.",
        },
      });
      const wrong = {
        status: 403,
        body: {
          error: 'wrong-class-key',
          message:
            'That teacher key does not open this class (it may have been replaced); ask a teacher of the class for the current invite link.',
        },
      };
      expect(await call(s.url, 'GET', base, { token: 'not-the-key' })).toMatchObject(wrong);
      // An unknown class answers exactly as a wrong key: ids cannot be probed.
      expect(await call(s.url, 'GET', '/api/classes/no-such-class', { token: key })).toMatchObject(wrong);
      expect(await call(s.url, 'POST', `${base}/lessons`, { token: 'x', body: { hostName: 'Ms Lee' } })).toMatchObject(
        wrong,
      );

      const rotated = await call<TeacherKeyResponse>(s.url, 'POST', `${base}/teacher-key`, { token: key });
      expect(rotated.status).toBe(200);
      expect(rotated.body.teacherKey).not.toBe(key);
      expect(await call(s.url, 'GET', base, { token: key })).toMatchObject(wrong);
      const fresh = rotated.body.teacherKey;
      expect((await call(s.url, 'GET', base, { token: fresh })).status).toBe(200);

      const oldLink = `/api/join/${klass.joinSecret}`;
      const secret = await call<{ joinSecret: string }>(s.url, 'POST', `${base}/join-secret`, { token: fresh });
      expect(await call(s.url, 'GET', oldLink)).toMatchObject(refusal(404, 'class-link-not-found'));
      expect((await call(s.url, 'GET', `/api/join/${secret.body.joinSecret}`)).status).toBe(200);

      // Archived: no lessons, and the link stops admitting; back again, both work.
      const archived = await call<ClassResponse>(s.url, 'PATCH', base, {
        token: fresh,
        body: { archived: true, name: 'Biology 3 (2026)' },
      });
      expect(archived.body.class).toMatchObject({ name: 'Biology 3 (2026)', archivedAt: T0 });
      expect(
        await call(s.url, 'POST', `${base}/lessons`, { token: fresh, body: { hostName: 'Ms Lee' } }),
      ).toMatchObject(refusal(409, 'class-archived'));
      expect(await call(s.url, 'GET', `/api/join/${secret.body.joinSecret}`)).toMatchObject(
        refusal(404, 'class-link-not-found'),
      );
      await call(s.url, 'PATCH', base, { token: fresh, body: { archived: false } });
      expect(
        (await call(s.url, 'POST', `${base}/lessons`, { token: fresh, body: { hostName: 'Ms Lee' } })).status,
      ).toBe(201);
    }, 30_000);

    it('imports a OneRoster export: lists its classes, imports the chosen one, refuses a broken file naming it', async () => {
      const s = await setup();
      const { class: klass, teacherKey: key } = await newClass(s.url);
      const files = {
        users: fixture('oneroster/users.csv'),
        classes: fixture('oneroster/classes.csv'),
        enrollments: fixture('oneroster/enrollments.csv'),
      };
      const listed = await call<OneRosterClassesResponse>(
        s.url,
        'POST',
        `/api/classes/${klass.id}/roster/oneroster-classes`,
        { token: key, body: { files } },
      );
      expect(listed.status).toBe(200);
      expect(listed.body.classes.map((c) => c.sourcedId)).toEqual(['c1', 'c2']);
      const missing = await call<ErrorBody>(s.url, 'PUT', `/api/classes/${klass.id}/roster`, {
        token: key,
        body: {
          mode: 'replace',
          from: 'oneroster',
          files: { ...files, users: fixture('oneroster/users-missing-column.csv') },
          classIds: ['c1'],
        },
      });
      expect(missing.status).toBe(400);
      expect(missing.body).toMatchObject({ error: 'invalid-roster', field: 'files.users:1' });
      expect(missing.body.message).toMatch(/^users\.csv line 1: .*givenName/);
      const imported = await call<RosterImportResponse>(s.url, 'PUT', `/api/classes/${klass.id}/roster`, {
        token: key,
        body: { mode: 'replace', from: 'oneroster', files, classIds: ['c1'] },
      });
      expect(imported.status).toBe(200);
      expect(imported.body.added).toBe(listed.body.classes[0]!.students);
      expect(imported.body.roster.every((e) => e.source === 'oneroster')).toBe(true);
      // Nothing half-imported: the broken import before left the roster empty, this one is whole.
      const page = await call<ClassResponse>(s.url, 'GET', `/api/classes/${klass.id}`, { token: key });
      expect(page.body.roster).toHaveLength(imported.body.added);
    }, 30_000);
  });
}
