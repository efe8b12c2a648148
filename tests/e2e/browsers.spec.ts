/** Browsers that differ: a teacher without WebRTC, and a student whose browser reports no surface (Firefox). */
import { expect, test, type Browser } from '@playwright/test';
import { createRoom } from '../helpers/client.ts';
import { HomePage, StudentRoomPage, expectFramesDecoded, person } from './pages.ts';

const NO_WEBRTC = /^This browser cannot show students’ screens: it has no WebRTC/;
const NO_WEBRTC_SHARE =
  'This browser cannot share your screen: it has no WebRTC (it may be turned off by your school’s settings). ' +
  'Open this page in a current Chrome, Edge or Firefox on a computer or Chromebook.';

test('a teacher whose browser has no WebRTC is told so before taking a seat', async ({ browser, baseURL }) => {
  const context = await browser.newContext({ viewport: { width: 1024, height: 768 } });
  // What a browser with WebRTC turned off by policy looks like to a page.
  await context.addInitScript(() => {
    Object.defineProperty(window, 'RTCPeerConnection', { value: undefined, configurable: true });
  });
  const page = await context.newPage();
  await page.goto('/');
  const create = page.getByRole('region', { name: 'Create a room' });
  await expect(create.getByRole('alert')).toHaveText(NO_WEBRTC);
  await expect(create.getByRole('button', { name: 'Create room' })).toBeDisabled();

  // A co-teacher's invite link: the message comes before the seat, not "Connecting…".
  const { room, supervisorKey } = await createRoom(baseURL!, 'No WebRTC check', 'Ms Lee', false);
  await page.goto(`/join/${room.code}#key=${supervisorKey}`);
  const join = page.getByRole('region', { name: 'Join a room' });
  await expect(join.getByRole('alert')).toHaveText(NO_WEBRTC);
  await expect(join.getByRole('button', { name: 'Join' })).toBeDisabled();
  await context.close();
});

test('a student whose browser has no WebRTC is told it cannot share, and which browsers can, before taking a seat', async ({
  browser,
  baseURL,
}) => {
  const context = await browser.newContext({ viewport: { width: 1024, height: 768 } });
  await context.addInitScript(() => {
    Object.defineProperty(window, 'RTCPeerConnection', { value: undefined, configurable: true });
  });
  const page = await context.newPage();
  const { room } = await createRoom(baseURL!, 'No WebRTC student', 'Ms Lee', false);
  await page.goto(`/join/${room.code}`);
  const join = page.getByRole('region', { name: 'Join a room' });
  await expect(join.getByRole('alert')).toHaveText(NO_WEBRTC_SHARE);
  await join.getByLabel('Your name').fill('Ada');
  const button = join.getByRole('button', { name: 'Join' });
  await expect(button).toBeDisabled();
  // No seat is taken: the form cannot be sent.
  const members = page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith('/members'), { timeout: 2000 });
  await join.getByLabel('Your name').press('Enter');
  await expect(members).rejects.toThrow();
  await context.close();
});

/** A student page whose capture reports `displaySurface` as given (undefined: left out, as Firefox does). */
async function studentReporting(browser: Browser, code: string, name: string, surface: string | undefined) {
  const p = await person(browser, `/join/${code}`, { width: 1280, height: 720 });
  await p.page.evaluate((reported) => {
    const original = navigator.mediaDevices.getDisplayMedia.bind(navigator.mediaDevices);
    navigator.mediaDevices.getDisplayMedia = async (options) => {
      const stream = await original(options);
      const track = stream.getVideoTracks()[0]!;
      const settings = track.getSettings.bind(track);
      track.getSettings = () => {
        const out: MediaTrackSettings & { displaySurface?: string } = { ...settings() };
        if (reported === undefined) delete out.displaySurface;
        else out.displaySurface = reported;
        return out;
      };
      return stream;
    };
  }, surface);
  await new HomePage(p.page).join({ name });
  const room = new StudentRoomPage(p.page);
  await room.shareButton().click();
  await expect(p.page.getByRole('heading', { name: 'You are sharing your screen' })).toBeVisible();
  return { p, room };
}

test('a Firefox student (no displaySurface) gets no “window” warning; a student sharing a window does', async ({
  browser,
}) => {
  const teacher = await person(browser, '/', { width: 1280, height: 800 });
  const lee = await new HomePage(teacher.page).createRoom('Surfaces', 'Ms Lee', false);
  const code = await lee.code();
  const firefox = await studentReporting(browser, code, 'Ada', undefined);
  const windowed = await studentReporting(browser, code, 'Bo', 'window');
  await expectFramesDecoded(lee.tile('Ada'));
  await expectFramesDecoded(lee.tile('Bo'));
  await expect(windowed.p.page.getByRole('alert')).toHaveText(/^You are sharing a window, not your whole screen\./);
  await expect(lee.tile('Bo')).toContainText('A window only');
  await expect(firefox.p.page.getByText(/not your whole screen/)).toHaveCount(0);
  await expect(lee.tile('Ada')).not.toContainText('only');
  for (const p of [teacher, firefox.p, windowed.p]) await p.context.close();
});
