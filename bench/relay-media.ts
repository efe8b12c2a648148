/**
 * Relay media in real Chromium on loopback: share → first decoded frame through the relay, and
 * what a sharing student pays with several supervisors, peer to peer versus through the relay.
 */
import { chromium, type Browser } from '@playwright/test';
import { CHROMIUM_ARGS, chromiumExecutable } from '../tests/e2e/browser.ts';
import { HomePage, StudentRoomPage, person, type Person } from '../tests/e2e/pages.ts';
import { percentile, saveResult, startBuiltServer } from './lib.ts';
import { bitrates, cpuPercent, joinStudent, newClass, shareToFirstFrameMs } from './mesh.ts';

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

/** Runs the measurements and returns the figures it saved. */
export async function benchRelayMedia() {
  const meshServer = await startBuiltServer({ RELAY_MODE: 'off' });
  const relayServer = await startBuiltServer({ ...RELAY, RELAY_MODE: 'always' });
  const browser = await chromium.launch({ executablePath: chromiumExecutable(), args: CHROMIUM_ARGS });
  const studentServer = await chromium.launchServer({ executablePath: chromiumExecutable(), args: CHROMIUM_ARGS });
  const studentBrowser = await chromium.connect(studentServer.wsEndpoint());
  try {
    const firstFrameMs = await shareToFirstFrameMs(browser, relayServer.url);
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
        target: { p50: 600 },
      },
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
  }
}
