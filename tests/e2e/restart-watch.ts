/**
 * What the restart specs share: a server to stop and start again on the same port and data, and
 * what they watch in a class meanwhile (the notice, frames decoded per tile, errors a person would
 * see, every RTCPeerConnection a page creates).
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, type Browser, type BrowserContext, type Locator, type Page } from '@playwright/test';
import { STATE_FILE } from '../../server/store/file-store.ts';
import { freePort } from '../helpers/built-server.ts';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.ts';
import { HomePage, StudentRoomPage, expectFramesDecoded, type Person } from './pages.ts';
import { TRACK_PEER_CONNECTIONS, receiveOnlyConnections } from './media-stats.ts';

/**
 * The built server on a free port and a fresh DATA_DIR (its own process: the tests kill it); `start`
 * starts it again on both. `waitForRelay` false: started before its relay is up (a relay node joins later).
 */
export async function serverOnFreshData(
  env: (dataDir: string) => Record<string, string>,
  options: { waitForRelay?: boolean } = {},
) {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'classroom-e2e-restart-'));
  const start = () => startServerProcess({ port, built: true, env: env(dataDir), ...options });
  return { dataDir, first: await start(), start };
}

/**
 * The networks the state file in `dataDir` remembers as working peer to peer (its header's
 * `directNetworks`, see server/store/state-format.ts): what a room's race ending saves.
 */
export function savedDirectNetworks(dataDir: string): number {
  const file = join(dataDir, STATE_FILE);
  if (!existsSync(file)) return 0;
  const header = JSON.parse(readFileSync(file, 'utf8').split('\n')[0] ?? '{}') as { directNetworks?: unknown[] };
  return header.directNetworks?.length ?? 0;
}

/** Stops a server for good at a test's end (SIGINT: its relay workers stop too). */
export async function stopForGood(server: ServerProcess): Promise<void> {
  server.kill('SIGINT');
  await server.exited;
}

/** The one line both views show while the server is away. */
export const AWAY = 'The server is restarting — screens continue';

/**
 * Marks what the tile's video has shown so far (on the element itself): `framesSinceMark` then
 * counts only frames shown after it, through a change of stream or element under the tile.
 */
async function markFrames(tile: Locator): Promise<void> {
  await tile.locator('video').evaluate((video: HTMLVideoElement & { frameMark?: [MediaProvider | null, number] }) => {
    video.frameMark = [video.srcObject, video.getVideoPlaybackQuality().totalVideoFrames];
  });
}

/**
 * Frames the tile's video has shown since `markFrames`. A video element a tile put in since, or one
 * given another stream (another call), has shown nothing before the mark: all its frames count.
 */
async function framesSinceMark(tile: Locator): Promise<number> {
  return tile.locator('video').evaluate((video: HTMLVideoElement & { frameMark?: [MediaProvider | null, number] }) => {
    const shown = video.getVideoPlaybackQuality().totalVideoFrames;
    const [stream, atMark] = video.frameMark ?? [null, 0];
    return stream === video.srcObject && shown >= atMark ? shown - atMark : shown;
  });
}

/** What must hold for a page to count as unaffected: no "Connection lost", no seat-ended screen. */
export async function expectNoError(page: Page): Promise<void> {
  await expect(page.getByText(/Connection lost|has ended|Offline:/)).toHaveCount(0);
}

/** Counts every call's connection the context's pages make, from before the app loads. */
export async function countPeerConnections(context: BrowserContext): Promise<void> {
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
}

/**
 * A person opening `path` on the server at `url` in a context of their own whose pages count the
 * RTCPeerConnections they make (to see that a restart rebuilds no call that still worked), added to `people`.
 */
export async function enterCounting(
  browser: Browser,
  url: string,
  people: Person[],
  path: string,
  viewport: { width: number; height: number },
): Promise<Person> {
  const context = await browser.newContext({ viewport, baseURL: url });
  await countPeerConnections(context);
  await context.addInitScript(TRACK_PEER_CONNECTIONS);
  const page = await context.newPage();
  await page.goto(path);
  const person = { context, page };
  people.push(person);
  return person;
}

/** RTCPeerConnections the page has created so far (see countPeerConnections). */
export async function peerConnectionsCreated(page: Page): Promise<number> {
  return page.evaluate(() => (window as unknown as { createdPeerConnections: number }).createdPeerConnections);
}

/**
 * Every tile shows new frames: each tile's video shows a frame after the call (from the call it had
 * then, or from any that replaced it), read again until it does (a busy core may delay a frame, never
 * stop it for good), within `timeoutMs`. A tile still showing a call that brings nothing fails.
 */
export async function expectFramesAdvance(tiles: Locator[], timeoutMs = 10_000): Promise<void> {
  await Promise.all(tiles.map(markFrames));
  await Promise.all(
    tiles.map((tile) => expect.poll(() => framesSinceMark(tile), { timeout: timeoutMs }).toBeGreaterThan(0)),
  );
}

/** What the wall says while the relay carries the screens. */
export const THROUGH_RELAY = 'screens arrive through the server’s relay';

/** The eight students of the relayed restart specs. */
export const STUDENTS = ['Ada', 'Bo', 'Cy', 'Di', 'Ed', 'Fay', 'Gus', 'Hal'];

/**
 * A teacher and STUDENTS on the server at `url`, each sharing through its relay, every tile live and
 * every student told Ms Lee watches; each page counts the RTCPeerConnections it makes.
 */
export async function classSharingThroughRelay(browser: Browser, url: string, roomName: string) {
  const people: Person[] = [];
  const enter = (path: string, viewport: { width: number; height: number }) =>
    enterCounting(browser, url, people, path, viewport);
  // A wall large enough that every tile is seen: the relay forwards nothing to a hidden tile.
  const host = await enter('/', { width: 1600, height: 1000 });
  const lee = await new HomePage(host.page).createRoom(roomName, 'Ms Lee');
  const code = await lee.code();
  const students: StudentRoomPage[] = [];
  for (const name of STUDENTS) {
    const p = await enter(`/join/${code}`, { width: 800, height: 600 });
    await new HomePage(p.page).join({ name });
    const room = new StudentRoomPage(p.page);
    await expect(room.heading(roomName)).toBeVisible();
    students.push(room);
  }
  await expect(lee.page.getByText(THROUGH_RELAY)).toBeVisible();
  for (const room of students) await room.shareButton().click();
  for (const name of STUDENTS) await expectFramesDecoded(lee.tile(name));
  for (const room of students) await expect(room.watchers()).toHaveText('Watching now: Ms Lee');
  // And the relay's standing call to each, for whatever is shown to the class: up before any
  // restart, so that "nothing was rebuilt" holds for it too.
  for (const room of students)
    await expect.poll(() => receiveOnlyConnections(room.page)).toEqual({ made: 1, connected: 1 });
  const pages = people.map((p) => p.page);
  return {
    lee,
    students,
    tiles: STUDENTS.map((name) => lee.tile(name)),
    /** RTCPeerConnections each page created so far. */
    connections: () => Promise.all(pages.map(peerConnectionsCreated)),
    close: () => Promise.all(people.map((p) => p.context.close())),
  };
}

/** A class from `classSharingThroughRelay`. */
export type RelayedClass = Awaited<ReturnType<typeof classSharingThroughRelay>>;

/**
 * After a restart the relay carried the class through: the wall says the relay carries the screens,
 * every student is back (no restart notice, told Ms Lee watches, no error), every tile moves, and
 * no page made a connection since `connectionsBefore`: nothing was rebuilt.
 */
export async function expectClassAsItWas(klass: RelayedClass, connectionsBefore: number[]): Promise<void> {
  await expect(klass.lee.page.getByText(THROUGH_RELAY)).toBeVisible();
  for (const room of klass.students) {
    await expect(room.page.getByText(AWAY)).toHaveCount(0);
    await expect(room.watchers()).toHaveText('Watching now: Ms Lee');
    await expectNoError(room.page);
  }
  await expectFramesAdvance(klass.tiles);
  await expectNoError(klass.lee.page);
  expect(await klass.connections()).toEqual(connectionsBefore);
}
