// The classroom tools end to end: two teachers and two students in real Chromium, one room shared
// across the steps (each step starts from what the one before left, as a lesson would).
import { readFileSync } from 'node:fs';
import { expect, test, type Browser, type Page } from '@playwright/test';
import {
  HomePage,
  StudentRoomPage,
  SupervisorRoomPage,
  expectFramesDecoded,
  person,
  tileFrameWidth,
  expectNoAxeViolations,
} from './pages.ts';

/** Records every system notification the page creates, through the real Notification API. */
function spyOnNotifications() {
  const seen: { title: string; body: string }[] = [];
  (window as unknown as { notifications: typeof seen }).notifications = seen;
  const Original = window.Notification;
  const Spy = function (this: Notification, title: string, options?: NotificationOptions) {
    seen.push({ title, body: options?.body ?? '' });
    return new Original(title, options);
  } as unknown as typeof Notification;
  Object.defineProperty(Spy, 'permission', { get: () => Original.permission });
  Spy.requestPermission = Original.requestPermission.bind(Original);
  window.Notification = Spy;
}

/** Counts the tones the page plays, through the real Web Audio API. */
function countTones() {
  const original = AudioContext.prototype.createOscillator;
  (window as unknown as { tones: number }).tones = 0;
  AudioContext.prototype.createOscillator = function (this: AudioContext) {
    (window as unknown as { tones: number }).tones++;
    return original.call(this);
  };
}

const tones = (page: Page) => page.evaluate(() => (window as unknown as { tones: number }).tones);

const notifications = (page: Page) =>
  page.evaluate(() => (window as unknown as { notifications: { title: string; body: string }[] }).notifications);

/** Ms Lee (host) and Mr Ode watch; Ada and Bo are students. Bo has allowed notifications, Ada has not been asked. */
async function lesson(browser: Browser, baseURL: string) {
  const leeContext = await browser.newContext({ viewport: { width: 1280, height: 900 }, baseURL });
  await leeContext.addInitScript(countTones);
  const leeP = { context: leeContext, page: await leeContext.newPage() };
  await leeP.page.goto('/');
  const lee = await new HomePage(leeP.page).createRoom('Art', 'Ms Lee');
  const code = await lee.code();
  const { supervisor: inviteLink } = await lee.inviteLinks();
  const odeP = await person(browser, inviteLink.replace(/^https?:\/\/[^/]+/, ''), { width: 1280, height: 900 });
  await new HomePage(odeP.page).join({ name: 'Mr Ode' });
  const ode = new SupervisorRoomPage(odeP.page);
  await expect(ode.heading('Art')).toBeVisible();
  const student = async (name: string, allowNotifications: boolean) => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 720 }, baseURL });
    if (allowNotifications) await context.grantPermissions(['notifications'], { origin: baseURL });
    await context.addInitScript(spyOnNotifications);
    const page = await context.newPage();
    await page.goto(`/join/${code}`);
    await new HomePage(page).join({ name });
    const room = new StudentRoomPage(page);
    await expect(room.heading('Art')).toBeVisible();
    return { context, page, room };
  };
  const ada = await student('Ada', false);
  const bo = await student('Bo', true);
  const close = async () => {
    for (const c of [leeP.context, odeP.context, ada.context, bo.context]) await c.close().catch(() => undefined);
  };
  return { lee, ode, ada, bo, close };
}

// A control that never appears fails the step it belongs to, not the whole test's time budget.
test.use({ actionTimeout: 15_000 });

test('hands, messages, links, Eyes up, snapshots and attendance work for two teachers and two students', async ({
  browser,
  baseURL,
}) => {
  test.setTimeout(180_000);
  const { lee, ode, ada, bo, close } = await lesson(browser, baseURL!);
  const teachers = [lee, ode];
  try {
    await test.step('raise hand: every teacher sees a queue by time; a teacher answers, a student lowers their own', async () => {
      // Ms Lee turns the hand sound on (it is off by default, as Mr Ode keeps it).
      await lee.page.getByText('Wall settings').click();
      const sound = lee.page.getByLabel('Play a sound when a student raises their hand');
      await expect(sound).not.toBeChecked();
      await sound.check();
      await lee.page.getByText('Wall settings').click();
      await ada.page.getByLabel('Note for your teacher (optional)').fill('Stuck on question 3');
      await ada.page.getByRole('button', { name: 'Raise hand' }).click();
      await expect(ada.page.getByRole('heading', { name: 'Your hand is raised' })).toBeVisible();
      await bo.page.getByRole('button', { name: 'Raise hand' }).click();
      for (const t of teachers) {
        const queue = t.page.getByRole('list', { name: 'Raised hands, oldest first' }).getByRole('listitem');
        await expect(queue).toHaveCount(2);
        await expect(queue.nth(0)).toContainText('Ada');
        await expect(queue.nth(0)).toContainText('Stuck on question 3');
        await expect(queue.nth(1)).toContainText('Bo');
        await expect(t.tile('Ada').getByText('Hand raised')).toBeVisible();
      }
      // Two notes per raised hand, for the teacher who asked for it.
      await expect.poll(() => tones(lee.page)).toBe(4);
      await expectNoAxeViolations(lee.page);
      await expectNoAxeViolations(ada.page);
      // Bo never learns of Ada's hand.
      await expect(bo.page.getByText('Stuck on question 3')).toHaveCount(0);
      await expect(bo.page.getByText('Ada')).toHaveCount(0);

      await ode.page.getByRole('button', { name: 'Lower hand of Ada' }).click();
      await expect(ada.page.getByText('Mr Ode answered your raised hand.')).toBeVisible();
      await expect(ada.page.getByRole('button', { name: 'Raise hand' })).toBeVisible();
      await bo.page.getByRole('button', { name: 'Lower my hand' }).click();
      await expect(bo.page.getByRole('button', { name: 'Raise hand' })).toBeVisible();
      await expect(bo.page.getByText('answered your raised hand')).toHaveCount(0);
      for (const t of teachers) {
        await expect(t.page.getByRole('heading', { name: /^Raised hands/ })).toHaveCount(0);
        await expect(t.tile('Ada').getByText('Hand raised')).toHaveCount(0);
      }
    });

    await test.step('messages: to the class and to one student, shown as text until acknowledged; answers reach teachers only', async () => {
      await lee.page.getByRole('button', { name: 'Message', exact: true }).click();
      await lee.page.getByLabel('Message', { exact: true }).fill('Pens down <b>now</b>\nthen look up');
      await lee.page.getByRole('button', { name: 'Send', exact: true }).click();
      for (const s of [ada, bo]) {
        const inbox = s.page.getByRole('region', { name: 'From your teachers' });
        // Written as text: the markup shows as typed and makes nothing bold.
        await expect(inbox.getByText('Pens down <b>now</b>')).toBeVisible();
        await expect(inbox.locator('b')).toHaveCount(0);
      }
      for (const t of teachers) await expect(t.page.getByText('Not yet read by Ada, Bo')).toBeVisible();
      await ada.page.getByRole('button', { name: 'Got it: message from Ms Lee' }).click();
      await expect(ada.page.getByRole('region', { name: 'From your teachers' })).toHaveCount(0);
      for (const t of teachers) await expect(t.page.getByText('Not yet read by Bo', { exact: true })).toBeVisible();

      await ode.page.getByRole('button', { name: 'Message', exact: true }).click();
      await ode.page.getByLabel('To', { exact: true }).selectOption({ label: 'Bo' });
      await ode.page.getByLabel('Message', { exact: true }).fill('See me after class');
      await ode.page.getByRole('button', { name: 'Send', exact: true }).click();
      await expect(bo.page.getByRole('region', { name: 'From your teachers' })).toContainText('See me after class');
      await expect(lee.page.getByText('See me after class')).toBeVisible();

      await bo.page.getByLabel('Message (only your teachers see it)').fill('Finished question 3');
      await bo.page.getByRole('button', { name: 'Send to teachers' }).click();
      for (const t of teachers) await expect(t.page.getByText('Finished question 3')).toBeVisible();
      await expect(lee.notice('Bo sent you a message.')).toBeVisible();
      // Ada sees neither Bo's private message nor his answer.
      await expect(ada.page.getByText('See me after class')).toHaveCount(0);
      await expect(ada.page.getByText('Finished question 3')).toHaveCount(0);
    });

    await test.step('links: only http(s) is sent; the student gets an Open button and nothing opens by itself', async () => {
      await lee.page.getByRole('button', { name: 'Message', exact: true }).click();
      const link = lee.page.getByLabel('Link (optional, http or https)');
      await link.fill('javascript:alert(1)');
      await lee.page.getByRole('button', { name: 'Send', exact: true }).click();
      await expect(lee.page.getByRole('alert')).toHaveText(
        'Only http(s) links can be sent: give a web address starting with https:// or http://.',
      );
      await link.fill('https://example.org/worksheet');
      await lee.page.getByLabel('Message', { exact: true }).fill('Today’s worksheet');
      await lee.page.getByRole('button', { name: 'Send', exact: true }).click();
      // Sent: the form closes.
      await expect(link).toHaveCount(0);
      for (const s of [ada, bo]) {
        const open = s.page.getByRole('link', { name: 'Open link from Ms Lee' });
        await expect(open).toHaveAttribute('href', 'https://example.org/worksheet');
        await expect(open).toHaveAttribute('target', '_blank');
        await expect(open).toHaveAttribute('rel', 'noopener noreferrer');
        expect(s.context.pages()).toHaveLength(1);
      }
      await expectNoAxeViolations(bo.page);
      await lee.page.getByRole('button', { name: 'Message', exact: true }).click();
      await expectNoAxeViolations(lee.page);
      await lee.page.getByRole('button', { name: 'Cancel' }).click();
    });

    await test.step('Eyes up: a full-window overlay for every student, a notification where allowed, acknowledgements on the wall', async () => {
      await expect(ada.page.getByRole('button', { name: 'Allow notifications' })).toBeVisible();
      await expect(bo.page.getByRole('button', { name: 'Allow notifications' })).toHaveCount(0);
      await lee.page.getByRole('button', { name: 'Eyes up', exact: true }).click();
      await lee.page.getByLabel('Message (optional)').fill('Look at the board');
      await lee.page.getByRole('button', { name: 'Ask for attention' }).click();
      for (const s of [ada, bo]) {
        const overlay = s.page.getByRole('dialog', { name: 'Eyes up' });
        await expect(overlay).toBeVisible();
        await expect(overlay).toContainText('Look at the board');
        await expect(overlay).toContainText('This does not lock your device: it is a request from your teacher.');
        const box = await overlay.boundingBox();
        expect(box).toMatchObject({ x: 0, y: 0, width: 1280, height: 720 });
      }
      await expect
        .poll(() => notifications(bo.page))
        .toEqual([{ title: 'Eyes up', body: 'Look at the board — Ms Lee' }]);
      expect(await notifications(ada.page)).toEqual([]);
      await expectNoAxeViolations(ada.page);
      // Escape does not dismiss it: it lasts until the teacher releases it.
      await bo.page.keyboard.press('Escape');
      await expect(bo.page.getByRole('dialog', { name: 'Eyes up' })).toBeVisible();

      await ada.page.getByRole('button', { name: 'I’m listening' }).click();
      await expect(ada.page.getByRole('dialog', { name: 'Eyes up' })).toContainText(
        'this closes when Ms Lee continues',
      );
      for (const t of teachers) {
        await expect(t.page.locator('.attention-status')).toHaveText(
          'Eyes up (“Look at the board”): 1 of 2 acknowledged — Ada. Waiting for Bo.',
        );
      }
      await ode.page.getByRole('button', { name: 'Release attention' }).click();
      for (const s of [ada, bo]) await expect(s.page.getByRole('dialog', { name: 'Eyes up' })).toHaveCount(0);
      await expect(lee.page.getByRole('button', { name: 'Eyes up', exact: true })).toBeVisible();
    });

    await test.step('snapshot: a full-quality PNG saved by the teacher’s browser; the student is told', async () => {
      await lee.page.mouse.move(0, 0);
      await ada.room.shareButton().click();
      await expectFramesDecoded(lee.tile('Ada'));
      await lee.tile('Ada').getByRole('button', { name: 'Open Ada’s screen' }).click();
      const zoom = lee.page.getByRole('dialog', { name: 'Ada’s screen' });
      await expect(zoom).toBeVisible();
      const captureWidth = await ada.page.evaluate(() => screen.width);
      await expect.poll(() => tileFrameWidth(lee.tile('Ada')), { timeout: 15_000 }).toBe(captureWidth);
      const [download] = await Promise.all([
        lee.page.waitForEvent('download'),
        zoom.getByRole('button', { name: 'Save picture' }).click(),
      ]);
      expect(download.suggestedFilename()).toMatch(/^Ada-\d{4}-\d{2}-\d{2}-\d{4}\.png$/);
      const png = readFileSync((await download.path())!);
      expect([...png.subarray(0, 8)]).toEqual([137, 80, 78, 71, 13, 10, 26, 10]);
      expect({ width: png.readUInt32BE(16), height: png.readUInt32BE(20) }).toEqual({
        width: captureWidth,
        height: 720,
      });
      // The browser decodes it, and it is a picture rather than one flat colour.
      const distinctColours = await lee.page.evaluate(
        async (bytes) => {
          const bitmap = await createImageBitmap(new Blob([new Uint8Array(bytes)], { type: 'image/png' }));
          const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
          const context = canvas.getContext('2d')!;
          context.drawImage(bitmap, 0, 0);
          const data = context.getImageData(0, 0, bitmap.width, bitmap.height).data;
          const colours = new Set<number>();
          for (let i = 0; i < data.length; i += 4 * 97)
            colours.add((data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!);
          return colours.size;
        },
        [...png],
      );
      expect(distinctColours).toBeGreaterThan(16);
      await expect(zoom.getByRole('status')).toHaveText('Picture saved. Ada was told.');
      await expect(ada.room.notice('Ms Lee saved a picture of your screen.')).toBeVisible();
      await expect(bo.page.getByText('saved a picture')).toHaveCount(0);
      await expect(ode.page.getByText('saved a picture')).toHaveCount(0);
      await lee.page.keyboard.press('Escape');
    });

    await test.step('attendance: the host downloads a CSV of joined, left, time sharing and stops', async () => {
      await ada.room.stopButton().click();
      await expect(lee.tile('Ada')).toHaveAccessibleName('Ada: Stopped sharing');
      await bo.room.leave();
      await expect(lee.tile('Bo')).toHaveAccessibleName('Bo: Left');
      await expect(ode.page.getByRole('button', { name: 'Attendance (CSV)' })).toHaveCount(0);
      const [download] = await Promise.all([
        lee.page.waitForEvent('download'),
        lee.page.getByRole('button', { name: 'Attendance (CSV)' }).click(),
      ]);
      expect(download.suggestedFilename()).toMatch(/^attendance-Art-\d{4}-\d{2}-\d{2}\.csv$/);
      const csv = readFileSync((await download.path())!, 'utf8');
      expect(csv.startsWith('\uFEFFName,Joined,Left,Time sharing (h:mm:ss),Times stopped sharing\r\n')).toBe(true);
      const rows = csv
        .slice(1)
        .trimEnd()
        .split('\r\n')
        .slice(1)
        .map((line) => line.split(','));
      expect(rows.map((r) => [r[0], r[2] === 'still in the room', r[4]])).toEqual([
        ['Ada', true, '1'],
        ['Bo', false, '0'],
      ]);
      // Ada shared from the snapshot step until she stopped: some seconds, certainly not none.
      expect(rows[0]![3]).toMatch(/^0:0\d:\d{2}$/);
      expect(rows[0]![3]).not.toBe('0:00:00');
      expect(rows[1]![3]).toBe('0:00:00');
      expect(rows[1]![2]).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);
    });
  } finally {
    await close();
  }
});
