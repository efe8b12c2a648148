/**
 * Where the time goes between a student's Share and the teacher's first frame, mesh, loopback: each
 * step is stamped in the page where it happens (both pages read the same machine clock), over
 * repeated share and stop. Steps: the click (Playwright's, from the test process); the tap as the
 * page sees it (its pointerdown); the capture granted; the call placed (the student's
 * RTCPeerConnection) and its encoder first set; the offer made and set locally, leaving on the
 * PeerServer socket, arriving in the teacher's page and set there; the answer set there, sent,
 * arriving and set back in the student's page; ICE connected; DTLS up (connection 'connected'); the data
 * channel open; the teacher's first RTP packet received, first frame decoded and first frame
 * presented in the tile. The teacher's stats are polled every 5 ms, but Chromium caches getStats
 * results for a moment, so those two steps can read late (the presented frame is exact).
 *
 * `flock /tmp/browser.lock sh scripts/loopback-only.sh npx tsx bench/first-frame-only.ts` (after
 * `npm run build`).
 */
import { chromium, type Page } from '@playwright/test';
import { CHROMIUM_ARGS, chromiumExecutable } from '../tests/e2e/browser.ts';
import { StudentRoomPage } from '../tests/e2e/pages.ts';
import { firstFrameAt, joinStudent, newClass } from './mesh.ts';
import { percentile, startBuiltServer } from './lib.ts';

const RUNS = 12;

/**
 * Stamps the steps of every RTCPeerConnection a page makes, and the capture, in window.__steps
 * (first time each step happens after window.__stepsFrom). Kept as text: it runs in the page. With
 * window.__deep set before the page loads, it also taps the encoded frames (the student's first
 * encoded frame leaving, the teacher's first whole frame arriving, before decoding) and stamps
 * every frame the capture delivers, in window.__captureFrames: these need encoded insertable
 * streams and a second reader of the capture, which may cost a little themselves.
 */
export const STAMP_STEPS = `
  window.__steps = {};
  window.__stepsFrom = 0;
  window.__captureFrames = [];
  const stamp = (step) => {
    if (window.__stepsFrom && !(step in window.__steps)) window.__steps[step] = Date.now();
  };
  const deep = Boolean(window.__deep);
  // The tap as the page sees it: the click's own steps in Playwright (hit test, scrolling, actionability) come before it.
  window.addEventListener('pointerdown', () => stamp('tap'), true);
  // The PeerServer socket: when the offer and the answer leave one page and reach the other, apart
  // from what each page does with them (the hop through the server, and each page's busy time).
  const messageType = (data) => (typeof data === 'string' && /"type":"(OFFER|ANSWER)"/.exec(data)?.[1]) || null;
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (data) {
    const type = messageType(data);
    if (type) stamp('ws-' + type.toLowerCase() + '-sent');
    return send.call(this, data);
  };
  const OriginalSocket = window.WebSocket;
  window.WebSocket = class extends OriginalSocket {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (event) => {
        const type = messageType(event.data);
        if (type) stamp('ws-' + type.toLowerCase() + '-arrived');
      });
    }
  };
  const capture = navigator.mediaDevices.getDisplayMedia.bind(navigator.mediaDevices);
  navigator.mediaDevices.getDisplayMedia = async (...args) => {
    const stream = await capture(...args);
    // A student takes a moment in the picker: the capture is handed over this long after the tap.
    const held = window.__pickerMs - (Date.now() - window.__stepsFrom);
    if (held > 0) await new Promise((resolve) => setTimeout(resolve, held));
    stamp('captured');
    if (deep) {
      const reader = new MediaStreamTrackProcessor({ track: stream.getVideoTracks()[0].clone() }).readable.getReader();
      (async () => {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return;
          value.close();
          if (window.__stepsFrom) window.__captureFrames.push(Date.now());
        }
      })();
    }
    return stream;
  };
  const tap = (endpoint, step) => {
    const { readable, writable } = endpoint.createEncodedStreams();
    readable
      .pipeThrough(new TransformStream({ transform(frame, out) { stamp(step); out.enqueue(frame); } }))
      .pipeTo(writable);
  };
  const setParameters = RTCRtpSender.prototype.setParameters;
  RTCRtpSender.prototype.setParameters = async function (...args) {
    const n = window.__settings = (window.__settings || 0) + 1;
    stamp('encoder-set-' + n);
    const result = await setParameters.apply(this, args);
    stamp('encoder-done-' + n);
    return result;
  };
  const replaceTrack = RTCRtpSender.prototype.replaceTrack;
  RTCRtpSender.prototype.replaceTrack = async function (...args) {
    const result = await replaceTrack.apply(this, args);
    stamp('track-replaced');
    return result;
  };
  const Original = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends Original {
    constructor(config) {
      super(deep ? { ...config, encodedInsertableStreams: true } : config);
      stamp('pc-created');
      this.addEventListener('datachannel', () => stamp('channel-received'));
      if (deep) this.addEventListener('track', (event) => event.track.kind === 'video' && tap(event.receiver, 'frame-arrived'));
      this.addEventListener('iceconnectionstatechange', () => {
        if (this.iceConnectionState === 'connected') stamp('ice-connected');
      });
      this.addEventListener('connectionstatechange', () => {
        if (this.connectionState === 'connected') {
          stamp('dtls-connected');
          const poll = async () => {
            let packets = 0, decoded = 0;
            (await this.getStats()).forEach((r) => {
              if (r.type === 'inbound-rtp' && r.kind === 'video') { packets = r.packetsReceived || 0; decoded = r.framesDecoded || 0; }
            });
            if (packets > 0) stamp('first-rtp');
            if (decoded > 0) return stamp('first-decoded');
            if (this.connectionState === 'connected') setTimeout(poll, 5);
          };
          if (this.getReceivers().some((r) => r.track && r.track.kind === 'video')) poll();
        }
      });
    }
    addTrack(track, ...streams) {
      const sender = super.addTrack(track, ...streams);
      if (deep && track.kind === 'video') tap(sender, 'frame-encoded');
      return sender;
    }
    async createOffer(...args) {
      const result = await super.createOffer(...args);
      stamp('offer-created');
      return result;
    }
    async setLocalDescription(...args) {
      const result = await super.setLocalDescription(...args);
      stamp(this.localDescription.type === 'offer' ? 'offer-set' : 'answer-set');
      return result;
    }
    async setRemoteDescription(...args) {
      const result = await super.setRemoteDescription(...args);
      stamp(this.remoteDescription.type === 'offer' ? 'offer-received' : 'answer-received');
      return result;
    }
  };
`;

/** The steps in order: how each is shown, in whose page it is stamped, and its name there. */
const STEPS: [string, 'student' | 'teacher', string?][] = [
  ['tap', 'student'],
  ['captured', 'student'],
  ['pc-created', 'student'],
  ['offer-created', 'student'],
  ['offer-set', 'student'],
  ['ws-offer-sent', 'student'],
  ['ws-offer-arrived', 'teacher'],
  ['offer-received', 'teacher'],
  ['answer-set', 'teacher'],
  ['ws-answer-sent', 'teacher'],
  ['ws-answer-arrived', 'student'],
  ['answer-received', 'student'],
  ['ice-connected', 'teacher'],
  ['dtls-connected', 'teacher'],
  ['student-dtls-connected', 'student', 'dtls-connected'],
  ['channel-received', 'teacher'],
  ['encoder-set-1', 'student'],
  ['encoder-done-1', 'student'],
  ['encoder-set-2', 'student'],
  ['encoder-done-2', 'student'],
  ['track-replaced', 'student'],
  ['capture-frame-after-dtls', 'student'],
  ['capture-frame-after-replace', 'student'],
  ['frame-encoded', 'student'],
  ['frame-arrived', 'teacher'],
  ['first-rtp', 'teacher'],
  ['first-decoded', 'teacher'],
  ['presented', 'teacher'],
];

/** Starts stamping the steps of a share clicked at `from` (Date.now()) in a page with STAMP_STEPS. */
export async function resetSteps(page: Page, from: number): Promise<void> {
  await page.evaluate(
    `window.__steps = {}; window.__stepsFrom = ${from}; window.__settings = 0; window.__captureFrames = [];`,
  );
}

/**
 * Each step of the share clicked at `clicked`, in ms after it, read from both pages (STEPS order),
 * with the first frame the teacher presented at `presentedAt`.
 */
export async function readSteps(
  student: Page,
  teacher: Page,
  clicked: number,
  presentedAt: number,
): Promise<Record<string, number>> {
  const mine = (await student.evaluate('window.__steps')) as Record<string, number>;
  // The first frame the capture delivered once the student's side of the call was up.
  const frames = (await student.evaluate('window.__captureFrames')) as number[];
  const afterDtls = frames.find((t) => t >= (mine['dtls-connected'] ?? Infinity));
  if (afterDtls !== undefined) mine['capture-frame-after-dtls'] = afterDtls;
  // ...and once the capture took the stand-in's place on a call placed while the picker was open.
  const afterReplace = frames.find((t) => t >= (mine['track-replaced'] ?? Infinity));
  if (afterReplace !== undefined) mine['capture-frame-after-replace'] = afterReplace;
  const seen = (await teacher.evaluate('window.__steps')) as Record<string, number>;
  const run: Record<string, number> = {};
  for (const [step, where, key = step] of STEPS) {
    const time = step === 'presented' ? presentedAt : (where === 'student' ? mine : seen)[key];
    if (time !== undefined) run[step] = time - clicked;
  }
  return run;
}

/**
 * Each step's time after the click, per run, and their medians; `deep` adds the encoded-frame and
 * capture steps (see STAMP_STEPS). With `pickerMs`, the capture is handed to the app that long
 * after the click, as when a student takes a moment in the picker ('captured' is then their choice).
 */
export async function benchFirstFrame(deep = false, pickerMs = 0) {
  const server = await startBuiltServer({ RELAY_MODE: 'off' });
  const browser = await chromium.launch({ executablePath: chromiumExecutable(), args: CHROMIUM_ARGS });
  try {
    const { teacher, code } = await newClass(browser, server.url);
    const init = `window.__deep = ${deep}; window.__pickerMs = ${pickerMs};${STAMP_STEPS}`;
    await teacher.page.addInitScript(init);
    await teacher.page.reload();
    const ada = await joinStudent(browser, server.url, code, 'Ada');
    await ada.page.addInitScript(init);
    await ada.page.reload();
    const adaRoom = new StudentRoomPage(ada.page);
    await adaRoom.heading('Bench').waitFor();
    const runs: Record<string, number>[] = [];
    for (let i = 0; i < RUNS; i++) {
      const clicked = Date.now();
      await Promise.all([resetSteps(ada.page, clicked), resetSteps(teacher.page, clicked)]);
      const presented = firstFrameAt(teacher.page, 'Ada');
      await adaRoom.shareButton().click();
      runs.push(await readSteps(ada.page, teacher.page, clicked, await presented));
      await adaRoom.stopButton().click();
      await teacher.page.getByRole('figure', { name: 'Ada: Stopped sharing' }).waitFor();
    }
    const medians = Object.fromEntries(
      STEPS.map(([step]) => [step, percentile(runs.map((r) => r[step] ?? NaN).filter(Number.isFinite), 50)]),
    );
    const afterChoice = runs.map((r) => (r.presented ?? NaN) - (r.captured ?? NaN)).filter(Number.isFinite);
    const afterTap = runs.map((r) => (r.presented ?? NaN) - (r.tap ?? NaN)).filter(Number.isFinite);
    return {
      runs: RUNS,
      ...(pickerMs ? { pickerMs } : {}),
      medianMsAfterClick: medians,
      choiceToPresentedMs: { p50: percentile(afterChoice, 50), p90: percentile(afterChoice, 90) },
      tapToPresentedMs: { p50: percentile(afterTap, 50), p90: percentile(afterTap, 90) },
      perRun: runs,
    };
  } finally {
    await browser.close();
    await server.stop();
  }
}
