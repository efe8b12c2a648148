/**
 * A class's students' link (issue #20) on the real server, with SQLite and with a real PostgreSQL:
 * a class of 30 picks its names from the roster at once, a name is seated once, whoever is not on
 * the roster waits for a teacher (admit, admit onto the roster, refuse), and the link's stream says
 * when a lesson starts and ends.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type {
  AdmissionResponse,
  ClassLinkEvent,
  ClassLinkResponse,
  ClassResponse,
  CreateClassResponse,
  ErrorBody,
  JoinRoomResponse,
  RoomEvent,
  RoomResponse,
  StartLessonResponse,
  WaitingResponse,
} from '../../src/shared/protocol.ts';
import { call } from '../helpers/client.ts';
import { startPostgres, type TestPostgres } from '../helpers/postgres.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { openEvents } from '../helpers/sse.ts';

const CLASS_SIZE = 30;
const NAMES = Array.from({ length: CLASS_SIZE }, (_, i) => `Student ${String(i + 1).padStart(2, '0')}`);

let postgres: TestPostgres;
let databases = 0;
const running: TestServer[] = [];

beforeAll(async () => {
  postgres = await startPostgres();
}, 60_000);

afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()));
});

afterAll(async () => {
  await postgres?.stop();
});

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`the class link on ${kind}`, () => {
    /** A server (on `clock`, with `env` added), a class with a roster of 30 and a teacher key. */
    async function classWithRoster(options: { clock?: () => number; env?: Record<string, string> } = {}) {
      const env: Record<string, string> = { RELAY_MODE: 'off', ...options.env };
      if (kind === 'postgres') env.DATABASE_URL = await postgres.createDatabase(`class_link_${++databases}`);
      const server = await startTestServer(env, options.clock ? { clock: options.clock } : {});
      running.push(server);
      const created = await call<CreateClassResponse>(server.url, 'POST', '/api/classes', {
        body: { name: 'Period 3 Biology' },
      });
      const { class: klass, teacherKey } = created.body;
      const imported = await call(server.url, 'PUT', `/api/classes/${klass.id}/roster`, {
        token: teacherKey,
        body: { mode: 'replace', from: 'typed', text: NAMES.join('\n') },
      });
      expect(imported.status).toBe(200);
      const link = `/api/join/${klass.joinSecret}`;
      const startLesson = async () => {
        const started = await call<StartLessonResponse>(server.url, 'POST', `/api/classes/${klass.id}/lessons`, {
          token: teacherKey,
          body: { hostName: 'Ms Lee' },
        });
        expect(started.status).toBe(201);
        return started.body;
      };
      return { url: server.url, klass, teacherKey, link, startLesson };
    }

    it('seats a class of 30 by the names they pick, each name once, and offers only the names not yet taken', async () => {
      const c = await classWithRoster();
      expect(await call<ErrorBody>(c.url, 'POST', `${c.link}/members`, { body: { name: 'Early' } })).toMatchObject({
        status: 409,
        body: { error: 'lesson-not-live' },
      });
      const lesson = await c.startLesson();
      const offered = (await call<ClassLinkResponse>(c.url, 'GET', c.link)).body;
      expect(offered.hasRoster).toBe(true);
      expect(offered.names?.map((n) => n.name)).toEqual(NAMES);

      // The whole class picks at once; two devices race for the first name.
      const picks = [...offered.names!, offered.names![0]!];
      const joins = await Promise.all(
        picks.map((entry) =>
          call<JoinRoomResponse | ErrorBody>(c.url, 'POST', `${c.link}/members`, { body: { rosterEntryId: entry.id } }),
        ),
      );
      expect(joins.filter((j) => j.status === 201)).toHaveLength(CLASS_SIZE);
      const refused = joins.filter((j) => j.status !== 201);
      expect(refused).toEqual([
        expect.objectContaining({ status: 409, body: expect.objectContaining({ error: 'roster-name-taken' }) }),
      ]);
      const seated = joins.flatMap((j) => (j.status === 201 ? [(j.body as JoinRoomResponse).member.name] : []));
      expect(seated.sort()).toEqual(NAMES);

      const after = (await call<ClassLinkResponse>(c.url, 'GET', c.link)).body;
      expect(after.names).toEqual([]);
      const room = (
        await call<RoomResponse>(c.url, 'GET', `/api/rooms/${lesson.room.code}`, { token: lesson.member.token })
      ).body.room;
      expect(room.students).toBe(CLASS_SIZE);
      expect(room.waiting).toEqual([]);

      // A student who leaves frees their name for their next device.
      const first = joins.find((j) => j.status === 201)!.body as JoinRoomResponse;
      await call(c.url, 'DELETE', `/api/rooms/${lesson.room.code}/members/me`, { token: first.member.token });
      const freed = (await call<ClassLinkResponse>(c.url, 'GET', c.link)).body.names;
      expect(freed?.map((n) => n.name)).toEqual([first.member.name]);

      expect(
        await call<ErrorBody>(c.url, 'POST', `${c.link}/members`, { body: { rosterEntryId: 'no-such-entry' } }),
      ).toMatchObject({ status: 404, body: { error: 'roster-entry-not-found', field: 'rosterEntryId' } });
      expect(await call<ErrorBody>(c.url, 'POST', `${c.link}/members`, { body: {} })).toMatchObject({
        status: 400,
        body: { error: 'invalid-request' },
      });
    });

    it('holds a name not on the roster for the teachers: admit, admit onto the roster, or refuse', async () => {
      const c = await classWithRoster();
      const lesson = await c.startLesson();
      const code = lesson.room.code;
      const host = lesson.member.token;
      const classmate = (
        await call<JoinRoomResponse>(c.url, 'POST', `${c.link}/members`, {
          body: { rosterEntryId: (await call<ClassLinkResponse>(c.url, 'GET', c.link)).body.names![0]!.id },
        })
      ).body.member;

      const ask = async (path: string, body: object) => {
        const reply = await call<WaitingResponse>(c.url, 'POST', path, { body });
        expect(reply.status).toBe(202);
        return reply.body;
      };
      const visitor = await ask(`${c.link}/members`, { name: 'Visiting Vi' });
      const byCode = await ask(`/api/rooms/${code}/members`, { name: 'New Nia', role: 'student' });
      const stranger = await ask(`${c.link}/members`, { name: 'Stranger' });
      const status = (token: string) =>
        call<AdmissionResponse | ErrorBody>(c.url, 'GET', `/api/rooms/${code}/admission`, { token });
      expect((await status(visitor.token)).body).toEqual({ status: 'waiting' });

      // Teachers see who waits; a student sees nobody waiting, and cannot let anyone in.
      const teacherView = (await call<RoomResponse>(c.url, 'GET', `/api/rooms/${code}`, { token: host })).body.room;
      expect(teacherView.waiting?.map((w) => w.name)).toEqual(['Visiting Vi', 'New Nia', 'Stranger']);
      const studentView = (await call<RoomResponse>(c.url, 'GET', `/api/rooms/${code}`, { token: classmate.token }))
        .body.room;
      expect(studentView.waiting).toBeUndefined();
      const admitPath = (id: string) => `/api/rooms/${code}/waiting/${id}/admit`;
      expect(
        await call<ErrorBody>(c.url, 'POST', admitPath(visitor.waiting.id), { token: classmate.token, body: {} }),
      ).toMatchObject({ status: 403, body: { error: 'wrong-role' } });

      expect((await call(c.url, 'POST', admitPath(visitor.waiting.id), { token: host, body: {} })).status).toBe(200);
      expect(
        (await call(c.url, 'POST', admitPath(byCode.waiting.id), { token: host, body: { addToRoster: true } })).status,
      ).toBe(200);
      expect(
        (await call(c.url, 'DELETE', `/api/rooms/${code}/waiting/${stranger.waiting.id}`, { token: host })).status,
      ).toBe(204);

      const vi = await status(visitor.token);
      expect(vi.body).toMatchObject({ status: 'admitted', member: { name: 'Visiting Vi', token: visitor.token } });
      // The token they waited with is now their seat's.
      expect(
        (
          await call(c.url, 'PUT', `/api/rooms/${code}/members/me/share`, {
            token: visitor.token,
            body: { sharing: true },
          })
        ).status,
      ).toBe(200);
      expect((await status(byCode.token)).body).toMatchObject({ status: 'admitted', member: { name: 'New Nia' } });
      expect(await status(stranger.token)).toMatchObject({ status: 404, body: { error: 'not-waiting' } });
      expect(
        await call<ErrorBody>(c.url, 'POST', admitPath(stranger.waiting.id), { token: host, body: {} }),
      ).toMatchObject({ status: 404, body: { error: 'waiting-not-found' } });

      // Only the one added to the roster is on it; the visitor was let in once.
      const page = (await call<ClassResponse>(c.url, 'GET', `/api/classes/${c.klass.id}`, { token: c.teacherKey }))
        .body;
      expect(page.roster.map((e) => e.name)).toContain('New Nia');
      expect(page.roster.map((e) => e.name)).not.toContain('Visiting Vi');
      expect(page.roster).toHaveLength(CLASS_SIZE + 1);
      const finalView = (await call<RoomResponse>(c.url, 'GET', `/api/rooms/${code}`, { token: host })).body.room;
      expect(finalView.waiting).toEqual([]);
      expect(finalView.students).toBe(3);
    });

    it('drops a student who stops waiting at once, and one whose app stopped asking after two minutes', async () => {
      let aheadMs = 0;
      // Seats and rooms outlast the clock's jumps: nobody here connects to PeerServer.
      const c = await classWithRoster({
        clock: () => Date.now() + aheadMs,
        env: { RECONNECT_GRACE_S: '3600', UNCLAIMED_ROOM_TTL_S: '3600' },
      });
      const lesson = await c.startLesson();
      const code = lesson.room.code;
      const teacher = await openEvents<RoomEvent>(`${c.url}/api/rooms/${code}/events?token=${lesson.member.token}`);
      try {
        const waitingNow = (names: string[], after = 0) =>
          teacher.next(
            (e) =>
              teacher.received.indexOf(e) >= after &&
              e.type === 'waiting-changed' &&
              e.waiting.map((w) => w.name).join() === names.join(),
          );
        const ask = async (name: string) =>
          (await call<WaitingResponse>(c.url, 'POST', `${c.link}/members`, { body: { name } })).body;
        const [vi, nia, stan] = [await ask('Vi'), await ask('Nia'), await ask('Stan')];
        await waitingNow(['Vi', 'Nia', 'Stan']);
        const status = (token: string) =>
          call<AdmissionResponse | ErrorBody>(c.url, 'GET', `/api/rooms/${code}/admission`, { token });

        // Stan gives up: the teachers' list drops him at once, and his token opens nothing.
        const withdraw = (token: string) => call<ErrorBody>(c.url, 'DELETE', `/api/rooms/${code}/admission`, { token });
        const before = teacher.received.length;
        expect((await withdraw(stan.token)).status).toBe(204);
        await waitingNow(['Vi', 'Nia'], before);
        expect(await withdraw(stan.token)).toMatchObject({ status: 404, body: { error: 'not-waiting' } });
        expect(await status(stan.token)).toMatchObject({ status: 404, body: { error: 'not-waiting' } });

        // Vi's app keeps asking; Nia's was closed. A minute and a half on, both still wait.
        aheadMs += 90_000;
        expect((await status(vi.token)).body).toEqual({ status: 'waiting' });
        expect(
          (
            await call<RoomResponse>(c.url, 'GET', `/api/rooms/${code}`, { token: lesson.member.token })
          ).body.room.waiting?.map((w) => w.name),
        ).toEqual(['Vi', 'Nia']);
        // Another minute and a half: Nia has not asked for three minutes, Vi for one and a half.
        const seen = teacher.received.length;
        aheadMs += 90_000;
        await waitingNow(['Vi'], seen);
        expect(await status(nia.token)).toMatchObject({ status: 404, body: { error: 'not-waiting' } });
        expect((await status(vi.token)).body).toEqual({ status: 'waiting' });
      } finally {
        teacher.close();
      }
    });

    it("tells an open class link when the class's lesson starts and ends", async () => {
      const c = await classWithRoster();
      const events = await openEvents<ClassLinkEvent>(`${c.url}/api/class-links/events?links=${c.klass.joinSecret}`);
      try {
        await events.next((e) => e.type === 'class-link' && e.live === null);
        const lesson = await c.startLesson();
        const started = await events.next((e) => e.live !== null);
        expect(started).toEqual({
          type: 'class-link',
          link: c.klass.joinSecret,
          class: { name: 'Period 3 Biology' },
          hasRoster: true,
          signInRequired: false,
          live: { roomCode: lesson.room.code, startedAt: lesson.lesson.startedAt },
        });
        expect(
          (await call(c.url, 'DELETE', `/api/rooms/${lesson.room.code}`, { token: lesson.member.token })).status,
        ).toBe(204);
        await events.next((e) => events.received.indexOf(e) > events.received.indexOf(started) && e.live === null);
      } finally {
        events.close();
      }
      expect(await call<ErrorBody>(c.url, 'GET', `/api/class-links/events?links=${'x'.repeat(32)}`)).toMatchObject({
        status: 404,
        body: { error: 'class-link-not-found' },
      });
      expect(await call<ErrorBody>(c.url, 'GET', '/api/class-links/events?links=')).toMatchObject({
        status: 400,
        body: { error: 'invalid-request', field: 'links' },
      });
    });
  });
}
