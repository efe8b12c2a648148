// "Show to class" end to end: two teachers and three students in real Chromium, peer to peer and
// through the relay. A teacher shows their own screen, then Ada's (forwarded from the teacher's
// browser); students watch in the app's viewer and keep sharing with the teachers meanwhile.
import { expect, test, type Browser, type Locator, type Page } from '@playwright/test';
import { startBuiltServer } from '../helpers/built-server.ts';
import {
  TRACK_PEER_CONNECTIONS,
  growthOver,
  placedCalls,
  receiveOnlyConnections,
  videoBytesReceived,
  videoSendingConnections,
} from './media-stats.ts';
import {
  HomePage,
  StudentRoomPage,
  SupervisorRoomPage,
  expectFramesDecoded,
  person,
  tileFrameWidth,
  expectNoAxeViolations,
  videoWidths,
  RECORD_VIDEO_WIDTHS,
} from './pages.ts';

/** Resolves once the viewer's video presents a new decoded frame with a real picture size; returns its width. */
async function expectViewerDecodes(viewer: Locator): Promise<number> {
  const frame = await viewer.locator('video').evaluate(
    (video: HTMLVideoElement) =>
      new Promise<{ presented: number; width: number }>((resolve, reject) => {
        setTimeout(() => reject(new Error('no frame decoded within 10 s')), 10_000);
        video.requestVideoFrameCallback((_now, meta) =>
          resolve({ presented: meta.presentedFrames, width: meta.width }),
        );
      }),
  );
  expect(frame.presented).toBeGreaterThan(0);
  expect(frame.width).toBeGreaterThan(0);
  return frame.width;
}

/** Ms Lee (host) and Mr Ode teach; Ada, Bo and Cy share their screens. Ms Lee's and the students' connections can be read. */
async function lesson(browser: Browser, baseURL: string) {
  const leeContext = await browser.newContext({ viewport: { width: 1280, height: 900 }, baseURL });
  await leeContext.addInitScript(TRACK_PEER_CONNECTIONS);
  const leeP = { context: leeContext, page: await leeContext.newPage() };
  await leeP.page.goto('/');
  const lee = await new HomePage(leeP.page).createRoom('History', 'Ms Lee');
  const code = await lee.code();
  const { supervisor: inviteLink } = await lee.inviteLinks();
  // Mr Ode is on a tablet: his browser has no getDisplayMedia.
  const odeContext = await browser.newContext({ viewport: { width: 1280, height: 900 }, baseURL });
  await odeContext.addInitScript(() => {
    delete (MediaDevices.prototype as Partial<MediaDevices>).getDisplayMedia;
  });
  const odeP = { context: odeContext, page: await odeContext.newPage() };
  await odeP.page.goto(inviteLink.replace(/^https?:\/\/[^/]+/, ''));
  await new HomePage(odeP.page).join({ name: 'Mr Ode' });
  const ode = new SupervisorRoomPage(odeP.page);
  await expect(ode.heading('History')).toBeVisible();
  const student = async (name: string) => {
    const p = await person(
      browser,
      `/join/${code}`,
      { width: 1280, height: 720 },
      baseURL,
      TRACK_PEER_CONNECTIONS + RECORD_VIDEO_WIDTHS,
    );
    await new HomePage(p.page).join({ name });
    const room = new StudentRoomPage(p.page);
    await expect(room.heading('History')).toBeVisible();
    await room.shareButton().click();
    await expect(room.stopButton()).toBeVisible();
    return { ...p, room };
  };
  const ada = await student('Ada');
  const bo = await student('Bo');
  const cy = await student('Cy');
  const close = async () => {
    for (const c of [leeP.context, odeP.context, ada.context, bo.context, cy.context])
      await c.close().catch(() => undefined);
  };
  return { lee, ode, ada, bo, cy, close };
}

const viewer = (page: Page, name: string) => page.getByRole('region', { name });

/**
 * Each student's viewer shows Ms Lee's screen at its full width; with `firstSmall`, it first showed
 * it no larger than a thumbnail (which arrives sooner). Only peer to peer says so: through the relay,
 * a student whose viewer appears after the sharp keyframe reached the relay (on a busy machine it
 * can follow the small one within 10 ms) starts at once from that one, which is better still.
 */
async function expectWhole(lee: SupervisorRoomPage, students: { page: Page }[], firstSmall: boolean): Promise<void> {
  const screenWidth = await lee.page.evaluate(() => screen.width);
  for (const s of students) {
    const shown = viewer(s.page, 'Ms Lee’s screen');
    await expect.poll(() => expectViewerDecodes(shown), { timeout: 15_000 }).toBe(screenWidth);
    if (firstSmall) expect((await videoWidths(shown))[0]).toBeLessThanOrEqual(640);
  }
}

test.use({ actionTimeout: 15_000 });

test("a teacher shows their own screen, then Ada's, to the class; stopping returns everyone to normal", async ({
  browser,
  baseURL,
}) => {
  test.setTimeout(180_000);
  const { lee, ode, ada, bo, cy, close } = await lesson(browser, baseURL!);
  const students = [ada, bo, cy];
  try {
    for (const name of ['Ada', 'Bo', 'Cy']) await expectFramesDecoded(lee.tile(name));

    await test.step('on a tablet, showing its own screen is offered as impossible, in words', async () => {
      await ode.page.getByRole('button', { name: 'Show to class' }).click();
      await expect(ode.page.getByRole('button', { name: 'Show my screen' })).toBeDisabled();
      await expect(ode.page.getByText('This device cannot share its screen')).toBeVisible();
      await ode.page.getByRole('button', { name: 'Cancel' }).click();
      await expect(lee.page.getByRole('button', { name: 'Show my screen' })).toHaveCount(0);
    });

    await test.step("Ms Lee shows her screen: every student's viewer decodes it, named", async () => {
      await lee.page.getByRole('button', { name: 'Show to class' }).click();
      await lee.page.getByRole('button', { name: 'Show my screen' }).click();
      for (const s of students) {
        const shown = viewer(s.page, 'Ms Lee’s screen');
        await expect(shown).toBeVisible();
        await expect(shown.getByRole('button', { name: 'Fullscreen' })).toBeVisible();
        await expectViewerDecodes(shown);
      }
      await expectWhole(lee, students, true);
      // Peer to peer, Ms Lee's browser uploads her screen once per student.
      expect(await videoSendingConnections(lee.page)).toBe(3);
      // Students keep sharing with the teachers meanwhile.
      await expectFramesDecoded(lee.tile('Ada'));
      await expectFramesDecoded(ode.tile('Cy'));
      await expect(ode.page.getByRole('status').filter({ hasText: 'Shown to the class:' })).toHaveText(
        'Shown to the class: Ms Lee’s screen, by Ms Lee.',
      );
      await expectNoAxeViolations(bo.page);
    });

    await test.step('Mr Ode stops it: the viewers are gone', async () => {
      await ode.page.getByRole('button', { name: 'Stop showing' }).click();
      for (const s of students) await expect(viewer(s.page, 'Ms Lee’s screen')).toHaveCount(0);
      await expect(lee.page.getByRole('button', { name: 'Show to class' })).toBeVisible();
    });

    await test.step("Ms Lee shows Ada's screen: Bo and Cy decode it, Ada is told", async () => {
      await lee.page.getByRole('button', { name: 'Show to class' }).click();
      await lee.page.getByLabel('A student’s screen').selectOption({ label: 'Ada' });
      await lee.page.getByRole('button', { name: 'Show this student’s screen' }).click();
      for (const s of [bo, cy]) {
        const shown = viewer(s.page, 'Ada’s screen, shown by Ms Lee');
        await expect(shown).toBeVisible();
        await expectViewerDecodes(shown);
      }
      await expect(ada.page.getByText('Your screen is being shown to the class by Ms Lee.')).toBeVisible();
      // Ms Lee receives Ada's screen at full quality while the class watches it, so Bo sees it whole.
      const captureWidth = await ada.page.evaluate(() => screen.width);
      await expect.poll(() => tileFrameWidth(lee.tile('Ada')), { timeout: 15_000 }).toBe(captureWidth);
      await expect
        .poll(() => expectViewerDecodes(viewer(bo.page, 'Ada’s screen, shown by Ms Lee')), { timeout: 15_000 })
        .toBe(captureWidth);
      // Ms Lee opens Bo's screen, covering Ada's tile: the class still gets Ada's screen.
      await lee.tile('Bo').getByRole('button', { name: 'Open Bo’s screen' }).click();
      await expect(lee.page.getByRole('dialog', { name: 'Bo’s screen' })).toBeVisible();
      await lee.page.waitForTimeout(1500);
      for (const s of [bo, cy]) await expectViewerDecodes(viewer(s.page, 'Ada’s screen, shown by Ms Lee'));
      await lee.page.keyboard.press('Escape');
      await expect(lee.page.getByRole('dialog', { name: 'Bo’s screen' })).toHaveCount(0);
      await expect(ada.page.getByRole('region', { name: /screen/ }).locator('video')).toHaveCount(0);
      await expectFramesDecoded(ode.tile('Ada'));
    });

    await test.step('stopping returns everyone to normal', async () => {
      await lee.page.getByRole('button', { name: 'Stop showing' }).click();
      for (const s of [bo, cy]) await expect(viewer(s.page, 'Ada’s screen, shown by Ms Lee')).toHaveCount(0);
      await expect(ada.page.getByText('Your screen is being shown to the class')).toHaveCount(0);
      for (const s of students) await expect(s.room.stopButton()).toBeVisible();
      await expectFramesDecoded(lee.tile('Bo'));
    });
  } finally {
    await close();
  }
});

test("through the relay, a teacher uploads the shown screen once; three students decode hers, then Ada's", async ({
  browser,
}) => {
  test.setTimeout(180_000);
  const server = await startBuiltServer({ RELAY_ANNOUNCED_IPS: '127.0.0.1', RELAY_MODE: 'always' });
  const { lee, ode, ada, bo, cy, close } = await lesson(browser, server.url);
  const students = [ada, bo, cy];
  try {
    for (const name of ['Ada', 'Bo', 'Cy']) await expectFramesDecoded(lee.tile(name));

    await test.step('before anything is shown, the relay has a call up to every student, and Ms Lee one to the relay', async () => {
      // Show then costs no handshake: each student gets a keyframe on a call already up.
      for (const s of students)
        await expect.poll(() => receiveOnlyConnections(s.page)).toEqual({ made: 1, connected: 1 });
      for (const s of students) await expect(viewer(s.page, 'Ms Lee’s screen')).toHaveCount(0);
      // Hers carries nothing yet.
      await expect.poll(() => placedCalls(lee.page)).toEqual({ made: 1, connected: 1 });
      expect(await videoSendingConnections(lee.page)).toBe(0);
    });

    await test.step('Ms Lee shows her screen: one upload, to the relay, and every student decodes it', async () => {
      await lee.page.getByRole('button', { name: 'Show to class' }).click();
      await lee.page.getByRole('button', { name: 'Show my screen' }).click();
      for (const s of students) await expectViewerDecodes(viewer(s.page, 'Ms Lee’s screen'));
      for (const s of students)
        await expect(viewer(s.page, 'Ms Lee’s screen').getByText('Connecting to the screen…')).toHaveCount(0);
      await expectWhole(lee, students, false);
      expect(await videoSendingConnections(lee.page)).toBe(1);
      // On the call that was up before: she placed none at Show.
      expect(await placedCalls(lee.page)).toEqual({ made: 1, connected: 1 });
      await expectFramesDecoded(ode.tile('Bo'));
    });

    await test.step('her call to the relay drops: every student keeps their call and decodes her next one', async () => {
      const trackOf = (s: (typeof students)[number]) =>
        viewer(s.page, 'Ms Lee’s screen')
          .locator('video')
          .evaluate((video: HTMLVideoElement) => (video.srcObject as MediaStream).getVideoTracks()[0]!.id);
      const tracks = await Promise.all(students.map(trackOf));
      // Her one connection sending video is the call to the relay: end it as a lapsed connection would.
      const ended = await lee.page.evaluate(() => {
        const pcs = (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs;
        const sending = pcs.filter(
          (pc) => pc.connectionState === 'connected' && pc.getSenders().some((s) => s.track?.kind === 'video'),
        );
        for (const pc of sending) pc.close();
        return sending.length;
      });
      expect(ended).toBe(1);
      // She calls the relay again; the students are not called again, and their viewers go on.
      await expect.poll(() => videoSendingConnections(lee.page), { timeout: 20_000 }).toBe(1);
      for (const s of students) await expectViewerDecodes(viewer(s.page, 'Ms Lee’s screen'));
      expect(await Promise.all(students.map(trackOf))).toEqual(tracks);
    });

    await test.step('stopping it: the viewers are gone, the relay’s calls stay up for the next', async () => {
      await lee.page.getByRole('button', { name: 'Stop showing' }).click();
      for (const s of students) await expect(viewer(s.page, 'Ms Lee’s screen')).toHaveCount(0);
      await expect.poll(() => videoSendingConnections(lee.page)).toBe(0);
      for (const s of students) expect(await receiveOnlyConnections(s.page)).toEqual({ made: 1, connected: 1 });
    });

    await test.step("Ms Lee shows Ada's screen: Bo and Cy decode it at full size through the relay", async () => {
      // Her standing call dropped with the step before; she has placed a new one, and it is up.
      await expect.poll(async () => (await placedCalls(lee.page)).connected).toBe(1);
      const placedBefore = (await placedCalls(lee.page)).made;
      await lee.page.getByRole('button', { name: 'Show to class' }).click();
      await lee.page.getByLabel('A student’s screen').selectOption({ label: 'Ada' });
      await lee.page.getByRole('button', { name: 'Show this student’s screen' }).click();
      await expect(ada.page.getByText('Your screen is being shown to the class by Ms Lee.')).toBeVisible();
      const captureWidth = await ada.page.evaluate(() => screen.width);
      for (const s of [bo, cy])
        await expect
          .poll(() => expectViewerDecodes(viewer(s.page, 'Ada’s screen, shown by Ms Lee')), { timeout: 15_000 })
          .toBe(captureWidth);
      expect(await videoSendingConnections(lee.page)).toBe(1);
      // Every presentation came on the call the relay placed before the first: none was placed again;
      // and Ada's went to the relay on Ms Lee's standing call.
      for (const s of students) expect(await receiveOnlyConnections(s.page)).toEqual({ made: 1, connected: 1 });
      expect((await placedCalls(lee.page)).made).toBe(placedBefore);
      // Ada's own screen is not sent back to her.
      expect(await growthOver(ada.page, 1_500, () => videoBytesReceived(ada.page))).toBe(0);
    });

    await test.step('stopping returns everyone to normal', async () => {
      await lee.page.getByRole('button', { name: 'Stop showing' }).click();
      for (const s of [bo, cy]) await expect(viewer(s.page, 'Ada’s screen, shown by Ms Lee')).toHaveCount(0);
      await expect(ada.page.getByText('Your screen is being shown to the class')).toHaveCount(0);
      await expectFramesDecoded(lee.tile('Cy'));
    });
  } finally {
    await close();
    await server.stop();
  }
});
