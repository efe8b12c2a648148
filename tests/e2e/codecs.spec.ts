/**
 * Codec per viewer: a teacher whose device decodes H.264 in hardware and VP8 not (an iPad, emulated
 * here by what MediaCapabilities answers) receives H.264, while another teacher of the same student
 * keeps VP8; the student encodes both at once. Read from the browsers' own stats.
 */
import { expect, test, type Browser } from '@playwright/test';
import { TRACK_PEER_CONNECTIONS, sendingCodecs, tileCodec } from './media-stats.ts';
import { HomePage, StudentRoomPage, SupervisorRoomPage, expectFramesDecoded, type Person } from './pages.ts';

/** MediaCapabilities as a device with a hardware H.264 decoder and none for VP8 answers it. */
const HARDWARE_H264 = `
  const decodingInfo = navigator.mediaCapabilities.decodingInfo.bind(navigator.mediaCapabilities);
  navigator.mediaCapabilities.decodingInfo = async (config) => {
    const info = await decodingInfo(config);
    return { ...info, supported: true, powerEfficient: /h264/i.test(config.video?.contentType ?? '') };
  };
`;

async function seat(browser: Browser, path: string, initScripts: string[]): Promise<Person> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
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
