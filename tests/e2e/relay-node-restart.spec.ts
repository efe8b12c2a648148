/**
 * A restart of the app server does not blank a class relayed by a relay node on another machine:
 * eight students share through the node (the server runs no relay of its own) to their teacher in
 * real Chromium; the server (its own process) is stopped (SIGTERM), then killed (SIGKILL), while the
 * node forwards on, and the restarted server takes the node back under the identity it had, its
 * room still placed on it. Every tile stays live throughout, and no page builds a new call.
 */
import { expect, test, type Browser } from '@playwright/test';
import { REGISTERED, TAKEN_BACK, nodeSaid, startRelayNode } from '../helpers/relay-node.ts';
import type { ServerProcess } from '../helpers/server-process.ts';
import { tileNamesDuring } from './pages.ts';
import {
  AWAY,
  STUDENTS,
  classSharingThroughRelay,
  expectClassAsItWas,
  expectFramesAdvance,
  serverOnFreshData,
  stopForGood,
} from './restart-watch.ts';

test.setTimeout(180_000);

const SECRET = 'e2e-relay-node-secret-0123456789abcdef';

const env = (dataDir: string) => ({
  DATA_DIR: dataDir,
  LOG_LEVEL: 'warn',
  RECONNECT_GRACE_S: '20',
  RELAY_MODE: 'always',
  RELAY_WORKERS: '0',
  RELAY_NODE_SECRET: SECRET,
});

/** A server whose only relay is a node, with a teacher and eight students sharing through it, every tile live. */
async function classOnNode(browser: Browser) {
  const server = await serverOnFreshData(env, { waitForRelay: false });
  const node = startRelayNode(server.first.url, SECRET, { RELAY_PORT_RANGE: '42100-42149' }, { built: true });
  await expect.poll(() => nodeSaid(node, REGISTERED).length, { timeout: 15_000 }).toBe(1);
  const klass = await classSharingThroughRelay(browser, server.first.url, 'Node class');
  return {
    ...server,
    ...klass,
    node,
    /** The node's PeerServer id, as it registered under it. */
    nodeId: nodeSaid(node, REGISTERED)[0]!.peerId!,
  };
}

type Class = Awaited<ReturnType<typeof classOnNode>>;

/**
 * Stops the server with `signal` and starts it again, watching every tile meanwhile: while no server
 * runs the node forwards and the wall moves; the new server takes the node back under its identity
 * (its `restarts`th time back) and the class is whole again. Returns the new server and every name
 * each tile had throughout.
 */
async function restartWatched(klass: Class, server: ServerProcess, signal: 'SIGTERM' | 'SIGKILL', restarts: number) {
  let second: ServerProcess | null = null;
  const seen = await tileNamesDuring(klass.lee.page, STUDENTS, async () => {
    server.kill(signal);
    await server.exited;
    // No server at all: the node still runs and the wall still moves, every tile live.
    await expect(klass.lee.page.getByText(AWAY)).toBeVisible();
    for (const room of klass.students) await expect(room.page.getByText(AWAY)).toBeVisible();
    await expectFramesAdvance(klass.tiles);
    second = await klass.start();
    // Taken back under the identity it had: registered again under it, and under no other.
    await expect.poll(() => nodeSaid(klass.node, TAKEN_BACK).length, { timeout: 15_000 }).toBe(restarts);
    await expect.poll(() => nodeSaid(klass.node, REGISTERED).length, { timeout: 15_000 }).toBe(restarts + 1);
    for (const name of STUDENTS) {
      await expect(klass.lee.students().filter({ hasText: name }).locator('.badge')).toHaveText('Sharing', {
        timeout: 15_000,
      });
    }
    await expect(klass.lee.page.getByText(AWAY)).toHaveCount(0, { timeout: 15_000 });
    await expectFramesAdvance(klass.tiles);
  });
  return { second: second!, seen };
}

/** What holds after each restart: one identity, the relay still in use, every page as it was. */
async function expectNothingRebuilt(klass: Class, restarts: number, connectionsBefore: number[]) {
  expect(nodeSaid(klass.node, TAKEN_BACK).map((l) => l.peerId)).toEqual(Array(restarts).fill(klass.nodeId));
  expect(nodeSaid(klass.node, REGISTERED).map((l) => l.peerId)).toEqual(Array(restarts + 1).fill(klass.nodeId));
  expect(klass.node.running()).toBe(true);
  // Nothing was rebuilt: no page made a new connection, through the stop, the restart and after.
  await expectClassAsItWas(klass, connectionsBefore);
}

/**
 * One class on the node through both, as a class would live through them: a planned restart, then a
 * crash of the server that came back. Building the class (nine people, eight screens through the
 * node) is the slowest part of each test. Serial: a failure skips the other rather than run it on
 * what the first left.
 */
test.describe.serial('a class on a relay node through a planned restart, then a crash', () => {
  let klass: Class | undefined;
  let server: ServerProcess;
  let connectionsBefore: number[];
  let restarts = 0;
  test.beforeAll(async ({ browser }) => {
    klass = await classOnNode(browser);
    server = klass.first;
    connectionsBefore = await klass.connections();
  });
  test.afterAll(async () => {
    try {
      await klass?.close();
      if (server) await stopForGood(server);
    } finally {
      klass?.node.kill('SIGKILL');
    }
  });

  for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
    const what = signal === 'SIGTERM' ? 'a planned restart (SIGTERM)' : 'a crash of the app server (SIGKILL)';
    test(`${what}: the relay node forwards on, every tile stays live, and the new server takes the node back with its room`, async () => {
      restarts++;
      const { second, seen } = await restartWatched(klass!, server, signal, restarts);
      server = second;
      expect(seen).toEqual(Object.fromEntries(STUDENTS.map((name) => [name, [`${name}: Live`]])));
      await expectNothingRebuilt(klass!, restarts, connectionsBefore);
    });
  }
});
