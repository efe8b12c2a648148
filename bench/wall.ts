/**
 * A class section on one wall, in real Chromium on loopback: 30 sharing students (each a real
 * Chromium page capturing a fake screen and encoding it) and one teacher. Time until every tile is
 * live; the teacher's downlink and browser CPU with every tile on screen, with half of them off
 * it, and with the wall's tab hidden; how soon a hidden wall is live again. Run for a nearly static
 * fake screen and for moving content, each with today's tile cost (every tile 640×360, always
 * sent) side by side with the cost that follows what the teacher sees.
 */
import { chromium, type Browser, type Page } from '@playwright/test';
import { CHROMIUM_ARGS, chromiumExecutable } from '../tests/e2e/browser.ts';
import { TRACK_PEER_CONNECTIONS, setTabHidden, videoBytesReceived } from '../tests/e2e/media-stats.ts';
import { HomePage, StudentRoomPage, SupervisorRoomPage, type Person } from '../tests/e2e/pages.ts';
import { treeCpuSeconds } from '../tests/helpers/procfs.ts';
import { percentile, pool, saveResult, startBuiltServer } from './lib.ts';

const STUDENTS = 30;
const WINDOW_MS = 6000;
const SETTLE_MS = 4000;
const WIDTH = 1366;

/** Benchmark-only: the wall asks for what it asked before tiles reported their views (see peer-media.ts). */
const TODAYS_TILE_COST = 'window.__benchTodaysTileCost = true;';

/**
 * A moving screen: a 1280×720 canvas of text that scrolls five times a second (what a student
 * typing or scrolling a page looks like), captured instead of the nearly static fake screen.
 */
export const MOVING_SCREEN = `
  navigator.mediaDevices.getDisplayMedia = async () => {
    const canvas = Object.assign(document.createElement('canvas'), { width: 1280, height: 720 });
    const g = canvas.getContext('2d');
    let n = 0;
    setInterval(() => {
      n++;
      g.fillStyle = '#f8fafc';
      g.fillRect(0, 0, 1280, 720);
      g.fillStyle = '#111';
      g.font = '20px monospace';
      for (let y = 24; y < 720; y += 26) g.fillText('line ' + (y + n * 26) + ' ' + Math.random().toString(36).repeat(4), 10, y);
    }, 200);
    return canvas.captureStream(5);
  };
`;

/** Tiles whose accessible name ends in ": Live". */
function liveTiles(page: Page): Promise<number> {
  return page.evaluate(
    `[...document.querySelectorAll('figure')].filter((f) => f.getAttribute('aria-label').endsWith(': Live')).length`,
  );
}

/** Tiles with any part inside the viewport. */
function tilesOnScreen(page: Page): Promise<number> {
  return page.evaluate(`[...document.querySelectorAll('figure')].filter((f) => {
    const r = f.getBoundingClientRect();
    return r.bottom > 0 && r.top < innerHeight;
  }).length`);
}

/** Milliseconds until `count` tiles are live, polling every 100 ms. */
async function untilAllLive(page: Page, count: number, since = Date.now()): Promise<number> {
  while ((await liveTiles(page)) < count) {
    if (Date.now() - since > 120_000) throw new Error(`only ${await liveTiles(page)} of ${count} tiles live`);
    await page.waitForTimeout(100);
  }
  return Date.now() - since;
}

/** Resizes the teacher's viewport so the whole wall fits (every tile on screen), or only the first `tiles` rows' worth. */
async function fitWall(page: Page, upToTile = STUDENTS): Promise<void> {
  const bottom = await page.evaluate(`(() => {
    const figures = [...document.querySelectorAll('figure')];
    const last = figures[${upToTile} - 1].getBoundingClientRect();
    return Math.ceil(last.bottom + scrollY + 8);
  })()`);
  await page.setViewportSize({ width: WIDTH, height: bottom as number });
  await page.evaluate('scrollTo(0, 0)');
}

/** Seconds the teacher's browser has spent decoding video so far, over all tiles (WebRTC's own totalDecodeTime). */
function decodeSeconds(page: Page): Promise<number> {
  return page.evaluate(`(async () => {
    let seconds = 0;
    for (const pc of window.__pcs) {
      if (pc.connectionState === 'closed') continue;
      (await pc.getStats()).forEach((r) => {
        if (r.type === 'inbound-rtp' && r.kind === 'video') seconds += r.totalDecodeTime || 0;
      });
    }
    return seconds;
  })()`);
}

/**
 * The teacher's video downlink, browser CPU (whole process tree, % of one core) and time spent
 * decoding (% of one core) over one window.
 */
async function measure(page: Page, pid: number) {
  const bytes = await videoBytesReceived(page);
  const decoding = await decodeSeconds(page);
  const cpu = treeCpuSeconds(pid);
  await page.waitForTimeout(WINDOW_MS);
  const cpuPercent = Math.round(((treeCpuSeconds(pid) - cpu) / (WINDOW_MS / 1000)) * 1000) / 10;
  const downlinkKbps = Math.round((((await videoBytesReceived(page)) - bytes) * 8) / WINDOW_MS);
  const decodePercent = Math.round((((await decodeSeconds(page)) - decoding) / (WINDOW_MS / 1000)) * 1000) / 10;
  const frame = await page.evaluate(`(async () => {
    const widths = [];
    let fps = 0;
    for (const pc of window.__pcs) {
      if (pc.connectionState !== 'connected') continue;
      (await pc.getStats()).forEach((r) => {
        if (r.type === 'inbound-rtp' && r.kind === 'video' && r.frameWidth) { widths.push(r.frameWidth); fps += r.framesPerSecond || 0; }
      });
    }
    widths.sort((a, b) => a - b);
    return { medianFrameWidth: widths[Math.floor(widths.length / 2)] || 0, decodedFramesPerSecond: Math.round(fps) };
  })()`);
  return { tilesOnScreen: await tilesOnScreen(page), downlinkKbps, cpuPercent, decodePercent, ...(frame as object) };
}

/**
 * Milliseconds from `show` (scrolling tiles back, showing a hidden tab) until each tile from
 * index `fromTile` on has decoded a new frame (WebRTC's framesDecoded, read every 25 ms; -1: none
 * within 10 s). Stats rather than requestVideoFrameCallback, which a video off screen when it is
 * asked never answers.
 */
async function framesAfter(page: Page, fromTile: number, show: () => Promise<void>): Promise<number[]> {
  await page.evaluate(`(async () => {
    const tiles = [...document.querySelectorAll('figure')].slice(${fromTile}).map((figure) => {
      const track = figure.querySelector('video')?.srcObject?.getVideoTracks()[0];
      return { track, pc: track && window.__pcs.find((c) => c.getReceivers().some((r) => r.track === track)) };
    });
    const frames = async ({ track, pc }) => {
      let n = 0;
      if (pc) (await pc.getStats()).forEach((r) => {
        if (r.type === 'inbound-rtp' && r.trackIdentifier === track.id) n = r.framesDecoded || 0;
      });
      return n;
    };
    const before = await Promise.all(tiles.map(frames));
    window.__back = () => new Promise((resolve) => {
      const start = performance.now();
      const times = tiles.map(() => -1);
      const poll = async () => {
        const elapsed = Math.round(performance.now() - start);
        await Promise.all(tiles.map(async (tile, i) => {
          if (times[i] < 0 && (await frames(tile)) > before[i]) times[i] = elapsed;
        }));
        if (times.every((t) => t >= 0) || elapsed > 10000) resolve(times);
        else setTimeout(poll, 25);
      };
      poll();
    });
  })()`);
  const back = page.evaluate('window.__back()');
  await show();
  return back as Promise<number[]>;
}

/** The slowest and the median of some tiles' times to a new frame. */
function summary(times: number[]) {
  return { p50: percentile(times, 50), max: Math.max(...times), missing: times.filter((t) => t < 0).length };
}

/** A teacher's seat: a context of the teacher browser, its connections readable. */
async function teacherSeat(browser: Browser, baseURL: string, path: string, todays: boolean): Promise<Person> {
  const context = await browser.newContext({ viewport: { width: WIDTH, height: 3000 }, baseURL });
  await context.addInitScript(TRACK_PEER_CONNECTIONS);
  if (todays) await context.addInitScript(TODAYS_TILE_COST);
  const page = await context.newPage();
  await page.goto(path);
  return { context, page };
}

/** Every figure for one teacher: tiles visible, half off screen, tab hidden, and how soon tiles are live again. */
async function wallFigures(page: Page, pid: number) {
  await page.mouse.move(2, 2);
  await fitWall(page);
  await page.waitForTimeout(SETTLE_MS);
  const allVisible = await measure(page, pid);
  await fitWall(page, STUDENTS / 2);
  await page.waitForTimeout(SETTLE_MS);
  const halfAway = await measure(page, pid);
  const scrolledBack = await framesAfter(page, STUDENTS / 2, () => fitWall(page));
  await page.waitForTimeout(SETTLE_MS);
  await setTabHidden(page, true);
  await page.waitForTimeout(SETTLE_MS);
  const hidden = await measure(page, pid);
  const tabBack = await framesAfter(page, 0, () => setTabHidden(page, false));
  await page.waitForTimeout(SETTLE_MS);
  return {
    allVisible,
    halfAway,
    hidden,
    /** The 15 tiles that were off screen, brought back at once. */
    visibleAgainAfterScrollMs: summary(scrolledBack),
    /** All 30 tiles, when the hidden tab is shown again. */
    visibleAgainAfterTabMs: summary(tabBack),
  };
}

/** One class section with one kind of screen content. */
async function section(students: Browser, teachers: Browser, teacherPid: number, baseURL: string, moving: boolean) {
  // The teacher whose wall reports what it shows creates the room.
  const now = await teacherSeat(teachers, baseURL, '/', false);
  const room = await new HomePage(now.page).createRoom('Section', 'Ms Lee');
  const code = await room.code();
  const { supervisor: invite } = await room.inviteLinks();
  const pupils: Person[] = [];
  await pool(
    Array.from({ length: STUDENTS }, (_, i) => `S${String(i + 1).padStart(2, '0')}`),
    3,
    async (name) => {
      const context = await students.newContext({ viewport: { width: 1280, height: 720 }, baseURL });
      if (moving) await context.addInitScript(MOVING_SCREEN);
      const page = await context.newPage();
      await page.goto(`/join/${code}`);
      await new HomePage(page).join({ name });
      await new StudentRoomPage(page).heading('Section').waitFor();
      pupils.push({ context, page });
    },
  );
  const clicked = Date.now();
  for (const p of pupils) await new StudentRoomPage(p.page).shareButton().click();
  const allLiveMs = await untilAllLive(now.page, STUDENTS, clicked);
  const followsView = await wallFigures(now.page, teacherPid);

  // Today's settings, same class, same run: a second teacher joins, the first leaves.
  const joined = Date.now();
  const today = await teacherSeat(teachers, baseURL, invite.replace(/^https?:\/\/[^/]+/, ''), true);
  await new HomePage(today.page).join({ name: 'Mr Ode' });
  await new SupervisorRoomPage(today.page).heading('Section').waitFor();
  const lateJoinAllLiveMs = await untilAllLive(today.page, STUDENTS, joined);
  await now.context.close();
  const todays = await wallFigures(today.page, teacherPid);
  await today.context.close();
  for (const p of pupils) await p.context.close();
  return {
    allTilesLiveAfterShareMs: allLiveMs,
    lateTeacherAllTilesLiveMs: lateJoinAllLiveMs,
    followsView,
    today: todays,
    cpuRatioAllVisible: Math.round((followsView.allVisible.cpuPercent / todays.allVisible.cpuPercent) * 100) / 100,
    decodeRatioAllVisible:
      Math.round((followsView.allVisible.decodePercent / todays.allVisible.decodePercent) * 100) / 100,
  };
}

/** Runs the measurements and returns the figures it saved. */
export async function benchWall() {
  const server = await startBuiltServer({ RELAY_MODE: 'off' });
  const students = await chromium.launch({ executablePath: chromiumExecutable(), args: CHROMIUM_ARGS });
  // The teacher gets a browser of its own, so its CPU can be read from its process tree.
  const teacherServer = await chromium.launchServer({ executablePath: chromiumExecutable(), args: CHROMIUM_ARGS });
  const teachers = await chromium.connect(teacherServer.wsEndpoint());
  const teacherPid = teacherServer.process().pid!;
  try {
    const staticScreen = await section(students, teachers, teacherPid, server.url, false);
    const movingScreen = await section(students, teachers, teacherPid, server.url, true);
    const result = {
      date: new Date().toISOString(),
      note:
        `${STUDENTS} real Chromium students (one headless browser, a context each, capturing Chromium's fake ` +
        'screen or a 1280×720 canvas of scrolling text at 5 fps) and one teacher in a browser of its own, peer to ' +
        'peer on loopback in a network namespace, all on this machine’s 2 cores. The teacher’s viewport is 1366 ' +
        'wide and as tall as the wall (every tile on screen, ~316 px wide with today’s grid; the class layout ' +
        'gives ~220 px tiles at 1366×1024, the same 320-wide step); "half away" shrinks it to the first 15 ' +
        'tiles. The hidden tab is emulated (headless Chromium keeps pages visible). "today" is the same build ' +
        'with a benchmark-only switch: every tile asked for as a 640×360 thumbnail, always sent.',
      staticScreen,
      movingScreen,
      targets: {
        movingAllVisibleDownlinkKbps: 3000,
        cpuRatioAllVisible: 0.5,
        hiddenDownlinkKbps: 0,
        visibleAgainMs: 500,
      },
    };
    saveResult('wall', result);
    return result;
  } finally {
    await teachers.close();
    await teacherServer.close();
    await students.close();
    await server.stop();
  }
}
