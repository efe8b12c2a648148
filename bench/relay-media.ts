/**
 * Relay media in real Chromium on loopback: share → first decoded frame through the relay, and
 * what a sharing student pays with several supervisors, peer to peer versus through the relay.
 */
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from '@playwright/test';
import { CHROMIUM_ARGS, chromiumExecutable } from '../tests/e2e/browser.ts';
import { HomePage, StudentRoomPage, person, type Person } from '../tests/e2e/pages.ts';
import { percentile, saveResult, startBuiltServer } from './lib.ts';
import { bitrates, cpuPercent, firstFrameAt, joinStudent, newClass, LATENCY_RUNS } from './mesh.ts';

const SUPERVISORS = 3;
const RELAY = { RELAY_ANNOUNCED_IPS: '127.0.0.1' };

/** The student's upload and its browser's CPU with SUPERVISORS teachers watching its moving screen. */
async function studentCost(browser: Browser, studentBrowser: Browser, studentPid: number, baseURL: string) {
  const { teacher, room, code } = await newClass(browser, baseURL);
  const { supervisor: invite } = await room.inviteLinks();
  const others: Person[] = [];
  for (let i = 1; i < SUPERVISORS; i++) {
    const p = await person(browser, invite.replace(/^https?:\/\/[^/]+/, ''), { width: 1280, height: 800 }, baseURL);
    await new HomePage(p.page).join({ name: `Teacher ${i + 1}` });
    await p.page.getByRole('heading', { level: 1, name: 'Bench' }).waitFor();
    others.push(p);
  }
  const student = await joinStudent(studentBrowser, baseURL, code, 'Cy', true);
  await new StudentRoomPage(student.page).shareButton().click();
  for (const p of [teacher, ...others])
    await p.page.getByRole('figure', { name: 'Cy: Live' }).waitFor({ timeout: 20_000 });
  await teacher.page.mouse.move(5, 5);
  await student.page.waitForTimeout(6000);
  const cpu = await cpuPercent(studentPid, student.page);
  const upload = (await bitrates(student.page, 'outbound-rtp')).reduce((a, b) => a + b, 0);
  for (const p of [teacher, ...others, student]) await p.context.close();
  return { uploadKbps: upload, browserCpuPercent: cpu };
}

/** How long the student takes in the picker in the second series. */
const PICKER_MS = 1_000;

/** The relay's milestones in the breakdown, in order (see server/relay/worker/trace.ts). */
const RELAY_STEPS = [
  'publisher-offer',
  'publisher-connected',
  'offered',
  'answered',
  'connected',
  'keyframe',
  'first-rtp',
] as const;

/**
 * Holds the capture back `ms` after the browser gave it, as a student choosing in the picker does,
 * and stamps the choice in window.__chosenAt. Kept as text: it runs in the page.
 */
const holdPicker = (ms: number) => `
  const capture = navigator.mediaDevices.getDisplayMedia.bind(navigator.mediaDevices);
  navigator.mediaDevices.getDisplayMedia = async (...args) => {
    const stream = await capture(...args);
    await new Promise((resolve) => setTimeout(resolve, ${ms}));
    window.__chosenAt = Date.now();
    return stream;
  };
`;

/**
 * Share → first frame presented on the teacher's wall through the relay, over repeated stop and
 * share, with the relay's milestones of each share from its trace: the student's call answered
 * (publisher-offer) and up, the call to the teacher offered, answered and up, the student's first
 * keyframe at the relay, and the first packet sent on; `replayed` counts the shares whose first
 * keyframe had reached the relay before its call to the teacher was up, and was sent from the
 * relay's picture cache. With `pickerMs`, the student takes that long in the picker, and
 * `choiceToFrameMs` is from their choice.
 */
async function relayedFirstFrames(browser: Browser, baseURL: string, traceFile: string, pickerMs = 0) {
  const { teacher, room, code } = await newClass(browser, baseURL);
  const ada = await joinStudent(browser, baseURL, code, 'Ada');
  const adaRoom = new StudentRoomPage(ada.page);
  if (pickerMs) {
    await ada.page.addInitScript(holdPicker(pickerMs));
    await ada.page.reload();
    await adaRoom.shareButton().waitFor();
  }
  const firstFrameMs: number[] = [];
  const choiceToFrameMs: number[] = [];
  const runs: Record<string, number>[] = [];
  let replayed = 0;
  for (let i = 0; i < LATENCY_RUNS; i++) {
    const frame = firstFrameAt(teacher.page, 'Ada');
    const clicked = Date.now();
    await adaRoom.shareButton().click();
    const presentedAt = await frame;
    const presented = presentedAt - clicked;
    firstFrameMs.push(presented);
    if (pickerMs) choiceToFrameMs.push(presentedAt - ((await ada.page.evaluate('window.__chosenAt')) as number));
    const events = readFileSync(traceFile, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { at: number; event: string })
      .filter((e) => e.at >= clicked);
    const run: Record<string, number> = {};
    for (const step of RELAY_STEPS) {
      const at = events.find((e) => e.event === step)?.at;
      if (at !== undefined) run[step] = at - clicked;
    }
    runs.push({ ...run, presented });
    if (events.some((e) => e.event === 'replayed')) replayed++;
    await adaRoom.stopButton().click();
    await room
      .tile('Ada')
      .and(teacher.page.getByRole('figure', { name: 'Ada: Stopped sharing' }))
      .waitFor();
  }
  await teacher.context.close();
  await ada.context.close();
  const medianMsAfterClick = Object.fromEntries(
    [...RELAY_STEPS, 'presented'].map((step) => [
      step,
      percentile(runs.map((r) => r[step] ?? NaN).filter(Number.isFinite), 50),
    ]),
  );
  return {
    firstFrameMs,
    choiceToFrameMs,
    breakdown: { medianMsAfterClick, replayedFromCache: replayed, perRun: runs },
  };
}

/** Runs the measurements and returns the figures it saved. */
export async function benchRelayMedia() {
  const meshServer = await startBuiltServer({ RELAY_MODE: 'off' });
  const traceFile = join(tmpdir(), `relay-media-trace-${process.pid}.jsonl`);
  rmSync(traceFile, { force: true });
  const relayServer = await startBuiltServer({ ...RELAY, RELAY_MODE: 'always', RELAY_TRACE_FILE: traceFile });
  const browser = await chromium.launch({ executablePath: chromiumExecutable(), args: CHROMIUM_ARGS });
  const studentServer = await chromium.launchServer({ executablePath: chromiumExecutable(), args: CHROMIUM_ARGS });
  const studentBrowser = await chromium.connect(studentServer.wsEndpoint());
  try {
    const { firstFrameMs, breakdown } = await relayedFirstFrames(browser, relayServer.url, traceFile);
    // A student who takes a second in the picker: the calls come up meanwhile.
    const picker = await relayedFirstFrames(browser, relayServer.url, traceFile, PICKER_MS);
    const pid = studentServer.process().pid!;
    const mesh = await studentCost(browser, studentBrowser, pid, meshServer.url);
    const relayed = await studentCost(browser, studentBrowser, pid, relayServer.url);
    const result = {
      date: new Date().toISOString(),
      note: `Loopback in a network namespace, headless Chromium; the student shares a 1280×720 canvas of scrolling text; ${SUPERVISORS} supervisors watch thumbnails.`,
      shareToFirstFrameViaRelayMs: {
        p50: percentile(firstFrameMs, 50),
        p90: percentile(firstFrameMs, 90),
        runs: firstFrameMs.length,
        target: { p50: 300 },
      },
      choiceToFirstFrameViaRelayMs: {
        pickerMs: PICKER_MS,
        p50: percentile(picker.choiceToFrameMs, 50),
        p90: percentile(picker.choiceToFrameMs, 90),
        runs: picker.choiceToFrameMs.length,
        relayMsAfterClick: picker.breakdown.medianMsAfterClick,
      },
      breakdown,
      studentWithSupervisors: { supervisors: SUPERVISORS, mesh, relay: relayed },
    };
    saveResult('relay-media', result);
    return result;
  } finally {
    await browser.close();
    await studentBrowser.close();
    await studentServer.close();
    await relayServer.stop();
    await meshServer.stop();
    rmSync(traceFile, { force: true });
  }
}
