import { expect, test, type Browser, type Page } from '@playwright/test';
import type { JoinRoomResponse } from '../../src/shared/protocol.ts';
import { startBuiltServer } from '../helpers/built-server.ts';
import { childrenOf } from '../helpers/procfs.ts';
import {
  HomePage,
  StudentRoomPage,
  SupervisorRoomPage,
  expectFramesDecoded,
  person,
  tileFrameWidth,
  type Person,
  namesDuring,
  tileNamesDuring,
} from './pages.ts';
import { TRACK_PEER_CONNECTIONS, connectionsBetween, openCallsPlaced } from './media-stats.ts';
import { startSignallingFilter } from './signalling-filter.ts';

// Each test runs its own server with the relay configured; the relay offers loopback to browsers.
const RELAY_ENV = { RELAY_ANNOUNCED_IPS: '127.0.0.1', RECONNECT_GRACE_S: '10' };
/** A switch of path ends within the student's make-before-break limit (10 s) once the new path is up. */
const SWITCH = { timeout: 20_000 };

/**
 * A room on `baseURL`; a student named in `through` comes in through that base URL instead (a
 * filter). Every page keeps its connections reachable (TRACK_PEER_CONNECTIONS), to see which path each call takes.
 */
async function room(browser: Browser, baseURL: string, students: string[], through: Record<string, string> = {}) {
  const people: Person[] = [];
  const host = await person(browser, '/', { width: 1280, height: 800 }, baseURL, TRACK_PEER_CONNECTIONS);
  people.push(host);
  const lee = await new HomePage(host.page).createRoom('Relay class', 'Ms Lee');
  const code = await lee.code();
  const { supervisor: invite } = await lee.inviteLinks();
  const pupils: StudentRoomPage[] = [];
  const replies: JoinRoomResponse[] = [];
  for (const name of students) {
    const p = await person(
      browser,
      `/join/${code}`,
      { width: 1280, height: 720 },
      through[name] ?? baseURL,
      TRACK_PEER_CONNECTIONS,
    );
    people.push(p);
    replies.push(await new HomePage(p.page).joinForReply({ name }));
    pupils.push(new StudentRoomPage(p.page));
    await expect(pupils.at(-1)!.heading('Relay class')).toBeVisible();
  }
  const supervisor = async (name: string) => {
    const path = invite.replace(/^https?:\/\/[^/]+/, '');
    const p = await person(browser, path, { width: 1280, height: 800 }, baseURL, TRACK_PEER_CONNECTIONS);
    people.push(p);
    await new HomePage(p.page).join({ name });
    const view = new SupervisorRoomPage(p.page);
    await expect(view.heading('Relay class')).toBeVisible();
    return view;
  };
  return { lee, pupils, replies, supervisor, closeAll: () => Promise.all(people.map((p) => p.context.close())) };
}

test('RELAY_MODE=always relays even a one-supervisor room, and the student is told', async ({ browser }) => {
  const server = await startBuiltServer({ ...RELAY_ENV, RELAY_MODE: 'always' });
  try {
    const { lee, pupils, closeAll } = await room(browser, server.url, ['Ada']);
    await expect(lee.page.getByText('screens arrive through the server’s relay')).toBeVisible();
    await expect(pupils[0]!.teachers()).toContainText('Your screen passes through the school’s server');
    await pupils[0]!.shareButton().click();
    await expectFramesDecoded(lee.tile('Ada'));
    // Who watches is reported by the relay, from its live connections.
    await expect(pupils[0]!.watchers()).toHaveText('Watching now: Ms Lee');
    // Stopping and sharing again goes through the relay as new calls, not onto the dead ones.
    for (let i = 0; i < 2; i++) {
      await pupils[0]!.stopButton().click();
      await expect(lee.tile('Ada')).toHaveAccessibleName('Ada: Stopped sharing', { timeout: 2000 });
      await pupils[0]!.shareButton().click();
      await expectFramesDecoded(lee.tile('Ada'));
    }
    await closeAll();
  } finally {
    await server.stop();
  }
});

test('zooming through the relay raises one supervisor’s copy to full resolution and no one else’s', async ({
  browser,
}) => {
  const server = await startBuiltServer({ ...RELAY_ENV, RELAY_MODE: 'always' });
  try {
    const { lee, pupils, supervisor, closeAll } = await room(browser, server.url, ['Ada']);
    const ode = await supervisor('Mr Ode');
    // Hovering a tile asks for full quality too: keep both teachers' pointers off the wall (the
    // setup's last clicks leave them where Ada's tile appears).
    for (const view of [lee, ode]) await view.page.mouse.move(5, 5);
    await pupils[0]!.shareButton().click();
    await expectFramesDecoded(lee.tile('Ada'));
    await expectFramesDecoded(ode.tile('Ada'));
    expect(await tileFrameWidth(lee.tile('Ada'))).toBeLessThanOrEqual(640);

    await lee.tile('Ada').getByRole('button', { name: 'Open Ada’s screen' }).click();
    await expect.poll(() => tileFrameWidth(lee.tile('Ada')), { timeout: 15_000 }).toBe(1280);
    expect(await tileFrameWidth(ode.tile('Ada'))).toBeLessThanOrEqual(640);

    await lee.page.getByRole('button', { name: 'Close' }).click();
    await expect.poll(() => tileFrameWidth(lee.tile('Ada')), { timeout: 15_000 }).toBeLessThanOrEqual(640);
    await expectFramesDecoded(lee.tile('Ada'));
    await closeAll();
  } finally {
    await server.stop();
  }
});

test('a room reaching three supervisors moves to the relay and back without a black tile', async ({ browser }) => {
  const server = await startBuiltServer({
    ...RELAY_ENV,
    RELAY_MODE: 'auto',
    RELAY_MIN_SUPERVISORS: '3',
    RELAY_HOLD_S: '1',
  });
  // Bo's direct connection to Ms Lee comes up 3 s late, as on a slow network: past the 2.5 s a direct
  // call is given, so that pair alone is relayed, and stays so when the room goes back to peer to peer.
  const filter = await startSignallingFilter(Number(new URL(server.url).port));
  try {
    const { lee, pupils, replies, supervisor, closeAll } = await room(browser, server.url, ['Ada', 'Bo'], {
      Bo: filter.url,
    });
    filter.slow.add(replies[1]!.room.members.find((m) => m.name === 'Ms Lee')!.peerId!);
    for (const p of pupils) await p.shareButton().click();
    await expectFramesDecoded(lee.tile('Ada'));
    await expect(lee.page.getByText('screens arrive peer to peer')).toBeVisible();
    const ode = await supervisor('Mr Ode');
    await expectFramesDecoded(ode.tile('Bo'));

    // The third supervisor tips the room over to the relay; the host's tile stays live throughout.
    let ng: SupervisorRoomPage | undefined;
    const seen = await namesDuring(lee.page, 'Ada', async () => {
      ng = await supervisor('Dr Ng');
      await expect(lee.page.getByText('screens arrive through the server’s relay')).toBeVisible();
      for (const view of [lee, ode, ng]) for (const name of ['Ada', 'Bo']) await expectFramesDecoded(view.tile(name));
      // The switch is over once no student has a direct call left to Ms Lee or Mr Ode.
      for (const p of pupils)
        for (const t of [lee, ode]) await expect.poll(() => connectionsBetween(p.page, t.page), SWITCH).toBe(0);
    });
    expect(seen).toEqual(['Ada: Live']);
    await expect(pupils[0]!.teachers()).toContainText('passes through the school’s server');

    // A supervisor who joins late gets every picture through the relay.
    const late = await supervisor('Mx Late');
    await expectFramesDecoded(late.tile('Ada'));
    await expectFramesDecoded(late.tile('Bo'));

    // Down to two supervisors: back to peer to peer, still without a black tile.
    const back = await tileNamesDuring(lee.page, ['Ada', 'Bo'], async () => {
      await late.leave();
      await ng!.leave();
      await expect(lee.page.getByText('screens arrive peer to peer')).toBeVisible({ timeout: 10_000 });
      // The switch is over once Ada calls Ms Lee and Mr Ode directly and nothing else (she has hung up
      // on the relay), and Bo calls Mr Ode directly; her pair with Ms Lee stays on the relay.
      const [ada, bo] = pupils.map((p) => p.page);
      const calls = async (page: Page) => [
        await connectionsBetween(page, lee.page),
        await connectionsBetween(page, ode.page),
        await openCallsPlaced(page),
      ];
      await expect.poll(() => calls(ada!), SWITCH).toEqual([1, 1, 2]);
      await expect.poll(async () => (await calls(bo!)).slice(0, 2), SWITCH).toEqual([0, 1]);
    });
    expect(back).toEqual({ Ada: ['Ada: Live'], Bo: ['Bo: Live'] });
    await expectFramesDecoded(lee.tile('Bo'));
    await closeAll();
  } finally {
    await filter.close();
    await server.stop();
  }
});

test('when the relay process dies, screens recover directly, then through the restarted relay', async ({ browser }) => {
  const server = await startBuiltServer({ ...RELAY_ENV, RELAY_MODE: 'always' });
  try {
    const { lee, pupils, closeAll } = await room(browser, server.url, ['Ada']);
    await pupils[0]!.shareButton().click();
    await expectFramesDecoded(lee.tile('Ada'));
    // The relay is the server's only child process.
    const relayPid = childrenOf(server.pid)[0]!;
    process.kill(relayPid, 'SIGKILL');
    await expect(lee.page.getByText('screens arrive peer to peer')).toBeVisible({ timeout: 5000 });
    await expectFramesDecoded(lee.tile('Ada'));
    await expect(lee.page.getByText('screens arrive through the server’s relay')).toBeVisible({ timeout: 15_000 });
    expect(childrenOf(server.pid)[0]).not.toBe(relayPid);
    // Back on the relay once Ada has hung up the direct call that stood in for it.
    await expect.poll(() => connectionsBetween(pupils[0]!.page, lee.page), SWITCH).toBe(0);
    await expectFramesDecoded(lee.tile('Ada'));
    await closeAll();
  } finally {
    await server.stop();
  }
});
