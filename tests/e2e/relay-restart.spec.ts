/**
 * A restart of the app server does not blank a relayed class: eight students share through the
 * relay to their teacher in real Chromium; the server (its own process) is stopped (SIGTERM) while
 * its relay worker forwards on, and the restarted server adopts the worker. After a crash that took
 * the worker too, the class comes back by itself. Nobody clicks anything.
 */
import { expect, test, type Browser } from '@playwright/test';
import { processAlive } from '../../server/relay/host/worker-file.ts';
import { relayWorkerPids } from '../helpers/relay-workers.ts';
import {
  AWAY,
  STUDENTS,
  classSharingThroughRelay,
  expectFramesAdvance,
  expectNoError,
  serverOnFreshData,
  stopForGood,
} from './restart-watch.ts';

test.setTimeout(180_000);

const THROUGH_RELAY = 'screens arrive through the server’s relay';

const env = (dataDir: string) => ({
  DATA_DIR: dataDir,
  LOG_LEVEL: 'warn',
  RECONNECT_GRACE_S: '20',
  RELAY_MODE: 'always',
  RELAY_WORKERS: '1',
  RELAY_ANNOUNCED_IPS: '127.0.0.1',
});

/** A server with a teacher and eight students sharing through its relay worker, every tile live. */
async function relayedClass(browser: Browser) {
  const server = await serverOnFreshData(env);
  const klass = await classSharingThroughRelay(browser, server.first.url, 'Relayed class');
  return {
    ...server,
    ...klass,
    /** The relay worker's process. */
    worker: relayWorkerPids(server.dataDir)[0]!,
  };
}

type Class = Awaited<ReturnType<typeof relayedClass>>;

/** Every tile names its student as live, and every student is present and sharing on the roster. */
async function expectWallWhole({ lee }: Class, timeoutMs: number): Promise<void> {
  for (const name of STUDENTS) {
    await expect(lee.tile(name)).toHaveAccessibleName(`${name}: Live`, { timeout: timeoutMs });
    await expect(lee.students().filter({ hasText: name }).locator('.badge')).toHaveText('Sharing', {
      timeout: timeoutMs,
    });
  }
  await expect(lee.page.getByText(AWAY)).toHaveCount(0, { timeout: timeoutMs });
}

test('a planned restart (SIGTERM): the relay worker forwards on, every tile keeps decoding, and the new server adopts it', async ({
  browser,
}) => {
  const klass = await relayedClass(browser);
  const connectionsBefore = await klass.connections();

  klass.first.kill('SIGTERM');
  expect(await klass.first.exited).toEqual({ code: 0, signal: null });
  // No server at all: the relay worker still runs and the wall still moves, every tile live.
  await expect(klass.lee.page.getByText(AWAY)).toBeVisible();
  for (const room of klass.students) await expect(room.page.getByText(AWAY)).toBeVisible();
  expect(processAlive(klass.worker)).toBe(true);
  await expectFramesAdvance(klass.tiles);
  for (const name of STUDENTS) await expect(klass.lee.tile(name)).toHaveAccessibleName(`${name}: Live`);

  const second = await klass.start();
  await expectWallWhole(klass, 10_000);
  await expect(klass.lee.page.getByText(THROUGH_RELAY)).toBeVisible();
  // The same worker process, adopted: the student's calls to it never ended.
  expect(relayWorkerPids(klass.dataDir)).toEqual([klass.worker]);
  for (const room of klass.students) {
    await expect(room.page.getByText(AWAY)).toHaveCount(0);
    await expect(room.watchers()).toHaveText('Watching now: Ms Lee');
    await expectNoError(room.page);
  }
  await expectFramesAdvance(klass.tiles);
  await expectNoError(klass.lee.page);
  // Nothing was rebuilt: no page made a new connection, through the stop, the restart and after.
  expect(await klass.connections()).toEqual(connectionsBefore);

  await klass.close();
  await stopForGood(second);
});

test('after a crash that took the relay worker too (SIGKILL both), every tile is live again, then through a new worker', async ({
  browser,
}) => {
  const klass = await relayedClass(browser);

  klass.first.kill('SIGKILL');
  process.kill(klass.worker, 'SIGKILL');
  await klass.first.exited;

  const second = await klass.start();
  await expectWallWhole(klass, Math.max(1, second.answeredAt + 10_000 - performance.now()));
  await expectFramesAdvance(klass.tiles);
  await expect(klass.lee.page.getByText(THROUGH_RELAY)).toBeVisible({ timeout: 20_000 });
  expect(relayWorkerPids(klass.dataDir)).not.toEqual([klass.worker]);
  for (const room of klass.students) await expect(room.watchers()).toHaveText('Watching now: Ms Lee');
  await expectFramesAdvance(klass.tiles);
  await expectNoError(klass.lee.page);

  await klass.close();
  await stopForGood(second);
});
