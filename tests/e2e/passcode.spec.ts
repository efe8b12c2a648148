/**
 * With TEACHER_PASSCODE set, the app asks for it where it is needed (creating a room, the lobby)
 * and nowhere else: a student joins with the code alone.
 */
import { expect, test } from '@playwright/test';
import { startBuiltServer } from '../helpers/built-server.ts';
import { HomePage, StudentRoomPage, person } from './pages.ts';

const PASSCODE = 'staffroom-kettle-42';

test('the teacher passcode is asked for to create a room and to see the lobby, never to join', async ({ browser }) => {
  const server = await startBuiltServer({ TEACHER_PASSCODE: PASSCODE, RELAY_MODE: 'off' });
  try {
    const teacher = await person(browser, '/', { width: 1280, height: 800 }, server.url);
    const create = teacher.page.getByRole('region', { name: 'Create a room' });
    await create.getByLabel('Room name').fill('Maths 7B');
    await create.getByLabel('Your name').fill('Ms Lee');
    await create.getByLabel('Teacher passcode').fill('staffroom-kettle-4');
    await create.getByRole('button', { name: 'Create room' }).click();
    await expect(create.getByRole('alert')).toHaveText(
      "That is not the school's teacher passcode; check it with your admin.",
    );
    await create.getByLabel('Teacher passcode').fill(PASSCODE);
    await create.getByRole('button', { name: 'Create room' }).click();
    await expect(teacher.page.getByRole('heading', { level: 1, name: 'Maths 7B' })).toBeVisible();

    // A student's lobby asks for the passcode and shows no room without it.
    const student = await person(browser, '/lobby', { width: 1280, height: 800 }, server.url);
    await expect(student.page.getByLabel('Teacher passcode')).toBeVisible();
    await expect(student.page.getByRole('button', { name: 'Join Maths 7B' })).toHaveCount(0);
    await student.page.getByLabel('Teacher passcode').fill('wrong-passcode');
    await student.page.getByRole('button', { name: 'Show rooms' }).click();
    await expect(student.page.locator('#lobby-passcode-error')).toHaveText(
      "That is not the school's teacher passcode; check it with your admin.",
    );

    // A colleague who knows it sees the room listed.
    const colleague = await person(browser, '/lobby', { width: 1280, height: 800 }, server.url);
    await colleague.page.getByLabel('Teacher passcode').fill(PASSCODE);
    await colleague.page.getByRole('button', { name: 'Show rooms' }).click();
    await expect(colleague.page.getByRole('button', { name: 'Join Maths 7B' })).toBeVisible();

    // The student joins with the room code alone.
    const code = (await teacher.page.locator('.room-head .room-code').textContent())!.trim();
    await student.page.goto(`/join/${code}`);
    await new HomePage(student.page).join({ name: 'Ada' });
    await expect(new StudentRoomPage(student.page).heading('Maths 7B')).toBeVisible();
    for (const p of [teacher, student, colleague]) await p.context.close();
  } finally {
    await server.stop();
  }
});
