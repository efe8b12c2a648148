/**
 * A class-sized room on the wall: 30 students (most joined through the real API with a real
 * PeerServer connection, a few as real Chromium pages sharing a fake screen), watched from tablet
 * sized windows. Layout, inviting without leaking, zoom, notices and accessibility.
 */
import { AxeBuilder } from '@axe-core/playwright';
import { expect, test, type Browser, type Page } from '@playwright/test';
import { call, join } from '../helpers/client.ts';
import { connectPeer, type PeerSocket } from '../helpers/peer.ts';
import { HomePage, StudentRoomPage, SupervisorRoomPage, expectFramesDecoded, person, type Person } from './pages.ts';

/** Students joined through the API; NAMES[0..CHROMIUM_SHARERS) are real Chromium pages that share. */
const CLASS_SIZE = 30;
const CHROMIUM_SHARERS = 3;
const NAMES = Array.from(
  { length: CLASS_SIZE },
  (_, i) =>
    ['Ada', 'Bo', 'Cy', 'Dee', 'Eli', 'Fay', 'Gus', 'Hana', 'Ivo', 'Jun'][i % 10]! +
    (i < 10 ? '' : ` ${Math.floor(i / 10) + 1}`),
);

interface ClassRoom {
  teacher: Person;
  lee: SupervisorRoomPage;
  code: string;
  /** The API students, by name, with their seat and PeerServer socket. */
  api: Map<string, { token: string; socket: PeerSocket }>;
  sharers: Person[];
  /** API students stopped so far, in order: each notices test stops the next four. */
  stopped: string[];
  close: () => Promise<void>;
}

async function classOf30(browser: Browser, baseURL: string, viewport: { width: number; height: number }) {
  // baseURL given outright: a class made in a beforeAll hook has no test's context options.
  const teacher = await person(browser, '/', viewport, baseURL);
  const lee = await new HomePage(teacher.page).createRoom('Year 8 Science', 'Ms Lee', false);
  const code = await lee.code();
  const sharers: Person[] = [];
  for (const name of NAMES.slice(0, CHROMIUM_SHARERS)) {
    const p = await person(browser, `/join/${code}`, { width: 1280, height: 720 }, baseURL);
    await new HomePage(p.page).join({ name });
    const room = new StudentRoomPage(p.page);
    await room.shareButton().click();
    await expect(room.stopButton()).toBeVisible();
    sharers.push(p);
  }
  const api = new Map<string, { token: string; socket: PeerSocket }>();
  for (const name of NAMES.slice(CHROMIUM_SHARERS)) {
    const member = await join(baseURL, code, name);
    api.set(name, { token: member.token, socket: await connectPeer(baseURL, member.peerId, member.token) });
  }
  await expect(teacher.page.locator('.tile')).toHaveCount(CLASS_SIZE);
  for (const name of NAMES.slice(0, CHROMIUM_SHARERS)) await expectFramesDecoded(lee.tile(name));
  const close = async () => {
    for (const { socket } of api.values()) socket.ws.close();
    for (const p of [teacher, ...sharers]) await p.context.close().catch(() => undefined);
  };
  return { teacher, lee, code, api, sharers, stopped: [] as string[], close } satisfies ClassRoom;
}

/** Sets an API student's share flag, as their app would. */
async function share(baseURL: string, room: ClassRoom, name: string, sharing: boolean) {
  const reply = await call(baseURL, 'PUT', `/api/rooms/${room.code}/members/me/share`, {
    token: room.api.get(name)!.token,
    body: { sharing },
  });
  expect(reply.status).toBe(200);
}

/** Every tile's box, and whether its name is shown whole. */
function tileBoxes(page: Page) {
  return page.locator('.tile').evaluateAll((tiles) =>
    tiles.map((tile) => {
      const box = tile.getBoundingClientRect();
      const name = tile.querySelector<HTMLElement>('.name')!;
      return {
        name: name.textContent,
        left: box.left,
        top: box.top + scrollY,
        right: box.right,
        bottom: box.bottom + scrollY,
        width: box.width,
        nameWhole: name.scrollWidth <= name.clientWidth && name.getBoundingClientRect().height > 0,
      };
    }),
  );
}

/** A window size the class is watched in. */
type Viewport = { width: number; height: number };

/** Every tile inside the window, every name shown whole. */
async function expectClassFits(room: ClassRoom, viewport: Viewport): Promise<void> {
  await room.teacher.page.evaluate(() => scrollTo(0, 0));
  const boxes = await tileBoxes(room.teacher.page);
  expect(boxes).toHaveLength(CLASS_SIZE);
  for (const box of boxes) {
    expect(box.left, box.name!).toBeGreaterThanOrEqual(0);
    expect(box.top, box.name!).toBeGreaterThanOrEqual(0);
    expect(box.right, box.name!).toBeLessThanOrEqual(viewport.width);
    expect(box.bottom, box.name!).toBeLessThanOrEqual(viewport.height);
    expect(box.nameWhole, box.name!).toBe(true);
  }
  expect(new Set(boxes.map((b) => b.name))).toEqual(new Set(NAMES));
}

/** Notices cover no button and go by themselves; a stop shows in tile and roster. Four more API students stop. */
async function expectNoticesCoverNothing(baseURL: string, room: ClassRoom, viewport: Viewport): Promise<void> {
  const page = room.teacher.page;
  // Notices: several students stop sharing, and a co-teacher is made host and back.
  const from = CHROMIUM_SHARERS + room.stopped.length;
  const stopping = NAMES.slice(from, from + 4);
  room.stopped.push(...stopping);
  for (const name of stopping) await share(baseURL, room, name, true);
  for (const name of stopping) await share(baseURL, room, name, false);
  // The newest notices show (older ones give way); every stop shows in its tile and the roster.
  for (const name of stopping.slice(-2)) await expect(room.lee.notice(`${name} stopped sharing.`)).toBeVisible();
  for (const name of stopping) {
    await expect(room.lee.tile(name)).toHaveAccessibleName(`${name}: Stopped sharing`);
    await expect(room.lee.students().filter({ hasText: new RegExp(`^${name} [A-Z]`) })).toContainText(
      'Stopped sharing',
    );
  }
  const notYet = CLASS_SIZE - CHROMIUM_SHARERS - room.stopped.length;
  await expect(page.locator('.wall-summary')).toHaveText(
    `${CHROMIUM_SHARERS} of ${CLASS_SIZE} sharing · ${room.stopped.length} stopped · ${notYet} not yet`,
  );
  // Hit test: the middle of every button in the page receives the pointer, notices showing.
  // The pointer rests at the window's left edge, where no tile is, so no tile is hover-zoomed.
  await page.mouse.move(0, 0);
  await expect(page.locator('.notices .notice')).toHaveCount(2);
  // Quick enough that the notices are still up: the page is scrolled a window at a time, and
  // the middle of every button wholly in the window must receive the pointer.
  const hits = new Map<Element | string, { label: string; covered: string | null; notices: number }>();
  const pageHeight = await page.evaluate(() => document.documentElement.scrollHeight);
  for (let y = 0; y < pageHeight; y += Math.floor(viewport.height / 2)) {
    await page.evaluate((top) => scrollTo(0, top), y);
    // A scroll can bring a tile under the resting pointer, and a hovered tile grows over its
    // neighbours by design: rest the pointer where no tile is in this window.
    const rest = await page.evaluate(() => {
      for (let py = 2; py < innerHeight; py += 16) {
        for (let px = 2; px < innerWidth; px += 16) {
          const at = document.elementFromPoint(px, py);
          if (at && !at.closest('.tile, button, a, input, select, summary')) return { x: px, y: py };
        }
      }
      return null;
    });
    expect(rest, 'somewhere in the window without a tile or control').not.toBeNull();
    await page.mouse.move(rest!.x, rest!.y);
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    const seen = await page.locator('button:visible').evaluateAll((buttons) =>
      buttons.flatMap((el, index) => {
        const box = el.getBoundingClientRect();
        if (box.top < 0 || box.bottom > innerHeight) return [];
        const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
        const covered = hit && (hit === el || el.contains(hit)) ? null : (hit?.outerHTML.slice(0, 120) ?? 'nothing');
        const notices = document.querySelectorAll('.notices .notice').length;
        return [{ index, label: el.textContent ?? '', covered, notices }];
      }),
    );
    for (const { index, ...hit } of seen) hits.set(String(index), hit);
  }
  // 30 tiles, 30 Remove buttons, the notices' own, the room's and the wall's controls.
  const all = [...hits.values()];
  expect(all.length, all.map((h) => h.label).join('|')).toBeGreaterThan(CLASS_SIZE * 2 + 4);
  expect(all.filter((h) => h.covered !== null)).toEqual([]);
  expect(all.every((h) => h.notices === 2)).toBe(true);
  await page.evaluate(() => scrollTo(0, 0));
  await expect(page.locator('.notices .notice')).not.toHaveCount(0);
  // Routine notices go by themselves; the tiles keep the state.
  await expect(page.locator('.notices .notice')).toHaveCount(0, { timeout: 15_000 });
  for (const name of stopping) await expect(room.lee.tile(name)).toHaveAccessibleName(`${name}: Stopped sharing`);
}

/** Hover zoom stays inside the wall; the full view steps through students and returns focus. */
async function expectZoomAndFullView(room: ClassRoom, viewport: Viewport): Promise<void> {
  const page = room.teacher.page;
  const toolbarBottom = await page.locator('.wall-toolbar').evaluate((el) => el.getBoundingClientRect().bottom);
  const boxes = await tileBoxes(page);
  // The tiles at the corners of the grid, where an unclamped zoom would leave the screen.
  const corners = [
    boxes[0]!,
    boxes.reduce((a, b) => (b.right > a.right || (b.right === a.right && b.top < a.top) ? b : a)),
    boxes.reduce((a, b) => (b.bottom >= a.bottom && b.left <= a.left ? b : a)),
    boxes.at(-1)!,
  ];
  for (const corner of corners) {
    await page.mouse.move(0, 0);
    await page.mouse.move(corner.left + corner.width / 2, corner.top + 20);
    const tile = page.locator(`.tile:has(.name:text-is("${corner.name}"))`);
    await expect(tile).toHaveClass(/grown/);
    await page.waitForTimeout(250); // the grow transition
    const grown = (await tile.boundingBox())!;
    expect(grown.width, corner.name!).toBeGreaterThan(corner.width * 1.3);
    expect(grown.x).toBeGreaterThanOrEqual(0);
    expect(grown.x + grown.width).toBeLessThanOrEqual(viewport.width);
    expect(grown.y).toBeGreaterThanOrEqual(toolbarBottom);
    expect(grown.y + grown.height).toBeLessThanOrEqual(viewport.height);
  }
  await page.mouse.move(0, 0);

  // The full view: next and previous by button, arrow keys and swipe; name and state shown.
  await room.lee.tile('Ada').getByRole('button', { name: 'Open Ada’s screen' }).click();
  const dialog = page.getByRole('dialog', { name: 'Ada’s screen' });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole('heading')).toContainText('Ada');
  await expect(dialog.getByRole('heading')).toContainText('Live');
  await page.getByRole('button', { name: 'Next student' }).click();
  await expect(page.getByRole('dialog', { name: 'Bo’s screen' })).toBeVisible();
  await page.keyboard.press('ArrowRight');
  await expect(page.getByRole('dialog', { name: 'Cy’s screen' })).toBeVisible();
  await page.keyboard.press('ArrowLeft');
  await expect(page.getByRole('dialog', { name: 'Bo’s screen' })).toBeVisible();
  await page.getByRole('button', { name: 'Previous student' }).click();
  await expect(page.getByRole('dialog', { name: 'Ada’s screen' })).toBeVisible();
  // Previous from the first wraps to the last.
  await page.keyboard.press('ArrowLeft');
  await expect(page.getByRole('dialog', { name: `${NAMES.at(-1)}’s screen` })).toBeVisible();
  await expect(page.getByRole('dialog').getByRole('heading')).toContainText('Waiting');
  // A swipe to the left goes to the next student.
  await page.mouse.move(700, 500);
  await page.mouse.down();
  await page.mouse.move(450, 505, { steps: 5 });
  await page.mouse.up();
  await expect(page.getByRole('dialog', { name: 'Ada’s screen' })).toBeVisible();
  await page.keyboard.press('ArrowRight');
  await expect(page.getByRole('dialog', { name: 'Bo’s screen' })).toBeVisible();
  expect(await new AxeBuilder({ page }).include('dialog.zoom').analyze()).toMatchObject({ violations: [] });
  // Escape closes, and focus returns to the tile of the student last shown.
  await page.keyboard.press('Escape');
  await expect(page.getByRole('dialog')).toHaveCount(0);
  await expect(room.lee.tile('Bo').getByRole('button', { name: 'Open Bo’s screen' })).toBeFocused();
}

/** The window sizes the class is watched in, in turn; the axe check last, at a desktop's. */
const WALL_SIZES: Viewport[] = [
  { width: 1024, height: 768 },
  { width: 820, height: 1180 },
];
const AXE_SIZE: Viewport = { width: 1366, height: 1024 };

/**
 * Shows the class's wall in a window of `viewport`: the teacher's window takes that size and the wall
 * is loaded again in it, as when the teacher opens the room on that screen, every live screen back.
 */
async function showWallAt(room: ClassRoom, viewport: Viewport): Promise<void> {
  const page = room.teacher.page;
  const now = page.viewportSize();
  if (now?.width === viewport.width && now.height === viewport.height) return;
  await page.setViewportSize(viewport);
  await page.reload();
  await expect(page.locator('.tile')).toHaveCount(CLASS_SIZE);
  for (const name of NAMES.slice(0, CHROMIUM_SHARERS)) await expectFramesDecoded(room.lee.tile(name));
}

/**
 * One class of 30, shared by every test in this group: building one (three live screens, 27
 * PeerServer sockets) is the slowest part of each. They run in order, each size's layout (reads only),
 * notices (four more API students stop sharing) and zoom (reads the layout, opens students who kept
 * their state), then axe. Serial: a failure skips the rest rather than run them on a class it left.
 */
test.describe.serial('a class of 30', () => {
  let shared: ClassRoom | undefined;
  const room = () => shared!;
  test.beforeAll(async ({ browser }, testInfo) => {
    shared = await classOf30(browser, testInfo.project.use.baseURL!, WALL_SIZES[0]!);
  });
  test.afterAll(async () => {
    await shared?.close();
  });

  for (const viewport of WALL_SIZES) {
    const size = `${viewport.width}×${viewport.height}`;
    test.describe(`on a ${size} wall`, () => {
      test.beforeAll(async () => {
        await showWallAt(room(), viewport);
      });

      test(`30 tiles fit inside a ${size} window, every name readable`, async () => {
        await expectClassFits(room(), viewport);
      });

      test(`no notice covers a button, routine ones go by themselves, and a stop shows in tile and roster (${size})`, async ({
        baseURL,
      }) => {
        await expectNoticesCoverNothing(baseURL!, room(), viewport);
      });

      if (viewport.width === 1024) {
        test('hover zoom stays inside the wall; the full view steps through students and returns focus', async () => {
          await expectZoomAndFullView(room(), viewport);
        });
      }
    });
  }

  test('axe finds no violations on the class wall with the invitation open and the roster', async () => {
    await showWallAt(room(), AXE_SIZE);
    const page = room().teacher.page;
    await page.getByRole('button', { name: 'Invite', exact: true }).click();
    await page.getByRole('button', { name: 'Show supervisor key and link' }).click();
    await page.getByLabel('Find').fill('a');
    expect((await new AxeBuilder({ page }).analyze()).violations).toEqual([]);
  });
});

test('the projector view and the folded invitation show no supervisor key or link', async ({ browser, baseURL }) => {
  const teacher = await person(browser, '/', { width: 1024, height: 768 });
  const lee = await new HomePage(teacher.page).createRoom('Year 8 Science', 'Ms Lee', false);
  const code = await lee.code();
  const page = teacher.page;
  // The invitation starts open, with the supervisor key and link hidden until revealed.
  const links = await lee.inviteLinks();
  const key = links.supervisor.split('#key=')[1]!;
  expect(key.length).toBeGreaterThan(8);
  const domText = () =>
    page.evaluate(() =>
      [
        document.documentElement.outerHTML,
        document.body.innerText,
        ...[...document.querySelectorAll('input')].map((input) => input.value),
      ].join('\n'),
    );
  const leaks = (text: string) => [key, key.replace(/-/g, ''), '#key='].filter((secret) => text.includes(secret));
  expect(leaks(await domText())).toEqual([]);
  // Copying works without showing it.
  await teacher.context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.getByRole('button', { name: 'Copy supervisor link' }).click();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(links.supervisor);
  expect(leaks(await domText())).toEqual([]);

  // The projector view: big code, QR and student link, nothing else.
  await page.getByRole('button', { name: 'Show join code' }).click();
  const projector = page.getByRole('dialog', { name: 'Join code' });
  await expect(projector.getByText(code, { exact: true })).toBeVisible();
  await expect(projector.getByRole('img', { name: 'QR code of the student join link' })).toBeVisible();
  await expect(projector.getByText(links.student, { exact: true })).toBeVisible();
  const projected = await projector.evaluate((d) => d.outerHTML + (d as HTMLElement).innerText);
  expect(leaks(projected)).toEqual([]);
  expect(projected).not.toContain('Supervisor');
  expect(await projector.getByRole('button').allTextContents()).toEqual(['Close']);
  expect(await new AxeBuilder({ page }).include('dialog.projector').analyze()).toMatchObject({ violations: [] });
  await page.keyboard.press('Escape');
  await expect(projector).toHaveCount(0);

  // The first student folds the invitation away; the Invite button brings it back.
  const ada = await join(baseURL!, code, 'Ada');
  expect(ada.id).toBeTruthy();
  await expect(page.getByRole('region', { name: 'Invite students and teachers' })).toHaveCount(0);
  expect(leaks(await domText())).toEqual([]);
  await page.getByRole('button', { name: 'Invite', exact: true }).click();
  await expect(page.getByRole('region', { name: 'Invite students and teachers' })).toBeVisible();
  expect(leaks(await domText())).toEqual([]);
  await page.getByRole('button', { name: 'Hide invitation' }).click();
  await expect(page.getByRole('button', { name: 'Invite', exact: true })).toBeFocused();
  await teacher.context.close();
});

test('on a touch screen a tap on a tile opens the full view', async ({ browser, baseURL }) => {
  const context = await browser.newContext({ viewport: { width: 820, height: 1180 }, hasTouch: true, isMobile: true });
  const page = await context.newPage();
  await page.goto('/');
  const lee = await new HomePage(page).createRoom('Year 8 Science', 'Ms Lee', false);
  await join(baseURL!, await lee.code(), 'Ada');
  await lee.tile('Ada').getByRole('button', { name: 'Open Ada’s screen' }).tap();
  await expect(page.getByRole('dialog', { name: 'Ada’s screen' })).toBeVisible();
  await context.close();
});

test('full screen holds the whole class; wall settings and the stop sound (off by default) are kept', async ({
  browser,
  baseURL,
}) => {
  const context = await browser.newContext({ viewport: { width: 1024, height: 768 } });
  // Count the tones played, through the real Web Audio API.
  await context.addInitScript(() => {
    const original = AudioContext.prototype.createOscillator;
    (window as unknown as { tones: number }).tones = 0;
    AudioContext.prototype.createOscillator = function (this: AudioContext) {
      (window as unknown as { tones: number }).tones++;
      return original.call(this);
    };
  });
  const page = await context.newPage();
  await page.goto('/');
  const lee = await new HomePage(page).createRoom('Year 8 Science', 'Ms Lee', false);
  const code = await lee.code();
  const students = [];
  for (const name of NAMES) students.push({ name, member: await join(baseURL!, code, name) });
  await expect(page.locator('.tile')).toHaveCount(CLASS_SIZE);
  const tones = () => page.evaluate(() => (window as unknown as { tones: number }).tones);
  const stop = async (token: string) => {
    for (const sharing of [true, false])
      await call(baseURL!, 'PUT', `/api/rooms/${code}/members/me/share`, { token, body: { sharing } });
  };

  // Off by default: a stop makes no sound.
  await stop(students[0]!.member.token);
  await expect(lee.tile(NAMES[0]!)).toHaveAccessibleName(`${NAMES[0]}: Stopped sharing`);
  expect(await tones()).toBe(0);
  // Turned on (and a tile size picked), both survive a reload.
  await page.getByText('Wall settings').click();
  await page.getByLabel('Play a sound when a student stops sharing').check();
  await page.getByLabel('Tile size').selectOption('large');
  // Reload once the choice is saved (IndexedDB writes are asynchronous), as a teacher would later.
  await expect
    .poll(() =>
      page.evaluate(
        () =>
          new Promise((resolve) => {
            const open = indexedDB.open('classroom-screens');
            open.onsuccess = () => {
              const read = open.result.transaction('session').objectStore('session').get('wall');
              read.onsuccess = () => {
                resolve((read.result as { size?: string; stopSound?: boolean } | undefined) ?? null);
                open.result.close();
              };
            };
          }),
      ),
    )
    .toMatchObject({ size: 'large', stopSound: true });
  await page.reload();
  await expect(page.locator('.tile')).toHaveCount(CLASS_SIZE);
  await page.getByText('Wall settings').click();
  await expect(page.getByLabel('Play a sound when a student stops sharing')).toBeChecked();
  await expect(page.getByLabel('Tile size')).toHaveValue('large');
  expect(
    await page
      .locator('.tile')
      .first()
      .evaluate((t) => t.getBoundingClientRect().width),
  ).toBe(380);
  await stop(students[1]!.member.token);
  await expect(lee.tile(NAMES[1]!)).toHaveAccessibleName(`${NAMES[1]}: Stopped sharing`);
  await expect.poll(tones).toBe(2);
  await page.getByLabel('Tile size').selectOption('fit');
  await page.getByText('Wall settings').click();

  // Full screen: the wall alone, every tile inside the screen; leaving returns to the page.
  await page.getByRole('button', { name: 'Full screen' }).click();
  await expect.poll(() => page.evaluate(() => document.fullscreenElement?.className)).toContain('wall-area');
  const screen = await page.evaluate(() => ({ width: innerWidth, height: innerHeight }));
  const boxes = await page
    .locator('.tile')
    .evaluateAll((tiles) => tiles.map((t) => t.getBoundingClientRect()).map((b) => [b.right, b.bottom]));
  for (const [right, bottom] of boxes) {
    expect(right).toBeLessThanOrEqual(screen.width);
    expect(bottom).toBeLessThanOrEqual(screen.height);
  }
  await page.getByRole('button', { name: 'Leave full screen' }).click();
  await expect.poll(() => page.evaluate(() => document.fullscreenElement)).toBeNull();
  await context.close();
});
