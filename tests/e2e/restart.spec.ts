/**
 * A restart is invisible to a class: two students share to two teachers in real Chromium; the
 * server (its own process, not Playwright's webServer, since the test kills it) is killed or
 * stopped and started again on the same port and data. Nobody clicks anything.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Browser, type Locator, type Page } from '@playwright/test';
import { freePort } from '../helpers/built-server.ts';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.ts';
import { HomePage, StudentRoomPage, SupervisorRoomPage, expectFramesDecoded, type Person } from './pages.ts';

test.setTimeout(120_000);

const AWAY = 'The server is restarting — screens continue';
const STUDENTS = ['Ada', 'Bo'];

/** Frames the tile's video element has decoded so far. */
async function framesDecoded(tile: Locator): Promise<number> {
  return tile.locator('video').evaluate((video: HTMLVideoElement) => video.getVideoPlaybackQuality().totalVideoFrames);
}

/** What must hold for a page to count as unaffected: no "Connection lost", no seat-ended screen. */
async function expectNoError(page: Page): Promise<void> {
  await expect(page.getByText(/Connection lost|has ended|Offline:/)).toHaveCount(0);
}

/** RTCPeerConnections the page has created so far (counted from before the app loads). */
async function peerConnectionsCreated(page: Page): Promise<number> {
  return page.evaluate(() => (window as unknown as { createdPeerConnections: number }).createdPeerConnections);
}

async function classroom(browser: Browser, url: string) {
  const people: Person[] = [];
  const enter = async (path: string) => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 720 }, baseURL: url });
    // Count every call's connection, to see that a restart rebuilds none that still worked.
    await context.addInitScript(() => {
      const w = window as unknown as { createdPeerConnections: number };
      w.createdPeerConnections = 0;
      const Native = window.RTCPeerConnection;
      window.RTCPeerConnection = class extends Native {
        constructor(...args: ConstructorParameters<typeof RTCPeerConnection>) {
          super(...args);
          w.createdPeerConnections++;
        }
      };
    });
    const page = await context.newPage();
    await page.goto(path);
    const p = { context, page };
    people.push(p);
    return p;
  };
  const host = await enter('/');
  const lee = await new HomePage(host.page).createRoom('Restart class', 'Ms Lee');
  const code = await lee.code();
  const { supervisor: invite } = await lee.inviteLinks();
  const students: StudentRoomPage[] = [];
  for (const name of STUDENTS) {
    const p = await enter(`/join/${code}`);
    await new HomePage(p.page).join({ name });
    const room = new StudentRoomPage(p.page);
    await expect(room.heading('Restart class')).toBeVisible();
    students.push(room);
  }
  const coTeacher = await enter(invite.replace(/^https?:\/\/[^/]+/, ''));
  await new HomePage(coTeacher.page).join({ name: 'Mr Ode' });
  const ode = new SupervisorRoomPage(coTeacher.page);
  await expect(ode.heading('Restart class')).toBeVisible();
  for (const room of students) await room.shareButton().click();
  const walls = [lee, ode];
  for (const wall of walls) for (const name of STUDENTS) await expectFramesDecoded(wall.tile(name));
  for (const room of students) await expect(room.watchers()).toHaveText('Watching now: Ms Lee, Mr Ode');
  const pages = people.map((p) => p.page);
  const connections = () => Promise.all(pages.map(peerConnectionsCreated));
  return {
    code,
    walls,
    students,
    /** Connections created so far on every page, and on each before the server went away. */
    connections,
    connectionsBefore: await connections(),
    close: () => Promise.all(people.map((p) => p.context.close())),
  };
}

/** Restarts on the same port and data, then checks the class is whole again within 10 s of the server answering. */
async function expectClassBack(
  port: number,
  dataDir: string,
  { code, walls, students, connections, connectionsBefore }: Awaited<ReturnType<typeof classroom>>,
): Promise<ServerProcess> {
  const server = await startServerProcess({ port, built: true, env: env(dataDir) });
  const deadline = server.answeredAt + 10_000;
  const left = () => Math.max(1, deadline - performance.now());
  for (const wall of walls) {
    for (const name of STUDENTS) {
      await expect(wall.tile(name)).toHaveAccessibleName(`${name}: Live`, { timeout: left() });
      // Presence rebuilt: the student's PeerServer connection is back, so the roster says Sharing.
      await expect(wall.students().filter({ hasText: name }).locator('.badge')).toHaveText('Sharing', {
        timeout: left(),
      });
    }
    await expect(wall.page.getByText(AWAY)).toHaveCount(0, { timeout: left() });
  }
  for (const room of students) {
    await expect(room.page.getByText(AWAY)).toHaveCount(0, { timeout: left() });
    await expect(room.watchers()).toHaveText('Watching now: Ms Lee, Mr Ode', { timeout: left() });
  }
  // Same code, same host, same names; frames still arriving; nothing said that sounds like an error.
  for (const wall of walls) {
    expect(await wall.code()).toBe(code);
    for (const name of STUDENTS) await expectFramesDecoded(wall.tile(name));
    await expectNoError(wall.page);
  }
  await expect(walls[0]!.page.getByText('you are the host')).toHaveCount(1);
  for (const room of students) await expectNoError(room.page);
  // Every call kept working, so none was rebuilt: no page made a new connection.
  expect(await connections()).toEqual(connectionsBefore);
  return server;
}

const env = (dataDir: string) => ({
  DATA_DIR: dataDir,
  LOG_LEVEL: 'warn',
  RECONNECT_GRACE_S: '20',
  RELAY_ANNOUNCED_IPS: '127.0.0.1',
});

/** While the server is away, every wall keeps decoding every student's frames, and says the one thing it should. */
async function expectScreensContinue(klass: Awaited<ReturnType<typeof classroom>>): Promise<void> {
  for (const wall of klass.walls) await expect(wall.page.getByText(AWAY)).toBeVisible();
  for (const room of klass.students) await expect(room.page.getByText(AWAY)).toBeVisible();
  const tiles = klass.walls.flatMap((wall) => STUDENTS.map((name) => wall.tile(name)));
  const before = await Promise.all(tiles.map(framesDecoded));
  await new Promise((r) => setTimeout(r, 2_000));
  const after = await Promise.all(tiles.map(framesDecoded));
  tiles.forEach((_, i) => expect(after[i], `tile ${i} kept decoding`).toBeGreaterThan(before[i]!));
  for (const wall of klass.walls)
    for (const name of STUDENTS) await expect(wall.tile(name)).toHaveAccessibleName(`${name}: Live`);
  for (const room of klass.students) await expect(room.stopButton()).toBeVisible();
}

test('after a crash (SIGKILL) every tile is live again within 10 s of the server answering, with no click', async ({
  browser,
}) => {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'classroom-e2e-restart-'));
  const first = await startServerProcess({ port, built: true, env: env(dataDir) });
  const klass = await classroom(browser, first.url);
  // Saves trail changes by at most 100 ms.
  await new Promise((r) => setTimeout(r, 300));

  first.kill('SIGKILL');
  await first.exited;
  await expectScreensContinue(klass);

  const second = await expectClassBack(port, dataDir, klass);
  await klass.close();
  second.kill('SIGTERM');
  await second.exited;
});

test('after a planned restart (SIGTERM) the notice says the server is restarting, and the class comes back', async ({
  browser,
}) => {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'classroom-e2e-restart-'));
  const first = await startServerProcess({ port, built: true, env: env(dataDir) });
  const klass = await classroom(browser, first.url);

  first.kill('SIGTERM');
  expect(await first.exited).toEqual({ code: 0, signal: null });
  await expectScreensContinue(klass);

  const second = await expectClassBack(port, dataDir, klass);
  await klass.close();
  second.kill('SIGTERM');
  await second.exited;
});
