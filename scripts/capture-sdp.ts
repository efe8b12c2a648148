// Records real SDP for the relay's codec tests (tests/unit/legs.test.ts): a Chromium student's offer,
// and Chromium viewers' answers to the relay's offer (VP8 and H.264), made as the app makes them
// (the viewer's preferred codec first, src/client/media/codecs.ts). Nothing is connected. Run:
//   flock /tmp/browser.lock sh scripts/loopback-only.sh npx tsx scripts/capture-sdp.ts
import { writeFileSync } from 'node:fs';
import { chromium } from '@playwright/test';
import { RTCPeerConnection as WeriftPeerConnection } from 'werift';
import { preferCodec } from '../src/client/media/codecs.ts';
import { relayVideoCodecs } from '../server/relay/worker/peer-connection.ts';
import { CHROMIUM_ARGS, chromiumExecutable } from '../tests/e2e/browser.ts';

const browser = await chromium.launch({ executablePath: chromiumExecutable(), args: CHROMIUM_ARGS });
const page = await browser.newPage();
const studentOffer = await page.evaluate(async () => {
  const canvas = Object.assign(document.createElement('canvas'), { width: 64, height: 48 });
  canvas.getContext('2d')!.fillRect(0, 0, 1, 1);
  const pc = new RTCPeerConnection();
  pc.addTrack(canvas.captureStream(5).getVideoTracks()[0]!);
  pc.createDataChannel('x');
  return (await pc.createOffer()).sdp!;
});

/** The relay's offer to a viewer, as the relay makes it (worker/peer-connection.ts). */
async function relayOffer(): Promise<string> {
  const pc = new WeriftPeerConnection({
    codecs: { video: relayVideoCodecs(['VP8', 'H264']) },
    headerExtensions: { video: [] },
  });
  pc.addTransceiver('video', { direction: 'sendonly' });
  pc.createDataChannel('relay');
  await pc.setLocalDescription(await pc.createOffer());
  const sdp = pc.localDescription!.sdp;
  await pc.close();
  return sdp;
}

const offer = await relayOffer();
const answers: Record<string, string> = {};
for (const codec of ['VP8', 'H264'] as const) {
  const answer = await page.evaluate(async (sdp) => {
    const pc = new RTCPeerConnection();
    await pc.setRemoteDescription({ type: 'offer', sdp });
    return (await pc.createAnswer()).sdp!;
  }, offer);
  answers[codec] = preferCodec(answer, codec);
}
await browser.close();
const version = browser.version();
writeFileSync(
  'tests/fixtures/relay-sdp.json',
  `${JSON.stringify({ browser: `Chromium ${version}`, studentOffer, relayOffer: offer, viewerAnswers: answers }, null, 2)}\n`,
);
console.log('wrote tests/fixtures/relay-sdp.json');
