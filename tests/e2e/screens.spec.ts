import { expect, test, type Browser } from '@playwright/test';
import {
  HomePage,
  StudentRoomPage,
  SupervisorRoomPage,
  expectFramesDecoded,
  person,
  tileFrameWidth,
  videoWidths,
  RECORD_VIDEO_WIDTHS,
  type Person,
} from './pages.ts';
import { startCuttableProxy } from './cuttable-proxy.ts';
import { startSignallingFilter } from './signalling-filter.ts';

/** A room with a host and the given students, each in their own browser context (students' screens are 1280×720). */
async function classroom(browser: Browser, students: string[], teacherBase = '') {
  const teacher = await person(browser, `${teacherBase}/`, { width: 1280, height: 800 });
  const lee = await new HomePage(teacher.page).createRoom('Screens', 'Ms Lee');
  const code = await lee.code();
  const { supervisor: inviteLink } = await lee.inviteLinks();
  const pupils: { person: Person; room: StudentRoomPage }[] = [];
  for (const name of students) {
    const p = await person(browser, `/join/${code}`, { width: 1280, height: 720 });
    await new HomePage(p.page).join({ name });
    const room = new StudentRoomPage(p.page);
    await expect(room.heading('Screens')).toBeVisible();
    pupils.push({ person: p, room });
  }
  const joinSupervisor = async (name: string) => {
    const p = await person(browser, inviteLink.replace(/^https?:\/\/[^/]+/, ''), { width: 1280, height: 800 });
    await new HomePage(p.page).join({ name });
    const room = new SupervisorRoomPage(p.page);
    await expect(room.heading('Screens')).toBeVisible();
    return { person: p, room };
  };
  const closeAll = async (...more: Person[]) => {
    for (const p of [teacher, ...pupils.map((s) => s.person), ...more]) await p.context.close().catch(() => undefined);
  };
  return { teacher, lee, pupils, joinSupervisor, closeAll };
}

test('two students share and the wall shows both screens live, with their names', async ({ browser }) => {
  const { lee, pupils, closeAll } = await classroom(browser, ['Ada', 'Bo']);
  for (const { room } of pupils) await room.shareButton().click();
  for (const name of ['Ada', 'Bo']) await expectFramesDecoded(lee.tile(name));
  await expect(lee.tile('Ada')).toContainText('Ada');
  await expect(lee.tile('Bo')).toContainText('Bo');
  // Each student sees who receives their screen, from the live connection.
  for (const { room } of pupils) await expect(room.watchers()).toHaveText('Watching now: Ms Lee');
  await closeAll();
});

test('zooming raises one screen to full resolution for that supervisor only, and un-zooming lowers it', async ({
  browser,
}) => {
  const { lee, pupils, joinSupervisor, closeAll } = await classroom(browser, ['Ada']);
  const ode = await joinSupervisor('Mr Ode');
  // Hovering a tile asks for full quality too: keep both teachers' pointers off the wall (the room
  // setup's last click, and Mr Ode's Join, leave them where Ada's tile may appear).
  await lee.page.mouse.move(0, 0);
  await ode.person.page.mouse.move(0, 0);
  await pupils[0]!.room.shareButton().click();
  await expectFramesDecoded(lee.tile('Ada'));
  await expectFramesDecoded(ode.room.tile('Ada'));
  // The fake "entire screen" is the student's screen size.
  const captureWidth = await pupils[0]!.person.page.evaluate(() => screen.width);
  expect(captureWidth).toBe(1280);
  expect(await tileFrameWidth(lee.tile('Ada'))).toBeLessThanOrEqual(640);

  // Click for the full view: this supervisor's copy rises to the capture's full width.
  await lee.tile('Ada').getByRole('button', { name: 'Open Ada’s screen' }).click();
  await expect(lee.page.getByRole('dialog', { name: 'Ada’s screen' })).toBeVisible();
  await expect.poll(() => tileFrameWidth(lee.tile('Ada')), { timeout: 15_000 }).toBe(captureWidth);
  // The other supervisor's copy stays a thumbnail.
  expect(await tileFrameWidth(ode.room.tile('Ada'))).toBeLessThanOrEqual(640);

  // The wall behind the full view is inert: the keyboard never reaches it, and Escape closes.
  const focusOutsideDialog = () =>
    lee.page.evaluate(() => {
      const active = document.activeElement;
      return active && active !== document.body && !active.closest('dialog') ? active.outerHTML.slice(0, 80) : null;
    });
  for (let i = 0; i < 4; i++) {
    await lee.page.keyboard.press('Tab');
    expect(await focusOutsideDialog()).toBeNull();
  }
  await lee.page.keyboard.press('Escape');
  await expect(lee.page.getByRole('dialog')).toHaveCount(0);
  await expect(lee.tile('Ada').getByRole('button', { name: 'Open Ada’s screen' })).toBeFocused();
  await expect.poll(() => tileFrameWidth(lee.tile('Ada')), { timeout: 15_000 }).toBeLessThanOrEqual(640);
  await closeAll(ode.person);
});

test('a large tile’s first picture comes at thumbnail size, and the next at the size the tile asks for', async ({
  browser,
}) => {
  // A high-density screen (as many teachers' laptops and tablets have): the tile's picture is more
  // than a thumbnail's 640 device pixels wide, so it asks for the screen at full size.
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 2 });
  await context.addInitScript(RECORD_VIDEO_WIDTHS);
  const page = await context.newPage();
  await page.goto('/');
  const lee = await new HomePage(page).createRoom('Screens', 'Ms Lee');
  const ada = await person(browser, `/join/${await lee.code()}`, { width: 1280, height: 720 });
  await new HomePage(ada.page).join({ name: 'Ada' });
  const student = new StudentRoomPage(ada.page);
  await page.mouse.move(0, 0);
  // The room's first share may race the relay beside the direct call; the second is the direct call alone.
  await student.shareButton().click();
  await expectFramesDecoded(lee.tile('Ada'));
  await student.stopButton().click();
  await expect(lee.tile('Ada')).toHaveAccessibleName('Ada: Stopped sharing');

  await student.shareButton().click();
  await expectFramesDecoded(lee.tile('Ada'));
  await expect.poll(() => tileFrameWidth(lee.tile('Ada'))).toBe(1280);
  expect((await videoWidths(lee.tile('Ada')))[0]).toBe(640);
  for (const c of [context, ada.context]) await c.close();
});

test('a student who stops sharing is shown at once, and one tap shares again', async ({ browser }) => {
  const { lee, pupils, closeAll } = await classroom(browser, ['Ada']);
  const ada = pupils[0]!.room;
  await ada.shareButton().click();
  await expectFramesDecoded(lee.tile('Ada'));
  await ada.stopButton().click();
  await expect(lee.tile('Ada')).toHaveAccessibleName('Ada: Stopped sharing', { timeout: 2000 });
  await expect(lee.notice('Ada stopped sharing.')).toBeVisible();
  await expect(ada.shareButton()).toHaveText('Share again');
  await ada.shareButton().click();
  await expectFramesDecoded(lee.tile('Ada'));
  await closeAll();
});

test('a student who shares before their signalling connection is up is seen as soon as it is', async ({
  browser,
  baseURL,
}) => {
  // PeerJS drops what is sent before its socket opens: a call placed then would wait out its
  // 10 s connect timeout. Here the student's socket takes 3 s to open.
  const filter = await startSignallingFilter(Number(new URL(baseURL!).port));
  filter.upgradeDelayMs = 3000;
  const { lee, closeAll } = await classroom(browser, []);
  const p = await person(browser, `/join/${await lee.code()}`, { width: 1280, height: 720 }, filter.url);
  try {
    await new HomePage(p.page).join({ name: 'Ada' });
    const ada = new StudentRoomPage(p.page);
    await ada.shareButton().click();
    await expect(lee.tile('Ada')).toHaveAccessibleName('Ada: Live', { timeout: 8000 });
    await expectFramesDecoded(lee.tile('Ada'));
  } finally {
    await closeAll(p);
    await filter.close();
  }
});

test('a tap on Share while the app is still loading its media code is not lost', async ({ browser, baseURL }) => {
  const { lee, closeAll } = await classroom(browser, []);
  // The media code (PeerJS) loads only inside a room; here it takes 1.5 s to arrive.
  const context = await browser.newContext({
    baseURL,
    serviceWorkers: 'block',
    viewport: { width: 1280, height: 720 },
  });
  await context.route('**/assets/peer-media-*.js', async (route) => {
    await new Promise((r) => setTimeout(r, 1500));
    await route.continue();
  });
  const page = await context.newPage();
  try {
    await page.goto(`/join/${await lee.code()}`);
    await new HomePage(page).join({ name: 'Ada' });
    const ada = new StudentRoomPage(page);
    await ada.shareButton().click();
    await expectFramesDecoded(lee.tile('Ada'));
  } finally {
    await context.close();
    await closeAll();
  }
});

test('the browser ending the capture (its own “Stop sharing” bar) tells the room too', async ({ browser }) => {
  const { lee, pupils, closeAll } = await classroom(browser, ['Ada']);
  const ada = pupils[0]!;
  // Keep a handle on the captured track, as the browser's own sharing bar has one.
  await ada.person.page.evaluate(() => {
    const original = navigator.mediaDevices.getDisplayMedia.bind(navigator.mediaDevices);
    navigator.mediaDevices.getDisplayMedia = async (options) => {
      const stream = await original(options);
      (window as unknown as { capturedTrack: MediaStreamTrack }).capturedTrack = stream.getVideoTracks()[0]!;
      return stream;
    };
  });
  await ada.room.shareButton().click();
  await expectFramesDecoded(lee.tile('Ada'));
  // What "Stop sharing" in the browser does: the track stops and fires 'ended'.
  await ada.person.page.evaluate(() => {
    const track = (window as unknown as { capturedTrack: MediaStreamTrack }).capturedTrack;
    track.stop();
    track.dispatchEvent(new Event('ended'));
  });
  await expect(lee.tile('Ada')).toHaveAccessibleName('Ada: Stopped sharing', { timeout: 2000 });
  await expect(ada.room.shareButton()).toHaveText('Share again');
  await closeAll();
});

test('a supervisor who joins after a student stopped sees “Stopped sharing”, as the one who watched it', async ({
  browser,
}) => {
  const { lee, pupils, joinSupervisor, closeAll } = await classroom(browser, ['Ada', 'Bo']);
  await pupils[0]!.room.shareButton().click();
  await expectFramesDecoded(lee.tile('Ada'));
  await pupils[0]!.room.stopButton().click();
  await expect(lee.tile('Ada')).toHaveAccessibleName('Ada: Stopped sharing', { timeout: 2000 });
  const ode = await joinSupervisor('Mr Ode');
  await expect(ode.room.tile('Ada')).toHaveAccessibleName('Ada: Stopped sharing');
  await expect(ode.room.students().filter({ hasText: 'Ada' })).toContainText('Stopped sharing');
  // A student who never shared reads differently on both walls.
  await expect(ode.room.tile('Bo')).toHaveAccessibleName('Bo: Waiting');
  await expect(lee.tile('Bo')).toHaveAccessibleName('Bo: Waiting');
  await closeAll(ode.person);
});

test('a supervisor who joins late receives every sharing student; one who leaves drops off the students’ list', async ({
  browser,
}) => {
  const { lee, pupils, joinSupervisor, closeAll } = await classroom(browser, ['Ada', 'Bo']);
  for (const { room } of pupils) await room.shareButton().click();
  await expectFramesDecoded(lee.tile('Ada'));
  const ode = await joinSupervisor('Mr Ode');
  for (const name of ['Ada', 'Bo']) await expectFramesDecoded(ode.room.tile(name));
  for (const { room } of pupils) await expect(room.watchers()).toHaveText('Watching now: Ms Lee, Mr Ode');
  await ode.room.leave();
  for (const { room } of pupils) await expect(room.watchers()).toHaveText('Watching now: Ms Lee');
  await closeAll(ode.person);
});

test('a student who closes the app shows as stopped within 2 s; one who reloads is live again after one tap', async ({
  browser,
}) => {
  const { lee, pupils, closeAll } = await classroom(browser, ['Ada', 'Bo']);
  for (const { room } of pupils) await room.shareButton().click();
  for (const name of ['Ada', 'Bo']) await expectFramesDecoded(lee.tile(name));

  // Closing the app's page: its pagehide update (a keepalive request) must outlive the page.
  await pupils[1]!.person.page.close();
  await expect(lee.tile('Bo')).toHaveAccessibleName('Bo: Stopped sharing', { timeout: 2000 });
  await expect(lee.students().filter({ hasText: 'Bo' })).toContainText('Stopped sharing');

  const ada = pupils[0]!;
  await ada.person.page.reload();
  await expect(ada.room.heading('Screens')).toBeVisible();
  await expect(lee.tile('Ada')).not.toHaveAccessibleName('Ada: Live');
  await ada.room.shareButton().click();
  await expectFramesDecoded(lee.tile('Ada'));
  await expect(lee.page.getByRole('figure', { name: /^Ada:/ })).toHaveCount(1);
  await closeAll();
});

test('when a supervisor’s signalling drops for a few seconds the wall says so and the screens come back by themselves', async ({
  browser,
  baseURL,
}) => {
  // The teacher reaches the server through a proxy this test can cut; students connect directly.
  const proxy = await startCuttableProxy(Number(new URL(baseURL!).port));
  const { teacher, lee, pupils, closeAll } = await classroom(browser, ['Ada', 'Bo'], proxy.url);
  for (const { room } of pupils) await room.shareButton().click();
  for (const name of ['Ada', 'Bo']) await expectFramesDecoded(lee.tile(name));

  const outage = proxy.cut(4000);
  await expect(teacher.page.getByText('The server is restarting — screens continue')).toBeVisible();
  await outage;
  await expect(lee.notice('Back online.')).toBeVisible({ timeout: 20_000 });
  await expect(teacher.page.getByText('The server is restarting — screens continue')).toHaveCount(0, {
    timeout: 20_000,
  });
  for (const name of ['Ada', 'Bo']) await expectFramesDecoded(lee.tile(name));
  // After the outage a student who starts sharing reaches the teacher as before.
  await pupils[0]!.room.stopButton().click();
  await expect(lee.tile('Ada')).toHaveAccessibleName('Ada: Stopped sharing');
  await pupils[0]!.room.shareButton().click();
  await expectFramesDecoded(lee.tile('Ada'));
  await closeAll();
  await proxy.close();
});
