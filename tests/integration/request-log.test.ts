/**
 * The request log keeps no credential (issue #20: no tokens in URLs or logs): a class's join secret
 * and a co-teacher's e-mail address travel in paths, and the log writes placeholders for them.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { CreateClassResponse, StartLessonResponse } from '../../src/shared/protocol.ts';
import { call } from '../helpers/client.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ RELAY_MODE: 'off', LOG_LEVEL: 'debug' });
});
afterAll(async () => {
  await server.close();
});

/** The paths of the request lines logged so far. */
const loggedPaths = () =>
  server.logs
    .flatMap((chunk) => chunk.split('\n').filter(Boolean))
    .map((line) => JSON.parse(line) as { msg?: string; path?: string })
    .filter((line) => line.msg === 'request' || line.msg === 'request failed')
    .map((line) => line.path);

it('logs class-link and co-teacher paths with the join secret and the address replaced', async () => {
  const made = await call<CreateClassResponse>(server.url, 'POST', '/api/classes', { body: { name: 'Biology' } });
  expect(made.status).toBe(201);
  const { class: klass, teacherKey } = made.body;
  const secret = klass.joinSecret;
  const email = 'co.teacher@staff.school.example';
  const lesson = await call<StartLessonResponse>(server.url, 'POST', `/api/classes/${klass.id}/lessons`, {
    token: teacherKey,
    body: { hostName: 'Ms Lee' },
  });
  expect(lesson.status).toBe(201);

  expect((await call(server.url, 'GET', `/api/join/${secret}`)).status).toBe(200);
  const joined = await call(server.url, 'POST', `/api/join/${secret}/members`, { body: { name: 'Ada' } });
  expect(joined.status).toBe(201);
  // Express routes ignore case: a shouted path is the same route, and as secret.
  expect((await call(server.url, 'GET', `/API/JOIN/${secret}`)).status).toBe(200);
  await fetch(`${server.url}/class/${secret}`, { headers: { accept: 'text/html' } });
  const teachers = `/api/classes/${klass.id}/teachers`;
  expect((await call(server.url, 'POST', teachers, { token: teacherKey, body: { email } })).status).toBe(200);
  expect((await call(server.url, 'DELETE', `${teachers}/${email}`, { token: teacherKey })).status).toBe(200);

  // Each line is written when its response closes, which may follow the reply the client read.
  await expect
    .poll(loggedPaths)
    .toEqual(
      expect.arrayContaining([
        '/api/join/:secret',
        '/api/join/:secret/members',
        '/API/JOIN/:secret',
        '/class/:secret',
        `${teachers}/:email`,
      ]),
    );
  const log = server.logs.join('');
  expect(log).not.toContain(secret);
  expect(log).not.toContain(email);
});
