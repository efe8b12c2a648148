/**
 * A school whose students must sign in (OIDC_STUDENTS_MUST_SIGN_IN), in real Chromium against a
 * real OpenID provider: the class link offers no names and no name to type, only the school
 * account; signed in, one tap joins the lesson as the account.
 */
import { expect, test } from '@playwright/test';
import type { CreateClassResponse, StartLessonResponse } from '../../src/shared/protocol.ts';
import { call } from '../helpers/client.ts';
import { StudentRoomPage, expectNoAxeViolations, person } from './pages.ts';
import { startSchool, type School } from './school-sign-in.ts';

let school: School;

test.beforeAll(async () => {
  school = await startSchool(
    { sam: { email: 'sam@school.example', email_verified: true, name: 'Sam Student' } },
    { OIDC_STUDENTS_MUST_SIGN_IN: 'true' },
  );
});

test.afterAll(async () => {
  await school?.stop();
});

test('the class link asks for the school account only: no names to pick or type; signed in, one tap joins', async ({
  browser,
}) => {
  const made = await call<CreateClassResponse>(school.server.url, 'POST', '/api/classes', {
    body: { name: 'Chemistry' },
  });
  const { class: klass, teacherKey } = made.body;
  const classPath = `/api/classes/${klass.id}`;
  await call(school.server.url, 'PUT', `${classPath}/roster`, {
    token: teacherKey,
    body: { mode: 'replace', from: 'typed', text: 'Sam S., sam@school.example\nKim Lee, kim@school.example' },
  });
  const lesson = await call<StartLessonResponse>(school.server.url, 'POST', `${classPath}/lessons`, {
    token: teacherKey,
    body: { hostName: 'Ms Lee' },
  });
  expect(lesson.status).toBe(201);

  const { page, context } = await person(
    browser,
    `/class/${klass.joinSecret}`,
    { width: 1024, height: 768 },
    school.server.url,
  );
  try {
    await expect(page.getByRole('heading', { name: 'The lesson has started' })).toBeVisible();
    await expect(page.getByText('Your school has students join signed in with their school account.')).toBeVisible();
    await expect(page.getByRole('link', { name: 'Sign in with your school account' })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Kim Lee' })).toHaveCount(0);
    await expect(page.getByRole('button', { name: 'My name is not on the list' })).toHaveCount(0);
    await expect(page.getByRole('textbox', { name: 'Your name' })).toHaveCount(0);
    await expectNoAxeViolations(page);

    await school.signIn(page, 'sam');
    await expect(page.getByText('You join as Sam Student, the name on your school account.')).toBeVisible();
    await expect(page.getByText('Your school has students join signed in with their school account.')).toHaveCount(0);
    await page.getByRole('button', { name: 'Join the lesson' }).click();
    await expect(new StudentRoomPage(page).heading('Chemistry')).toBeVisible();
  } finally {
    await context.close();
  }
});
