/**
 * Codec per viewer: a teacher whose device decodes H.264 in hardware and VP8 not (an iPad, emulated
 * here by what MediaCapabilities answers) receives H.264, while another teacher of the same student
 * keeps VP8; the student encodes both at once, peer to peer and through the relay. Read from the
 * browsers' own stats.
 */
import { expect, test, type Browser } from '@playwright/test';
import { startBuiltServer } from '../helpers/built-server.ts';
import { TRACK_PEER_CONNECTIONS, sendingCodecs, tileCodec, tileInbound } from './media-stats.ts';
import {
  HomePage,
  StudentRoomPage,
  SupervisorRoomPage,
  expectFramesDecoded,
  tileFrameWidth,
  type Person,
} from './pages.ts';

/** MediaCapabilities as a device with a hardware H.264 decoder and none for VP8 answers it. */
const HARDWARE_H264 = `
  const decodingInfo = navigator.mediaCapabilities.decodingInfo.bind(navigator.mediaCapabilities);
  navigator.mediaCapabilities.decodingInfo = async (config) => {
    const info = await decodingInfo(config);
    return { ...info, supported: true, powerEfficient: /h264/i.test(config.video?.contentType ?? '') };
  };
`;

/** Records the codecs of each legs notice the relay sends this page, in window.__legs. */
const RECORD_LEGS = `
  window.__legs = [];
  const createDataChannel = RTCPeerConnection.prototype.createDataChannel;
  RTCPeerConnection.prototype.createDataChannel = function (...args) {
    const channel = createDataChannel.apply(this, args);
    channel.addEventListener('message', (event) => {
      try {
        const notice = JSON.parse(event.data);
        if (notice.type === 'legs') window.__legs.push(notice.legs.map((leg) => leg.codec));
      } catch {}
    });
    return channel;
  };
`;

/** A browser that cannot encode H.264 (Firefox without its OpenH264 plugin): none in what it offers. */
const NO_H264_ENCODER = `
  const addTrack = RTCPeerConnection.prototype.addTrack;
  RTCPeerConnection.prototype.addTrack = function (...args) {
    const sender = addTrack.apply(this, args);
    const codecs = RTCRtpSender.getCapabilities('video').codecs.filter((c) => !/h264/i.test(c.mimeType));
    this.getTransceivers().find((t) => t.sender === sender)?.setCodecPreferences(codecs);
    return sender;
  };
`;

async function seat(browser: Browser, path: string, initScripts: string[], baseURL?: string): Promise<Person> {
  const viewport = { width: 1280, height: 800 };
  const context = await browser.newContext(baseURL ? { viewport, baseURL } : { viewport });
  for (const script of initScripts) await context.addInitScript(script);
  const page = await context.newPage();
  await page.goto(path);
  return { context, page };
}

test('a teacher whose device decodes H.264 in hardware receives H.264; another keeps VP8', async ({ browser }) => {
  const lap = await seat(browser, '/', [TRACK_PEER_CONNECTIONS]);
  const lee = await new HomePage(lap.page).createRoom('Codecs', 'Mr Lap');
  const code = await lee.code();
  const { supervisor: invite } = await lee.inviteLinks();
  const pad = await seat(browser, invite.replace(/^https?:\/\/[^/]+/, ''), [TRACK_PEER_CONNECTIONS, HARDWARE_H264]);
  await new HomePage(pad.page).join({ name: 'Ms Pad' });
  const padRoom = new SupervisorRoomPage(pad.page);
  await expect(padRoom.heading('Codecs')).toBeVisible();

  const ada = await seat(browser, `/join/${code}`, [TRACK_PEER_CONNECTIONS]);
  await new HomePage(ada.page).join({ name: 'Ada' });
  const student = new StudentRoomPage(ada.page);
  await student.shareButton().click();
  try {
    await expectFramesDecoded(lee.tile('Ada'));
    await expectFramesDecoded(padRoom.tile('Ada'));
    expect(await tileCodec(pad.page, 'Ada')).toBe('video/H264');
    expect(await tileCodec(lap.page, 'Ada')).toBe('video/VP8');
    // One capture, two encoders: H.264 for the tablet, VP8 for the laptop.
    await expect.poll(() => sendingCodecs(ada.page)).toEqual(['video/H264', 'video/VP8']);
  } finally {
    await Promise.all([lap, pad, ada].map((p) => p.context.close()));
  }
});

test('through the relay, the H.264 teacher gets H.264 and the VP8 teacher VP8 from one student', async ({
  browser,
}) => {
  const server = await startBuiltServer({ RELAY_ANNOUNCED_IPS: '127.0.0.1', RELAY_MODE: 'always' });
  const people: Person[] = [];
  try {
    const lap = await seat(browser, '/', [TRACK_PEER_CONNECTIONS], server.url);
    people.push(lap);
    const lee = await new HomePage(lap.page).createRoom('Relayed codecs', 'Mr Lap');
    await expect(lee.page.getByText('screens arrive through the server’s relay')).toBeVisible();
    const code = await lee.code();
    const { supervisor: invite } = await lee.inviteLinks();
    const padPath = invite.replace(/^https?:\/\/[^/]+/, '');
    const pad = await seat(browser, padPath, [TRACK_PEER_CONNECTIONS, HARDWARE_H264], server.url);
    people.push(pad);
    await new HomePage(pad.page).join({ name: 'Ms Pad' });
    const padRoom = new SupervisorRoomPage(pad.page);
    await expect(padRoom.heading('Relayed codecs')).toBeVisible();

    const ada = await seat(browser, `/join/${code}`, [TRACK_PEER_CONNECTIONS], server.url);
    people.push(ada);
    await new HomePage(ada.page).join({ name: 'Ada' });
    const student = new StudentRoomPage(ada.page);
    await expect(student.teachers()).toContainText('Your screen passes through the school’s server');
    // Hovering a tile asks for full quality too: keep the teachers' pointers off the wall.
    for (const p of [lap, pad]) await p.page.mouse.move(5, 5);
    await student.shareButton().click();

    await expectFramesDecoded(lee.tile('Ada'));
    await expectFramesDecoded(padRoom.tile('Ada'));
    // The tablet's tile starts on the student's VP8 leg and moves to the H.264 leg the relay asks for.
    await expect.poll(() => tileCodec(pad.page, 'Ada'), { timeout: 15_000 }).toBe('video/H264');
    expect(await tileFrameWidth(padRoom.tile('Ada'))).toBeLessThanOrEqual(640);

    // Zooming moves the tablet to the full leg in H.264, and back to the H.264 thumbnail after.
    await padRoom.tile('Ada').getByRole('button', { name: 'Open Ada’s screen' }).click();
    await expect.poll(() => tileFrameWidth(padRoom.tile('Ada')), { timeout: 15_000 }).toBe(1280);
    expect(await tileCodec(pad.page, 'Ada')).toBe('video/H264');
    expect(await tileFrameWidth(lee.tile('Ada'))).toBeLessThanOrEqual(640);
    await pad.page.getByRole('button', { name: 'Close' }).click();
    await expect.poll(() => tileFrameWidth(padRoom.tile('Ada')), { timeout: 15_000 }).toBeLessThanOrEqual(640);
    await pad.page.mouse.move(5, 5);
    const before = await tileInbound(pad.page, 'Ada');
    await expect.poll(async () => (await tileInbound(pad.page, 'Ada')).frames).toBeGreaterThan(before.frames + 3);
    expect(await tileCodec(pad.page, 'Ada')).toBe('video/H264');
    // The laptop's copy stays VP8 and keeps decoding.
    const lapBefore = await tileInbound(lap.page, 'Ada');
    await expect.poll(async () => (await tileInbound(lap.page, 'Ada')).frames).toBeGreaterThan(lapBefore.frames + 3);
    expect(await tileCodec(lap.page, 'Ada')).toBe('video/VP8');
    // The student encodes H.264 for the relay's H.264 legs, beside its VP8 ones.
    expect(await sendingCodecs(ada.page)).toContain('video/H264');
  } finally {
    await Promise.all(people.map((p) => p.context.close()));
    await server.stop();
  }
});

test('through the relay, a student who cannot encode H.264 still reaches the H.264 teacher, in VP8', async ({
  browser,
}) => {
  const server = await startBuiltServer({ RELAY_ANNOUNCED_IPS: '127.0.0.1', RELAY_MODE: 'always' });
  const people: Person[] = [];
  try {
    const pad = await seat(browser, '/', [TRACK_PEER_CONNECTIONS, HARDWARE_H264], server.url);
    people.push(pad);
    const padRoom = await new HomePage(pad.page).createRoom('No H.264', 'Ms Pad');
    const code = await padRoom.code();
    const ada = await seat(
      browser,
      `/join/${code}`,
      [TRACK_PEER_CONNECTIONS, NO_H264_ENCODER, RECORD_LEGS],
      server.url,
    );
    people.push(ada);
    const failures: string[] = [];
    ada.page.on('request', (r) => {
      if (r.method() === 'POST' && r.url().endsWith('/connection-failures')) failures.push(r.postData() ?? '');
    });
    await new HomePage(ada.page).join({ name: 'Ada' });
    const student = new StudentRoomPage(ada.page);
    await student.shareButton().click();
    await expectFramesDecoded(padRoom.tile('Ada'));
    expect(await tileCodec(pad.page, 'Ada')).toBe('video/VP8');
    // The relay asked for an H.264 leg; Ada's offer for it had no H.264, was left unanswered, and the
    // relay's next legs notice dropped it: hung up, so no connect timeout is left to run, and not
    // reported as a relay that cannot be reached. No call of hers is still coming up (the relay's
    // standing call to her, for a screen shown to the class, is its call, not hers).
    await expect
      .poll(() =>
        ada.page.evaluate(() => {
          const w = window as unknown as { __pcs: RTCPeerConnection[]; __legs: string[][] };
          const states = w.__pcs.filter((pc) => pc.localDescription?.type !== 'answer').map((pc) => pc.connectionState);
          return {
            askedForH264: w.__legs.some((legs) => legs.includes('H264')),
            askingForH264Now: (w.__legs.at(-1) ?? []).includes('H264'),
            pending: states.filter((state) => state !== 'closed' && state !== 'connected').length,
            connected: states.filter((state) => state === 'connected').length,
          };
        }),
      )
      .toEqual({ askedForH264: true, askingForH264Now: false, pending: 0, connected: 1 });
    expect(failures).toEqual([]);
    await expect(student.watchers()).toHaveText('Watching now: Ms Pad');
    const before = await tileInbound(pad.page, 'Ada');
    await expect.poll(async () => (await tileInbound(pad.page, 'Ada')).frames).toBeGreaterThan(before.frames + 3);
    expect(await tileCodec(pad.page, 'Ada')).toBe('video/VP8');
    expect(await sendingCodecs(ada.page)).not.toContain('video/H264');
  } finally {
    await Promise.all(people.map((p) => p.context.close()));
    await server.stop();
  }
});
