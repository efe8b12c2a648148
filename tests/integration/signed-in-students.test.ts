/**
 * Signed-in students in a class's lessons (issue #20), against a real OpenID provider on loopback
 * and with SQLite and a real PostgreSQL: a student is matched to the roster by their account's
 * e-mail (by the class link or the room code), sits under their verified name whatever they pick
 * or type, and the lesson's record names them by account; one not on the roster waits, is let in,
 * and is recorded with their account's address.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  ErrorBody,
  ClassLinkResponse,
  CreateClassResponse,
  JoinRoomResponse,
  LessonsResponse,
  StartLessonResponse,
  WaitingResponse,
} from '../../src/shared/protocol.ts';
import type { DatabaseConfig } from '../../server/config.ts';
import { exportStudentRecord } from '../../server/db/student-records.ts';
import { bothDatabases } from '../helpers/both-databases.ts';
import { TestBrowser } from '../helpers/browser-session.ts';
import { call } from '../helpers/client.ts';
import { startTestProvider, type TestProvider } from '../helpers/oidc-provider.ts';
import { apiAt, signInAt } from '../helpers/sign-in.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const KINDS = ['sqlite', 'postgres'] as const;
const CLIENT = { client_id: 'classroom', client_secret: 'classroom-secret' };

const databases = bothDatabases('signed_in');
let provider: TestProvider;
const servers = new Map<(typeof KINDS)[number], { server: TestServer; database: DatabaseConfig }>();
/** A server whose students must sign in (OIDC_STUDENTS_MUST_SIGN_IN); what it changes touches no database. */
let strict: TestServer;

beforeAll(async () => {
  provider = await startTestProvider();
  provider.people.set('ada', { email: 'ada@staff.school.example', email_verified: true, name: 'Ada Lovelace' });
  provider.people.set('sam', { email: 'Sam@School.example', email_verified: true, name: 'Sam Student' });
  provider.people.set('kim', { email: 'kim@school.example', email_verified: true, name: 'Kim Lee-Park' });
  provider.people.set('tom', { email: 'tom@school.example', email_verified: true, name: 'Tom Tall' });
  for (const kind of KINDS) {
    const database = await databases.config(kind);
    const server = await startTestServer({
      ...(database.kind === 'postgres' ? { DATABASE_URL: database.url } : { DATA_DIR: database.dataDir }),
      OIDC_ISSUER: provider.issuer,
      OIDC_CLIENT_ID: CLIENT.client_id,
      OIDC_CLIENT_SECRET: CLIENT.client_secret,
      OIDC_ALLOWED_DOMAINS: 'school.example',
      OIDC_TEACHER_DOMAINS: 'staff.school.example',
      RELAY_MODE: 'off',
    });
    servers.set(kind, { server, database });
  }
  strict = await startTestServer({
    DATA_DIR: mkdtempSync(join(tmpdir(), 'classroom-screens-strict-')),
    OIDC_ISSUER: provider.issuer,
    OIDC_CLIENT_ID: CLIENT.client_id,
    OIDC_CLIENT_SECRET: CLIENT.client_secret,
    OIDC_ALLOWED_DOMAINS: 'school.example',
    OIDC_TEACHER_DOMAINS: 'staff.school.example',
    OIDC_STUDENTS_MUST_SIGN_IN: 'true',
    RELAY_MODE: 'off',
  });
  provider.start([
    {
      ...CLIENT,
      redirect_uris: [...[...servers.values()].map(({ server }) => server), strict].map(
        (server) => `${server.url}/api/auth/callback`,
      ),
      response_types: ['code'],
      grant_types: ['authorization_code'],
    },
  ]);
}, 60_000);

afterAll(async () => {
  await Promise.all([...[...servers.values()].map(({ server }) => server), strict].map((server) => server?.close()));
  await provider?.close();
});

/** A browser signed in at `base` as `login`. */
async function signedInAt(base: string, login: string): Promise<TestBrowser> {
  const browser = new TestBrowser();
  expect((await signInAt(base, browser, login)).callback.status).toBe(303);
  return browser;
}

/** Ada, a signed-in teacher, makes the class Chem with Sam and Kim on its roster and starts a lesson. */
async function chemLesson(base: string) {
  const teacher = await signedInAt(base, 'ada');
  const made = await apiAt<CreateClassResponse>(base, teacher, 'POST', '/api/classes', { body: { name: 'Chem' } });
  const classPath = `/api/classes/${made.body.class.id}`;
  const roster = await apiAt(base, teacher, 'PUT', `${classPath}/roster`, {
    body: { mode: 'replace', from: 'typed', text: 'Sam S., sam@school.example\nKim Lee, kim@school.example' },
  });
  expect(roster.status).toBe(200);
  const started = await apiAt<StartLessonResponse>(base, teacher, 'POST', `${classPath}/lessons`, {
    body: { hostName: 'Ms Lovelace' },
  });
  expect(started.status).toBe(201);
  return { teacher, classPath, ...started.body, link: `/api/join/${made.body.class.joinSecret}` };
}

for (const kind of KINDS) {
  describe(`signed-in students on ${kind}`, () => {
    it('matches them to the roster by account, seats them under their verified name, and records their account', async () => {
      const { server, database } = servers.get(kind)!;
      const base = server.url;
      const signedIn = (login: string) => signedInAt(base, login);

      // A teacher signs in, makes a class with a roster and starts a lesson.
      const { teacher, classPath, room, member: host, link } = await chemLesson(base);
      const offered = async () => (await call<ClassLinkResponse>(base, 'GET', link)).body.names?.map((n) => n.name);
      expect(await offered()).toEqual(['Kim Lee', 'Sam S.']);

      // Sam, by the class link: whatever name is sent, the account decides.
      const sam = await signedIn('sam');
      const samJoins = await apiAt<JoinRoomResponse>(base, sam, 'POST', `${link}/members`, {
        body: { name: 'Somebody Else' },
      });
      expect(samJoins.status).toBe(201);
      expect(samJoins.body.member.name).toBe('Sam Student');
      expect(await offered()).toEqual(['Kim Lee']);
      // Sam's account again, from a second device while the first is seated: no name to pick instead.
      const samAgain = await apiAt<ErrorBody>(base, await signedIn('sam'), 'POST', `${link}/members`, {
        body: { name: 'Sam' },
      });
      expect(samAgain).toMatchObject({
        status: 409,
        body: {
          error: 'roster-name-taken',
          message:
            'Someone is already in this lesson as you (your name on the class list); if that is not you, tell your teacher.',
        },
      });

      // Kim, by the room code: matched to her roster entry too, so she does not wait.
      const kim = await signedIn('kim');
      const kimJoins = await apiAt<JoinRoomResponse>(base, kim, 'POST', `/api/rooms/${room.code}/members`, {
        body: { name: 'K', role: 'student' },
      });
      expect(kimJoins.status).toBe(201);
      expect(kimJoins.body.member.name).toBe('Kim Lee-Park');
      expect(await offered()).toEqual([]);

      // Tom is on no roster: he waits under his verified name, and the teacher lets him in.
      const tom = await signedIn('tom');
      const tomAsks = await apiAt<WaitingResponse>(base, tom, 'POST', `${link}/members`, {
        body: { rosterEntryId: 'not-his' },
      });
      expect(tomAsks).toMatchObject({ status: 202, body: { waiting: { name: 'Tom Tall' } } });
      const admitted = await call(base, 'POST', `/api/rooms/${room.code}/waiting/${tomAsks.body.waiting.id}/admit`, {
        token: host.token,
        body: {},
      });
      expect(admitted).toMatchObject({ status: 200, body: { name: 'Tom Tall' } });

      // The lesson ends; its record names each student by account.
      expect((await call(base, 'DELETE', `/api/rooms/${room.code}`, { token: host.token })).status).toBe(204);
      await expect
        .poll(async () => (await apiAt<LessonsResponse>(base, teacher, 'GET', `${classPath}/lessons`)).body.lessons, {
          // The record is written just after the room ends; a busy machine may take a while.
          timeout: 30_000,
        })
        .toMatchObject([{ students: 3 }]);
      const db = await databases.open(database);
      const recordOf = async (email: string) => {
        const record = await exportStudentRecord(db.db, { email });
        expect(record.accounts).toHaveLength(1);
        return { accountId: record.accounts[0]!.id, attendance: record.attendance };
      };
      const samRecord = await recordOf('sam@school.example');
      expect(samRecord.attendance).toMatchObject([
        { name: 'Sam Student', email: 'sam@school.example', accountId: samRecord.accountId },
      ]);
      expect(samRecord.attendance[0]!.rosterEntryId).not.toBeNull();
      const kimRecord = await recordOf('kim@school.example');
      expect(kimRecord.attendance).toMatchObject([
        { name: 'Kim Lee-Park', email: 'kim@school.example', accountId: kimRecord.accountId },
      ]);
      // Not on the roster: the account gives the record its address.
      const tomRecord = await recordOf('tom@school.example');
      expect(tomRecord.attendance).toMatchObject([
        { name: 'Tom Tall', email: 'tom@school.example', accountId: tomRecord.accountId, rosterEntryId: null },
      ]);
    });
  });
}

describe('with OIDC_STUDENTS_MUST_SIGN_IN', () => {
  it('offers no names and refuses a picked or typed name, by link or code; a signed-in student joins as their account', async () => {
    const base = strict.url;
    const { room, link } = await chemLesson(base);

    // The link says so, and shows nobody the roster's names.
    const shown = await call<ClassLinkResponse>(base, 'GET', link);
    expect(shown.body).toMatchObject({ hasRoster: true, signInRequired: true, live: { roomCode: room.code } });
    expect(shown.body.names).toBeUndefined();

    // Not signed in: a name from the roster, by the link or the code, is refused, saying what to do.
    const refusal = {
      status: 401,
      body: {
        error: 'student-sign-in-required',
        message:
          'This school has students join signed in with their school account: sign in (the button on this page), then join.',
      },
    };
    expect(await call(base, 'POST', `${link}/members`, { body: { name: 'Sam S.' } })).toMatchObject(refusal);
    expect(
      await call(base, 'POST', `/api/rooms/${room.code}/members`, { body: { name: 'Sam S.', role: 'student' } }),
    ).toMatchObject(refusal);

    // Signed in, Sam joins as his account and his roster entry.
    const sam = await apiAt<JoinRoomResponse>(base, await signedInAt(base, 'sam'), 'POST', `${link}/members`, {
      body: { name: 'Somebody Else' },
    });
    expect(sam.status).toBe(201);
    expect(sam.body.member.name).toBe('Sam Student');
  });
});
