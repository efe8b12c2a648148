/** A class in the lab: two teachers and some students, each on their own device with their own Chromium. */
import { expect, type Locator, type Page } from '@playwright/test';
import { HomePage, StudentRoomPage, SupervisorRoomPage, type Person } from '../e2e/pages.ts';
import { MOVING_SCREEN } from '../../bench/mesh.ts';
import type { Lab } from './lab.ts';

/**
 * Records every RTCPeerConnection a page makes, so a test can read which candidate pair carries
 * media, with when each was made, first connected and ended (Date.now(), 0 for not yet) and whether
 * the page placed it (made its offer); and when each tile of a wall first said "Live", by student name.
 */
const RECORD_CONNECTIONS = `(() => {
  const Original = window.RTCPeerConnection;
  window.__connections = [];
  window.__connectionTimes = [];
  window.RTCPeerConnection = class extends Original {
    constructor(...args) {
      super(...args);
      const times = { createdAt: Date.now(), connectedAt: 0, endedAt: 0, placed: false };
      window.__connections.push(this);
      window.__connectionTimes.push(times);
      this.addEventListener('connectionstatechange', () => {
        if (this.connectionState === 'connected' && !times.connectedAt) times.connectedAt = Date.now();
        if ((this.connectionState === 'failed' || this.connectionState === 'closed') && !times.endedAt) times.endedAt = Date.now();
      });
      const createOffer = this.createOffer.bind(this);
      this.createOffer = (...offerArgs) => {
        times.placed = true;
        return createOffer(...offerArgs);
      };
      const close = this.close.bind(this);
      this.close = () => {
        if (!times.endedAt) times.endedAt = Date.now();
        close();
      };
    }
  };
  window.__firstLive = {};
  const note = () => {
    for (const tile of document.querySelectorAll('figure[aria-label$=": Live"]')) {
      const name = tile.getAttribute('aria-label').slice(0, -': Live'.length);
      if (!(name in window.__firstLive)) window.__firstLive[name] = Date.now();
    }
  };
  new MutationObserver(note).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['aria-label'] });
})();`;

/** The lab's device names for `teachers` teachers and `students` students. */
export function devicesFor(teachers: number, students: number): string[] {
  return [
    ...Array.from({ length: teachers }, (_, i) => `t${i + 1}`),
    ...Array.from({ length: students }, (_, i) => `s${i + 1}`),
  ];
}

const TEACHER_NAMES = ['Ms Lee', 'Mr Ode'];

/** Opens the room on the first teacher's device and brings everyone in; nobody shares yet. */
export async function classInLab(
  lab: Lab,
  /** `initScript`: instrumentation every page runs before the app (a benchmark's). */
  options: { teachers: number; students: string[]; movingScreens?: boolean; initScript?: string },
) {
  const people: Person[] = [];
  const open = async (device: string, path: string, viewport: { width: number; height: number }) => {
    const browser = await lab.browser(device, device.startsWith('s') ? 'student' : 'teacher');
    // The scripts are in place before the first load, so the page loads once.
    const context = await browser.newContext({ viewport, baseURL: lab.serverUrl });
    await context.addInitScript(RECORD_CONNECTIONS);
    if (options.movingScreens && device.startsWith('s')) await context.addInitScript(MOVING_SCREEN);
    if (options.initScript) await context.addInitScript(options.initScript);
    const page = await context.newPage();
    await page.goto(path);
    const p = { context, page };
    people.push(p);
    return p;
  };
  const host = await open('t1', '/', { width: 1280, height: 800 });
  const lee = await new HomePage(host.page).createRoom('Lab class', TEACHER_NAMES[0]!);
  const code = await lee.code();
  const { supervisor: invite } = await lee.inviteLinks();
  const teachers = [lee];
  for (let i = 1; i < options.teachers; i++) {
    const p = await open(`t${i + 1}`, invite.replace(/^https?:\/\/[^/]+/, ''), { width: 1280, height: 800 });
    await new HomePage(p.page).join({ name: TEACHER_NAMES[i] ?? `Teacher ${i + 1}` });
    const view = new SupervisorRoomPage(p.page);
    await expect(view.heading('Lab class')).toBeVisible();
    teachers.push(view);
  }
  const students: StudentRoomPage[] = [];
  for (const [i, name] of options.students.entries()) {
    const p = await open(`s${i + 1}`, `/join/${code}`, { width: 1280, height: 720 });
    await new HomePage(p.page).join({ name });
    const view = new StudentRoomPage(p.page);
    await expect(view.heading('Lab class')).toBeVisible();
    students.push(view);
  }
  return { code, teachers, students, people };
}

/** The candidates the page offered on its connections that are up: type and address (an mDNS name, or an IP). */
export async function localCandidates(page: Page): Promise<{ type: string; address: string }[]> {
  return page.evaluate(() =>
    (window as unknown as { __connections: RTCPeerConnection[] }).__connections
      .filter((pc) => pc.connectionState === 'connected')
      .flatMap((pc) => (pc.localDescription?.sdp ?? '').split('\r\n'))
      .filter((line) => line.startsWith('a=candidate:'))
      .map((line) => {
        const fields = line.split(' ');
        return { type: fields[7]!, address: fields[4]! };
      }),
  );
}

/**
 * The server-reflexive addresses a page learns from the ICE servers the app hands out
 * (`/api/config`), gathered to completion on a connection of its own.
 */
export async function reflexiveAddresses(page: Page): Promise<string[]> {
  return page.evaluate(async () => {
    const { iceServers } = (await (await fetch('/api/config')).json()) as { iceServers: RTCIceServer[] };
    const pc = new RTCPeerConnection({ iceServers });
    pc.createDataChannel('probe');
    const complete = new Promise<void>((resolve) =>
      pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && resolve()),
    );
    await pc.setLocalDescription(await pc.createOffer());
    await complete;
    const addresses = (pc.localDescription?.sdp ?? '')
      .split('\r\n')
      .filter((line) => line.startsWith('a=candidate:') && line.includes(' typ srflx'))
      .map((line) => line.split(' ')[4]!);
    pc.close();
    return [...new Set(addresses)];
  });
}

/** For each of `windows` consecutive windows of `windowMs`, whether the tile's video presented a new frame. */
export async function framesPerWindow(tile: Locator, windows: number, windowMs: number): Promise<boolean[]> {
  return tile.locator('video').evaluate(
    async (video: HTMLVideoElement, [count, ms]) => {
      const seen: boolean[] = [];
      for (let i = 0; i < count; i++) {
        const before = video.getVideoPlaybackQuality().totalVideoFrames;
        await new Promise((r) => setTimeout(r, ms));
        seen.push(video.getVideoPlaybackQuality().totalVideoFrames > before);
      }
      return seen;
    },
    [windows, windowMs] as const,
  );
}

/** When the tile of `name` on a teacher's wall first said "Live" (Date.now() in the page). */
export async function firstLiveAt(teacher: SupervisorRoomPage, name: string): Promise<number> {
  const at = await teacher.page.evaluate(
    (n) => (window as unknown as { __firstLive: Record<string, number> }).__firstLive[n],
    name,
  );
  if (at === undefined) throw new Error(`${name}'s tile has not said Live yet`);
  return at;
}

/**
 * How many of the calls a page placed (made the offer for) were still trying at `at`: made before
 * it, neither connected nor ended by then. Calls the page answered (the relay's stage call to a
 * student) are not its own attempts.
 */
export async function tryingAt(page: Page, at: number): Promise<number> {
  return page.evaluate(
    (t) =>
      (
        window as unknown as {
          __connectionTimes: { createdAt: number; connectedAt: number; endedAt: number; placed: boolean }[];
        }
      ).__connectionTimes.filter(
        (c) => c.placed && c.createdAt <= t && (!c.connectedAt || c.connectedAt > t) && (!c.endedAt || c.endedAt > t),
      ).length,
    at,
  );
}

/** How many RTCPeerConnections the page has made so far. */
export async function connectionsMade(page: Page): Promise<number> {
  return page.evaluate(() => (window as unknown as { __connections: RTCPeerConnection[] }).__connections.length);
}

/** The candidate pairs carrying media into a teacher's page right now: local and remote type, protocol and address. */
export async function selectedPairs(teacher: SupervisorRoomPage) {
  return teacher.page.evaluate(async () => {
    const pairs: {
      local: string;
      remote: string;
      protocol: string;
      relayProtocol: string | null;
      remoteAddress: string;
    }[] = [];
    const connections = (window as unknown as { __connections: RTCPeerConnection[] }).__connections;
    for (const pc of connections) {
      if (pc.connectionState !== 'connected') continue;
      const stats = [...(await pc.getStats()).values()] as Record<string, unknown>[];
      const transport = stats.find((s) => s.type === 'transport');
      const pair = stats.find((s) => s.id === transport?.selectedCandidatePairId);
      const local = stats.find((s) => s.id === pair?.localCandidateId);
      const remote = stats.find((s) => s.id === pair?.remoteCandidateId);
      if (!local || !remote) continue;
      pairs.push({
        local: String(local.candidateType),
        remote: String(remote.candidateType),
        protocol: String(local.protocol),
        relayProtocol: (local.relayProtocol as string | undefined) ?? null,
        remoteAddress: String(remote.address),
      });
    }
    return pairs;
  });
}

/**
 * Every candidate pair of every connection the page made, one line each, for a failed test's log:
 * which pairs were checked, answered and nominated says why the browser picked the path it did.
 */
export async function iceReport(page: Page): Promise<string> {
  return page.evaluate(async () => {
    const lines: string[] = [];
    const connections = (window as unknown as { __connections: RTCPeerConnection[] }).__connections;
    for (const [i, pc] of connections.entries()) {
      const stats = [...(await pc.getStats()).values()] as Record<string, unknown>[];
      const byId = new Map(stats.map((s) => [s.id, s]));
      const selected = stats.find((s) => s.type === 'transport')?.selectedCandidatePairId;
      const end = (id: unknown) => {
        const c = byId.get(id);
        return c ? `${c.candidateType}${c.relayProtocol ? `/${c.relayProtocol}` : ''} ${c.address}:${c.port}` : '?';
      };
      lines.push(`connection ${i}: ${pc.connectionState}`);
      for (const p of stats.filter((s) => s.type === 'candidate-pair'))
        lines.push(
          `  ${p.id === selected ? '*' : ' '} ${end(p.localCandidateId)} -> ${end(p.remoteCandidateId)} ${p.state}` +
            `${p.nominated ? ' nominated' : ''} sent ${p.requestsSent} answered ${p.responsesReceived}` +
            ` received ${p.requestsReceived}`,
        );
    }
    return lines.join('\n');
  });
}
