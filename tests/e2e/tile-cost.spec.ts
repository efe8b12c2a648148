/**
 * Cost follows what the teacher sees: a tile scrolled off the wall, or a wall in a background tab,
 * gets no video at all (read from the browsers' own WebRTC stats), and comes back live, decoding
 * from a fresh keyframe, when it is seen again; peer to peer and through the relay.
 */
import { expect, test, type Browser, type Page } from '@playwright/test';
import { startBuiltServer } from '../helpers/built-server.ts';
import {
  TRACK_PEER_CONNECTIONS,
  growthOver,
  setTabHidden,
  tileInbound,
  videoBytesReceived,
  videoBytesSent,
} from './media-stats.ts';
import { HomePage, StudentRoomPage, SupervisorRoomPage, expectFramesDecoded, type Person } from './pages.ts';

// A short wall, so a scroll can take the first tile off the screen.
const SHORT_WALL = { width: 600, height: 400 };

/** A fresh context whose connections can be read, at `path` on `baseURL`. */
async function seat(browser: Browser, baseURL: string, path: string, viewport = { width: 1280, height: 720 }) {
  const context = await browser.newContext({ viewport, baseURL });
  await context.addInitScript(TRACK_PEER_CONNECTIONS);
  const page = await context.newPage();
  await page.goto(path);
  return { context, page };
}

/** A room with a host (its wall `wall` large) and sharing students whose tiles are live. */
async function sharingClass(browser: Browser, baseURL: string, names: string[], wall = SHORT_WALL) {
  const people: Person[] = [];
  const host = await seat(browser, baseURL, '/', wall);
  people.push(host);
  const lee = await new HomePage(host.page).createRoom('Tiles', 'Ms Lee');
  const code = await lee.code();
  const { supervisor: invite } = await lee.inviteLinks();
  // The invitation is put away: the wall is what this is about.
  await host.page.getByRole('button', { name: 'Hide invitation' }).click();
  if (wall === SHORT_WALL) await largeTilesThatScroll(lee);
  const students: Page[] = [];
  for (const name of names) {
    const p = await seat(browser, baseURL, `/join/${code}`);
    people.push(p);
    await new HomePage(p.page).join({ name });
    const room = new StudentRoomPage(p.page);
    await expect(room.heading('Tiles')).toBeVisible();
    await room.shareButton().click();
    students.push(p.page);
  }
  // Live is frames decoded (from stats); a tile below the fold is live too, though it then gets nothing.
  for (const name of names) await expect(lee.tile(name)).toHaveAccessibleName(`${name}: Live`);
  const supervisor = async (name: string) => {
    const p = await seat(browser, baseURL, invite.replace(/^https?:\/\/[^/]+/, ''), SHORT_WALL);
    people.push(p);
    await new HomePage(p.page).join({ name });
    const view = new SupervisorRoomPage(p.page);
    await expect(view.heading('Tiles')).toBeVisible();
    await largeTilesThatScroll(view);
    for (const n of names) await expect(view.tile(n)).toHaveAccessibleName(`${n}: Live`);
    return view;
  };
  return { lee, students, supervisor, closeAll: () => Promise.all(people.map((p) => p.context.close())) };
}

/**
 * The wall fits a whole class by default; a teacher who picks large tiles and scrolling gets a wall
 * taller than the screen, which is what these tests scroll.
 */
async function largeTilesThatScroll(view: SupervisorRoomPage): Promise<void> {
  const settings = view.page.locator('details.wall-settings');
  await settings.locator('summary').click();
  await view.page.getByLabel('Tile size').selectOption('large');
  await view.page.getByLabel('When the class does not fit').selectOption('scroll');
  await settings.locator('summary').click();
}

/** Scrolls the wall until the first tile (Ada's) is just above the screen, the next (Bo's) still on it. */
async function scrollFirstRowAway(view: SupervisorRoomPage): Promise<void> {
  const box = (await view.tile('Ada').boundingBox())!;
  await view.page.evaluate((by) => scrollBy(0, by), box.y + box.height + 8);
  await expect(view.tile('Ada')).not.toBeInViewport();
  await expect(view.tile('Bo')).toBeInViewport();
}

/**
 * Polls until `read` stops growing over one second, then checks it stays put for two more; checks
 * `meanwhile` (what else must hold once it has stopped) during those two seconds, not after them.
 */
async function expectStops(page: Page, read: () => Promise<number>, meanwhile?: () => Promise<void>): Promise<void> {
  await expect.poll(() => growthOver(page, 1000, read), { timeout: 10_000, intervals: [0] }).toBe(0);
  const [held] = await Promise.all([growthOver(page, 2000, read), meanwhile?.()]);
  expect(held).toBe(0);
}

/** The tile decodes new frames again, starting from a keyframe it had not had before. */
async function expectBackLive(view: SupervisorRoomPage, name: string, before: { frames: number; keyFrames: number }) {
  await expect
    .poll(async () => (await tileInbound(view.page, name)).frames, { timeout: 5000 })
    .toBeGreaterThan(before.frames);
  expect((await tileInbound(view.page, name)).keyFrames).toBeGreaterThan(before.keyFrames);
  await expectFramesDecoded(view.tile(name));
}

test('a tile scrolled off the wall gets no video, and comes back live when scrolled back', async ({
  browser,
  baseURL,
}) => {
  const { lee, students, closeAll } = await sharingClass(browser, baseURL!, ['Ada', 'Bo', 'Cy']);
  const [ada, bo] = students as [Page, Page];
  await scrollFirstRowAway(lee);
  // Ada's browser stops sending to Ms Lee, her only viewer; Bo, still on screen, keeps sending.
  await expectStops(
    ada,
    () => videoBytesSent(ada),
    async () => expect(await growthOver(bo, 2000, () => videoBytesSent(bo))).toBeGreaterThan(0),
  );

  const before = await tileInbound(lee.page, 'Ada');
  await lee.page.evaluate(() => scrollTo(0, 0));
  await expect(lee.tile('Ada')).toBeInViewport();
  await expectBackLive(lee, 'Ada', before);
  expect(await growthOver(ada, 2000, () => videoBytesSent(ada))).toBeGreaterThan(0);
  await closeAll();
});

test('a wall in a background tab receives no video, and is live again when brought back', async ({
  browser,
  baseURL,
}) => {
  // A wall large enough for both tiles: only the tab hides them.
  const { lee, students, closeAll } = await sharingClass(browser, baseURL!, ['Ada', 'Bo'], {
    width: 1280,
    height: 800,
  });
  for (const name of ['Ada', 'Bo']) await expect(lee.tile(name)).toBeInViewport({ ratio: 1 });
  await setTabHidden(lee.page, true);
  await expectStops(
    lee.page,
    () => videoBytesReceived(lee.page),
    async () => {
      const sent = await Promise.all(
        students.map((student) => growthOver(student, 1000, () => videoBytesSent(student))),
      );
      expect(sent).toEqual(students.map(() => 0));
    },
  );

  const before = { Ada: await tileInbound(lee.page, 'Ada'), Bo: await tileInbound(lee.page, 'Bo') };
  await setTabHidden(lee.page, false);
  for (const name of ['Ada', 'Bo'] as const) await expectBackLive(lee, name, before[name]);
  await closeAll();
});

test('through the relay, a supervisor who scrolls a tile away gets nothing for it, and the student stops once nobody sees it', async ({
  browser,
}) => {
  const server = await startBuiltServer({ RELAY_ANNOUNCED_IPS: '127.0.0.1', RELAY_MODE: 'always' });
  try {
    const { lee, students, supervisor, closeAll } = await sharingClass(browser, server.url, ['Ada', 'Bo', 'Cy']);
    const ode = await supervisor('Mr Ode');
    const ada = students[0]!;
    await scrollFirstRowAway(lee);
    // The relay stops forwarding Ada to Ms Lee, and only to her: Mr Ode still sees Ada.
    await expectStops(
      lee.page,
      async () => (await tileInbound(lee.page, 'Ada')).bytes,
      async () => {
        const [toOde, fromAda] = await Promise.all([
          growthOver(ode.page, 2000, async () => (await tileInbound(ode.page, 'Ada')).bytes),
          growthOver(ada, 1000, () => videoBytesSent(ada)),
        ]);
        expect(toOde).toBeGreaterThan(0);
        expect(fromAda).toBeGreaterThan(0);
      },
    );

    // Nobody sees Ada now: her browser stops sending to the relay.
    await scrollFirstRowAway(ode);
    await expectStops(ada, () => videoBytesSent(ada));

    // Back on Ms Lee's screen: the relay asks Ada for a picture again, starting at a keyframe.
    const before = await tileInbound(lee.page, 'Ada');
    await lee.page.evaluate(() => scrollTo(0, 0));
    await expectBackLive(lee, 'Ada', before);
    expect(await growthOver(ode.page, 2000, async () => (await tileInbound(ode.page, 'Ada')).bytes)).toBe(0);
    await closeAll();
  } finally {
    await server.stop();
  }
});
