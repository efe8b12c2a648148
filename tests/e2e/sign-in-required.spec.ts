/**
 * A school whose students must sign in (OIDC_STUDENTS_MUST_SIGN_IN), in real Chromium against a
 * real OpenID provider: the class link offers no names and no name to type, only the school
 * account; signed in, one tap joins the lesson as the account.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import type { CreateClassResponse, StartLessonResponse } from '../../src/shared/protocol.ts';
import { freePort } from '../helpers/built-server.ts';
import { call } from '../helpers/client.ts';
import type { TestProvider } from '../helpers/oidc-provider.ts';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.ts';
import { StudentRoomPage, expectNoAxeViolations, person } from './pages.ts';
import { schoolProvider, signInAtProvider, signInEnv } from './school-sign-in.ts';

let provider: TestProvider;
let server: ServerProcess;
/** This run's own data folder, not the project's. */
let dataDir: string;

test.beforeAll(async () => {
  const school = await schoolProvider({
    sam: { email: 'sam@school.example', email_verified: true, name: 'Sam Student' },
  });
  provider = school.provider;
  dataDir = mkdtempSync(join(tmpdir(), 'classroom-e2e-sign-in-required-'));
  server = await startServerProcess({
    port: await freePort(),
    built: true,
    env: {
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      RELAY_MODE: 'off',
      ...signInEnv(provider),
      OIDC_STUDENTS_MUST_SIGN_IN: 'true',
    },
  });
  school.admit(server.url);
});

test.afterAll(async () => {
  server?.kill('SIGTERM');
  await server?.exited;
  await provider?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

test('the class link asks for the school account only: no names to pick or type; signed in, one tap joins', async ({
  browser,
}) => {
  const made = await call<CreateClassResponse>(server.url, 'POST', '/api/classes', { body: { name: 'Chemistry' } });
  const { class: klass, teacherKey } = made.body;
  const classPath = `/api/classes/${klass.id}`;
  await call(server.url, 'PUT', `${classPath}/roster`, {
    token: teacherKey,
    body: { mode: 'replace', from: 'typed', text: 'Sam S., sam@school.example\nKim Lee, kim@school.example' },
  });
  const lesson = await call<StartLessonResponse>(server.url, 'POST', `${classPath}/lessons`, {
    token: teacherKey,
    body: { hostName: 'Ms Lee' },
  });
  expect(lesson.status).toBe(201);

  const { page, context } = await person(
    browser,
    `/class/${klass.joinSecret}`,
    { width: 1024, height: 768 },
    server.url,
  );
  try {
    await expect(page.getByRole('heading', { name: 'The lesson has started' })).toBeVisible();
    await expect(page.getByText('Your school has students join signed in with their school account.')).toBeVisible();
    await expect(page.getByRole('link', { name: 'Sign in with your school account' })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Kim Lee' })).toHaveCount(0);
    await expect(page.getByRole('button', { name: 'My name is not on the list' })).toHaveCount(0);
    await expect(page.getByRole('textbox', { name: 'Your name' })).toHaveCount(0);
    await expectNoAxeViolations(page);

    await signInAtProvider(page, provider, server.url, 'sam');
    await expect(page.getByText('You join as Sam Student, the name on your school account.')).toBeVisible();
    await expect(page.getByText('Your school has students join signed in with their school account.')).toHaveCount(0);
    await page.getByRole('button', { name: 'Join the lesson' }).click();
    await expect(new StudentRoomPage(page).heading('Chemistry')).toBeVisible();
  } finally {
    await context.close();
  }
});
