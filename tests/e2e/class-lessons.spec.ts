/**
 * Lessons of a class (issue #20) in real Chromium: a teacher makes a class on a tablet, types its
 * roster and starts a lesson from the class page; three students join it by the class link, picking
 * their names from the roster, and share; a fourth, not on the roster, waits (through a reload)
 * until the teacher, told of them, lets them in. The server restarts between lessons; when the next lesson starts,
 * each student's app offers it and one tap joins it, as the same name, and the teacher sees them
 * live again; the class page lists both lessons and exports them. The server is its own process,
 * started again on the same port and data.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { freePort } from '../helpers/built-server.ts';
import { startServerProcess } from '../helpers/server-process.ts';
import {
  HomePage,
  StudentRoomPage,
  SupervisorRoomPage,
  expectFramesDecoded,
  expectNoAxeViolations,
  exportTodaysLessons,
  person,
  type Person,
} from './pages.ts';

test.setTimeout(180_000);

const CLASS = 'Period 3 Biology';
const ROSTER = ['Ada Lovelace', 'Bo Chen', 'Cy Diaz'];
const env = (dataDir: string) => ({ DATA_DIR: dataDir, LOG_LEVEL: 'warn', RELAY_MODE: 'off' });

test('a class through its lessons: names picked by link, a stranger let in, a restart, the next lesson one tap away, both in the record', async ({
  browser,
}) => {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'classroom-e2e-classes-'));
  let server = await startServerProcess({ port, built: true, env: env(dataDir) });
  const base = server.url;
  const people: Person[] = [];
  try {
    // The teacher makes the class on a tablet, types its roster, and starts the first lesson.
    const teacher = await person(browser, '/', { width: 1024, height: 768 }, base);
    people.push(teacher);
    const { page } = teacher;
    await page.getByRole('region', { name: 'Classes' }).getByRole('button', { name: 'Your classes' }).click();
    const form = page.getByRole('region', { name: 'New class' });
    await form.getByLabel('Class name').fill(CLASS);
    await form.getByRole('button', { name: 'Make class' }).click();
    await expect(page.getByRole('heading', { level: 1, name: CLASS })).toBeVisible();
    const importForm = page.getByRole('form', { name: 'Import students' });
    await importForm.getByLabel('Students, one per line').fill(ROSTER.join('\n'));
    await importForm.getByRole('button', { name: 'Import' }).click();
    await expect(page.getByRole('heading', { level: 2, name: `Roster (${ROSTER.length} students)` })).toBeVisible();
    const link = await page.getByLabel('Student join link', { exact: true }).inputValue();
    const classPath = new URL(link).pathname;
    const startLesson = async () => {
      await page.getByLabel('Your name (students see it)').fill('Ms Lee');
      await page.getByRole('button', { name: 'Start lesson' }).click();
      const wall = new SupervisorRoomPage(page);
      await expect(wall.heading(CLASS)).toBeVisible();
      return wall;
    };
    const wall = await startLesson();

    // Three students open the class link and pick their own names; each name is offered once.
    const students: StudentRoomPage[] = [];
    for (const [i, name] of ROSTER.entries()) {
      const student = await person(browser, classPath, undefined, base);
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
    const dee = await person(browser, classPath, undefined, base);
    people.push(dee);
    await dee.page.getByRole('button', { name: 'My name is not on the list' }).click();
    await dee.page.getByLabel('Your name').fill('Dee Ng');
    await dee.page.getByRole('button', { name: 'Ask to join' }).click();
    await expect(dee.page.getByRole('status')).toHaveText(
      'Waiting for your teacher to let you in as “Dee Ng”. Your name is not on the class list, so a teacher checks it first.',
    );
    const waiting = page.getByRole('list', { name: 'Waiting to be let in, oldest first' });
    await expect(waiting.getByRole('listitem')).toHaveCount(1);
    await expect(waiting.getByRole('listitem')).toContainText('Dee Ng');
    // The teacher is told, as of a raised hand, and the room's heading counts who waits.
    await expect(page.locator('.notices')).toContainText('Dee Ng is waiting to be let in.');
    await expect(page.locator('.room-head p.muted')).toContainText(' · you are the host · 1 waiting to be let in · ');
    // Dee reloads while waiting: the app goes on waiting with the same request.
    await dee.page.reload();
    await expect(dee.page.getByRole('status')).toHaveText(
      'Waiting for your teacher to let you in as “Dee Ng”. Your name is not on the class list, so a teacher checks it first.',
    );
    await expect(waiting.getByRole('listitem')).toHaveCount(1);
    await expectNoAxeViolations(page);
    await waiting.getByRole('button', { name: 'Let in Dee Ng' }).click();
    await expect(new StudentRoomPage(dee.page).heading(CLASS)).toBeVisible();
    await expect(wall.students().filter({ hasText: 'Dee Ng' })).toHaveCount(1);
    await expect(page.getByRole('heading', { name: /^Waiting to be let in/ })).toHaveCount(0);

    // The teacher ends the lesson and is back on the class page; each student is back home.
    await wall.endRoom();
    await expect(page.getByRole('button', { name: 'Start lesson' })).toBeVisible();
    for (const room of students) await expect(new HomePage(room.page).notice()).toContainText(CLASS);

    // The server restarts between lessons.
    server.kill('SIGTERM');
    await server.exited;
    server = await startServerProcess({ port, built: true, env: env(dataDir) });

    // The next lesson: every app that joined by the link offers it, and one tap joins as the same name.
    await page.reload();
    const nextWall = await startLesson();
    for (const [i, room] of students.entries()) {
      await expect(room.page.getByRole('status').filter({ hasText: `${CLASS} has started.` })).toBeVisible();
      if (i === 0) await expectNoAxeViolations(room.page);
      await room.page.getByRole('button', { name: `Join ${CLASS} as ${ROSTER[i]}` }).click();
      await expect(room.heading(CLASS)).toBeVisible();
      await room.shareButton().click();
    }
    for (const name of ROSTER) await expectFramesDecoded(nextWall.tile(name));
    // Dee was let in once, not added to the roster: their app offers the lesson, and they wait again.
    await dee.page.getByRole('button', { name: `Join ${CLASS} as Dee Ng` }).click();
    await expect(
      dee.page.getByText('Waiting for your teacher to let you in as “Dee Ng”.', { exact: false }),
    ).toBeVisible();

    // The class page lists both lessons and exports them.
    await nextWall.endRoom();
    const lessons = page.getByRole('table', { name: 'Past lessons' }).getByRole('row');
    await expect(lessons).toHaveCount(3);
    await expect(lessons.nth(1).getByRole('cell').nth(1)).toHaveText('3');
    await expect(lessons.nth(2).getByRole('cell').nth(1)).toHaveText('4');
    const download = await exportTodaysLessons(page);
    const names = readFileSync((await download.path())!, 'utf8')
      .trimEnd()
      .split('\r\n')
      .slice(1)
      .map((line) => line.split(',')[3]);
    expect(names.sort()).toEqual([...ROSTER, ...ROSTER, 'Dee Ng'].sort());
  } finally {
    await Promise.all(people.map((p) => p.context.close()));
    server.kill('SIGTERM');
    await server.exited;
  }
});
