/**
 * Mesh media in real Chromium on loopback: share → first decoded frame on the wall, the teacher's
 * downlink for a wall of sharing students (thumbnails, then one zoomed), and what one supervisor
 * connection costs a student at thumbnail and at full quality (upload and CPU).
 */
import { chromium, type Browser, type Page } from '@playwright/test';
import { CHROMIUM_ARGS, chromiumExecutable } from '../tests/e2e/browser.ts';
import { HomePage, StudentRoomPage, person, type Person } from '../tests/e2e/pages.ts';
import { treeCpuSeconds } from '../tests/helpers/procfs.ts';
import { percentile, saveResult, startBuiltServer } from './lib.ts';

export const LATENCY_RUNS = 12;
const WALL_STUDENTS = 4;
const WINDOW_MS = 6000;

// Code that runs in the page is kept as text: tsx's name-keeping helpers do not exist there.

/** Keeps every RTCPeerConnection a page makes reachable for reading stats (benchmark-only instrumentation). */
const TRACK_PEER_CONNECTIONS = `
  window.__pcs = [];
  const Original = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends Original {
    constructor(config) { super(config); window.__pcs.push(this); }
  };
`;

/**
 * Replaces the fake screen (which barely moves, so its encoder needs little) with a 1280×720 canvas
 * that changes every frame, to measure what a zoomed screen costs when its content moves.
 */
export const MOVING_SCREEN = `
  navigator.mediaDevices.getDisplayMedia = async () => {
    const canvas = Object.assign(document.createElement('canvas'), { width: 1280, height: 720 });
    const g = canvas.getContext('2d');
    let n = 0;
    setInterval(() => {
      n++;
      g.fillStyle = 'hsl(' + (n * 7) % 360 + ' 60% 85%)';
      g.fillRect(0, 0, 1280, 720);
      g.fillStyle = '#111';
      g.font = '22px monospace';
      for (let y = 30; y < 720; y += 28) g.fillText('line ' + y + ' scrolled ' + n + ' ' + Math.random().toString(36).repeat(3), (n * 3) % 200, y);
    }, 66);
    const stream = canvas.captureStream(15);
    return stream;
  };
`;

/** Bytes sent or received per connected connection so far, for video. */
async function videoBytes(page: Page, direction: 'inbound-rtp' | 'outbound-rtp'): Promise<number[]> {
  const field = direction === 'inbound-rtp' ? 'bytesReceived' : 'bytesSent';
  return page.evaluate(`Promise.all(window.__pcs
    .filter((pc) => pc.connectionState === 'connected')
    .map(async (pc) => {
      let bytes = 0;
      (await pc.getStats()).forEach((r) => {
        if (r.type === '${direction}' && r.kind === 'video') bytes += r.${field} || 0;
      });
      return bytes;
    }))`);
}

/** What limits a student's encoder right now: its output and WebRTC's own reason and estimate. */
async function encoderState(page: Page): Promise<unknown> {
  return page.evaluate(`Promise.all(window.__pcs
    .filter((pc) => pc.connectionState === 'connected')
    .map(async (pc) => {
      const out = {};
      (await pc.getStats()).forEach((r) => {
        if (r.type === 'outbound-rtp' && r.kind === 'video') {
          Object.assign(out, { frameWidth: r.frameWidth, framesPerSecond: r.framesPerSecond,
            qualityLimitationReason: r.qualityLimitationReason, targetBitrateKbps: Math.round((r.targetBitrate || 0) / 1000) });
        }
        if (r.type === 'candidate-pair' && r.nominated && r.availableOutgoingBitrate) {
          out.availableOutgoingKbps = Math.round(r.availableOutgoingBitrate / 1000);
        }
      });
      return out;
    }))`);
}

/** kbps of each connection over a window. */
export async function bitrates(
  page: Page,
  direction: 'inbound-rtp' | 'outbound-rtp',
  ms = WINDOW_MS,
): Promise<number[]> {
  const before = await videoBytes(page, direction);
  await page.waitForTimeout(ms);
  const after = await videoBytes(page, direction);
  return after.map((b, i) => Math.round(((b - (before[i] ?? 0)) * 8) / ms));
}

export async function newClass(browser: Browser, baseURL: string) {
  const teacher = await person(browser, '/', { width: 1280, height: 800 }, baseURL);
  await teacher.page.addInitScript(TRACK_PEER_CONNECTIONS);
  await teacher.page.reload();
  const room = await new HomePage(teacher.page).createRoom('Bench', 'Ms Lee');
  return { teacher, room, code: await room.code() };
}

export async function joinStudent(
  browser: Browser,
  baseURL: string,
  code: string,
  name: string,
  moving = false,
): Promise<Person> {
  const student = await person(browser, `/join/${code}`, { width: 1280, height: 720 }, baseURL);
  await student.page.addInitScript(TRACK_PEER_CONNECTIONS);
  if (moving) await student.page.addInitScript(MOVING_SCREEN);
  await student.page.reload();
  await new HomePage(student.page).join({ name });
  await new StudentRoomPage(student.page).heading('Bench').waitFor();
  return student;
}

/**
 * Resolves with Date.now() in the teacher's page at the first frame the tile's video presents
 * (watching whichever video element the tile has, should it be replaced on the way).
 */
export function firstFrameAt(teacher: Page, name: string): Promise<number> {
  return teacher.evaluate(`new Promise((resolve) => {
    let watched = null;
    const check = () => {
      const video = document.querySelector('figure[aria-label^="${name}:"] video');
      if (video && video !== watched) {
        watched = video;
        video.requestVideoFrameCallback(() => resolve(Date.now()));
      }
      setTimeout(check, 10);
    };
    check();
  })`);
}

/** Share → first decoded frame on a teacher's wall, over repeated stop and share, in ms. */
export async function shareToFirstFrameMs(browser: Browser, baseURL: string): Promise<number[]> {
  const latency = await newClass(browser, baseURL);
  const ada = await joinStudent(browser, baseURL, latency.code, 'Ada');
  const adaRoom = new StudentRoomPage(ada.page);
  const tile = latency.room.tile('Ada');
  const firstFrameMs: number[] = [];
  for (let i = 0; i < LATENCY_RUNS; i++) {
    const frame = firstFrameAt(latency.teacher.page, 'Ada');
    const clicked = Date.now();
    await adaRoom.shareButton().click();
    firstFrameMs.push((await frame) - clicked);
    await adaRoom.stopButton().click();
    await tile.and(latency.teacher.page.getByRole('figure', { name: 'Ada: Stopped sharing' })).waitFor();
  }
  await latency.teacher.context.close();
  await ada.context.close();
  return firstFrameMs;
}

/** Runs the measurements and returns the figures it saved. */
export async function benchMesh() {
  const server = await startBuiltServer({ RELAY_MODE: 'off' });
  const launch = () => chromium.launch({ executablePath: chromiumExecutable(), args: CHROMIUM_ARGS });
  const browser = await launch();
  // The measured student gets a browser of its own, so its CPU can be read from its process tree.
  const studentServer = await chromium.launchServer({ executablePath: chromiumExecutable(), args: CHROMIUM_ARGS });
  const studentBrowser = await chromium.connect(studentServer.wsEndpoint());
  try {
    // 1. Share → first decoded frame on the wall.
    const firstFrameMs = await shareToFirstFrameMs(browser, server.url);

    // 2. The teacher's downlink for a wall of sharing students, then with one zoomed.
    const wall = await newClass(browser, server.url);
    const students: Person[] = [];
    for (let i = 0; i < WALL_STUDENTS; i++)
      students.push(await joinStudent(browser, server.url, wall.code, `S${i + 1}`));
    for (const s of students) await new StudentRoomPage(s.page).shareButton().click();
    for (let i = 0; i < WALL_STUDENTS; i++) {
      await wall.teacher.page.getByRole('figure', { name: `S${i + 1}: Live` }).waitFor({ timeout: 20_000 });
    }
    // A resting mouse over a tile zooms it (hover to zoom): park the pointer on the header.
    await wall.teacher.page.mouse.move(5, 5);
    await wall.teacher.page.waitForTimeout(4000);
    const thumbnails = await bitrates(wall.teacher.page, 'inbound-rtp');
    await wall.room.tile('S1').getByRole('button', { name: 'Open S1’s screen' }).click();
    await wall.teacher.page.waitForTimeout(4000);
    const zoomedWall = await bitrates(wall.teacher.page, 'inbound-rtp');
    for (const p of [wall.teacher, ...students]) await p.context.close();

    // 3. One supervisor connection's cost to the student, thumbnail and full quality.
    const cost = await newClass(browser, server.url);
    const bo = await joinStudent(studentBrowser, server.url, cost.code, 'Bo');
    const boRoom = new StudentRoomPage(bo.page);
    const pid = studentServer.process().pid!;
    const idleCpu = await cpuPercent(pid, bo.page);
    await boRoom.shareButton().click();
    await cost.teacher.page.getByRole('figure', { name: 'Bo: Live' }).waitFor({ timeout: 20_000 });
    await bo.page.waitForTimeout(4000);
    const thumbCpu = await cpuPercent(pid, bo.page);
    const thumbUp = await bitrates(bo.page, 'outbound-rtp');
    const thumbEncoder = await encoderState(bo.page);
    await cost.room.tile('Bo').getByRole('button', { name: 'Open Bo’s screen' }).click();
    // Give bandwidth estimation time to ramp up from its start value.
    await bo.page.waitForTimeout(10_000);
    const fullCpu = await cpuPercent(pid, bo.page);
    const fullUp = await bitrates(bo.page, 'outbound-rtp');
    const fullEncoder = await encoderState(bo.page);
    await cost.teacher.context.close();
    await bo.context.close();

    // 4. A zoomed screen whose content moves (scrolling text), after bandwidth estimation ramps up.
    const moving = await newClass(browser, server.url);
    const cy = await joinStudent(browser, server.url, moving.code, 'Cy', true);
    await new StudentRoomPage(cy.page).shareButton().click();
    await moving.teacher.page.getByRole('figure', { name: 'Cy: Live' }).waitFor({ timeout: 20_000 });
    const movingThumb = await bitrates(cy.page, 'outbound-rtp');
    await moving.room.tile('Cy').getByRole('button', { name: 'Open Cy’s screen' }).click();
    await cy.page.waitForTimeout(10_000);
    const movingFull = await bitrates(cy.page, 'outbound-rtp');
    const movingEncoder = await encoderState(cy.page);
    await moving.teacher.context.close();
    await cy.context.close();

    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    const result = {
      date: new Date().toISOString(),
      note: 'Loopback in a network namespace, headless Chromium with the fake 1280×720 animated screen, 2 cores shared by every browser.',
      shareToFirstFrameMs: {
        p50: percentile(firstFrameMs, 50),
        p90: percentile(firstFrameMs, 90),
        runs: LATENCY_RUNS,
        target: { p50: 400 },
      },
      teacherDownlink: {
        students: WALL_STUDENTS,
        thumbnailsKbps: thumbnails,
        thumbnailTotalKbps: sum(thumbnails),
        withS1ZoomedKbps: zoomedWall,
        zoomedStreamKbps: Math.max(...zoomedWall),
        movingContent: { thumbnailKbps: sum(movingThumb), zoomedKbps: sum(movingFull), encoder: movingEncoder },
        targets: { perThumbnailKbps: 250, zoomedKbps: 1500 },
      },
      studentPerSupervisor: {
        inRoomNotSharingCpuPercent: idleCpu,
        thumbnail: { uploadKbps: sum(thumbUp), browserCpuPercent: thumbCpu, encoder: thumbEncoder },
        full: { uploadKbps: sum(fullUp), browserCpuPercent: fullCpu, encoder: fullEncoder },
      },
    };
    saveResult('mesh', result);
    return result;
  } finally {
    await browser.close();
    await studentBrowser.close();
    await studentServer.close();
    await server.stop();
  }
}

/** CPU use of a browser's whole process tree over a window, in percent of one core. */
export async function cpuPercent(pid: number, page: Page, ms = WINDOW_MS): Promise<number> {
  const before = treeCpuSeconds(pid);
  await page.waitForTimeout(ms);
  return Math.round(((treeCpuSeconds(pid) - before) / (ms / 1000)) * 1000) / 10;
}
