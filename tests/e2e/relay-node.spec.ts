import { hostname } from 'node:os';
import { expect, test } from '@playwright/test';
import type { HealthResponse } from '../../src/shared/protocol.ts';
import { startBuiltServer } from '../helpers/built-server.ts';
import { startRelayNode } from '../helpers/relay-node.ts';
import { HomePage, StudentRoomPage, expectFramesDecoded, person, namesDuring } from './pages.ts';

const SECRET = 'e2e-relay-node-secret-0123456789abcdef';
const METRICS_TOKEN = 'e2e-metrics-token-0123';

/** Packets the relay named `worker` forwarded, from the server's metrics. */
async function forwardedBy(baseURL: string, worker: string): Promise<number> {
  const res = await fetch(`${baseURL}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  const line = (await res.text())
    .split('\n')
    .find((l) => l.startsWith(`classroom_relay_forwarded_packets_total{worker="${worker}"}`));
  return Number(line?.split(' ').at(-1) ?? 0);
}

test('a relay node started as its own process relays a room end to end, and hands it back without a black tile', async ({
  browser,
}) => {
  // The app server runs no relay of its own: every relayed frame goes through the node.
  const server = await startBuiltServer(
    {
      RELAY_MODE: 'always',
      RELAY_WORKERS: '0',
      RELAY_NODE_SECRET: SECRET,
      METRICS_TOKEN,
      RECONNECT_GRACE_S: '10',
    },
    { waitForRelay: false },
  );
  const node = startRelayNode(server.url, SECRET, { RELAY_PORT_RANGE: '42000-42049' }, { built: true });
  try {
    await expect
      .poll(async () => ((await (await fetch(`${server.url}/api/health`)).json()) as HealthResponse).relay, {
        timeout: 15_000,
      })
      .toBe('up');
    const host = await person(browser, '/', { width: 1280, height: 800 }, server.url);
    const lee = await new HomePage(host.page).createRoom('Node class', 'Ms Lee');
    const ada = await person(browser, `/join/${await lee.code()}`, { width: 1280, height: 720 }, server.url);
    await new HomePage(ada.page).join({ name: 'Ada' });
    const pupil = new StudentRoomPage(ada.page);
    await expect(pupil.heading('Node class')).toBeVisible();
    await expect(lee.page.getByText('screens arrive through the server’s relay')).toBeVisible();
    await pupil.shareButton().click();
    await expectFramesDecoded(lee.tile('Ada'));
    await expect(pupil.watchers()).toHaveText('Watching now: Ms Lee');
    await expect.poll(() => forwardedBy(server.url, hostname()), { timeout: 5000 }).toBeGreaterThan(0);

    // The node is stopped: the room goes peer to peer while the node still forwards, so the tile never goes dark.
    const seen = await namesDuring(lee.page, 'Ada', async () => {
      node.kill('SIGTERM');
      await expect(lee.page.getByText('screens arrive peer to peer')).toBeVisible({ timeout: 5000 });
      expect(node.running()).toBe(true);
      await expect.poll(() => node.exited.then((code) => code), { timeout: 15_000 }).toBe(0);
    });
    expect(seen).toEqual(['Ada: Live']);
    await expectFramesDecoded(lee.tile('Ada'));
    await Promise.all([host.context.close(), ada.context.close()]);
  } finally {
    node.kill('SIGKILL');
    await server.stop();
  }
});
