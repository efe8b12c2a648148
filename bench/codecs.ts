/**
 * Decode cost per tile of a 30-tile wall in H.264 and in VP8, side by side in one run, and the
 * encode cost on the students' side. Thirty senders in one Chromium context send an animated
 * screen-sized canvas at the app's thumbnail settings to thirty receivers in another; each receiver
 * states its codec by the order of codecs in its answer (`preferCodec`, as the app does), and the
 * figures are Chromium's own stats: totalDecodeTime / framesDecoded, the decoder's name and whether
 * it is hardware (powerEfficientDecoder).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from '@playwright/test';
import { preferCodec, type VideoCodec } from '../src/client/media/codecs.ts';
import { encodingFor } from '../src/client/media/quality.ts';
import { CHROMIUM_ARGS, chromiumExecutable } from '../tests/e2e/browser.ts';
import { saveResult } from './lib.ts';

const TILES = 30;
const WARM_UP_MS = 6_000;
const MEASURE_MS = 10_000;

/** What one codec costs, averaged over the tiles. */
export interface CodecFigures {
  /** The codec every receiver actually decoded (from its stats), so the comparison is what it says. */
  negotiated: string[];
  decodeMsPerFrame: number;
  decoders: string[];
  hardwareDecoders: number;
  encodeMsPerFrame: number;
  encoders: string[];
  framesPerSecondPerTile: number;
  kbpsPerTile: number;
}

/** The benchmark's result. */
export interface CodecsResult {
  tiles: number;
  source: string;
  vp8: CodecFigures;
  h264: CodecFigures;
}

/** Runs both codecs, one after the other in the same browser, and saves bench/results/codecs.json. */
export async function benchCodecs(): Promise<CodecsResult> {
  // An empty page on loopback: media APIs need a secure context, which about:blank is not.
  const blank = createServer((_req, res) => res.end('<!doctype html><title>wall</title>'));
  await new Promise<void>((resolve) => blank.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(blank.address() as AddressInfo).port}/`;
  const browser = await chromium.launch({ executablePath: chromiumExecutable(), args: CHROMIUM_ARGS });
  try {
    const vp8 = await measure(browser, url, 'VP8');
    const h264 = await measure(browser, url, 'H264');
    const result: CodecsResult = {
      tiles: TILES,
      source: '1280×720 canvas with moving text, sent as the app sends wall tiles',
      vp8,
      h264,
    };
    saveResult('codecs', result);
    return result;
  } finally {
    await browser.close();
    blank.close();
  }
}

async function measure(browser: Browser, url: string, codec: VideoCodec): Promise<CodecFigures> {
  const students = await (await browser.newContext()).newPage();
  const wall = await (await browser.newContext()).newPage();
  await Promise.all([students.goto(url), wall.goto(url)]);
  // A wall tile as every tile was sent before tiles reported their views: 640×360, 250 kbps, 5 fps.
  const thumbnail = encodingFor({ type: 'quality', level: 'thumbnail' }, { width: 1280, height: 720 });
  // Chromium offers its loopback candidates, and names its encoders and decoders in stats, only to
  // a page that is capturing, as the app's pages do (the screen; a fake camera here).
  for (const page of [students, wall]) {
    await page.evaluate(async () => {
      (window as unknown as { camera: MediaStream }).camera = await navigator.mediaDevices.getUserMedia({
        video: { width: 160, height: 120, frameRate: 1 },
      });
    });
  }
  const offers = await students.evaluate(
    async ({ tiles, encoding }) => {
      const canvas = Object.assign(document.createElement('canvas'), { width: 1280, height: 720 });
      const g = canvas.getContext('2d')!;
      let y = 0;
      setInterval(() => {
        g.fillStyle = '#fff';
        g.fillRect(0, 0, 1280, 720);
        g.fillStyle = '#111';
        g.font = '20px sans-serif';
        for (let line = 0; line < 30; line++)
          g.fillText(`Line ${line + y} of a document being scrolled`, 40, line * 24 - (y % 24) + 30);
        y++;
      }, 100);
      const track = canvas.captureStream(5).getVideoTracks()[0]!;
      track.contentHint = 'detail';
      const pcs: RTCPeerConnection[] = [];
      const sdps: string[] = [];
      for (let i = 0; i < tiles; i++) {
        const pc = new RTCPeerConnection();
        const { sender } = pc.addTransceiver(track, { direction: 'sendonly', sendEncodings: [encoding] });
        void sender;
        await pc.setLocalDescription(await pc.createOffer());
        await new Promise<void>((resolve) => {
          if (pc.iceGatheringState === 'complete') resolve();
          pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && resolve());
        });
        pcs.push(pc);
        sdps.push(pc.localDescription!.sdp);
      }
      (window as unknown as { pcs: RTCPeerConnection[] }).pcs = pcs;
      return sdps;
    },
    { tiles: TILES, encoding: thumbnail },
  );
  const answers = await wall.evaluate(async (offers) => {
    const pcs: RTCPeerConnection[] = [];
    const sdps: string[] = [];
    for (const sdp of offers) {
      const pc = new RTCPeerConnection();
      await pc.setRemoteDescription({ type: 'offer', sdp });
      const answer = await pc.createAnswer();
      pcs.push(pc);
      sdps.push(answer.sdp!);
    }
    (window as unknown as { pcs: RTCPeerConnection[] }).pcs = pcs;
    return sdps;
  }, offers);
  // What the app's receiver does: state its codec by the order in its answer.
  const preferred = answers.map((sdp) => preferCodec(sdp, codec));
  const finalAnswers = await wall.evaluate(async (sdps) => {
    const { pcs } = window as unknown as { pcs: RTCPeerConnection[] };
    const out: string[] = [];
    for (const [i, pc] of pcs.entries()) {
      await pc.setLocalDescription({ type: 'answer', sdp: sdps[i]! });
      await new Promise<void>((resolve) => {
        if (pc.iceGatheringState === 'complete') resolve();
        pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && resolve());
      });
      out.push(pc.localDescription!.sdp);
    }
    return out;
  }, preferred);
  await students.evaluate(async (sdps) => {
    const { pcs } = window as unknown as { pcs: RTCPeerConnection[] };
    for (const [i, pc] of pcs.entries()) await pc.setRemoteDescription({ type: 'answer', sdp: sdps[i]! });
  }, finalAnswers);

  await wall.waitForTimeout(WARM_UP_MS);
  const before = { wall: await stats(wall, 'inbound-rtp'), students: await stats(students, 'outbound-rtp') };
  await wall.waitForTimeout(MEASURE_MS);
  const after = { wall: await stats(wall, 'inbound-rtp'), students: await stats(students, 'outbound-rtp') };
  await students.context().close();
  await wall.context().close();

  const delta = (list: 'wall' | 'students', key: string) =>
    after[list].map((s, i) => Number(s[key] ?? 0) - Number(before[list][i]?.[key] ?? 0));
  const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
  const framesDecoded = sum(delta('wall', 'framesDecoded'));
  const framesEncoded = sum(delta('students', 'framesEncoded'));
  const distinct = (list: 'wall' | 'students', key: string) => [...new Set(after[list].map((s) => String(s[key])))];
  return {
    negotiated: distinct('wall', 'mimeType'),
    decodeMsPerFrame: round((sum(delta('wall', 'totalDecodeTime')) * 1000) / framesDecoded),
    decoders: distinct('wall', 'decoderImplementation'),
    hardwareDecoders: after.wall.filter((s) => s.powerEfficientDecoder === true).length,
    encodeMsPerFrame: round((sum(delta('students', 'totalEncodeTime')) * 1000) / framesEncoded),
    encoders: distinct('students', 'encoderImplementation'),
    framesPerSecondPerTile: round(framesDecoded / TILES / (MEASURE_MS / 1000)),
    kbpsPerTile: round((sum(delta('wall', 'bytesReceived')) * 8) / TILES / MEASURE_MS),
  };
}

/** Each connection's video RTP stats of `type`, with its codec's MIME type. */
async function stats(page: Page, type: 'inbound-rtp' | 'outbound-rtp'): Promise<Record<string, unknown>[]> {
  return page.evaluate(async (type) => {
    const { pcs } = window as unknown as { pcs: RTCPeerConnection[] };
    return Promise.all(
      pcs.map(async (pc) => {
        const report = await pc.getStats();
        const all = [...report.values()] as Record<string, unknown>[];
        const rtp = all.find((s) => s.type === type && s.kind === 'video') ?? {};
        const codec = all.find((s) => s.type === 'codec' && s.id === rtp.codecId);
        return { ...rtp, mimeType: codec?.mimeType };
      }),
    );
  }, type);
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
