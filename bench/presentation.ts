/**
 * "Show to class" with a class of 30 in real Chromium on loopback, peer to peer and through the
 * relay, side by side: how long until every student's viewer decodes the teacher's screen, and
 * then the presenter's upload, sending connections, encoder output and browser CPU, what the
 * students receive, and the server's CPU. Measures only; changes nothing in the app.
 */
import { chromium, type Browser, type Page } from '@playwright/test';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Routes } from '../src/shared/protocol.ts';
import { CHROMIUM_ARGS, chromiumExecutable } from '../tests/e2e/browser.ts';
import { TRACK_PEER_CONNECTIONS, videoSendingConnections } from '../tests/e2e/media-stats.ts';
import { HomePage, StudentRoomPage, type Person } from '../tests/e2e/pages.ts';
import { join as joinRoom } from '../tests/helpers/client.ts';
import { childrenOf, treeCpuSeconds } from '../tests/helpers/procfs.ts';
import { percentile, pool, saveResult, startBuiltServer } from './lib.ts';
import { answerCalls, onRtpAtSocket } from './synthetic-peers.ts';
import { MOVING_SCREEN } from './wall.ts';

/** The class size; PRESENTATION_STUDENTS sets another (a smaller class shows the same steps on an idle machine). */
const STUDENTS = Number(process.env.PRESENTATION_STUDENTS ?? 30);
/**
 * How many of a class of devices through the relay (benchPresentationDeviceClass) are Chromium
 * pages; the rest are synthetic students, werift peers in this process, which take the relay's
 * standing calls like a page and need no browser on this machine's two cores.
 */
const REAL_IN_DEVICE_CLASS = 5;
/** Students joining at once. */
const JOINING_AT_ONCE = 4;
/** How long the students' viewers are given to decode a first frame. */
const DECODE_CAP_MS = 90_000;
const SETTLE_MS = 5000;
/** How long the relay's standing calls to the class are given to come up after the last student joined. */
const STAGE_CAP_MS = 90_000;
/** How long the students' browser's CPU is read before the click. */
const IDLE_SAMPLE_MS = 3000;
const WINDOW_MS = 10_000;
const ROOM = 'History';
const VIEWER = 'Ms Lee’s screen';

// Code that runs in the pages is kept as text: tsx's name-keeping helpers do not exist there.

/**
 * When each connection of a page was made, it was given an offer, its answer was set (and so sent), its ICE connected, it connected (ICE and DTLS done), and it
 * ended without ever connecting (Date.now(), 0 for not yet), in window.__callLog; installed after
 * TRACK_PEER_CONNECTIONS, whose class it extends. On a student's page a connection is a call answered.
 */
const CALL_LOG = `
  window.__callLog = [];
  const Tracked = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends Tracked {
    constructor(config) {
      super(config);
      const entry = { createdAt: Date.now(), offerAt: 0, answerAt: 0, iceConnectedAt: 0, connectedAt: 0, endedAt: 0, states: [] };
      window.__callLog.push(entry);
      const setRemote = this.setRemoteDescription.bind(this);
      this.setRemoteDescription = (description, ...rest) => {
        if (description?.type === 'offer' && !entry.offerAt) entry.offerAt = Date.now();
        return setRemote(description, ...rest);
      };
      const setLocal = this.setLocalDescription.bind(this);
      this.setLocalDescription = (...args) =>
        setLocal(...args).then((done) => {
          if (this.localDescription?.type === 'answer' && !entry.answerAt) entry.answerAt = Date.now();
          return done;
        });
      this.addEventListener('iceconnectionstatechange', () => {
        const ice = this.iceConnectionState;
        entry.states.push('ice-' + ice + '@' + (Date.now() - entry.createdAt));
        if ((ice === 'connected' || ice === 'completed') && !entry.iceConnectedAt) entry.iceConnectedAt = Date.now();
      });
      this.addEventListener('connectionstatechange', () => {
        const state = this.connectionState;
        entry.states.push(state + '@' + (Date.now() - entry.createdAt));
        if (state === 'connected' && !entry.connectedAt) entry.connectedAt = Date.now();
        if ((state === 'failed' || state === 'closed') && !entry.connectedAt && !entry.endedAt) entry.endedAt = Date.now();
      });
      const close = this.close.bind(this);
      this.close = () => {
        entry.states.push('close()@' + (Date.now() - entry.createdAt));
        if (!entry.connectedAt && !entry.endedAt) entry.endedAt = Date.now();
        close();
      };
    }
  };
`;

/**
 * Run in the presenter's page just before the click: when her page showed the presentation (its
 * "Stop showing" button), and when her encoder first produced a frame and her connection first sent
 * video, read every 50 ms (ms since the epoch, 0 until then).
 */
const WATCH_PRESENTER = `
  window.__presenterSteps = { shownAt: 0, encodedAt: 0, sentAt: 0 };
  const steps = window.__presenterSteps;
  const timer = setInterval(async () => {
    if (!steps.shownAt && [...document.querySelectorAll('button')].some((b) => b.textContent === 'Stop showing'))
      steps.shownAt = Date.now();
    for (const pc of window.__pcs) {
      if (pc.connectionState !== 'connected') continue;
      (await pc.getStats()).forEach((r) => {
        if (r.type !== 'outbound-rtp' || r.kind !== 'video') return;
        if (!steps.encodedAt && r.framesEncoded > 0) steps.encodedAt = Date.now();
        if (!steps.sentAt && r.bytesSent > 0) steps.sentAt = Date.now();
      });
    }
    if (steps.sentAt) clearInterval(timer);
  }, 50);
`;

/** One connection in a page's call log (see CALL_LOG). */
interface CallLogEntry {
  createdAt: number;
  /** When the caller's offer was set on it (0 on the caller's side), and when its own answer was. */
  offerAt: number;
  answerAt: number;
  /** Each change of ICE or connection state, and close(), as `state@ms after creation`. */
  states: string[];
  iceConnectedAt: number;
  connectedAt: number;
  endedAt: number;
}

/** Whether a student's page holds a call it answered that is up now: the relay's standing call (their own calls offer). */
function holdsStandingCall(log: CallLogEntry[]): boolean {
  return log.some((c) => c.answerAt > 0 && c.connectedAt > 0 && !c.states.some((s) => /^(closed|failed)@/.test(s)));
}

/** The page's connections made at or after `since` (PeerJS makes one as it loads, to test the browser). */
async function callsSince(page: Page, since: number): Promise<CallLogEntry[]> {
  return ((await page.evaluate('window.__callLog')) as CallLogEntry[]).filter((c) => c.createdAt >= since);
}

/** p50, p90 and the largest of some durations in ms (nulls when there are none). */
function spread(values: number[]) {
  return values.length === 0
    ? { count: 0, p50Ms: null, p90Ms: null, maxMs: null }
    : {
        count: values.length,
        p50Ms: percentile(values, 50),
        p90Ms: percentile(values, 90),
        maxMs: Math.max(...values),
      };
}

/**
 * Where the students' time went, from their own call logs: how many calls each answered, when the
 * first reached them, how long ICE and then DTLS took on the calls that connected, how many ended
 * without connecting, and how long after its call connected each viewer decoded.
 */
function studentCallBreakdown(logs: CallLogEntry[][], decodedAt: number[], clicked: number) {
  const all = logs.flat();
  const connected = all.filter((c) => c.connectedAt > 0);
  const perStudent = logs.map((l) => l.length);
  // The call that fed the first frame: the last to connect before it.
  const connectedToFrame = logs.flatMap((l, i) => {
    const at = decodedAt[i] ?? 0;
    const feeding = l.filter((c) => c.connectedAt > 0 && c.connectedAt <= at).at(-1);
    return feeding ? [at - feeding.connectedAt] : [];
  });
  return {
    callsAnswered: all.length,
    callsPerStudent: {
      median: median(perStudent),
      max: perStudent.length ? Math.max(...perStudent) : 0,
      studentsWithMoreThanOne: perStudent.filter((n) => n > 1).length,
    },
    /** Calls that ended (hung up by the caller, or failed) without ever connecting. */
    callsEndedUnconnected: all.filter((c) => c.endedAt > 0).length,
    /** From the click until each student's first call reached them (their page made its connection). */
    firstCallReached: spread(logs.flatMap((l) => (l[0] ? [l[0].createdAt - clicked] : []))),
    /** From the call reaching the student until its answer was set (and so sent): the student's answer path in the page. */
    answerMade: spread(all.filter((c) => c.answerAt > 0).map((c) => c.answerAt - c.createdAt)),
    /** On the calls that connected: from the call reaching the student until ICE connected. */
    ice: spread(connected.filter((c) => c.iceConnectedAt > 0).map((c) => c.iceConnectedAt - c.createdAt)),
    /** On the calls that connected: from ICE connected until the connection was (DTLS done). */
    dtls: spread(connected.filter((c) => c.iceConnectedAt > 0).map((c) => c.connectedAt - c.iceConnectedAt)),
    /** From the call that fed it connecting until the viewer decoded its first frame (the keyframe's wait). */
    connectedToFirstFrame: spread(connectedToFrame),
  };
}

/**
 * Each student's viewer from the click: when its video got the stream, the first bytes, the first
 * frame received (assembled) and the first decoded; and the gaps between them.
 */
function viewerBreakdown(milestones: ViewerMilestones[], clicked: number) {
  const since = (pick: (m: ViewerMilestones) => number) =>
    spread(milestones.flatMap((m) => (pick(m) > 0 ? [pick(m) - clicked] : [])));
  const gap = (from: (m: ViewerMilestones) => number, to: (m: ViewerMilestones) => number) =>
    spread(milestones.flatMap((m) => (from(m) > 0 && to(m) > 0 ? [to(m) - from(m)] : [])));
  return {
    viewerGotStream: since((m) => m.viewerShownAt),
    firstBytes: since((m) => m.firstBytesAt),
    firstFrameReceived: since((m) => m.firstFrameReceivedAt),
    firstFrameDecoded: since((m) => m.firstFrameAt),
    /** The stats are read every 100 ms, so gaps under that are noise. */
    bytesToFrameReceived: gap(
      (m) => m.firstBytesAt,
      (m) => m.firstFrameReceivedAt,
    ),
    frameReceivedToDecoded: gap(
      (m) => m.firstFrameReceivedAt,
      (m) => m.firstFrameAt,
    ),
  };
}

/** One line of the relay's milestones (server/relay/worker/trace.ts). */
interface TraceLine {
  at: number;
  event: string;
  call?: string;
  source?: string;
  viewer?: string;
  keyframe?: boolean;
  urgent?: boolean;
  bytes?: number;
  ms?: number;
}

/**
 * Where the relay's calls to the students spent their time, from its milestones: from the click until
 * the presenter's call reached the relay and came up; then per call to a student, from the click until
 * it was queued, and each step after (waiting its turn, making the offer, the student's answer coming
 * back through PeerServer, ICE, DTLS, the data channel, the first packet forwarded, which is always a
 * keyframe); and the keyframes asked of the presenter and those that arrived.
 */
function relayBreakdown(lines: TraceLine[], clicked: number) {
  const shown = lines.filter((l) => l.source?.startsWith('stage:') && l.at >= clicked);
  const calls = new Map<string, Map<string, number>>();
  for (const l of shown) {
    if (!l.call) continue;
    let steps = calls.get(l.call);
    if (!steps) calls.set(l.call, (steps = new Map()));
    if (!steps.has(l.event)) steps.set(l.event, l.at);
  }
  const list = [...calls.values()];
  const since = (event: string) => spread(list.flatMap((c) => (c.has(event) ? [c.get(event)! - clicked] : [])));
  const gap = (from: string, to: string) =>
    spread(list.flatMap((c) => (c.has(from) && c.has(to) ? [c.get(to)! - c.get(from)!] : [])));
  const first = (event: string) => {
    const at = shown.find((l) => l.event === event)?.at;
    return at === undefined ? null : at - clicked;
  };
  return {
    presenterCallReachedRelayMs: first('publisher-offer'),
    presenterCallConnectedMs: first('publisher-connected'),
    /** When a call of hers started feeding the class: her standing call (placed before the click), or one placed for it. */
    feedMs: first('feed'),
    calls: list.length,
    queued: since('queued'),
    queueWait: gap('queued', 'started'),
    offerMade: gap('started', 'offered'),
    /** The offer through PeerServer to the student's page, its answer and back: the students' answer path. */
    answerCameBack: gap('offered', 'answered'),
    iceAfterAnswer: gap('answered', 'ice-connected'),
    dtlsAfterIce: gap('ice-connected', 'connected'),
    channelAfterConnected: gap('connected', 'channel-open'),
    /** The first packet forwarded is a keyframe's: the wait for a keyframe after the call is up. */
    keyframeAfterConnected: gap('connected', 'first-rtp'),
    connected: since('connected'),
    firstPacketForwarded: since('first-rtp'),
    /** Keyframe requests sent to the presenter, and keyframes that arrived from her, ms after the click. */
    keyframeRequestsMs: shown.filter((l) => l.event === 'pli').map((l) => l.at - clicked),
    keyframesMs: shown.filter((l) => l.event === 'keyframe').map((l) => l.at - clicked),
    /** Each keyframe's size, and how long its packets took to reach the relay (the presenter's pacing). */
    keyframeSizes: shown
      .filter((l) => l.event === 'keyframe-end')
      .map((l) => ({ kB: Math.round((l.bytes ?? 0) / 100) / 10, arrivedOverMs: l.ms })),
  };
}

/** The relay's milestones written to `file` so far (none when it does not exist). */
function readTrace(file: string): TraceLine[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as TraceLine);
}

/**
 * Starts, in a student's page, a watch that records Date.now() at the first frame the viewer's
 * video decodes (WebRTC's framesDecoded on the connection feeding it, read every 100 ms), in
 * window.__firstFrameAt. Stats rather than requestVideoFrameCallback, which a video below the fold
 * of a headless page may never answer.
 */
const WATCH_FIRST_FRAME = `(() => {
  window.__firstFrameAt = 0;
  window.__firstBytesAt = 0;
  window.__firstFrameReceivedAt = 0;
  window.__viewerShownAt = 0;
  const poll = async () => {
    const track = document.querySelector(${JSON.stringify(`video[aria-label="${VIEWER}"]`)})?.srcObject?.getVideoTracks()[0];
    if (track && !window.__viewerShownAt) window.__viewerShownAt = Date.now();
    const pc = track && window.__pcs.find((c) => c.getReceivers().some((r) => r.track === track));
    let frames = 0;
    if (pc) (await pc.getStats()).forEach((r) => {
      if (r.type === 'inbound-rtp' && r.kind === 'video' && r.trackIdentifier === track.id) {
        frames = r.framesDecoded || 0;
        if (r.bytesReceived > 0 && !window.__firstBytesAt) window.__firstBytesAt = Date.now();
        if (r.framesReceived > 0 && !window.__firstFrameReceivedAt) window.__firstFrameReceivedAt = Date.now();
      }
    });
    if (frames > 0) window.__firstFrameAt = Date.now();
    else setTimeout(poll, 100);
  };
  poll();
})()`;

/** What WATCH_FIRST_FRAME saw on a student's page (Date.now(), 0 for never). */
interface ViewerMilestones {
  viewerShownAt: number;
  firstBytesAt: number;
  firstFrameReceivedAt: number;
  firstFrameAt: number;
}

function viewerMilestones(page: Page): Promise<ViewerMilestones> {
  return page.evaluate(
    '({ viewerShownAt: window.__viewerShownAt, firstBytesAt: window.__firstBytesAt, firstFrameReceivedAt: window.__firstFrameReceivedAt, firstFrameAt: window.__firstFrameAt })',
  );
}

/**
 * What the viewer's video has received so far (frames decoded, bytes) and its picture width now, how
 * many calls the student's page has answered, and the state of the newest.
 */
function viewerInbound(
  page: Page,
): Promise<{ frames: number; width: number; bytes: number; calls: number; state: string }> {
  return page.evaluate(`(async () => {
    const out = { frames: 0, width: 0, bytes: 0, calls: window.__pcs.length,
      state: window.__pcs.at(-1)?.connectionState ?? 'no call' };
    const track = document.querySelector(${JSON.stringify(`video[aria-label="${VIEWER}"]`)})?.srcObject?.getVideoTracks()[0];
    const pc = track && window.__pcs.find((c) => c.getReceivers().some((r) => r.track === track));
    if (pc) (await pc.getStats()).forEach((r) => {
      if (r.type === 'inbound-rtp' && r.kind === 'video' && r.trackIdentifier === track.id) {
        Object.assign(out, { frames: r.framesDecoded || 0, width: r.frameWidth || 0, bytes: r.bytesReceived || 0 });
      }
    });
    return out;
  })()`);
}

/**
 * One outbound video stream of the presenter's: bytes, encode seconds and frames sent so far, picture
 * width, why it is limited, the encoder's target bitrate and the connection's bandwidth estimate.
 */
interface Outbound {
  pc: number;
  bytes: number;
  encodeSeconds: number;
  width: number;
  framesSent: number;
  reason: string;
  targetKbps: number;
  estimateKbps: number;
  /** Frames the captured track has given this stream's sender so far (media-source stats). */
  sourceFrames: number;
}

/** Every outbound video stream on the presenter's open connections. */
function outbound(page: Page): Promise<Outbound[]> {
  return page.evaluate(`(async () => {
    const streams = [];
    for (const [pc, connection] of window.__pcs.entries()) {
      if (connection.connectionState === 'closed') continue;
      const stats = [...(await connection.getStats()).values()];
      const pair = stats.find((r) => r.type === 'candidate-pair' && r.nominated);
      for (const r of stats) {
        if (r.type === 'outbound-rtp' && r.kind === 'video' && r.bytesSent > 0) {
          streams.push({ pc, bytes: r.bytesSent, encodeSeconds: r.totalEncodeTime || 0, width: r.frameWidth || 0,
            framesSent: r.framesSent || 0, reason: r.qualityLimitationReason || 'none',
            targetKbps: Math.round((r.targetBitrate || 0) / 1000), estimateKbps: Math.round((pair?.availableOutgoingBitrate || 0) / 1000),
            sourceFrames: stats.find((m) => m.id === r.mediaSourceId)?.frames || 0 });
        }
      }
    }
    return streams;
  })()`);
}

/** The presenter's connected connections whose video encoder has not produced a single frame (framesEncoded 0). */
function connectedNeverEncoded(page: Page): Promise<number> {
  return page.evaluate(`(async () => {
    let count = 0;
    for (const pc of window.__pcs) {
      if (pc.connectionState !== 'connected') continue;
      let frames = 0;
      (await pc.getStats()).forEach((r) => {
        if (r.type === 'outbound-rtp' && r.kind === 'video') frames += r.framesEncoded || 0;
      });
      if (frames === 0) count++;
    }
    return count;
  })()`);
}

/** The median of some values, rounded to a tenth (0 when there are none). */
function median(values: number[]): number {
  return values.length === 0 ? 0 : Math.round(percentile(values, 50) * 10) / 10;
}

/** CPU seconds of a process tree turned into % of one core over `ms`. */
function corePercent(seconds: number, ms: number): number {
  return Math.round((seconds / (ms / 1000)) * 1000) / 10;
}

/** The room's routes as its host may read them (GET /api/rooms/:code). */
async function roomRoutes(baseURL: string, code: string, token: string): Promise<Routes> {
  const res = await fetch(`${baseURL}/api/rooms/${code}`, { headers: { authorization: `Bearer ${token}` } });
  if (!res.ok) throw new Error(`GET /api/rooms/${code} answered ${res.status}`);
  return ((await res.json()) as { room: { routes: Routes } }).room.routes;
}

/** Waits (up to 15 s) for the room's shown screen to travel the expected way, and returns its routes. */
async function expectPresentationTransport(baseURL: string, code: string, token: string, relay: boolean) {
  const want = relay ? 'relay' : 'mesh';
  for (const since = Date.now(); ; await new Promise((r) => setTimeout(r, 250))) {
    const routes = await roomRoutes(baseURL, code, token);
    if (routes.presentationTransport === want) return routes;
    if (Date.now() - since > 15_000)
      throw new Error(`the room's presentationTransport is ${routes.presentationTransport}, not ${want}`);
  }
}

/**
 * One run: a fresh built server, Ms Lee in a browser of her own, 30 watching students in another;
 * with `synthetic`, that many of the class are synthetic students (see REAL_IN_DEVICE_CLASS).
 */
async function run(relay: boolean, synthetic = 0) {
  const real = STUDENTS - synthetic;
  const runStarted = Date.now();
  // The relay writes its calls' milestones here (server/relay/worker/trace.ts).
  const traceFile = join(mkdtempSync(join(tmpdir(), 'presentation-trace-')), 'relay.jsonl');
  const server = await startBuiltServer(
    relay
      ? { RELAY_MODE: 'auto', RELAY_ANNOUNCED_IPS: '127.0.0.1', RELAY_TRACE_FILE: traceFile }
      : { RELAY_MODE: 'off' },
  );
  const launch = { executablePath: chromiumExecutable(), args: CHROMIUM_ARGS };
  // Ms Lee and the students each get a browser of their own, so each CPU figure is one side's alone.
  const presenterServer = await chromium.launchServer(launch);
  const studentServer = await chromium.launchServer(launch);
  let presenterBrowser: Browser | undefined;
  let students: Browser | undefined;
  try {
    presenterBrowser = await chromium.connect(presenterServer.wsEndpoint());
    students = await chromium.connect(studentServer.wsEndpoint());
    const studentBrowser = students;
    const presenterPid = presenterServer.process().pid!;
    const studentsPid = studentServer.process().pid!;

    const context = await presenterBrowser.newContext({ viewport: { width: 1280, height: 800 }, baseURL: server.url });
    await context.addInitScript(TRACK_PEER_CONNECTIONS);
    await context.addInitScript(CALL_LOG);
    await context.addInitScript(MOVING_SCREEN);
    const lee = await context.newPage();
    await lee.goto('/');
    const created = lee.waitForResponse(
      (r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/api/rooms',
    );
    const room = await new HomePage(lee).createRoom(ROOM, 'Ms Lee');
    const { member } = (await (await created).json()) as { member: { token: string } };
    const code = await room.code();

    const pupils: Person[] = [];
    const joinStarted = Date.now();
    await pool(
      Array.from({ length: real }, (_, i) => `S${String(i + 1).padStart(2, '0')}`),
      JOINING_AT_ONCE,
      async (name) => {
        const pupil = await studentBrowser.newContext({ viewport: { width: 1280, height: 720 }, baseURL: server.url });
        await pupil.addInitScript(TRACK_PEER_CONNECTIONS);
        await pupil.addInitScript(CALL_LOG);
        const page = await pupil.newPage();
        pupils.push({ context: pupil, page });
        await page.goto(`/join/${code}`);
        await new HomePage(page).join({ name });
        await new StudentRoomPage(page).heading(ROOM).waitFor({ timeout: 30_000 });
      },
    );
    // The synthetic students: when the end of the relay's first frame reaches each socket (the relay
    // starts a viewer at a keyframe, and an RTP header's marker bit ends a frame).
    const devices = await Promise.all(
      Array.from({ length: synthetic }, async (_, i) => {
        const member = await joinRoom(server.url, code, `D${String(i + 1).padStart(2, '0')}`);
        const seen = { up: false, firstFrameAt: 0 };
        const peer = answerCalls(server.url, member, {
          connected: (pc) => {
            seen.up = true;
            onRtpAtSocket(pc, (packet) => {
              if (!seen.firstFrameAt && packet[1]! & 0x80) seen.firstFrameAt = Date.now();
            });
          },
        });
        return { seen, close: peer.close };
      }),
    );
    const joinMs = Date.now() - joinStarted;
    const routes = await expectPresentationTransport(server.url, code, member.token, relay);
    // Through the relay, a class this size holds a standing call from it before anything is shown
    // (RelayRoom.stage), as a lesson would by the time its teacher shows something: waited for.
    const stageStarted = Date.now();
    const standingCalls = async () =>
      (await Promise.all(pupils.map(async (p) => holdsStandingCall(await callsSince(p.page, 0))))).filter(Boolean)
        .length + devices.filter((d) => d.seen.up).length;
    let standingAtClick = await standingCalls();
    while (relay && standingAtClick < STUDENTS && Date.now() - stageStarted < STAGE_CAP_MS) {
      await lee.waitForTimeout(500);
      standingAtClick = await standingCalls();
    }
    const stageUpMs = Date.now() - stageStarted;

    const relayPids = childrenOf(server.pid);
    const setupCpu = () => ({
      presenter: treeCpuSeconds(presenterPid),
      students: treeCpuSeconds(studentsPid),
      server: treeCpuSeconds(server.pid),
      relay: relayPids.reduce((sum, pid) => sum + treeCpuSeconds(pid), 0),
    });
    // What the class costs before anything is shown: the pages alone, then with this bench's
    // first-frame watch polling their stats every 100 ms.
    const studentsIdlePercent = async () => {
      const before = treeCpuSeconds(studentsPid);
      const since = Date.now();
      await lee.waitForTimeout(IDLE_SAMPLE_MS);
      return corePercent(treeCpuSeconds(studentsPid) - before, Date.now() - since);
    };
    const justJoinedPercent = await studentsIdlePercent();
    const idlePagesPercent = await studentsIdlePercent();
    for (const p of pupils) await p.page.evaluate(WATCH_FIRST_FRAME);
    const idleWatchedPercent = await studentsIdlePercent();
    const loadAtClick = loadavg()[0]!;
    const cpuAtClick = setupCpu();
    await lee.evaluate(WATCH_PRESENTER);
    const clicked = Date.now();
    await lee.getByRole('button', { name: 'Show to class' }).click();
    await lee.getByRole('button', { name: 'Show my screen' }).click();
    const firstFrameAt = async () =>
      Promise.all(pupils.map((p) => p.page.evaluate('window.__firstFrameAt') as Promise<number>));
    let decodedAt = await firstFrameAt();
    const waiting = () => decodedAt.some((t) => t === 0) || devices.some((d) => !d.seen.firstFrameAt);
    while (waiting() && Date.now() - clicked < DECODE_CAP_MS) {
      await lee.waitForTimeout(500);
      decodedAt = await firstFrameAt();
    }
    const cpuAtDecoded = setupCpu();
    const setupMs = Date.now() - clicked;
    const loadAtDecoded = loadavg()[0]!;
    const firstFrameMs = decodedAt.filter((t) => t > 0).map((t) => t - clicked);
    const arrivedMs = devices.filter((d) => d.seen.firstFrameAt).map((d) => d.seen.firstFrameAt - clicked);
    for (const d of devices) d.close();
    const viewers = viewerBreakdown(await Promise.all(pupils.map((p) => viewerMilestones(p.page))), clicked);
    const relayCalls = relay ? relayBreakdown(readTrace(traceFile), clicked) : null;
    const presenterSteps = Object.fromEntries(
      Object.entries((await lee.evaluate('window.__presenterSteps')) as Record<string, number>).map(([step, at]) => [
        step.replace(/At$/, 'Ms'),
        at > 0 ? at - clicked : null,
      ]),
    );
    const studentCalls = studentCallBreakdown(
      await Promise.all(pupils.map((p) => callsSince(p.page, clicked))),
      decodedAt,
      clicked,
    );
    const decodedWithinCap = firstFrameMs.length;
    // The routes once more, with the screen shown: still the way the run is about.
    const routesShown = await expectPresentationTransport(server.url, code, member.token, relay);

    await lee.waitForTimeout(SETTLE_MS);
    const relayWorkers = childrenOf(server.pid);
    const cpu = () => ({
      presenter: treeCpuSeconds(presenterPid),
      students: treeCpuSeconds(studentsPid),
      server: treeCpuSeconds(server.pid),
      relay: relayWorkers.reduce((sum, pid) => sum + treeCpuSeconds(pid), 0),
    });
    const streamsBefore = await outbound(lee);
    const viewersBefore = await Promise.all(pupils.map((p) => viewerInbound(p.page)));
    const cpuBefore = cpu();
    const started = Date.now();
    await lee.waitForTimeout(WINDOW_MS);
    const cpuAfter = cpu();
    const windowMs = Date.now() - started;
    const streamsAfter = await outbound(lee);
    const viewersAfter = await Promise.all(pupils.map((p) => viewerInbound(p.page)));
    const sendingConnections = await videoSendingConnections(lee);
    const neverEncoded = await connectedNeverEncoded(lee);
    // Connections made before the click are not calls (PeerJS makes one as it loads, to test the browser).
    const callLog = await callsSince(lee, clicked);
    const callsPlaced = callLog.length;
    const connectedAt = callLog.filter((c) => c.connectedAt > 0).map((c) => c.connectedAt - clicked);
    const states: Record<string, number> = {};
    for (const v of viewersAfter) states[v.state] = (states[v.state] ?? 0) + 1;
    const load = loadavg()[0]!;

    const kbps = (bytes: number) => Math.round((bytes * 8) / windowMs);
    const perSecond = (frames: number) => frames / (windowMs / 1000);
    const before = new Map(streamsBefore.map((s) => [s.pc, s]));
    // Per stream, so that a call hung up and placed again within the window neither counts twice nor goes negative.
    const streamBytes = streamsAfter.map((s) => s.bytes - (before.get(s.pc)?.bytes ?? 0));
    const streamKbps = streamBytes.map(kbps);
    const after = new Set(streamsAfter.map((s) => s.pc));
    const encodeSeconds = streamsAfter.reduce(
      (sum, s) => sum + s.encodeSeconds - (before.get(s.pc)?.encodeSeconds ?? 0),
      0,
    );
    const reasons: Record<string, number> = {};
    for (const s of streamsAfter) reasons[s.reason] = (reasons[s.reason] ?? 0) + 1;
    // A student watches if their viewer decoded new frames during the window.
    const watching = viewersAfter.filter((v, i) => v.frames > (viewersBefore[i]?.frames ?? 0));

    return {
      serverEnv: relay ? 'RELAY_MODE=auto, RELAY_ANNOUNCED_IPS=127.0.0.1' : 'RELAY_MODE=off',
      presentationTransport: routesShown.presentationTransport,
      roomTransport: routes.transport,
      directMembers: routesShown.directMembers.length,
      studentsJoinedMs: joinMs,
      /**
       * The relay's standing calls (a large class's stage): how many students held one at the click,
       * and how long after the last student joined they were all up (or the cap).
       */
      stage: { studentsWithStandingCall: standingAtClick, upAfterJoinMs: stageUpMs },
      firstFrame: {
        decodedWithinCap,
        capMs: DECODE_CAP_MS,
        /** Milliseconds from the click on "Show my screen" until each viewer decoded a frame. */
        p50Ms: percentile(firstFrameMs, 50),
        p90Ms: percentile(firstFrameMs, 90),
        allMs: decodedWithinCap === real ? Math.max(...firstFrameMs) : null,
        /** Each viewer's first frame, ms after the click, in order. */
        sortedMs: [...firstFrameMs].sort((a, b) => a - b),
      },
      /**
       * The synthetic students (a class of devices, see REAL_IN_DEVICE_CLASS): ms after the click
       * until the relay's first frame had wholly reached each one, and until the whole class had its
       * first frame (the Chromium pages decoded, the synthetic ones received), or null past the cap.
       */
      ...(synthetic > 0 && {
        synthetic: {
          students: synthetic,
          firstFrameArrived: {
            count: arrivedMs.length,
            p50Ms: percentile(arrivedMs, 50),
            p90Ms: percentile(arrivedMs, 90),
            maxMs: arrivedMs.length ? Math.max(...arrivedMs) : null,
          },
          wholeClassMs:
            decodedWithinCap === real && arrivedMs.length === synthetic
              ? Math.max(...firstFrameMs, ...arrivedMs)
              : null,
        },
      }),
      /** The students' calls up to their first frames (see studentCallBreakdown). */
      studentCalls,
      /** Each student's viewer from the click (see viewerBreakdown). */
      viewers,
      /** The relay's calls to the students, step by step (see relayBreakdown); null peer to peer. */
      relayCalls,
      /** In her page, from the click: the presentation shown, her first frame encoded and first video sent (see WATCH_PRESENTER). */
      presenterSteps,
      /**
       * CPU from the click until every viewer decoded (or the cap), % of one core (the machine has
       * two: 200 is all of it), and the load average then: whether the set-up waited for a core.
       */
      setupCpu: {
        /**
         * The students' browser before the click, 3 s each: just after the last joined, then the pages
         * alone, then with the first-frame watch polling their stats.
         */
        studentsIdlePercent: { justJoined: justJoinedPercent, pages: idlePagesPercent, withWatch: idleWatchedPercent },
        loadAverage1mAtClick: Math.round(loadAtClick * 10) / 10,
        ms: setupMs,
        presenterPercent: corePercent(cpuAtDecoded.presenter - cpuAtClick.presenter, setupMs),
        studentsPercent: corePercent(cpuAtDecoded.students - cpuAtClick.students, setupMs),
        serverPercent: corePercent(cpuAtDecoded.server - cpuAtClick.server, setupMs),
        relayWorkerPercent: corePercent(cpuAtDecoded.relay - cpuAtClick.relay, setupMs),
        loadAverage1m: Math.round(loadAtDecoded * 10) / 10,
      },
      presenter: {
        uploadKbps: kbps(streamBytes.reduce((sum, b) => sum + b, 0)),
        videoSendingConnections: sendingConnections,
        browserCpuPercent: corePercent(cpuAfter.presenter - cpuBefore.presenter, windowMs),
        /**
         * WebRTC's own totalEncodeTime summed over her streams, per second of the window: time frames
         * spent being encoded, waiting for a core included, so it can exceed the cores there are.
         */
        encodeSecondsPerSecond: Math.round((encodeSeconds / (windowMs / 1000)) * 100) / 100,
        /** Connections her page made since the click: one per call placed, retries included. */
        callsPlaced,
        /** Each of her calls: when it was placed (ms after the click) and its states since (ms after it was placed). */
        calls: callLog.map((c) => ({ placedMs: c.createdAt - clicked, states: c.states })),
        /** Milliseconds from the click until her first call was placed, and until her first call connected. */
        firstCallPlacedMs: callLog.length ? Math.min(...callLog.map((c) => c.createdAt)) - clicked : null,
        firstCallConnectedMs: connectedAt.length ? Math.min(...connectedAt) : null,
        streams: streamsAfter.length,
        /** Connections up (the student answered, ICE and DTLS done) on which her encoder never produced a frame. */
        connectedNeverEncoded: neverEncoded,
        /** Streams sending before the window whose connection was gone at its end (a call given up). */
        streamsEndedInWindow: streamsBefore.filter((s) => !after.has(s.pc)).length,
        streamKbps: {
          median: median(streamKbps),
          min: streamKbps.length ? Math.min(...streamKbps) : 0,
          max: streamKbps.length ? Math.max(...streamKbps) : 0,
        },
        /** Over the streams that report a picture size (Chromium leaves it out of a stream with no recent frame). */
        medianFrameWidth: median(streamsAfter.map((s) => s.width).filter((w) => w > 0)),
        /** Frames per second the captured screen gave each stream's sender over the window (it draws 5). */
        medianSourceFramesPerSecond: median(
          streamsAfter.map((s) => perSecond(s.sourceFrames - (before.get(s.pc)?.sourceFrames ?? 0))),
        ),
        /** Frames sent per second over the window, per stream. */
        medianFramesPerSecond: median(
          streamsAfter.map((s) => perSecond(s.framesSent - (before.get(s.pc)?.framesSent ?? 0))),
        ),
        qualityLimitationReasons: reasons,
        /** The encoders' target bitrate and the connections' bandwidth estimate (availableOutgoingBitrate), medians. */
        medianTargetKbps: median(streamsAfter.map((s) => s.targetKbps)),
        medianEstimateKbps: median(streamsAfter.map((s) => s.estimateKbps)),
      },
      students: {
        watchingInWindow: watching.length,
        /** Calls the students' pages answered, retries included. */
        callsAnswered: viewersAfter.reduce((sum, v) => sum + v.calls, 0),
        /** The state of each student's newest call at the end of the window. */
        connectionStates: states,
        medianFrameWidth: median(viewersAfter.map((v) => v.width).filter((w) => w > 0)),
        /** Frames decoded per second over the window, per student (0 for one receiving nothing). */
        medianFramesPerSecond: median(
          viewersAfter.map((v, i) => perSecond(v.frames - (viewersBefore[i]?.frames ?? 0))),
        ),
        medianKbps: median(viewersAfter.map((v, i) => kbps(v.bytes - (viewersBefore[i]?.bytes ?? 0)))),
        browserCpuPercent: corePercent(cpuAfter.students - cpuBefore.students, windowMs),
      },
      server: {
        cpuPercent: corePercent(cpuAfter.server - cpuBefore.server, windowMs),
        relayWorkerCpuPercent: corePercent(cpuAfter.relay - cpuBefore.relay, windowMs),
      },
      loadAverage1m: Math.round(load * 10) / 10,
      runSeconds: Math.round((Date.now() - runStarted) / 1000),
    };
  } finally {
    await presenterBrowser?.close().catch(() => undefined);
    await students?.close().catch(() => undefined);
    await presenterServer.close();
    await studentServer.close();
    await server.stop();
  }
}

/**
 * Only the run through the relay, printed and not saved (`presentation-only.ts --relay`): for trying
 * a change to the relay without the longer peer-to-peer run.
 */
export async function benchPresentationRelay() {
  return run(true);
}

/**
 * A class of devices through the relay (`presentation-only.ts --devices`): REAL_IN_DEVICE_CLASS
 * Chromium pages and the rest of the class synthetic students. 30 Chromium pages on this machine's
 * two cores wait seconds for a core to show the stage and decode one keyframe, which a class of 30
 * devices, each with its own, does not; the relay's fan-out and the presenter's path are the same.
 */
export async function benchPresentationDeviceClass() {
  return run(true, STUDENTS - REAL_IN_DEVICE_CLASS);
}

/** Only the peer-to-peer run, printed and not saved (`presentation-only.ts --peer-to-peer`). */
export async function benchPresentationPeerToPeer() {
  return run(false);
}

/** Runs the measurements and returns the figures it saved. */
export async function benchPresentation() {
  const peerToPeer = await run(false);
  const throughRelay = await run(true);
  const throughRelayClassOfDevices = await benchPresentationDeviceClass();
  const result = {
    date: new Date().toISOString(),
    note:
      `Ms Lee shows her screen (a 1280×720 canvas of scrolling text, 5 fps) to ${STUDENTS} real Chromium ` +
      'students who only watch (one headless browser, a context each), she in a headless browser of her own, ' +
      'on loopback in a network namespace, all on this machine’s 2 cores shared with other work (loadAverage1m). ' +
      `Each run on a fresh built server; the window is ${WINDOW_MS / 1000} s, ${SETTLE_MS / 1000} s after every ` +
      `viewer decoded (or after ${DECODE_CAP_MS / 1000} s). CPU is % of one core over the window: the presenter's ` +
      "browser's whole process tree, the students' browser, the server's process tree (its relay worker included).",
    peerToPeer,
    throughRelay,
    throughRelayClassOfDevices,
    target: 'through the relay, the presenter uploads about one stream whatever the class size',
  };
  saveResult('presentation', result);
  return result;
}

/** Prints the two runs side by side. */
export function printPresentation(result: Awaited<ReturnType<typeof benchPresentation>>): void {
  const { peerToPeer: p2p, throughRelay: relay } = result;
  const row = (pick: (r: typeof p2p) => unknown) => ({ 'peer to peer': pick(p2p), 'through the relay': pick(relay) });
  const reasons = (r: typeof p2p) =>
    Object.entries(r.presenter.qualityLimitationReasons)
      .map(([reason, n]) => `${reason} ×${n}`)
      .join(', ');
  console.log(`\nShow to class, ${STUDENTS} watching students (bench/results/presentation.json)`);
  console.table({
    'shown screen travels (presentationTransport)': row((r) => r.presentationTransport),
    [`viewers decoded within ${DECODE_CAP_MS / 1000} s`]: row((r) => `${r.firstFrame.decodedWithinCap} of ${STUDENTS}`),
    'show → first frame, p50 / p90 (ms)': row((r) => `${r.firstFrame.p50Ms} / ${r.firstFrame.p90Ms}`),
    'show → every viewer decoded (ms)': row((r) => r.firstFrame.allMs ?? 'never'),
    'presenter upload (kbps), target ≈ one stream through the relay': row((r) => r.presenter.uploadKbps),
    'presenter connections sending video': row((r) => r.presenter.videoSendingConnections),
    'presenter connections up but never encoded a frame': row((r) => r.presenter.connectedNeverEncoded),
    'presenter browser CPU (% core)': row((r) => r.presenter.browserCpuPercent),
    'presenter calls placed (retries included)': row((r) => r.presenter.callsPlaced),
    'show → her first call placed / connected (ms)': row(
      (r) => `${r.presenter.firstCallPlacedMs} / ${r.presenter.firstCallConnectedMs}`,
    ),
    'encode time summed over streams (s per s)': row((r) => r.presenter.encodeSecondsPerSecond),
    'per stream sent, median (min–max) kbps': row(
      (r) => `${r.presenter.streamKbps.median} (${r.presenter.streamKbps.min}–${r.presenter.streamKbps.max})`,
    ),
    'captured fps, median over streams (the canvas draws 5)': row((r) => r.presenter.medianSourceFramesPerSecond),
    'sent frame width / fps, median': row(
      (r) => `${r.presenter.medianFrameWidth} / ${r.presenter.medianFramesPerSecond}`,
    ),
    'sent streams limited by': row(reasons),
    'encoder target / bandwidth estimate per stream, median (kbps)': row(
      (r) => `${r.presenter.medianTargetKbps} / ${r.presenter.medianEstimateKbps}`,
    ),
    'students decoding in the window': row((r) => r.students.watchingInWindow),
    "students' newest call": row((r) =>
      Object.entries(r.students.connectionStates)
        .map(([state, n]) => `${state} ×${n}`)
        .join(', '),
    ),
    'received frame width / fps, median': row(
      (r) => `${r.students.medianFrameWidth} / ${r.students.medianFramesPerSecond}`,
    ),
    'received per student, median (kbps)': row((r) => r.students.medianKbps),
    "students' browser CPU (% core)": row((r) => r.students.browserCpuPercent),
    'server CPU incl. relay worker (% core)': row((r) => r.server.cpuPercent),
    'relay worker CPU (% core)': row((r) => r.server.relayWorkerCpuPercent),
    'load average (1 min) at the window': row((r) => r.loadAverage1m),
    'run length (s)': row((r) => r.runSeconds),
  });
  const devices = result.throughRelayClassOfDevices;
  console.log(
    `A class of ${STUDENTS} devices through the relay (${REAL_IN_DEVICE_CLASS} pages, the rest synthetic): ` +
      `every student had the first frame ${devices.synthetic?.wholeClassMs ?? 'never'} ms after the click ` +
      `(pages decoded p50 ${devices.firstFrame.p50Ms} ms; synthetic received p50 ` +
      `${devices.synthetic?.firstFrameArrived.p50Ms} ms), target ≤ 2000`,
  );
}
