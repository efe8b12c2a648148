/**
 * Lessons of a class (issue #20) in real Chromium: three students join the first lesson by the
 * class link, picking their names from the roster, and share; a fourth, not on the roster, waits
 * until the teacher lets them in. The server restarts between lessons; when the next lesson starts,
 * each student's app offers it and one tap joins it, as the same name, and the teacher sees them
 * live again. The server is its own process, started again on the same port and data.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Browser } from '@playwright/test';
import type { CreateClassResponse, LessonsResponse, StartLessonResponse } from '../../src/shared/protocol.ts';
import { freePort } from '../helpers/built-server.ts';
import { startServerProcess } from '../helpers/server-process.ts';
import {
  HomePage,
  StudentRoomPage,
  SupervisorRoomPage,
  expectFramesDecoded,
  expectNoAxeViolations,
  person,
  type Person,
} from './pages.ts';

test.setTimeout(180_000);

const CLASS = 'Period 3 Biology';
const ROSTER = ['Ada Lovelace', 'Bo Chen', 'Cy Diaz'];
const env = (dataDir: string) => ({ DATA_DIR: dataDir, LOG_LEVEL: 'warn', RELAY_MODE: 'off' });

async function api<T>(base: string, method: string, path: string, token?: string, body?: unknown): Promise<T> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  expect(res.status, `${method} ${path}`).toBeLessThan(300);
  return (res.status === 204 ? undefined : await res.json()) as T;
}

/** A teacher's browser watching the lesson, joined by the lesson's supervisor link. */
async function watch(browser: Browser, base: string, lesson: StartLessonResponse): Promise<SupervisorRoomPage> {
  const teacher = await person(browser, `/join/${lesson.room.code}#key=${lesson.supervisorKey}`, undefined, base);
  await new HomePage(teacher.page).join({ name: 'Mr Ode' });
  const wall = new SupervisorRoomPage(teacher.page);
  await expect(wall.heading(CLASS)).toBeVisible();
  return wall;
}

test('students pick their names by the class link, a stranger waits to be let in, and after a restart the next lesson is one tap away', async ({
  browser,
}) => {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'classroom-e2e-classes-'));
  let server = await startServerProcess({ port, built: true, env: env(dataDir) });
  const base = server.url;
  const people: Person[] = [];
  try {
    const { class: klass, teacherKey } = await api<CreateClassResponse>(base, 'POST', '/api/classes', undefined, {
      name: CLASS,
    });
    await api(base, 'PUT', `/api/classes/${klass.id}/roster`, teacherKey, {
      mode: 'replace',
      from: 'typed',
      text: ROSTER.join('\n'),
    });
    const startLesson = () =>
      api<StartLessonResponse>(base, 'POST', `/api/classes/${klass.id}/lessons`, teacherKey, { hostName: 'Ms Lee' });

    const first = await startLesson();
    const wall = await watch(browser, base, first);

    // Three students open the class link and pick their own names; each name is offered once.
    const students: StudentRoomPage[] = [];
    for (const [i, name] of ROSTER.entries()) {
      const student = await person(browser, `/class/${klass.joinSecret}`, undefined, base);
      people.push(student);
      const picker = student.page.getByRole('list').filter({ has: student.page.getByRole('button') });
      await expect(student.page.getByRole('heading', { level: 1, name: CLASS })).toBeVisible();
      // Those already in are not offered again.
      await expect(picker.getByRole('button')).toHaveText(ROSTER.slice(i));
      if (i === 0) await expectNoAxeViolations(student.page);
      await picker.getByRole('button', { name }).click();
      const room = new StudentRoomPage(student.page);
      await expect(room.heading(CLASS)).toBeVisible();
      await room.shareButton().click();
      students.push(room);
    }
    for (const name of ROSTER) await expectFramesDecoded(wall.tile(name));

    // A fourth student, on no roster, asks to join and waits until the teacher lets them in.
    const dee = await person(browser, `/class/${klass.joinSecret}`, undefined, base);
    people.push(dee);
    await dee.page.getByRole('button', { name: 'My name is not on the list' }).click();
    await dee.page.getByLabel('Your name').fill('Dee Ng');
    await dee.page.getByRole('button', { name: 'Ask to join' }).click();
    await expect(dee.page.getByRole('status')).toHaveText(
      'Waiting for your teacher to let you in as “Dee Ng”. Your name is not on the class list, so a teacher checks it first.',
    );
    const waiting = wall.page.getByRole('list', { name: 'Waiting to be let in, oldest first' });
    await expect(waiting.getByRole('listitem')).toHaveCount(1);
    await expect(waiting.getByRole('listitem')).toContainText('Dee Ng');
    await expectNoAxeViolations(wall.page);
    await waiting.getByRole('button', { name: 'Let in Dee Ng' }).click();
    const deeRoom = new StudentRoomPage(dee.page);
    await expect(deeRoom.heading(CLASS)).toBeVisible();
    await expect(wall.students().filter({ hasText: 'Dee Ng' })).toHaveCount(1);
    await expect(wall.page.getByRole('heading', { name: /^Waiting to be let in/ })).toHaveCount(0);

    // The lesson ends; each student is back home.
    await api(base, 'DELETE', `/api/rooms/${first.room.code}`, first.member.token);
    for (const room of students) await expect(new HomePage(room.page).notice()).toContainText(CLASS);
    await wall.page.context().close();

    // The server restarts between lessons.
    server.kill('SIGTERM');
    await server.exited;
    server = await startServerProcess({ port, built: true, env: env(dataDir) });

    // The next lesson: every app that joined by the link offers it, and one tap joins as the same name.
    const second = await startLesson();
    const nextWall = await watch(browser, base, second);
    for (const [i, room] of students.entries()) {
      const offer = room.page.getByRole('button', { name: `Join ${CLASS} as ${ROSTER[i]}` });
      await expect(room.page.getByRole('status').filter({ hasText: `${CLASS} has started.` })).toBeVisible();
      await offer.click();
      await expect(room.heading(CLASS)).toBeVisible();
      await room.shareButton().click();
    }
    for (const name of ROSTER) await expectFramesDecoded(nextWall.tile(name));
    // Dee joined by typing a name the teacher let in once: their app offers the lesson too, and they wait again.
    await dee.page.getByRole('button', { name: `Join ${CLASS} as Dee Ng` }).click();
    await expect(
      dee.page.getByText('Waiting for your teacher to let you in as “Dee Ng”.', { exact: false }),
    ).toBeVisible();
    await nextWall.page.context().close();

    const lessons = await api<LessonsResponse>(base, 'GET', `/api/classes/${klass.id}/lessons`, teacherKey);
    expect(lessons.lessons.map((l) => l.students)).toEqual([4]);
  } finally {
    await Promise.all(people.map((p) => p.context.close()));
    server.kill('SIGTERM');
    await server.exited;
  }
});
