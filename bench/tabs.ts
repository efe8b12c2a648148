/**
 * What tab reports (issue #21) add, at 30 students with 10 tabs each and one tab change per student
 * per 5 s: on the teacher's wall (a real Chromium teacher, 30 students seated by the HTTP API whose
 * reports are sent from Node) and on one student (real Chromium with the extension installed by policy).
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type BrowserContext, type CDPSession, type Page } from '@playwright/test';
import type { ExtensionInfo, OwnMember, RoomEvent, TabReport } from '../src/shared/protocol.ts';
import { CHROMIUM_ARGS, chromiumExecutable } from '../tests/e2e/browser.ts';
import { launchManagedChromium } from '../tests/e2e/managed-chromium.ts';
import { HomePage, StudentRoomPage } from '../tests/e2e/pages.ts';
import { call, createRoom, join } from '../tests/helpers/client.ts';
import { childrenOf, cpuSeconds, treeCpuSeconds } from '../tests/helpers/procfs.ts';
import { connectPeer, type PeerSocket } from '../tests/helpers/peer.ts';
import { openEvents, type EventReader } from '../tests/helpers/sse.ts';
import { pool, rssBytes, saveResult, startBuiltServer } from './lib.ts';

const STUDENTS = 30;
const TABS = 10;
const CHANGE_EVERY_MS = 5000;
const WINDOW_MS = 40_000;
const SETTLE_MS = 3000;
const MIB = 1024 * 1024;

const round1 = (n: number) => Math.round(n * 10) / 10;
/** Seconds of CPU over the window as % of one core. */
const percentOfCore = (seconds: number) => round1((seconds / (WINDOW_MS / 1000)) * 100);
const mib = (bytes: number) => round1(bytes / MIB);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, Math.max(0, ms)));

/** Chromium's Performance metrics of one target, by name (durations in seconds, sizes in bytes). */
async function metrics(session: CDPSession): Promise<Record<string, number>> {
  const { metrics: list } = await session.send('Performance.getMetrics');
  return Object.fromEntries(list.map((m) => [m.name, m.value]));
}

/** A page's main-thread time over the window (% of one core) and its JS heap after a GC at the end. */
async function pageCost(session: CDPSession, during: () => Promise<void>) {
  const before = await metrics(session);
  await during();
  const after = await metrics(session);
  await session.send('HeapProfiler.collectGarbage');
  const heap = await metrics(session);
  const delta = (name: string) => percentOfCore((after[name] ?? 0) - (before[name] ?? 0));
  return {
    mainThreadTaskPercent: delta('TaskDuration'),
    scriptPercent: delta('ScriptDuration'),
    layoutAndStylePercent: round1(delta('LayoutDuration') + delta('RecalcStyleDuration')),
    jsHeapUsedAfterGcMiB: mib(heap.JSHeapUsedSize ?? 0),
  };
}

/** Process ids of `pid` and all its descendants. */
function tree(pid: number): number[] {
  return [pid, ...childrenOf(pid).flatMap(tree)];
}

/** Proportional set size of a process (its own pages, plus its share of pages shared), in bytes (Linux). */
function pssBytes(pid: number): number {
  const text = safe(() => readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8')) ?? '';
  return Number(text.match(/^Pss:\s+(\d+) kB/m)?.[1] ?? 0) * 1024;
}

/** Memory of a process tree: the sum of PSS, so pages shared between its processes count once. */
function treePssBytes(pid: number): number {
  return tree(pid).reduce((sum, p) => sum + pssBytes(p), 0);
}

function safe<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}

function cmdline(pid: number): string {
  return safe(() => readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ')) ?? '';
}

/** The Chromium browser process this benchmark started last (its renderers carry --type=). */
function browserPid(): number {
  const found = tree(process.pid).filter((p) => /--user-data-dir=/.test(cmdline(p)) && !/--type=/.test(cmdline(p)));
  if (found.length === 0) throw new Error('no Chromium browser process under this benchmark');
  return Math.max(...found);
}

/** A student's report: ten tabs, one active, its host and path the title (as the e2e's sites do). */
function report(student: number, active: number, visits: number): TabReport {
  return {
    tabs: Array.from({ length: TABS }, (_, i) => {
      const path = `/unit-${student}/page-${i}-${i === active ? visits : 0}`;
      return {
        id: 100 + i,
        title: `site${i}.test${path}`,
        url: `https://site${i}.test${path}`,
        active: i === active,
        windowId: 1,
      };
    }),
  };
}

/**
 * For WINDOW_MS, each student's tabs change once per CHANGE_EVERY_MS, the students spread evenly over
 * that period; changes alternate between following a link in the active tab and switching tabs, so
 * every change changes the tile. Resolves with the reports sent and any that failed.
 */
async function changeTabs(base: string, code: string, students: OwnMember[]) {
  let sent = 0;
  const failed: number[] = [];
  const start = Date.now();
  await Promise.all(
    students.map(async (student, s) => {
      let active = 0;
      let visits = 0;
      for (let n = 0; ; n++) {
        const at = start + (s * CHANGE_EVERY_MS) / students.length + n * CHANGE_EVERY_MS;
        if (at >= start + WINDOW_MS) break;
        await sleep(at - Date.now());
        if (n % 2 === 0) visits++;
        else active = (active + 1) % TABS;
        const reply = await call(base, 'PUT', `/api/rooms/${code}/members/me/tabs`, {
          token: student.token,
          body: report(s, active, visits),
        });
        if (reply.status === 204) sent++;
        else failed.push(reply.status);
      }
    }),
  );
  await sleep(start + WINDOW_MS - Date.now());
  return { reportsSent: sent, failedStatuses: failed };
}

/** The server's CPU (% of one core) and RSS growth over `during`. */
async function serverCost(pid: number, during: () => Promise<void>) {
  const cpu = treeCpuSeconds(pid);
  const rss = rssBytes(pid);
  await during();
  return {
    cpuPercent: percentOfCore(treeCpuSeconds(pid) - cpu),
    rssDeltaMiB: mib(rssBytes(pid) - rss),
    rssMiB: mib(rssBytes(pid)),
  };
}

/** Waits until `count` elements match `selector` (the app's CSP forbids waitForFunction's eval). */
async function untilCount(page: Page, selector: string, count: number): Promise<void> {
  for (let i = 0; (await page.locator(selector).count()) !== count; i++) {
    if (i > 300) throw new Error(`${await page.locator(selector).count()} of ${count} ${selector} on the wall`);
    await sleep(100);
  }
}

/** The teacher's wall of 30 seated students, over one quiet window and one of tab changes. */
async function teacherWall() {
  const server = await startBuiltServer({ RELAY_MODE: 'off' });
  const browserServer = await chromium.launchServer({ executablePath: chromiumExecutable(), args: CHROMIUM_ARGS });
  const browser = await chromium.connect(browserServer.wsEndpoint());
  const browserPidOf = browserServer.process().pid!;
  const streams: EventReader<RoomEvent>[] = [];
  const peers: PeerSocket[] = [];
  try {
    const context = await browser.newContext({ viewport: { width: 1366, height: 2400 }, baseURL: server.url });
    const page = await context.newPage();
    await page.goto('/');
    const room = await new HomePage(page).createRoom('Section', 'Ms Lee');
    const code = await room.code();
    const students: OwnMember[] = [];
    await pool(
      Array.from({ length: STUDENTS }, (_, i) => `S${String(i + 1).padStart(2, '0')}`),
      5,
      async (name) => {
        const member = await join(server.url, code, name);
        // An event stream and a PeerServer socket keep the seat, as a student's app does (unshared).
        streams.push(await openEvents<RoomEvent>(`${server.url}/api/rooms/${code}/events?token=${member.token}`));
        const peer = await connectPeer(server.url, member.peerId, member.token);
        await peer.waitFor('OPEN');
        peers.push(peer);
        students.push(member);
      },
    );
    await untilCount(page, 'figure', STUDENTS);
    const session = await context.newCDPSession(page);
    await session.send('Performance.enable');
    await page.mouse.move(2, 2);
    await sleep(SETTLE_MS);

    const measure = async (during: () => Promise<void>) => {
      const cpu = treeCpuSeconds(browserPidOf);
      let page_: Awaited<ReturnType<typeof pageCost>> | undefined;
      const srv = await serverCost(server.pid, async () => {
        page_ = await pageCost(session, during);
      });
      return {
        teacherPage: page_!,
        teacherBrowserCpuPercent: percentOfCore(treeCpuSeconds(browserPidOf) - cpu),
        server: srv,
      };
    };

    const without = await measure(() => sleep(WINDOW_MS));
    // Every student's first report, before the window: what the wall shows from then on.
    const first = await Promise.all(
      students.map((student, s) =>
        call(server.url, 'PUT', `/api/rooms/${code}/members/me/tabs`, { token: student.token, body: report(s, 0, 0) }),
      ),
    );
    if (first.some((reply) => reply.status !== 204)) throw new Error(`reports refused: ${first.map((r) => r.status)}`);
    await untilCount(page, 'figure .tab-now', STUDENTS);
    await sleep(SETTLE_MS);
    let sending: Awaited<ReturnType<typeof changeTabs>> | undefined;
    const withTabs = await measure(async () => {
      sending = await changeTabs(server.url, code, students);
    });
    const captions = (await page.locator('figure .tab-now').count()) as number;
    const added = {
      teacherMainThreadPercent: round1(
        withTabs.teacherPage.mainThreadTaskPercent - without.teacherPage.mainThreadTaskPercent,
      ),
      teacherScriptPercent: round1(withTabs.teacherPage.scriptPercent - without.teacherPage.scriptPercent),
      teacherJsHeapMiB: round1(withTabs.teacherPage.jsHeapUsedAfterGcMiB - without.teacherPage.jsHeapUsedAfterGcMiB),
      teacherBrowserCpuPercent: round1(withTabs.teacherBrowserCpuPercent - without.teacherBrowserCpuPercent),
      serverCpuPercent: round1(withTabs.server.cpuPercent - without.server.cpuPercent),
      serverRssMiB: round1(withTabs.server.rssMiB - without.server.rssMiB),
    };
    await context.close();
    return { without, withTabs, added, ...sending!, captionsOnWallAtEnd: captions };
  } finally {
    for (const stream of streams) stream.close();
    for (const peer of peers) peer.ws.close();
    await browser.close();
    await browserServer.close();
    await server.stop();
  }
}

/** A tiny web server for the students' sites: every page's title is the host and path asked for. */
async function startSites(): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    const where = `${req.headers.host?.replace(/:\d+$/, '')}${req.url}`;
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><title>${where}</title><h1>${where}</h1><p>${'A page of the lesson. '.repeat(40)}</p>`);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return { server, port: (server.address() as AddressInfo).port };
}

/** The extension's process (its service worker's renderer), found by Chromium's --extension-process flag. */
function extensionPid(browser: number): number | undefined {
  return tree(browser).find((p) => /--extension-process/.test(cmdline(p)));
}

/**
 * The extension's service worker's own figures over `during`, through a browser CDP session attached
 * to the worker's target (Performance where the worker supports it, Runtime's heap usage), or the
 * error that stopped it.
 */
async function workerCost(context: BrowserContext, workerUrl: string, during: () => Promise<void>) {
  const browser = context.browser();
  if (!browser) {
    await during();
    return { error: 'no browser CDP session for this context' };
  }
  const cdp = await browser.newBrowserCDPSession();
  const { targetInfos } = await cdp.send('Target.getTargets');
  const target = targetInfos.find((t) => t.url === workerUrl);
  if (!target) {
    await during();
    return { error: `no target at ${workerUrl}` };
  }
  // Not flattened: the browser session relays the worker's messages (Playwright's session takes no sessionId).
  const { sessionId } = await cdp.send('Target.attachToTarget', { targetId: target.targetId, flatten: false });
  let next = 1;
  const waiting = new Map<number, (reply: { result?: unknown; error?: { message: string } }) => void>();
  cdp.on('Target.receivedMessageFromTarget', (event) => {
    if (event.sessionId !== sessionId) return;
    const reply = JSON.parse(event.message) as { id?: number; result?: unknown; error?: { message: string } };
    if (reply.id !== undefined) waiting.get(reply.id)?.(reply);
  });
  const send = async <T>(method: string, params: object = {}): Promise<T> => {
    const id = next++;
    const reply = new Promise<{ result?: unknown; error?: { message: string } }>((resolve) => waiting.set(id, resolve));
    await cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method, params }) });
    const answer = await reply;
    if (answer.error) throw new Error(`${method}: ${answer.error.message}`);
    return answer.result as T;
  };
  const heap = () => send<{ usedSize: number; totalSize: number }>('Runtime.getHeapUsage');
  const perf = async () => {
    const { metrics: list } = await send<{ metrics: { name: string; value: number }[] }>('Performance.getMetrics');
    return Object.fromEntries(list.map((m) => [m.name, m.value]));
  };
  const performance = await send('Performance.enable').then(
    () => true,
    (error: Error) => error.message,
  );
  // The JS profiler works in any worker: its samples that are not idle are the worker's JS time.
  await send('Profiler.enable');
  await send('Profiler.setSamplingInterval', { interval: 1000 });
  await send('Profiler.start');
  const before = performance === true ? await perf() : undefined;
  await during();
  const after = performance === true ? await perf() : undefined;
  const { profile } = await send<{
    profile: {
      nodes: { id: number; callFrame: { functionName: string } }[];
      samples?: number[];
      timeDeltas?: number[];
    };
  }>('Profiler.stop');
  const idle = new Set(
    profile.nodes.filter((n) => ['(idle)', '(program)'].includes(n.callFrame.functionName)).map((n) => n.id),
  );
  let busyUs = 0;
  (profile.samples ?? []).forEach((node, i) => {
    if (!idle.has(node)) busyUs += profile.timeDeltas?.[i + 1] ?? 0;
  });
  await send('HeapProfiler.collectGarbage').catch(() => undefined);
  const used = await heap();
  await cdp.detach();
  return {
    jsProfilerBusyPercent: percentOfCore(busyUs / 1e6),
    jsHeapUsedAfterGcMiB: round1(used.usedSize / MIB),
    ...(before && after
      ? { taskPercent: percentOfCore((after.TaskDuration ?? 0) - (before.TaskDuration ?? 0)) }
      : { performanceDomain: `not available: ${String(performance)}` }),
  };
}

/**
 * One student's Chromium: seated and sharing in a lesson, 10 tabs open (the app and 9 sites), one
 * tab change per 5 s over the window (a link followed in a tab, or another tab brought to the front),
 * with the extension installed by policy or with the same managed launch and no extension.
 */
async function oneStudent(base: string, info: ExtensionInfo, sitesPort: number, withExtension: boolean) {
  const teacher = await createRoom(base, 'Biology 7B', 'Ms Rivera');
  const code = teacher.room.code;
  // The teacher is seated from Node (an event stream and a PeerServer socket), to count the reports that arrive.
  const watching = await openEvents<RoomEvent>(`${base}/api/rooms/${code}/events?token=${teacher.member.token}`);
  const teacherPeer = await connectPeer(base, teacher.member.peerId, teacher.member.token);
  await teacherPeer.waitFor('OPEN');
  const policy = withExtension
    ? {
        ExtensionInstallForcelist: [info.forcelistEntry],
        '3rdparty': { extensions: { [info.id]: { serverUrl: base } } },
        // Lets the benchmark attach to the extension's worker.
        DeveloperToolsAvailability: 1,
      }
    : { DeveloperToolsAvailability: 1 };
  const managed = await launchManagedChromium(policy, {
    args: [...CHROMIUM_ARGS, '--host-resolver-rules=MAP *.test 127.0.0.1'],
    viewport: { width: 1280, height: 720 },
  });
  try {
    const { context } = managed;
    const workerUrl = `chrome-extension://${info.id}/background.js`;
    if (withExtension) {
      const worker =
        context.serviceWorkers().find((w) => w.url() === workerUrl) ??
        (await context.waitForEvent('serviceworker', { predicate: (w) => w.url() === workerUrl }));
      for (let i = 0; (await worker.evaluate(() => chrome.storage.managed.get('serverUrl'))).serverUrl !== base; i++) {
        if (i > 100) throw new Error('the extension never read the server’s address');
        await sleep(100);
      }
    }
    const app = context.pages()[0] ?? (await context.newPage());
    await app.goto(`${base}/`);
    await new HomePage(app).join({ name: 'Ada', code });
    const room = new StudentRoomPage(app);
    await room.shareButton().click();
    await room.stopButton().waitFor();
    const site = (i: number, visit: number) => `http://site${i}.test:${sitesPort}/lesson/${visit}`;
    const tabs: Page[] = [app];
    for (let i = 1; i < TABS; i++) {
      const tab = await context.newPage();
      await tab.goto(site(i, 0));
      tabs.push(tab);
    }
    await app.bringToFront();
    const browser = browserPid();
    const session = await context.newCDPSession(app);
    await session.send('Performance.enable');
    await sleep(SETTLE_MS);
    const reportsSeen = () => watching.received.filter((e) => e.type === 'tabs-changed' && e.tabs !== null).length;
    const firstReports = reportsSeen();

    const changes = async () => {
      const start = Date.now();
      for (let n = 0; start + n * CHANGE_EVERY_MS < start + WINDOW_MS; n++) {
        await sleep(start + n * CHANGE_EVERY_MS - Date.now());
        const tab = 1 + (n % (TABS - 1));
        if (n % 2 === 0) await tabs[tab]!.goto(site(tab, n + 1));
        else await tabs[tab]!.bringToFront();
      }
      await sleep(start + WINDOW_MS - Date.now());
    };
    const extension = withExtension ? extensionPid(browser) : undefined;
    const extensionCpu = extension ? cpuSeconds(extension) : 0;
    const browserCpu = treeCpuSeconds(browser);
    let worker: Awaited<ReturnType<typeof workerCost>> | null = null;
    const appPage = await pageCost(session, async () => {
      if (withExtension) worker = await workerCost(context, workerUrl, changes);
      else await changes();
    });
    const result = {
      browserCpuPercent: percentOfCore(treeCpuSeconds(browser) - browserCpu),
      browserPssMiB: mib(treePssBytes(browser)),
      appPage,
      extensionProcess: extension
        ? {
            cpuPercent: percentOfCore(cpuSeconds(extension) - extensionCpu),
            pssMiB: mib(pssBytes(extension)),
            rssMiB: mib(rssBytes(extension)),
          }
        : null,
      extensionWorker: worker,
      tabReportsSeenByTeacher: reportsSeen() - firstReports,
    };
    return result;
  } finally {
    watching.close();
    teacherPeer.ws.close();
    await managed.close();
  }
}

/** Runs both parts and returns the figures it saved. */
export async function benchTabs() {
  const wall = await teacherWall();
  const server = await startBuiltServer({ RELAY_MODE: 'off' });
  const sites = await startSites();
  let student;
  try {
    const info = (await call<ExtensionInfo>(server.url, 'GET', '/extension/')).body;
    const plain = await oneStudent(server.url, info, sites.port, false);
    const withExtension = await oneStudent(server.url, info, sites.port, true);
    student = {
      withoutExtension: plain,
      withExtension,
      added: {
        browserCpuPercent: round1(withExtension.browserCpuPercent - plain.browserCpuPercent),
        browserPssMiB: round1(withExtension.browserPssMiB - plain.browserPssMiB),
        appPageMainThreadPercent: round1(
          withExtension.appPage.mainThreadTaskPercent - plain.appPage.mainThreadTaskPercent,
        ),
        appPageJsHeapMiB: round1(withExtension.appPage.jsHeapUsedAfterGcMiB - plain.appPage.jsHeapUsedAfterGcMiB),
      },
    };
  } finally {
    await new Promise((done) => sites.server.close(done));
    await server.stop();
  }
  const result = {
    date: new Date().toISOString(),
    note:
      `Teacher's wall: one real Chromium teacher (headless, 1366×2400 so all ${STUDENTS} tiles are on screen) ` +
      `and ${STUDENTS} students seated by the HTTP API, each with an open event stream, not sharing (no video: ` +
      'the wall’s cost here is the tab captions alone). Each window is ' +
      `${WINDOW_MS / 1000} s: once with no reports, once with ${TABS} tabs per student and one change per student ` +
      `per ${CHANGE_EVERY_MS / 1000} s, sent from Node as PUT /api/rooms/:code/members/me/tabs with the seat's token, ` +
      'spread evenly, alternately a new page in the active tab and another tab made active (each changes the tile). ' +
      'Student: one real Chromium under a managed policy, seated and sharing Chromium’s fake screen with no one ' +
      `watching, ${TABS} tabs (the app and ${TABS - 1} sites on loopback), one change per ${CHANGE_EVERY_MS / 1000} s ` +
      '(a new page in a tab, or a tab brought to the front); once with the extension force-installed by policy, ' +
      'once with the same launch and no extension. CPU is % of one core over the window; page figures come from ' +
      'CDP Performance.getMetrics (TaskDuration, ScriptDuration) and the JS heap after a forced GC; the ' +
      'extension’s process by /proc (its renderer, --extension-process; memory as PSS, so shared pages count once); its worker by a browser CDP session ' +
      'attached to the worker target. All on this machine’s 2 cores, on loopback.',
    teacherWall: wall,
    student,
  };
  saveResult('tabs', result);
  return result;
}

/** Prints the figures as `npm run bench` shows them. */
export function printTabs(result: Awaited<ReturnType<typeof benchTabs>>): void {
  const { teacherWall: wall, student } = result;
  console.log(
    `\nTab reports, ${STUDENTS} students × ${TABS} tabs, one change each per ${CHANGE_EVERY_MS / 1000} s (bench/results/tabs.json)`,
  );
  console.table({
    'teacher page main thread (% core)': {
      without: wall.without.teacherPage.mainThreadTaskPercent,
      with: wall.withTabs.teacherPage.mainThreadTaskPercent,
      added: wall.added.teacherMainThreadPercent,
    },
    'teacher page script (% core)': {
      without: wall.without.teacherPage.scriptPercent,
      with: wall.withTabs.teacherPage.scriptPercent,
      added: wall.added.teacherScriptPercent,
    },
    'teacher JS heap after GC (MiB)': {
      without: wall.without.teacherPage.jsHeapUsedAfterGcMiB,
      with: wall.withTabs.teacherPage.jsHeapUsedAfterGcMiB,
      added: wall.added.teacherJsHeapMiB,
    },
    'teacher browser, all processes (% core)': {
      without: wall.without.teacherBrowserCpuPercent,
      with: wall.withTabs.teacherBrowserCpuPercent,
      added: wall.added.teacherBrowserCpuPercent,
    },
    'server CPU (% core)': {
      without: wall.without.server.cpuPercent,
      with: wall.withTabs.server.cpuPercent,
      added: wall.added.serverCpuPercent,
    },
    'server RSS (MiB)': {
      without: wall.without.server.rssMiB,
      with: wall.withTabs.server.rssMiB,
      added: wall.added.serverRssMiB,
    },
  });
  console.log(
    `reports sent ${wall.reportsSent}, failed ${wall.failedStatuses.length}; captions on the wall ${wall.captionsOnWallAtEnd}`,
  );
  if (!student) return;
  console.table({
    'student browser, all processes (% core)': {
      without: student.withoutExtension.browserCpuPercent,
      with: student.withExtension.browserCpuPercent,
      added: student.added.browserCpuPercent,
    },
    'student browser memory, PSS of all processes (MiB)': {
      without: student.withoutExtension.browserPssMiB,
      with: student.withExtension.browserPssMiB,
      added: student.added.browserPssMiB,
    },
    'app page main thread (% core)': {
      without: student.withoutExtension.appPage.mainThreadTaskPercent,
      with: student.withExtension.appPage.mainThreadTaskPercent,
      added: student.added.appPageMainThreadPercent,
    },
    'app page JS heap after GC (MiB)': {
      without: student.withoutExtension.appPage.jsHeapUsedAfterGcMiB,
      with: student.withExtension.appPage.jsHeapUsedAfterGcMiB,
      added: student.added.appPageJsHeapMiB,
    },
  });
  console.log(
    'extension process:',
    student.withExtension.extensionProcess,
    'worker:',
    student.withExtension.extensionWorker,
  );
  console.log(`tab reports the teacher received during the window: ${student.withExtension.tabReportsSeenByTeacher}`);
}
