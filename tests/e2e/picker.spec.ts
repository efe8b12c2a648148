/**
 * A student's calls come up while the browser's picker is open, carrying nothing; the screen they
 * choose takes the stand-in's place, so the teacher's first frame waits for no handshake after the
 * choice. Until they choose, nobody sees anything and they are told nobody watches; cancelling
 * hangs the calls up. The picker is held open here by the test, which then chooses for the student.
 */
import { expect, test, type Browser, type Page } from '@playwright/test';
import { startBuiltServer } from '../helpers/built-server.ts';
import { HomePage, StudentRoomPage, expectFramesDecoded, person, type Person } from './pages.ts';

/**
 * Holds the student's capture back, as the browser's picker does while they choose, until the test
 * calls `__picker.choose(surface)` (the capture, reporting that surface) or `__picker.cancel()`;
 * and keeps every RTCPeerConnection the page makes in `__connections`.
 */
function holdPicker(): void {
  const w = window as unknown as {
    __picker?: { choose(surface: string): void; cancel(): void };
    __connections: RTCPeerConnection[];
  };
  w.__connections = [];
  const Original = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends Original {
    constructor(config?: RTCConfiguration) {
      super(config);
      w.__connections.push(this);
    }
  };
  const capture = navigator.mediaDevices.getDisplayMedia.bind(navigator.mediaDevices);
  navigator.mediaDevices.getDisplayMedia = (options) => {
    // The browser is asked at the tap, as the app does; only its answer is held.
    const captured = capture(options);
    return new Promise((resolve, reject) => {
      w.__picker = {
        choose: (surface) => {
          w.__picker = undefined;
          void captured.then((stream) => {
            const track = stream.getVideoTracks()[0]!;
            const settings = track.getSettings.bind(track);
            track.getSettings = () => ({ ...settings(), displaySurface: surface });
            resolve(stream);
          }, reject);
        },
        cancel: () => {
          w.__picker = undefined;
          void captured.then((stream) => stream.getTracks().forEach((t) => t.stop()));
          reject(new DOMException('The user cancelled the picker', 'NotAllowedError'));
        },
      };
    });
  };
}

/** How many calls the page placed are up (a call it answered, such as the relay's standing call to a student, is not one). */
function connectedCalls(page: Page): Promise<number> {
  return page.evaluate(
    () =>
      (window as unknown as { __connections: RTCPeerConnection[] }).__connections.filter(
        (c) => c.connectionState === 'connected' && c.localDescription?.type === 'offer',
      ).length,
  );
}

/** Video frames the page's connections have encoded so far: none can be sent before the student chooses. */
function framesEncoded(page: Page): Promise<number> {
  return page.evaluate(async () => {
    let frames = 0;
    for (const connection of (window as unknown as { __connections: RTCPeerConnection[] }).__connections)
      (await connection.getStats()).forEach((report: { type: string; kind?: string; framesEncoded?: number }) => {
        if (report.type === 'outbound-rtp' && report.kind === 'video') frames += report.framesEncoded ?? 0;
      });
    return frames;
  });
}

/** Ms Lee's room on a server started with `env`, and Ada in it with the picker held. */
async function lesson(browser: Browser, env: Record<string, string>) {
  const server = await startBuiltServer({ RELAY_ANNOUNCED_IPS: '127.0.0.1', ...env });
  const people: Person[] = [];
  const host = await person(browser, '/', { width: 1280, height: 800 }, server.url);
  people.push(host);
  const lee = await new HomePage(host.page).createRoom('Picker class', 'Ms Lee');
  const ada = await person(browser, `/join/${await lee.code()}`, { width: 1280, height: 720 }, server.url);
  people.push(ada);
  await ada.page.addInitScript(holdPicker);
  await ada.page.reload();
  await new HomePage(ada.page).join({ name: 'Ada' });
  const room = new StudentRoomPage(ada.page);
  await expect(room.heading('Picker class')).toBeVisible();
  await expect(lee.tile('Ada')).toHaveAccessibleName('Ada: Waiting');
  const picker = {
    /** Taps Share and waits until the picker is open. */
    open: async () => {
      await room.shareButton().click();
      await ada.page.waitForFunction(() => (window as { __picker?: unknown }).__picker !== undefined);
    },
    choose: (surface: string) =>
      ada.page.evaluate(
        (s) => (window as unknown as { __picker: { choose(s: string): void } }).__picker.choose(s),
        surface,
      ),
    cancel: () => ada.page.evaluate(() => (window as unknown as { __picker: { cancel(): void } }).__picker.cancel()),
  };
  const close = async () => {
    await Promise.all(people.map((p) => p.context.close()));
    await server.stop();
  };
  return { lee, ada, room, picker, close };
}

test('peer to peer: the call is up while the student chooses, shows nothing until they do, and is hung up if they cancel', async ({
  browser,
}) => {
  const { lee, ada, room, picker, close } = await lesson(browser, { RELAY_MODE: 'off' });
  try {
    await picker.open();
    // One call, to Ms Lee, up before the choice; nothing shows on her wall, and Ada is told nobody watches.
    await expect.poll(() => connectedCalls(ada.page)).toBe(1);
    await expect(room.shareButton()).toHaveCount(0);
    await expect(ada.page.getByRole('button', { name: 'Waiting for your choice…' })).toBeDisabled();
    await expect(room.watchers()).toHaveText('Nobody: you are not sharing.');
    await expect(lee.tile('Ada')).toHaveAccessibleName('Ada: Waiting');
    expect(await framesEncoded(ada.page)).toBe(0);

    await picker.choose('window');
    await expectFramesDecoded(lee.tile('Ada'));
    // The same call carries the screen, and what she picked reached the tile after the call was placed.
    expect(await connectedCalls(ada.page)).toBe(1);
    await expect(lee.tile('Ada')).toContainText('A window only');
    await expect(room.watchers()).toHaveText('Watching now: Ms Lee');

    await room.stopButton().click();
    await expect(lee.tile('Ada')).toHaveAccessibleName('Ada: Stopped sharing');
    await picker.open();
    await expect.poll(() => connectedCalls(ada.page)).toBe(1);
    await picker.cancel();
    await expect.poll(() => connectedCalls(ada.page)).toBe(0);
    await expect(ada.page.getByRole('alert')).toHaveText(
      'Screen sharing was not allowed. Tap “Share my screen” and choose your entire screen.',
    );
    await expect(room.watchers()).toHaveText('Nobody: you are not sharing.');
    await expect(lee.tile('Ada')).toHaveAccessibleName('Ada: Stopped sharing');
  } finally {
    await close();
  }
});

test('through the relay: the call to the relay is up while the student chooses, and the relay passes on what they picked', async ({
  browser,
}) => {
  const { lee, ada, room, picker, close } = await lesson(browser, { RELAY_MODE: 'always' });
  try {
    await expect(lee.page.getByText('screens arrive through the server’s relay')).toBeVisible();
    await picker.open();
    await expect.poll(() => connectedCalls(ada.page)).toBe(1);
    await expect(room.watchers()).toHaveText('Nobody: you are not sharing.');
    await expect(lee.tile('Ada')).toHaveAccessibleName('Ada: Waiting');
    expect(await framesEncoded(ada.page)).toBe(0);

    await picker.choose('window');
    await expectFramesDecoded(lee.tile('Ada'));
    await expect(lee.tile('Ada')).toContainText('A window only');
    await expect(room.watchers()).toHaveText('Watching now: Ms Lee');
  } finally {
    await close();
  }
});
