/**
 * The companion extension, built into dist/extension, loaded into real Chromium: its service worker
 * starts, and the rules `lessonSiteRules` writes, put in force from inside that worker, keep pages
 * to an allow list as the unit tests' model of Chrome says. Test sites are hostnames under .test
 * that Chromium resolves to this test's own server on 127.0.0.1.
 */
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, expect, test, type BrowserContext, type Page, type Worker } from '@playwright/test';
import { parseSiteList, type SiteListKind } from '../../src/shared/site-rules.ts';
import type { SiteRule } from '../../src/shared/site-rules.ts';
import { lessonSiteRules } from '../../extension/src/teacher-actions.ts';
import { CHROMIUM_ARGS, chromiumExecutable } from './browser.ts';

const EXTENSION = resolve('dist/extension');

let sites: Server;
let port: number;
let profile: string;
let context: BrowserContext;
let worker: Worker;

test.beforeAll(async () => {
  // Every page says which host and path it was asked for, in its title; /framing?HOST shows HOST's page in a frame, /linking?HOST links to it.
  sites = createServer((req, res) => {
    const where = `${req.headers.host?.replace(/:\d+$/, '')}${req.url}`;
    const [, kind, other] = /^\/(framing|linking)\?(.+)$/.exec(req.url ?? '') ?? [];
    const address = `http://${other}:${port}/`;
    const framed =
      kind === 'framing' ? `<iframe src="${address}"></iframe>` : kind ? `<a href="${address}">${other}</a>` : '';
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><title>${where}</title><h1>${where}</h1>${framed}`);
  });
  await new Promise<void>((done) => sites.listen(0, '127.0.0.1', done));
  port = (sites.address() as AddressInfo).port;
  profile = mkdtempSync(join(tmpdir(), 'classroom-screens-extension-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumExecutable(),
    // Chromium's own headless mode (the new one, which --headless means since Chromium 132) loads extensions.
    headless: true,
    args: [
      ...CHROMIUM_ARGS,
      `--disable-extensions-except=${EXTENSION}`,
      `--load-extension=${EXTENSION}`,
      '--host-resolver-rules=MAP *.test 127.0.0.1',
    ],
  });
  worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'));
});

test.afterAll(async () => {
  await context?.close();
  await new Promise((done) => sites?.close(done));
  if (profile) rmSync(profile, { recursive: true, force: true });
});

/** Puts in force the rules for a list, from inside the extension's worker, replacing any before. */
async function keepToSites(kind: SiteListKind, list: string): Promise<void> {
  const parsed = parseSiteList(list);
  if (!parsed.ok) throw new Error(parsed.problems.map((p) => p.message).join('\n'));
  const rules = lessonSiteRules({
    kind,
    sites: parsed.sites,
    serverOrigin: `http://classroom.test:${port}`,
    lesson: 'Biology 7B',
    ask: 'Ms Rivera',
  });
  await worker.evaluate(async (addRules: SiteRule[]) => {
    const old = await chrome.declarativeNetRequest.getDynamicRules();
    await chrome.declarativeNetRequest.updateDynamicRules({ removeRuleIds: old.map((r) => r.id), addRules });
  }, rules);
}

/** Lifts every rule, as the end of a lesson does. */
async function liftRules(): Promise<void> {
  await worker.evaluate(async () => {
    const old = await chrome.declarativeNetRequest.getDynamicRules();
    await chrome.declarativeNetRequest.updateDynamicRules({ removeRuleIds: old.map((r) => r.id) });
  });
}

/** Opens `host` and `path` on the test server and expects that page, not the blocked page. */
async function expectLoads(page: Page, host: string, path = '/'): Promise<void> {
  await page.goto(`http://${host}:${port}${path}`);
  await expect(page).toHaveTitle(`${host}${path}`);
}

/** Opens `host` (or stays) and expects the extension's blocked page, naming the lesson and whom to ask. */
async function expectBlocked(page: Page, host?: string, path = '/'): Promise<void> {
  if (host !== undefined) await page.goto(`http://${host}:${port}${path}`);
  await expect(page).toHaveURL(new RegExp(`^chrome-extension://[a-p]{32}/blocked\\.html\\?`));
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('This page is not part of the lesson');
  await expect(page.getByText('Your lesson “Biology 7B” keeps the class to the sites it needs')).toBeVisible();
  await expect(page.getByText('If you need it for your work, ask Ms Rivera.')).toBeVisible();
}

test('the extension’s service worker starts, from the built manifest', async () => {
  expect(worker.url()).toMatch(/^chrome-extension:\/\/[a-p]{32}\/background\.js$/);
  const manifest = await worker.evaluate(() => chrome.runtime.getManifest());
  expect(manifest.manifest_version).toBe(3);
  expect(manifest.permissions).toEqual(['tabs', 'declarativeNetRequest', 'storage', 'alarms']);
});

test('an allow list sends other sites to the blocked page, keeps the classroom server, and lifts', async () => {
  const page = await context.newPage();
  await keepToSites('allow', `allowed.test\ndocs.test:${port}/lesson\nsite.test/lesson`);
  await expectLoads(page, 'allowed.test', '/page');
  await expectLoads(page, 'www.allowed.test');
  await expectLoads(page, 'docs.test', '/lesson/1');
  await expectLoads(page, 'classroom.test', '/room/K7QM3X');
  await expectBlocked(page, 'other.test');
  await expectBlocked(page, 'docs.test', '/lessons');
  // With a path and no port, only the web's default ports: this server's is not one.
  await expectBlocked(page, 'site.test', '/lesson');
  await expectBlocked(page, 'notallowed.test');
  // A link a page follows is sent there too (the page must be web accessible for that).
  await expectLoads(page, 'allowed.test', '/linking?other.test');
  await page.getByRole('link', { name: 'other.test' }).click();
  await expectBlocked(page);
  // Frames are left alone: a lesson page may embed a video or a form from another site.
  await expectLoads(page, 'allowed.test', '/framing?other.test');
  await expect(page.frameLocator('iframe').getByRole('heading')).toHaveText('other.test/');

  await liftRules();
  await expectLoads(page, 'other.test');
  await page.close();
});

test('a block list sends its sites to the blocked page and lets the rest load', async () => {
  const page = await context.newPage();
  await keepToSites('block', 'games.test');
  await expectBlocked(page, 'play.games.test');
  await expectLoads(page, 'other.test');
  // Another page showing a blocked site in a frame gets nothing from it.
  await expectLoads(page, 'other.test', '/framing?games.test');
  // Chromium shows its error page in the frame (ERR_BLOCKED_BY_CLIENT).
  await expect.poll(() => page.frames()[1]?.url()).toBe('chrome-error://chromewebdata/');
  await liftRules();
  await expectLoads(page, 'games.test');
  await page.close();
});
