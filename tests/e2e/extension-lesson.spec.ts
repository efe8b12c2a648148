/**
 * The companion extension in a lesson, as a school runs it (issue #21): Ada's and Bo's Chromebooks
 * have it force-installed by policy from this server; Cy's browser has none. The teacher sees each
 * active site on its tile, closes one of Ada's tabs, opens a link for the class, keeps the class to
 * one site so that Bo's visit elsewhere is blocked, and ends the lesson, which lifts the block. The
 * test sites are hostnames under .test that the students' Chromium resolves to this test's own server.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test, type BrowserContext, type Page, type Worker } from '@playwright/test';
import type { ExtensionInfo } from '../../src/shared/protocol.ts';
import { CHROMIUM_ARGS } from './browser.ts';
import { launchManagedChromium, type ManagedChromium } from './managed-chromium.ts';
import { expectNoAxeViolations, HomePage, person, StudentRoomPage } from './pages.ts';

let sites: Server;
let port: number;
const browsers: ManagedChromium[] = [];

test.beforeAll(async () => {
  // Every page's title is the host and path it was asked for.
  sites = createServer((req, res) => {
    const where = `${req.headers.host?.replace(/:\d+$/, '')}${req.url}`;
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><title>${where}</title><h1>${where}</h1>`);
  });
  await new Promise<void>((done) => sites.listen(0, '127.0.0.1', done));
  port = (sites.address() as AddressInfo).port;
});

test.afterAll(async () => {
  for (const browser of browsers.splice(0)) await browser.close();
  await new Promise((done) => sites?.close(done));
});

const site = (host: string, path = '/') => `http://${host}:${port}${path}`;

/** A student's Chromebook with the extension installed by policy from this server, in a lesson, sharing. */
async function chromebook(info: ExtensionInfo, baseURL: string, name: string, code: string) {
  const browser = await launchManagedChromium(
    {
      ExtensionInstallForcelist: [info.forcelistEntry],
      '3rdparty': { extensions: { [info.id]: { serverUrl: baseURL } } },
      // For the test only: lets Playwright see the extension's worker, to wait for it to be set up.
      DeveloperToolsAvailability: 1,
    },
    { args: [...CHROMIUM_ARGS, '--host-resolver-rules=MAP *.test 127.0.0.1'], viewport: { width: 1280, height: 720 } },
  );
  browsers.push(browser);
  const { context } = browser;
  const isOurs = (worker: Worker) => worker.url() === `chrome-extension://${info.id}/background.js`;
  const worker =
    context.serviceWorkers().find(isOurs) ?? (await context.waitForEvent('serviceworker', { predicate: isOurs }));
  // Installed, with the school's setting read: as on a Chromebook before the lesson starts.
  await expect
    .poll(() => worker.evaluate(() => chrome.storage.managed.get('serverUrl')))
    .toEqual({ serverUrl: baseURL });
  const page = context.pages()[0] ?? (await context.newPage());
  await page.goto(`${baseURL}/`);
  await new HomePage(page).join({ name, code });
  const room = new StudentRoomPage(page);
  await room.shareButton().click();
  await expect(room.stopButton()).toBeVisible();
  return { context, page, room };
}

/** Opens a site in a new tab of the student's window, as following a link would, and returns it. */
async function openTab(context: BrowserContext, from: Page, url: string): Promise<Page> {
  const opened = context.waitForEvent('page', { predicate: (page) => page.url() === url });
  await from.evaluate((address) => void window.open(address), url);
  const page = await opened;
  await expect(page).toHaveTitle(url.replace(/^http:\/\/|:\d+/g, ''));
  return page;
}

/** The extension's blocked page, naming the lesson and whom to ask. */
async function expectBlocked(page: Page): Promise<void> {
  await expect(page).toHaveURL(new RegExp(`^chrome-extension://[a-p]{32}/blocked\\.html\\?`));
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('This page is not part of the lesson');
  await expect(page.getByText('Your lesson “Biology 7B” keeps the class to the sites it needs')).toBeVisible();
  await expect(page.getByText('If you need it for your work, ask Ms Rivera.')).toBeVisible();
}

test('the teacher sees each student’s site, closes a tab, opens a link for the class, keeps the class to a site, and ending the lesson lifts it', async ({
  browser,
  baseURL,
  request,
}) => {
  test.setTimeout(240_000);
  const info = (await (await request.get('/extension/')).json()) as ExtensionInfo;
  const teacherP = await person(browser, '/', { width: 1280, height: 800 });
  const teacher = await new HomePage(teacherP.page).createRoom('Biology 7B', 'Ms Rivera');
  const code = await teacher.code();

  const ada = await chromebook(info, baseURL!, 'Ada', code);
  const bo = await chromebook(info, baseURL!, 'Bo', code);
  const cyP = await person(browser, '/');
  await new HomePage(cyP.page).join({ name: 'Cy', code });
  const cy = new StudentRoomPage(cyP.page);
  await cy.shareButton().click();
  await expect(cy.stopButton()).toBeVisible();

  await test.step('a student with the extension is told that teachers see their tabs; one without is not', async () => {
    const told =
      'This browser has the school’s classroom extension: while you share, your teachers also see the titles and addresses of your open tabs, during this lesson only.';
    await expect(ada.page.getByText(told)).toBeVisible();
    await expect(bo.page.getByText(told)).toBeVisible();
    await expect(cy.page.getByText(/classroom extension/)).toHaveCount(0);
  });

  const cells = await openTab(ada.context, ada.page, site('bio.test', '/cells'));
  await openTab(bo.context, bo.page, site('games.test', '/arcade'));

  await test.step('each tile shows its student’s active site and title; Cy’s says nothing of tabs', async () => {
    await expect(teacher.tile('Ada').locator('.tab-now')).toHaveText('Active tab: bio.test · bio.test/cells');
    await expect(teacher.tile('Bo').locator('.tab-now')).toHaveText('Active tab: games.test · games.test/arcade');
    await expect(teacher.tile('Cy')).toHaveAccessibleName('Cy: Live');
    await expect(teacher.tile('Cy').locator('.tab-now')).toHaveCount(0);
    await expectNoAxeViolations(teacher.page);
  });

  await test.step('the teacher closes Ada’s tab: it closes in her browser, and her app says who closed it', async () => {
    await teacher.tile('Ada').getByRole('button').first().click();
    const zoom = teacher.page.getByRole('dialog');
    await zoom.getByText(/^Open tabs \(2\)/).click();
    await expect(zoom.getByRole('list', { name: 'Open tabs' }).getByRole('listitem')).toHaveCount(2);
    await expectNoAxeViolations(teacher.page);
    const closed = cells.waitForEvent('close');
    await zoom.getByRole('button', { name: 'Close tab “bio.test/cells”' }).click();
    await closed;
    await expect(ada.room.notice('Ms Rivera closed your tab “bio.test/cells”.')).toBeVisible();
    // The next report has only the app's tab left.
    await expect(zoom.getByText(/^Open tabs \(1\)/)).toBeVisible();
    await zoom.getByRole('button', { name: 'Close', exact: true }).click();
  });

  await test.step('a link for the class opens in a new tab for Ada and Bo; Cy gets the Open button', async () => {
    const lesson = site('docs.test', '/lesson');
    const opened = [ada, bo].map(({ context }) =>
      context.waitForEvent('page', { predicate: (page) => page.url() === lesson }),
    );
    await teacher.page.getByRole('button', { name: 'Message' }).click();
    await teacher.page.getByLabel('Link (optional, http or https)').fill(lesson);
    await teacher.page.getByRole('button', { name: 'Send' }).click();
    for (const page of await Promise.all(opened)) await expect(page).toHaveTitle('docs.test/lesson');
    await expect(ada.room.notice('Ms Rivera opened docs.test in a new tab.')).toBeVisible();
    await expect(bo.room.notice('Ms Rivera opened docs.test in a new tab.')).toBeVisible();
    await expect(cy.page.getByRole('link', { name: 'Open link from Ms Rivera' }).first()).toBeVisible();
    await expect(teacher.tile('Bo').locator('.tab-now')).toHaveText('Active tab: docs.test · docs.test/lesson');
  });

  const elsewhere = await bo.context.newPage();
  await test.step('an allow list sends Bo elsewhere to the blocked page; the lesson’s site and the app still load', async () => {
    await teacher.page.getByRole('button', { name: 'Sites' }).click();
    await teacher.page.getByLabel('to these sites only').check();
    await teacher.page.getByLabel('Sites, one a line').fill('docs.test');
    await teacher.page.getByRole('button', { name: 'Apply' }).click();
    await expect(teacher.page.getByText(/^Kept to these sites: docs\.test, by Ms Rivera\./)).toBeVisible();
    await expect(bo.room.notice('Ms Rivera keeps the class to these sites: docs.test.')).toBeVisible();
    await expect(bo.page.getByText(/This lesson keeps you to these sites: docs\.test\.$/)).toBeVisible();
    // The rules are put in force a moment after the app hears of the list: try until they are.
    await expect(async () => {
      await elsewhere.goto(site('games.test', '/arcade'));
      await expectBlocked(elsewhere);
    }).toPass({ timeout: 30_000 });
    await elsewhere.goto(site('docs.test', '/lesson/2'));
    await expect(elsewhere).toHaveTitle('docs.test/lesson/2');
    await expect(bo.room.stopButton()).toBeVisible();
  });

  await test.step('ending the lesson lifts the block at once', async () => {
    await teacher.endRoom();
    await expect(bo.page.getByRole('heading', { level: 1 })).not.toHaveText('Biology 7B');
    await expect(async () => {
      await elsewhere.goto(site('games.test', '/arcade'));
      await expect(elsewhere).toHaveTitle('games.test/arcade', { timeout: 1000 });
    }).toPass({ timeout: 30_000 });
  });

  await teacherP.context.close();
  await cyP.context.close();
});
