/**
 * A restart is invisible to a class: two students share to two teachers in real Chromium; the
 * server (its own process, not Playwright's webServer, since the test kills it) is killed or
 * stopped and started again on the same port and data. Nobody clicks anything.
 */
import { expect, test, type Browser } from '@playwright/test';
import type { ServerProcess } from '../helpers/server-process.ts';
import { HomePage, StudentRoomPage, SupervisorRoomPage, expectFramesDecoded, type Person } from './pages.ts';
import {
  AWAY,
  enterCounting,
  expectFramesAdvance,
  expectNoError,
  peerConnectionsCreated,
  savedDirectNetworks,
  serverOnFreshData,
  stopForGood,
} from './restart-watch.ts';

test.setTimeout(120_000);

const STUDENTS = ['Ada', 'Bo'];

async function classroom(browser: Browser, url: string) {
  const people: Person[] = [];
  const enter = (path: string) => enterCounting(browser, url, people, path, { width: 1280, height: 720 });
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
  // The room's race with the relay (a network this fresh server has not seen) is over: peer to peer.
  for (const wall of walls) await expect(wall.page.getByText(/· screens arrive peer to peer$/)).toBeVisible();
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
  start: () => Promise<ServerProcess>,
  { code, walls, students, connections, connectionsBefore }: Awaited<ReturnType<typeof classroom>>,
): Promise<ServerProcess> {
  const server = await start();
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
  await expectFramesAdvance(klass.walls.flatMap((wall) => STUDENTS.map((name) => wall.tile(name))));
  for (const wall of klass.walls)
    for (const name of STUDENTS) await expect(wall.tile(name)).toHaveAccessibleName(`${name}: Live`);
  for (const room of klass.students) await expect(room.stopButton()).toBeVisible();
}

/**
 * One class through both restarts, as a class would live through them: a planned restart, then a
 * crash of the server that came back. Building the class (four people, two live screens on two
 * walls) is the slowest part of each test. Serial: a failure skips the other rather than run it on
 * what the first left.
 */
test.describe.serial('a class through a planned restart, then a crash', () => {
  let dataDir: string;
  let start: () => Promise<ServerProcess>;
  let server: ServerProcess;
  let klass: Awaited<ReturnType<typeof classroom>>;
  test.beforeAll(async ({ browser }) => {
    const fresh = await serverOnFreshData(env);
    ({ dataDir, start } = fresh);
    server = fresh.first;
    klass = await classroom(browser, server.url);
  });
  test.afterAll(async () => {
    await klass?.close();
    if (server) await stopForGood(server);
  });

  test('after a planned restart (SIGTERM) the notice says the server is restarting, and the class comes back', async () => {
    server.kill('SIGTERM');
    expect(await server.exited).toEqual({ code: 0, signal: null });
    await expectScreensContinue(klass);

    server = await expectClassBack(start, klass);
  });

  test('after a crash (SIGKILL) every tile is live again within 10 s of the server answering, with no click', async () => {
    // Saves trail changes (by 100 ms, longer on a busy machine): the crash comes once the last change,
    // the end of the room's race with the relay, is in the state file. Otherwise the restarted server
    // would race again, and the students would call the relay anew.
    await expect.poll(() => savedDirectNetworks(dataDir)).toBeGreaterThan(0);

    server.kill('SIGKILL');
    await server.exited;
    await expectScreensContinue(klass);

    server = await expectClassBack(start, klass);
  });
});
