import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, expect, test } from '@playwright/test';
import { chromiumExecutable } from './browser.ts';
import { HomePage, StudentRoomPage, expectFramesDecoded, person, type Person, expectNoAxeViolations } from './pages.ts';

test('the app shell opens offline once installed, and says it is offline', async ({ browser }) => {
  const { context, page } = await person(browser);
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  // The service worker has precached the shell.
  await page.evaluate(async () => {
    const registration = await navigator.serviceWorker.ready;
    return registration.active?.state;
  });
  await context.setOffline(true);
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Watch and share classroom screens' })).toBeVisible();
  await expect(
    page.getByRole('status').filter({ hasText: 'Offline: the classroom server cannot be reached.' }),
  ).toBeVisible();
  // An app route opens offline too, not the browser's error page.
  await page.goto('/lobby');
  await expect(page.getByRole('heading', { name: 'Open rooms' })).toBeVisible();
  await context.setOffline(false);
  await expect(page.getByText(/^Offline:/)).toHaveCount(0);
  await context.close();
});

/** Records every Content-Security-Policy violation the page reports, from before its first script runs. */
async function watchCsp({ page }: Person): Promise<() => Promise<string[]>> {
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { cspViolations: string[] }).cspViolations = seen;
    document.addEventListener('securitypolicyviolation', (e) => seen.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  await page.reload();
  return () => page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations);
}

test('the app works under its Content-Security-Policy: service worker, QR code, live screens', async ({ browser }) => {
  const teacher = await person(browser);
  const student = await person(browser);
  const teacherViolations = await watchCsp(teacher);
  const studentViolations = await watchCsp(student);
  const csp = (await teacher.page.request.get('/')).headers()['content-security-policy'];
  expect(csp).toContain("script-src 'self'");

  const room = await new HomePage(teacher.page).createRoom('CSP check', 'Ms Lee');
  await teacher.page.evaluate(() => navigator.serviceWorker.ready);
  // The invitation, with its QR code, is open while the room has no student.
  await expect(teacher.page.getByRole('heading', { name: 'Invite students and teachers' })).toBeVisible();
  await expect(teacher.page.locator('.qr svg')).toBeVisible();

  await student.page.goto(`/join/${await room.code()}`);
  await new HomePage(student.page).join({ name: 'Ada' });
  await new StudentRoomPage(student.page).shareButton().click();
  await expectFramesDecoded(room.tile('Ada'));

  expect(await teacherViolations()).toEqual([]);
  expect(await studentViolations()).toEqual([]);
  await teacher.context.close();
  await student.context.close();
});

test('the manifest makes the app installable', async ({ baseURL }) => {
  // Chromium never offers installation in an incognito context, which is what Playwright's contexts
  // are; a persistent profile is what a real Chromebook has.
  const profile = mkdtempSync(join(tmpdir(), 'classroom-profile-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: chromiumExecutable(), baseURL });
  const page = context.pages()[0] ?? (await context.newPage());
  await page.goto('/');
  await page.evaluate(() => navigator.serviceWorker.ready);
  const cdp = await context.newCDPSession(page);
  const manifest = (await cdp.send('Page.getAppManifest')) as { errors: unknown[]; url: string };
  expect(manifest.url).toMatch(/\/manifest\.webmanifest$/);
  expect(manifest.errors).toEqual([]);
  const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
  expect(installabilityErrors).toEqual([]);
  const body = await (await page.request.get('/manifest.webmanifest')).json();
  expect(body).toMatchObject({ name: 'Classroom Screens', display: 'standalone', start_url: '/', scope: '/' });
  expect(
    body.icons.map((i: { sizes: string; purpose?: string }) => `${i.sizes}${i.purpose ? ` ${i.purpose}` : ''}`),
  ).toEqual(['192x192', '512x512', '512x512 maskable']);
  await context.close();
  rmSync(profile, { recursive: true, force: true });
});

test('axe finds no accessibility violations on Home, Lobby, and both room views', async ({ browser }) => {
  const teacher = await person(browser);
  await expectNoAxeViolations(teacher.page);
  const room = await new HomePage(teacher.page).createRoom('Axe check', 'Ms Lee');
  const code = await room.code();

  const student = await person(browser, '/lobby');
  await expect(student.page.getByRole('button', { name: 'Join Axe check' })).toBeVisible();
  await expectNoAxeViolations(student.page);
  await student.page.goto(`/join/${code}`);
  await expectNoAxeViolations(student.page);
  await new HomePage(student.page).join({ name: 'Ada' });
  await expect(new StudentRoomPage(student.page).heading('Axe check')).toBeVisible();
  await expectNoAxeViolations(student.page);

  await expect(room.students()).toHaveCount(1);
  await expectNoAxeViolations(teacher.page);
  await teacher.context.close();
  await student.context.close();
});

test('keyboard alone can create a room', async ({ browser }) => {
  const { context, page } = await person(browser);
  // Skip past the header link and the join form to the create form.
  await page.getByRole('region', { name: 'Create a room' }).getByLabel('Room name').focus();
  await page.keyboard.type('Keyboard class');
  await page.keyboard.press('Tab');
  await page.keyboard.type('Ms Key');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 1, name: 'Keyboard class' })).toBeVisible();
  await context.close();
});

test('a page not served over HTTPS says exactly what to do', async () => {
  const port = new URL(test.info().project.use.baseURL!).port;
  // A school hostname over plain HTTP is not a secure context (localhost would be).
  const browser = await chromium.launch({
    executablePath: chromiumExecutable(),
    args: ['--host-resolver-rules=MAP classroom.school.test 127.0.0.1'],
  });
  const page = await browser.newPage();
  await page.goto(`http://classroom.school.test:${port}/`);
  await expect(page.getByRole('alert')).toHaveText(
    `Screen sharing needs HTTPS: open https://classroom.school.test:${port}/ or ask your admin.`,
  );
  await browser.close();
});

test('a new version is offered, and applied only when the person chooses to reload', async ({ browser }) => {
  const { context, page } = await person(browser);
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.reload();
  await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
  // A new deployment: the service worker file changes on the server.
  const sw = join(process.cwd(), 'dist/app/sw.js');
  const original = readFileSync(sw, 'utf8');
  writeFileSync(sw, `${original}\n// next release\n`);
  try {
    await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.update());
    const offer = page.getByRole('status').filter({ hasText: 'Update available.' });
    await expect(offer).toBeVisible();
    // Nothing reloads by itself: the page keeps its state until the person chooses.
    await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));
    await page.waitForTimeout(1000);
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(42);
    await Promise.all([page.waitForEvent('load'), offer.getByRole('button', { name: 'Reload to update' }).click()]);
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBeUndefined();
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
    await expect(page.getByText('Update available.')).toHaveCount(0);
  } finally {
    writeFileSync(sw, original);
    await context.close();
  }
});
