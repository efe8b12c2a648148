/**
 * A restart of the app server does not blank a relayed class: eight students share through the
 * relay to their teacher in real Chromium; the server (its own process) is stopped (SIGTERM) while
 * its relay worker forwards on, and the restarted server adopts the worker. After a crash that took
 * the worker too (the same class, after that restart), the class comes back by itself. Nobody clicks anything.
 */
import { expect, test } from '@playwright/test';
import { processAlive } from '../../server/relay/host/worker-file.ts';
import { relayWorkerPids } from '../helpers/relay-workers.ts';
import type { ServerProcess } from '../helpers/server-process.ts';
import {
  AWAY,
  STUDENTS,
  THROUGH_RELAY,
  classSharingThroughRelay,
  expectClassAsItWas,
  expectFramesAdvance,
  expectNoError,
  serverOnFreshData,
  stopForGood,
} from './restart-watch.ts';

test.setTimeout(180_000);

const env = (dataDir: string) => ({
  DATA_DIR: dataDir,
  LOG_LEVEL: 'warn',
  RECONNECT_GRACE_S: '20',
  RELAY_MODE: 'always',
  RELAY_WORKERS: '1',
  RELAY_ANNOUNCED_IPS: '127.0.0.1',
});

/**
 * One relayed class through both, as a class would live through them: a planned restart, then a
 * crash that takes the server that came back and the worker it adopted. Building the class (nine
 * people, eight screens through the relay) is the slowest part of each test. Serial: a failure skips
 * the other rather than run it on what the first left.
 */
test.describe.serial('a relayed class through a planned restart, then a crash', () => {
  let dataDir: string;
  let start: () => Promise<ServerProcess>;
  let server: ServerProcess;
  let klass: Awaited<ReturnType<typeof classSharingThroughRelay>>;
  /** The relay worker's process. */
  let worker: number;
  test.beforeAll(async ({ browser }) => {
    const fresh = await serverOnFreshData(env);
    ({ dataDir, start } = fresh);
    server = fresh.first;
    klass = await classSharingThroughRelay(browser, server.url, 'Relayed class');
    worker = relayWorkerPids(dataDir)[0]!;
  });
  test.afterAll(async () => {
    await klass?.close();
    if (server) await stopForGood(server);
  });

  /** Every tile names its student as live, and every student is present and sharing on the roster. */
  async function expectWallWhole(timeoutMs: number): Promise<void> {
    for (const name of STUDENTS) {
      await expect(klass.lee.tile(name)).toHaveAccessibleName(`${name}: Live`, { timeout: timeoutMs });
      await expect(klass.lee.students().filter({ hasText: name }).locator('.badge')).toHaveText('Sharing', {
        timeout: timeoutMs,
      });
    }
    await expect(klass.lee.page.getByText(AWAY)).toHaveCount(0, { timeout: timeoutMs });
  }

  test('a planned restart (SIGTERM): the relay worker forwards on, every tile keeps decoding, and the new server adopts it', async () => {
    const connectionsBefore = await klass.connections();

    server.kill('SIGTERM');
    expect(await server.exited).toEqual({ code: 0, signal: null });
    // No server at all: the relay worker still runs and the wall still moves, every tile live.
    await expect(klass.lee.page.getByText(AWAY)).toBeVisible();
    for (const room of klass.students) await expect(room.page.getByText(AWAY)).toBeVisible();
    expect(processAlive(worker)).toBe(true);
    await expectFramesAdvance(klass.tiles);
    for (const name of STUDENTS) await expect(klass.lee.tile(name)).toHaveAccessibleName(`${name}: Live`);

    server = await start();
    await expectWallWhole(10_000);
    // The same worker process, adopted: the student's calls to it never ended.
    expect(relayWorkerPids(dataDir)).toEqual([worker]);
    // Nothing was rebuilt: no page made a new connection, through the stop, the restart and after.
    await expectClassAsItWas(klass, connectionsBefore);
  });

  test('after a crash that took the relay worker too (SIGKILL both), every tile is live again, then through a new worker', async () => {
    server.kill('SIGKILL');
    process.kill(worker, 'SIGKILL');
    await server.exited;

    server = await start();
    // Until the browsers notice, the wall may still call a screen of the dead worker live: what shows
    // the class back is every tile moving again, from calls placed after the restart.
    await expectFramesAdvance(klass.tiles, Math.max(1, server.answeredAt + 10_000 - performance.now()));
    await expectWallWhole(Math.max(1, server.answeredAt + 10_000 - performance.now()));
    await expect(klass.lee.page.getByText(THROUGH_RELAY)).toBeVisible({ timeout: 20_000 });
    expect(relayWorkerPids(dataDir)).not.toEqual([worker]);
    for (const room of klass.students) await expect(room.watchers()).toHaveText('Watching now: Ms Lee');
    await expectFramesAdvance(klass.tiles);
    await expectNoError(klass.lee.page);
  });
});
