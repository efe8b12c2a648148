/**
 * Sign-in with the school account in real Chromium, against a real OpenID provider (oidc-provider)
 * on loopback as the integration tests run it: Home's sign-in link goes through the provider's
 * login and consent pages and back; the verified name is shown and cannot be edited; signing out
 * gives the typed name back, and offers the provider's own sign-out for a shared device. A signed-in student opening a class link joins with one tap as their
 * account, with no names to pick. A signed-in teacher makes a class with no passcode; a co-teacher
 * added by e-mail finds the class on a fresh browser by signing in and watches its lesson, with no
 * key or link passed round. axe on every screen on the way.
 */
import { expect, test, type Page } from '@playwright/test';
import type { CreateClassResponse, StartLessonResponse } from '../../src/shared/protocol.ts';
import { call } from '../helpers/client.ts';
import type { ServerProcess } from '../helpers/server-process.ts';
import {
  HomePage,
  StudentRoomPage,
  SupervisorRoomPage,
  expectFramesDecoded,
  expectNoAxeViolations,
  person,
} from './pages.ts';
import { startSchool, type School } from './school-sign-in.ts';

const TABLET = { width: 1024, height: 768 };
const VERIFIED = 'Sam Student';
/** The school's teacher passcode: asked of anyone who is not a signed-in teacher. */
const PASSCODE = 'staffroom-42';

let school: School;
/** The server under test. */
let server: ServerProcess;

test.beforeAll(async () => {
  school = await startSchool(
    {
      sam: { email: 'sam@school.example', email_verified: true, name: VERIFIED },
      cole: { email: 'cole@staff.school.example', email_verified: true, name: 'Cole Teacher' },
      tess: { email: 'tess@staff.school.example', email_verified: true, name: 'Tess Teacher' },
    },
    { TEACHER_PASSCODE: PASSCODE },
  );
  server = school.server;
});

test.afterAll(async () => {
  await school?.stop();
});

/** Home's sign-in line once someone is signed in. */
const signedInLine = (page: Page) => page.getByRole('status').filter({ hasText: 'Signed in as' });

/** Follows the sign-in link through the provider's own login and consent pages, as `login`. */
const signInAtProvider = (page: Page, login: string) => school.signIn(page, login);

test('Home signs a student in with the school account, shows the verified name read-only, and signs out here and at the school', async ({
  browser,
}) => {
  const { page, context } = await person(browser, '/', TABLET, server.url);
  try {
    const join = page.getByRole('region', { name: 'Join a room' });
    const name = join.getByRole('textbox', { name: 'Your name' });
    await expect(page.getByRole('link', { name: 'Sign in with your school account' })).toBeVisible();
    await expect(name).toBeEditable();
    await expectNoAxeViolations(page);

    await signInAtProvider(page, 'sam');
    expect(new URL(page.url()).pathname).toBe('/');
    await expect(signedInLine(page)).toHaveText(`Signed in as ${VERIFIED} (sam@school.example). Sign out`);
    await expect(name).toHaveValue(VERIFIED);
    await expect(name).not.toBeEditable();
    await expect(join.getByText('The name on your school account.')).toBeVisible();
    await expectNoAxeViolations(page);

    await signedInLine(page).getByRole('button', { name: 'Sign out' }).click();
    await expect(page.getByRole('link', { name: 'Sign in with your school account' })).toBeVisible();
    await expect(signedInLine(page)).toHaveCount(0);
    await expect(name).toBeEditable();
    await expect(join.getByText('The name on your school account.')).toHaveCount(0);
    // The session ended on the server, not only on the page.
    const me = await page.evaluate(async () => (await fetch('/api/auth/me')).json());
    expect(me).toEqual({ account: null, csrfToken: null });
    await expectNoAxeViolations(page);

    // On a shared device, the school account is signed out too, at the provider, and back Home.
    await expect(page.getByRole('status').filter({ hasText: 'Signed out of this app.' })).toHaveText(
      'Signed out of this app. On a shared device, also sign out of your school account.',
    );
    await page.getByRole('link', { name: 'sign out of your school account' }).click();
    await page.getByRole('button', { name: 'Yes, sign me out' }).click();
    await page.waitForURL(`${server.url}/`);
    await expect(page.getByRole('link', { name: 'Sign in with your school account' })).toBeVisible();
    // The next person to sign in on this device is asked who they are.
    await page.getByRole('link', { name: 'Sign in with your school account' }).click();
    await expect(page.getByPlaceholder('Enter any login')).toBeVisible();
  } finally {
    await context.close();
  }
});

test('a signed-in student opens the class link and joins as their account with one tap', async ({ browser }) => {
  const made = await call<CreateClassResponse>(server.url, 'POST', '/api/classes', {
    body: { name: 'Chemistry', passcode: PASSCODE },
  });
  const { class: klass, teacherKey } = made.body;
  const classPath = `/api/classes/${klass.id}`;
  const roster = await call(server.url, 'PUT', `${classPath}/roster`, {
    token: teacherKey,
    body: { mode: 'replace', from: 'typed', text: 'Sam S., sam@school.example\nKim Lee, kim@school.example' },
  });
  expect(roster.status).toBe(200);
  const lesson = await call<StartLessonResponse>(server.url, 'POST', `${classPath}/lessons`, {
    token: teacherKey,
    body: { hostName: 'Ms Lee' },
  });
  expect(lesson.status).toBe(201);

  const { page, context } = await person(browser, `/class/${klass.joinSecret}`, TABLET, server.url);
  try {
    await expect(page.getByRole('heading', { level: 1, name: 'Chemistry' })).toBeVisible();
    // Signed out, the roster's names are offered, and signing in comes back here.
    await expect(page.getByRole('list').getByRole('button')).toHaveText(['Kim Lee', 'Sam S.']);
    await signInAtProvider(page, 'sam');
    expect(new URL(page.url()).pathname).toBe(`/class/${klass.joinSecret}`);
    await expect(page.getByText(`You join as ${VERIFIED}, the name on your school account.`)).toBeVisible();
    await expect(page.getByRole('button', { name: 'Kim Lee' })).toHaveCount(0);
    await expect(page.getByRole('button', { name: 'My name is not on the list' })).toHaveCount(0);
    await expectNoAxeViolations(page);

    await page.getByRole('button', { name: 'Join the lesson' }).click();
    await expect(new StudentRoomPage(page).heading('Chemistry')).toBeVisible();
    // Matched to the roster by account: the teacher's list has Sam as the student on it.
    const room = await call<{ room: { members: { name: string; role: string }[] } }>(
      server.url,
      'GET',
      `/api/rooms/${lesson.body.room.code}`,
      { token: lesson.body.member.token },
    );
    expect(room.body.room.members.filter((m) => m.role === 'student').map((m) => m.name)).toEqual([VERIFIED]);
    const link = await call<{ names: { name: string }[] }>(server.url, 'GET', `/api/join/${klass.joinSecret}`);
    expect(link.body.names.map((n) => n.name)).toEqual(['Kim Lee']);
  } finally {
    await context.close();
  }
});

test('a signed-in teacher makes a class without the teacher passcode, and opens it by signing in once its key is replaced', async ({
  browser,
}) => {
  const { page, context } = await person(browser, '/', TABLET, server.url);
  try {
    await signInAtProvider(page, 'tess');
    await expect(signedInLine(page)).toContainText('Signed in as Tess Teacher');
    // Home's "Create a room" asks no passcode of a signed-in teacher; the class form asks none either.
    await expect(page.getByRole('region', { name: 'Create a room' }).getByLabel('Teacher passcode')).toHaveCount(0);
    await page.getByRole('button', { name: 'Your classes' }).click();
    const form = page.getByRole('region', { name: 'New class' });
    await expect(form.getByRole('textbox', { name: 'Class name' })).toBeVisible();
    await expect(form.getByLabel('Teacher passcode')).toHaveCount(0);
    await form.getByRole('textbox', { name: 'Class name' }).fill('Physics');
    await form.getByRole('button', { name: 'Make class' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Physics' })).toBeVisible();
    await expectNoAxeViolations(page);

    // Another teacher of the class replaces its key: this browser's saved copy stops working, and the
    // page opens by the sign-in rather than saying the key is gone.
    const classId = new URL(page.url()).pathname.split('/').pop()!;
    const rotated = await page.evaluate(async (id) => {
      const { csrfToken } = (await (await fetch('/api/auth/me')).json()) as { csrfToken: string };
      const reply = await fetch(`/api/classes/${id}/teacher-key`, {
        method: 'POST',
        headers: { 'X-CSRF-Token': csrfToken },
      });
      return reply.status;
    }, classId);
    expect(rotated).toBe(200);
    await page.reload();
    await expect(page.getByRole('heading', { level: 1, name: 'Physics' })).toBeVisible();
    await expect(page.getByRole('heading', { name: 'Class not available' })).toHaveCount(0);
  } finally {
    await context.close();
  }
});

test('a co-teacher added by school e-mail signs in on a fresh browser, finds the class and watches its lesson', async ({
  browser,
}) => {
  // Another teacher makes the class with the passcode (its key stays in their app) and adds Cole by e-mail.
  const made = await call<CreateClassResponse>(server.url, 'POST', '/api/classes', {
    body: { name: 'Geography', passcode: PASSCODE },
  });
  const { class: klass, teacherKey } = made.body;
  const classPath = `/api/classes/${klass.id}`;
  const added = await call(server.url, 'POST', `${classPath}/teachers`, {
    token: teacherKey,
    body: { email: 'cole@staff.school.example' },
  });
  expect(added.status).toBe(200);
  const lesson = await call<StartLessonResponse>(server.url, 'POST', `${classPath}/lessons`, {
    token: teacherKey,
    body: { hostName: 'Ms Lee' },
  });
  expect(lesson.status).toBe(201);
  const student = await person(browser, `/join/${lesson.body.room.code}`, TABLET, server.url);
  const cole = await person(browser, '/', TABLET, server.url);
  try {
    await new HomePage(student.page).join({ name: 'Kim' });
    await new StudentRoomPage(student.page).shareButton().click();

    await signInAtProvider(cole.page, 'cole');
    await expect(signedInLine(cole.page)).toContainText('Signed in as Cole Teacher');
    await cole.page.getByRole('button', { name: 'Your classes' }).click();
    const list = cole.page.getByRole('list', { name: 'Classes you teach' });
    await expect(list.getByRole('link')).toHaveText(['Geography']);
    await expectNoAxeViolations(cole.page);
    await list.getByRole('link', { name: 'Geography' }).click();

    await expect(cole.page.getByRole('heading', { level: 1, name: 'Geography' })).toBeVisible();
    await expect(cole.page.getByRole('status').filter({ hasText: 'A lesson started at' })).toBeVisible();
    // Opened by the session: this browser holds no key, so it has no invite link to give.
    await expect(cole.page.getByRole('button', { name: 'Copy co-teacher invite link' })).toHaveCount(0);
    await expect(cole.page.getByLabel('Your name (students see it)')).toHaveValue('Cole Teacher');
    await expectNoAxeViolations(cole.page);
    await cole.page.getByRole('button', { name: 'Open lesson' }).click();

    const wall = new SupervisorRoomPage(cole.page);
    await expect(wall.heading('Geography')).toBeVisible();
    await expect(wall.supervisors().filter({ hasText: 'Ms Lee' })).toContainText('Host');
    await expectFramesDecoded(wall.tile('Kim'));
    expect(cole.page.url()).not.toContain(teacherKey);
  } finally {
    await student.context.close();
    await cole.context.close();
  }
});
