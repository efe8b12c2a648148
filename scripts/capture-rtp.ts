// Records real H.264 RTP packets from Chromium for the keyframe parser's tests: a page encodes an
// animated canvas and sends it to a werift peer in this process, which keeps the packets; the page
// notes which frames its encoder made as keyframes (encoded transform), so the tests check the
// parser against the encoder's own word. Run as root inside scripts/loopback-only.sh:
//   sh scripts/loopback-only.sh npx tsx scripts/capture-rtp.ts
import { writeFileSync } from 'node:fs';
import { chromium } from '@playwright/test';
import { RTCPeerConnection as WeriftPeerConnection, RTCRtpCodecParameters, type RtpPacket } from 'werift';
import { CHROMIUM_ARGS, chromiumExecutable } from '../tests/e2e/browser.ts';

/** One recording: a frame size, so small frames fit one packet and large ones are fragmented. */
interface Take {
  name: string;
  width: number;
  height: number;
  /** A still noise background: keyframes too large for one packet (FU-A), small delta frames. */
  noise: boolean;
}

const TAKES: Take[] = [
  { name: 'small', width: 64, height: 48, noise: false },
  { name: 'large', width: 320, height: 180, noise: true },
];
const PACKETS_PER_TAKE = 200;

const browser = await chromium.launch({ executablePath: chromiumExecutable(), args: CHROMIUM_ARGS });
const result: Record<string, unknown> = {};
for (const take of TAKES) {
  const page = await browser.newPage();
  const pc = new WeriftPeerConnection({
    codecs: {
      video: [
        new RTCRtpCodecParameters({
          mimeType: 'video/H264',
          clockRate: 90000,
          parameters: 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f',
          rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }],
        }),
      ],
    },
    headerExtensions: { video: [] },
    iceAdditionalHostAddresses: ['127.0.0.1'],
  });
  const packets: RtpPacket[] = [];
  const full = new Promise<void>((resolve) => {
    pc.onTrack.subscribe((track) => {
      track.onReceiveRtp.subscribe((rtp) => {
        if (packets.length < PACKETS_PER_TAKE) packets.push(rtp);
        // A second keyframe half way, asked for as the relay asks for one.
        if (packets.length === PACKETS_PER_TAKE / 2)
          void pc.getTransceivers()[0]?.receiver.sendRtcpPLI(rtp.header.ssrc);
        if (packets.length === PACKETS_PER_TAKE) resolve();
      });
    });
  });
  const offer = await page.evaluate(async ({ width, height, noise }) => {
    const canvas = Object.assign(document.createElement('canvas'), { width, height });
    const g = canvas.getContext('2d')!;
    const background = g.createImageData(width, height);
    for (let i = 0; i < background.data.length; i++) background.data[i] = noise ? Math.random() * 256 : 128;
    let n = 0;
    setInterval(() => {
      g.putImageData(background, 0, 0);
      g.fillStyle = `hsl(${(n * 7) % 360} 70% 50%)`;
      g.fillRect(0, 0, 24, 12);
      g.fillText(`frame ${n++}`, 4, height / 2);
    }, 33);
    const track = canvas.captureStream(30).getVideoTracks()[0]!;
    const pc = new RTCPeerConnection({ encodedInsertableStreams: true } as RTCConfiguration);
    const transceiver = pc.addTransceiver(track, { direction: 'sendonly' });
    transceiver.setCodecPreferences(
      RTCRtpSender.getCapabilities('video')!.codecs.filter(
        (c) => c.mimeType === 'video/H264' && c.sdpFmtpLine?.includes('packetization-mode=1'),
      ),
    );
    const keyframes: number[] = [];
    (window as unknown as { keyframes: number[] }).keyframes = keyframes;
    const sender = transceiver.sender as RTCRtpSender & {
      createEncodedStreams(): { readable: ReadableStream; writable: WritableStream };
    };
    const { readable, writable } = sender.createEncodedStreams();
    void readable
      .pipeThrough(
        new TransformStream({
          transform(frame: { type: string; getMetadata(): { rtpTimestamp: number } }, out) {
            if (frame.type === 'key') keyframes.push(frame.getMetadata().rtpTimestamp);
            out.enqueue(frame);
          },
        }),
      )
      .pipeTo(writable);
    (window as unknown as { pc: RTCPeerConnection }).pc = pc;
    await pc.setLocalDescription(await pc.createOffer());
    await new Promise<void>((resolve) => {
      if (pc.iceGatheringState === 'complete') resolve();
      pc.onicegatheringstatechange = () => pc.iceGatheringState === 'complete' && resolve();
    });
    return pc.localDescription!.sdp;
  }, take);
  await pc.setRemoteDescription({ type: 'offer', sdp: offer });
  await pc.setLocalDescription(await pc.createAnswer());
  const answer = pc.localDescription!.sdp;
  await page.evaluate(async (sdp) => {
    await (window as unknown as { pc: RTCPeerConnection }).pc.setRemoteDescription({ type: 'answer', sdp });
  }, answer);
  await full;
  const keyframes = await page.evaluate(() => (window as unknown as { keyframes: number[] }).keyframes);
  result[take.name] = {
    width: take.width,
    height: take.height,
    keyframeTimestamps: keyframes,
    packets: packets.map((p) => ({
      sequenceNumber: p.header.sequenceNumber,
      timestamp: p.header.timestamp,
      marker: p.header.marker,
      payload: p.payload.toString('base64'),
    })),
  };
  console.log(`${take.name}: ${packets.length} packets, keyframes at ${keyframes.join(', ')}`);
  await pc.close();
  await page.close();
}
await browser.close();
writeFileSync('tests/fixtures/h264-rtp.json', JSON.stringify(result) + '\n');
