import { expect, test } from '@playwright/test';
import { HomePage, StudentRoomPage, SupervisorRoomPage, person } from './pages.ts';

test('a class from creating the room to ending it, as every person sees it', async ({ browser }) => {
  // A teacher creates a room.
  const teacher = await person(browser, '/', { width: 1280, height: 800 });
  const lee = await new HomePage(teacher.page).createRoom('Maths 7B', 'Ms Lee');
  const code = await lee.code();
  expect(code).toMatch(/^[A-HJ-NP-Z2-9]{6}$/);
  const links = await lee.inviteLinks();

  // A student joins from the lobby...
  const adaPerson = await person(browser, '/lobby');
  await adaPerson.page.getByRole('button', { name: 'Join Maths 7B' }).click();
  await expect(adaPerson.page.getByLabel('Room code')).toHaveValue(code);
  await new HomePage(adaPerson.page).join({ name: 'Ada' });
  const ada = new StudentRoomPage(adaPerson.page);
  await expect(ada.heading('Maths 7B')).toBeVisible();

  // ...and another by typing the code.
  const boPerson = await person(browser, '/');
  await new HomePage(boPerson.page).join({ code: code.toLowerCase(), name: 'Bo' });
  const bo = new StudentRoomPage(boPerson.page);
  await expect(bo.heading('Maths 7B')).toBeVisible();

  // The teacher's roster updates live.
  await expect(lee.students()).toHaveCount(2);
  await expect(lee.students().filter({ hasText: 'Ada' })).toBeVisible();
  await expect(lee.students().filter({ hasText: 'Bo' })).toBeVisible();

  // A co-teacher joins with the invite link: role and key come from the link.
  expect(links.supervisor).toContain(`/join/${code}#key=`);
  const coPerson = await person(browser, links.supervisor.replace(/^https?:\/\/[^/]+/, ''));
  await expect(coPerson.page.getByLabel('A teacher: I watch screens')).toBeChecked();
  await new HomePage(coPerson.page).join({ name: 'Mr Ode' });
  const ode = new SupervisorRoomPage(coPerson.page);
  await expect(ode.heading('Maths 7B')).toBeVisible();
  await expect(ode.students()).toHaveCount(2);
  await expect(lee.supervisors().filter({ hasText: 'Mr Ode' })).toBeVisible();
  // Students see who can watch them, and never each other.
  await expect(ada.teachers()).toHaveText(/Ms Lee, Mr Ode/);
  await expect(adaPerson.page.getByText(/\bBo\b/)).toHaveCount(0);

  // The host hands the role over.
  await lee.makeHost('Mr Ode');
  await expect(ode.notice('Ms Lee made you the host.')).toBeVisible();
  await expect(lee.notice('Mr Ode is now the host.')).toBeVisible();
  await expect(ada.notice('Mr Ode is now the host.')).toBeVisible();
  await expect(lee.page.getByRole('button', { name: 'End room', exact: true })).toHaveCount(0);

  // The new host removes a student, who is told and sent Home.
  await ode.remove('Bo');
  const boHome = new HomePage(boPerson.page);
  await expect(boHome.notice()).toHaveText('You were removed from “Maths 7B” by the host.');
  await expect(lee.students()).toHaveCount(2);
  await expect(lee.students().filter({ hasText: 'Bo' })).toContainText('Left');

  // The host leaves; the other supervisor is promoted, and both sides see it.
  await ode.leave();
  await expect(new HomePage(coPerson.page).notice()).toHaveText('You left “Maths 7B”.');
  await expect(lee.notice('You are now the host.')).toBeVisible();
  await expect(ada.notice('Ms Lee is now the host.')).toBeVisible();
  await expect(lee.page.getByRole('button', { name: 'End room', exact: true })).toBeVisible();

  // A student reloads and is back in the same seat.
  await adaPerson.page.reload();
  await expect(ada.heading('Maths 7B')).toBeVisible();
  await expect(adaPerson.page.getByText('You are Ada ·')).toBeVisible();
  await expect(lee.students().filter({ hasText: 'Ada' })).toHaveCount(1);

  // The host ends the room: every student is sent Home with the notice.
  await lee.endRoom();
  await expect(new HomePage(adaPerson.page).notice()).toHaveText('The host ended “Maths 7B”.');
  await expect(new HomePage(teacher.page).notice()).toHaveText('You ended “Maths 7B”.');
  // The seat is gone for good: a reload stays Home.
  await adaPerson.page.reload();
  await expect(new HomePage(adaPerson.page).heading()).toHaveText('Watch and share classroom screens');

  for (const p of [teacher, adaPerson, boPerson, coPerson]) await p.context.close();
});

test('a wrong supervisor key is refused with a message saying what to do', async ({ browser }) => {
  const teacher = await person(browser);
  const room = await new HomePage(teacher.page).createRoom('Art', 'Ms Lee');
  const code = await room.code();
  const other = await person(browser);
  await new HomePage(other.page).join({ code, name: 'Mr X', role: 'supervisor', key: 'AAAA-BBBB-CCCC' });
  await expect(other.page.getByRole('alert')).toHaveText(/supervisor key is not right/);
  await new HomePage(other.page).join({ code: 'ZZZZZZ', name: 'Mr X', role: 'student' });
  await expect(other.page.getByRole('alert')).toHaveText(/no room with that code/);
  await teacher.context.close();
  await other.context.close();
});

test('a student holds one seat: opening another room’s link and joining gives up the old seat', async ({ browser }) => {
  const teacherA = await person(browser);
  const roomA = await new HomePage(teacherA.page).createRoom('History', 'Ms Lee');
  const teacherB = await person(browser);
  const roomB = await new HomePage(teacherB.page).createRoom('Biology', 'Mr Ode');
  const codeB = await roomB.code();

  const ada = await person(browser, `/join/${await roomA.code()}`);
  await new HomePage(ada.page).join({ name: 'Ada' });
  await expect(new StudentRoomPage(ada.page).heading('History')).toBeVisible();

  await ada.page.goto(`/join/${codeB}`);
  await expect(ada.page.getByRole('status').filter({ hasText: 'You are still in “History”.' })).toBeVisible();
  await new HomePage(ada.page).join({ name: 'Ada' });
  await expect(new StudentRoomPage(ada.page).heading('Biology')).toBeVisible();
  await expect(roomA.students().filter({ hasText: 'Ada' })).toContainText('Left');
  await expect(roomB.students().filter({ hasText: 'Ada' })).toBeVisible();
  for (const p of [teacherA, teacherB, ada]) await p.context.close();
});
