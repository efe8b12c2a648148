// A second engine: Firefox as a teacher watching Chromium students (peer to peer and through the
// relay), and as a student sharing to a Chromium teacher. See tests/e2e/firefox.ts for how Firefox
// is driven and what it needs.
import { expect, test, type Browser as ChromiumBrowser } from '@playwright/test';
import type { Browser, BrowserContext, Page } from 'puppeteer-core';
import { startBuiltServer } from '../helpers/built-server.ts';
import { clickButton, ensureDefaultRoute, fill, launchFirefox, startXvfb, waitForTile } from './firefox.ts';
import { HomePage, StudentRoomPage, expectFramesDecoded, person, roomOnWire, type Person } from './pages.ts';
import type { JoinRoomResponse } from '../../src/shared/protocol.ts';

let removeRoute: () => void = () => undefined;
/** The headless Firefox both teacher tests use, each in a context of its own: a launch and close take some 5 s. */
let headless: Browser | undefined;
test.beforeAll(() => {
  removeRoute = ensureDefaultRoute();
});
test.afterAll(async () => {
  await headless?.close();
  removeRoute();
});

/** A fresh context (its own storage) in the shared headless Firefox, launched by the first test that needs it. */
async function headlessFirefox(): Promise<BrowserContext> {
  headless ??= await launchFirefox();
  return headless.createBrowserContext();
}

/** A room made in Chromium on `baseURL` by Ms Lee, with Chromium students who share. */
async function chromiumClass(browser: ChromiumBrowser, baseURL: string, students: string[]) {
  const people: Person[] = [];
  const host = await person(browser, '/', { width: 1280, height: 800 }, baseURL);
  people.push(host);
  const lee = await new HomePage(host.page).createRoom('Firefox class', 'Ms Lee');
  const code = await lee.code();
  const links = await lee.inviteLinks();
  const pupils: StudentRoomPage[] = [];
  const replies: JoinRoomResponse[] = [];
  for (const name of students) {
    const p = await person(browser, `/join/${code}`, { width: 1280, height: 720 }, baseURL);
    people.push(p);
    replies.push(await new HomePage(p.page).joinForReply({ name }));
    const pupil = new StudentRoomPage(p.page);
    await expect(pupil.heading('Firefox class')).toBeVisible();
    await pupil.shareButton().click();
    await expect(pupil.stopButton()).toBeVisible();
    pupils.push(pupil);
  }
  return { lee, code, links, pupils, replies, closeAll: () => Promise.all(people.map((p) => p.context.close())) };
}

/** Firefox joins the room through the supervisor invite link, as a teacher handed the link would. */
async function firefoxTeacher(firefox: BrowserContext, supervisorLink: string, name: string): Promise<Page> {
  const page = await firefox.newPage();
  await page.setViewport({ width: 1280, height: 800 });
  await page.goto(supervisorLink);
  await fill(page, 'Your name', name);
  await clickButton(page, 'Join');
  await page.waitForFunction(() => document.querySelector('h1')?.textContent === 'Firefox class');
  return page;
}

test('a Firefox teacher watches the wall peer to peer: live tiles, zoom and the stop notice', async ({
  browser,
  baseURL,
}) => {
  const firefox = await headlessFirefox();
  const room = await chromiumClass(browser, baseURL!, ['Ada']);
  try {
    const fox = await firefoxTeacher(firefox, room.links.supervisor, 'Mr Fox');
    await waitForTile(fox, 'Ada', 'Live');
    // The screen reaches Firefox directly: the room stays peer to peer.
    expect(await fox.evaluate(() => document.body.innerText)).toContain('screens arrive peer to peer');

    // Zoom: the full view asks Ada for full quality, and Firefox decodes the larger frames.
    await fox.evaluate(() =>
      (document.querySelector('figure[aria-label="Ada: Live"] button.screen') as HTMLButtonElement).click(),
    );
    await fox.waitForFunction(
      () => ((document.querySelector('dialog[open] video') as HTMLVideoElement | null)?.videoWidth ?? 0) > 640,
      { timeout: 20_000 },
    );
    const zoomedWidth = await fox.evaluate(
      () => (document.querySelector('dialog[open] video') as HTMLVideoElement).videoWidth,
    );
    expect(zoomedWidth).toBeGreaterThan(640);
    await fox.keyboard.press('Escape');

    await room.pupils[0]!.stopButton().click();
    await waitForTile(fox, 'Ada', 'Stopped sharing', 5_000);
  } finally {
    await firefox.close();
    await room.closeAll();
  }
});

test('a Firefox teacher watches through the relay', async ({ browser }) => {
  const server = await startBuiltServer({ RELAY_MODE: 'always', RELAY_ANNOUNCED_IPS: '127.0.0.1' });
  const firefox = await headlessFirefox();
  const room = await chromiumClass(browser, server.url, ['Ada', 'Ben']);
  try {
    const fox = await firefoxTeacher(firefox, room.links.supervisor, 'Mr Fox');
    await waitForTile(fox, 'Ada', 'Live');
    await waitForTile(fox, 'Ben', 'Live');
    expect(await fox.evaluate(() => document.body.innerText)).toContain('screens arrive through the server’s relay');
    // Through the relay, not round it: nobody in the room had to be sent screens directly. Here
    // every device has two networks (loopback and ensureDefaultRoute's), so each student's call to
    // the relay has two candidate pairs. While browsers took the relay for a full ICE agent, such a
    // call never finished its DTLS handshake, and every student was sent round the relay after 10 s.
    expect((await roomOnWire(server.url, room.replies[0]!)).routes).toMatchObject({
      transport: 'relay',
      directMembers: [],
    });
  } finally {
    await firefox.close();
    await room.closeAll();
    await server.stop();
  }
});

test('a Firefox student with a window shares to a Chromium teacher, with no false window warning', async ({
  browser,
  baseURL,
}) => {
  const x = await startXvfb();
  const firefox = await launchFirefox(x.display);
  const room = await chromiumClass(browser, baseURL!, []);
  try {
    const student = await firefox.newPage();
    await student.goto(room.links.student);
    await fill(student, 'Your name', 'Fox');
    await clickButton(student, 'Join');
    await clickButton(student, 'Share my screen');
    await student.waitForFunction(() =>
      [...document.querySelectorAll('button')].some((b) => b.textContent?.trim() === 'Stop sharing'),
    );

    const tile = room.lee.tile('Fox');
    await expectFramesDecoded(tile);
    // Firefox does not say which surface was picked: nothing may claim the student shares a window.
    const text = await student.evaluate(() => document.body.innerText);
    expect(text).not.toMatch(/window/i);
    await expect(room.lee.page.getByText(/window/i)).toHaveCount(0);
  } finally {
    await firefox.close();
    x.stop();
    await room.closeAll();
  }
});
