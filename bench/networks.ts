/**
 * Real school networks, in the lab (tests/lab/lab.ts): share → first decoded frame on a teacher's
 * wall per network scenario, and under a capped, lossy uplink with ten students whether any tile
 * freezes. Needs root (namespaces); `npm run bench` runs it inside scripts/loopback-only.sh.
 */
import type { Page } from '@playwright/test';
import { startLab, type LabOptions, type Scenario } from '../tests/lab/lab.ts';
import { classInLab, devicesFor } from '../tests/lab/school.ts';
import { readSteps, resetSteps, STAMP_STEPS } from './first-frame.ts';
import { percentile, saveResult } from './lib.ts';

/** Shares (stop, then share again) measured per scenario. */
const SHARES = 6;
const FREEZE_STUDENTS = 10;
const FREEZE_WINDOW_MS = 20_000;

/**
 * One share: the click on Share and when the teacher's tile for `name` said Live (frames decoded),
 * both Date.now(), with the steps between (STAMP_STEPS, see first-frame.ts) in ms after the click.
 */
async function shareToLive(student: Page, teacher: Page, name: string) {
  await teacher.evaluate((n) => {
    const w = window as unknown as { __liveAt?: number; __watch?: ReturnType<typeof setInterval> };
    w.__liveAt = undefined;
    clearInterval(w.__watch);
    w.__watch = setInterval(() => {
      const tile = document.querySelector(`figure[aria-label="${n}: Live"]`);
      if (tile && w.__liveAt === undefined) w.__liveAt = performance.timeOrigin + performance.now();
    }, 10);
  }, name);
  const clickedAt = Date.now();
  await Promise.all([resetSteps(student, clickedAt), resetSteps(teacher, clickedAt)]);
  await student.getByRole('button', { name: /^(Share my screen|Share again)$/ }).click();
  await teacher.getByRole('figure', { name: `${name}: Live` }).waitFor({ timeout: 60_000 });
  const liveAt = await teacher.evaluate(() => (window as unknown as { __liveAt: number }).__liveAt);
  const steps = await readSteps(student, teacher, clickedAt, Math.round(liveAt));
  return { ms: Math.max(0, Math.round(liveAt - clickedAt)), steps };
}

/**
 * share → first frame for one student and one teacher, SHARES times, in `scenario`. With
 * `laterLesson`, an earlier lesson of two students on the same network has shared first (so the
 * server has seen what the network does), and the measured room is a new one.
 */
export async function firstFrames(scenario: Scenario, extra: Partial<LabOptions> = {}, laterLesson = false) {
  const lab = await startLab({ scenario, devices: devicesFor(1, laterLesson ? 2 : 1), ...extra });
  try {
    if (laterLesson) {
      const earlier = await classInLab(lab, { teachers: 1, students: ['Ada', 'Bo'] });
      for (const student of earlier.students) await student.shareButton().click();
      for (const name of ['Ada', 'Bo'])
        await earlier.teachers[0]!.page.getByRole('figure', { name: `${name}: Live` }).waitFor({ timeout: 60_000 });
      for (const person of earlier.people) await person.context.close();
    }
    const { teachers, students } = await classInLab(lab, { teachers: 1, students: ['Ada'], initScript: STAMP_STEPS });
    const [teacher, student] = [teachers[0]!.page, students[0]!.page];
    const times: number[] = [];
    const steps: Record<string, number>[] = [];
    for (let i = 0; i < SHARES; i++) {
      const share = await shareToLive(student, teacher, 'Ada');
      times.push(share.ms);
      steps.push(share.steps);
      await student.getByRole('button', { name: 'Stop sharing' }).click();
      await teacher.getByRole('figure', { name: 'Ada: Stopped sharing' }).waitFor();
    }
    // The first share is the room's first: on a network the server has not seen, it races the relay.
    return {
      firstShareMs: times[0]!,
      p50: percentile(times, 50),
      p90: percentile(times, 90),
      runsMs: times,
      // Each share's steps, in ms after the click; across the direct call and the relay's, each step
      // is its first time on any connection ('presented': the tile said Live).
      stepsMs: steps,
    };
  } finally {
    await lab.close();
  }
}

/** Ten students through a capped, lossy uplink: the longest gap between decoded frames on any tile. */
async function freezes() {
  const names = Array.from({ length: FREEZE_STUDENTS }, (_, i) => `Student ${i + 1}`);
  const lab = await startLab({
    scenario: 'capped',
    devices: devicesFor(1, FREEZE_STUDENTS),
    uplinkMbit: 10,
    lossPercent: 1,
    // Every screen crosses the uplink: through the relay in the server room.
    serverEnv: { RELAY_MODE: 'always' },
    turn: false,
  });
  try {
    const { teachers, students } = await classInLab(lab, { teachers: 1, students: names, movingScreens: true });
    const teacher = teachers[0]!.page;
    for (const student of students) await student.shareButton().click();
    for (const name of names) await teacher.getByRole('figure', { name: `${name}: Live` }).waitFor({ timeout: 60_000 });
    // tsx keeps function names with a helper the page does not have: give it a stand-in.
    await teacher.evaluate('window.__name ??= (f) => f');
    const gaps = await teacher.evaluate(async (windowMs) => {
      const videos = [...document.querySelectorAll('figure video')] as HTMLVideoElement[];
      const longest = videos.map(() => 0);
      const last = videos.map(() => performance.now());
      const started = performance.now();
      videos.forEach((video, i) => {
        const onFrame = (now: number) => {
          longest[i] = Math.max(longest[i]!, now - last[i]!);
          last[i] = now;
          if (now - started < windowMs) video.requestVideoFrameCallback(onFrame);
        };
        video.requestVideoFrameCallback(onFrame);
      });
      await new Promise((r) => setTimeout(r, windowMs));
      const end = performance.now();
      return longest.map((gap, i) => Math.round(Math.max(gap, end - last[i]!)));
    }, FREEZE_WINDOW_MS);
    return {
      students: FREEZE_STUDENTS,
      uplinkMbit: 10,
      lossPercent: 1,
      windowS: FREEZE_WINDOW_MS / 1000,
      tiles: gaps.length,
      longestFreezeMs: Math.max(...gaps),
      perTileLongestGapMs: gaps,
      target: { longestFreezeMs: 2000 },
    };
  } finally {
    await lab.close();
  }
}

/** Runs the measurements and returns the figures it saved. */
export async function benchNetworks() {
  const result = {
    date: new Date().toISOString(),
    note: 'Network lab (namespaces, one bridge per network, a router), headless Chromium per device, HTTPS; one student shares to one teacher, stop and share again; firstShareMs is the room’s first share, which on a network the server has not seen races the relay beside the direct call (issue #22); the first share of (b) includes learning that the network isolates devices; (b, later lesson) is a new room on that network after a lesson of two students there.',
    shareToFirstFrameMs: {
      open: { ...(await firstFrames('open')), target: { p50: 400 } },
      isolated: { ...(await firstFrames('isolated', { turn: false })), target: { p50: 1500 } },
      // The server remembers the network keeps devices apart: the new room is relayed before its first share.
      isolatedLaterLesson: { ...(await firstFrames('isolated', { turn: false }, true)), target: { p50: 1500 } },
      tcpOnly: { ...(await firstFrames('tcp-only')), target: { p50: 3000 } },
      noMulticast: { ...(await firstFrames('no-multicast', { turn: false })), target: { p50: 400 } },
    },
    cappedUplink: await freezes(),
  };
  saveResult('networks', result);
  return result;
}
