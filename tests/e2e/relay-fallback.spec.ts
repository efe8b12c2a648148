import { expect, test, type Browser } from '@playwright/test';
import { startBuiltServer } from '../helpers/built-server.ts';
import { HomePage, StudentRoomPage, SupervisorRoomPage, expectFramesDecoded, person, roomOnWire } from './pages.ts';
import { startSignallingFilter, type SignallingFilter } from './signalling-filter.ts';

// A direct call not up after 2.5 s is reported at once; so is a member's first call to the relay
// (src/client/media/relay-link.ts), and at its 10 s connect timeout they go direct.
test.setTimeout(120_000);

/** Records the accessible names a tile goes through, from now on, in the page. */
async function recordTileNames(view: SupervisorRoomPage, name: string): Promise<() => Promise<string[]>> {
  await view.page.evaluate((student) => {
    const seen: string[] = [];
    (window as unknown as { __tileNames: string[] }).__tileNames = seen;
    const read = () => {
      const label = [...document.querySelectorAll('figure.tile')]
        .map((tile) => tile.getAttribute('aria-label') ?? '')
        .find((l) => l.startsWith(`${student}: `));
      if (label && seen.at(-1) !== label) seen.push(label);
    };
    read();
    new MutationObserver(read).observe(document.body, { subtree: true, attributes: true, childList: true });
  }, name);
  return () => view.page.evaluate(() => (window as unknown as { __tileNames: string[] }).__tileNames);
}

const RELAY_ENV = { RELAY_ANNOUNCED_IPS: '127.0.0.1', RECONNECT_GRACE_S: '10' };

/** A class on `serverUrl`; anyone may come in through a signalling filter of their own. */
async function classroom(browser: Browser, serverUrl: string) {
  const port = Number(new URL(serverUrl).port);
  const filters: SignallingFilter[] = [];
  const closers: (() => Promise<unknown>)[] = [];
  const host = await person(browser, '/', { width: 1280, height: 800 }, serverUrl);
  closers.push(() => host.context.close());
  const lee = await new HomePage(host.page).createRoom('Fallback class', 'Ms Lee');
  const code = await lee.code();
  const { supervisor: invite } = await lee.inviteLinks();

  /** Joins through a filter (so the test can cut paths) and returns the view and the join reply. */
  const enter = async (name: string, path: string) => {
    const filter = await startSignallingFilter(port);
    filters.push(filter);
    const p = await person(browser, path, { width: 1280, height: 720 }, filter.url);
    closers.push(() => p.context.close());
    const reply = await new HomePage(p.page).joinForReply({ name });
    await expect(p.page.getByRole('heading', { level: 1, name: 'Fallback class' })).toBeVisible();
    return { page: p.page, filter, reply };
  };
  const student = async (name: string) => {
    const { page, filter, reply } = await enter(name, `/join/${code}`);
    return { view: new StudentRoomPage(page), filter, reply };
  };
  const supervisor = async (name: string) => {
    const { page, filter, reply } = await enter(name, invite.replace(/^https?:\/\/[^/]+/, ''));
    return { view: new SupervisorRoomPage(page), filter, reply };
  };
  const close = async () => {
    await Promise.all(closers.map((c) => c()));
    await Promise.all(filters.map((f) => f.close()));
  };
  return { lee, code, student, supervisor, close };
}

test('a student whose direct connection to one teacher fails is relayed to that teacher alone', async ({ browser }) => {
  const server = await startBuiltServer({ ...RELAY_ENV, RELAY_MODE: 'auto', RELAY_MIN_SUPERVISORS: '3' });
  const { lee, student, supervisor, close } = await classroom(browser, server.url);
  try {
    const ode = await supervisor('Mr Ode');
    const ada = await student('Ada');
    const bo = await student('Bo');
    // Ada's network cannot reach Ms Lee's browser; everything else can reach everything.
    const leePeer = ada.reply.room.members.find((m) => m.name === 'Ms Lee')!.peerId!;
    ada.filter.unreachable.add(leePeer);
    // The room's first share races the relay (a network this server has not seen): Bo's direct
    // calls win it, so the network is known to work peer to peer before Ada shares.
    await bo.view.shareButton().click();
    for (const view of [lee, ode.view]) await expectFramesDecoded(view.tile('Bo'));
    await lee.expectScreensPath('screens arrive peer to peer');
    const leeSaw = await recordTileNames(lee, 'Ada');
    await ada.view.shareButton().click();

    // The direct attempt is reported after a few seconds, and Ada reaches Ms Lee through the relay
    // while the room stays peer to peer. Ms Lee's tile said what was happening meanwhile.
    await expectFramesDecoded(ode.view.tile('Ada'));
    await expect(lee.tile('Ada')).toHaveAccessibleName('Ada: Live', { timeout: 20_000 });
    expect(await leeSaw()).toEqual(['Ada: Waiting', 'Ada: Connecting…', 'Ada: Trying another route…', 'Ada: Live']);
    await expectFramesDecoded(lee.tile('Ada'));
    for (const view of [lee, ode.view]) await expectFramesDecoded(view.tile('Bo'));
    await expect(lee.page.getByText('screens arrive peer to peer, some through the server’s relay')).toBeVisible();
    await expect(ada.view.watchers()).toHaveText('Watching now: Ms Lee, Mr Ode');
    await expect(ada.view.teachers()).toContainText(
      'passes through the school’s server on its way to Ms Lee, and straight to the others.',
    );
    await expect(bo.view.teachers()).toContainText('goes straight to them');

    // On the wire: exactly that pair is relayed.
    const leeId = ada.reply.room.members.find((m) => m.name === 'Ms Lee')!.id;
    expect((await roomOnWire(server.url, ada.reply)).routes).toMatchObject({
      transport: 'mesh',
      relayedPairs: [`${ada.reply.member.id}/${leeId}`],
    });
  } finally {
    await close();
    await server.stop();
  }
});

test('members who cannot reach the relay get direct connections while the rest of the room stays relayed', async ({
  browser,
}) => {
  const server = await startBuiltServer({ ...RELAY_ENV, RELAY_MODE: 'always' });
  const { lee, student, supervisor, close } = await classroom(browser, server.url);
  try {
    // A teacher and a student whose networks block the relay (a firewall on the server's ports):
    // the relay worker the room is placed on, as the room's routes name it.
    const ode = await supervisor('Mr Ode');
    const relayPeerId = ode.reply.room.routes.relayPeerId!;
    ode.filter.unreachable.add(relayPeerId);
    const ada = await student('Ada');
    ada.filter.unreachable.add(relayPeerId);
    const bo = await student('Bo');
    await ada.view.shareButton().click();
    await bo.view.shareButton().click();

    await expectFramesDecoded(lee.tile('Bo'));
    for (const view of [lee, ode.view]) {
      await expect(view.tile('Ada')).toHaveAccessibleName('Ada: Live', { timeout: 45_000 });
      await expectFramesDecoded(view.tile('Ada'));
    }
    await expect(ode.view.tile('Bo')).toHaveAccessibleName('Bo: Live', { timeout: 45_000 });
    await expectFramesDecoded(ode.view.tile('Bo'));
    await expect(lee.page.getByText('screens arrive through the server’s relay')).toBeVisible();
    await expect(ada.view.teachers()).toContainText('goes straight to them');
    await expect(ada.view.watchers()).toHaveText('Watching now: Ms Lee, Mr Ode');
    await expect(bo.view.teachers()).toContainText('passes through the school’s server');
    await expect(bo.view.watchers()).toHaveText('Watching now: Ms Lee, Mr Ode');

    const room = await roomOnWire(server.url, ode.reply);
    expect(room.routes.transport).toBe('relay');
    expect([...room.routes.directMembers].sort()).toEqual([ada.reply.member.id, ode.reply.member.id].sort());
  } finally {
    await close();
    await server.stop();
  }
});

test('a pair with no route at all says so on the teacher’s tile, with the likely cause', async ({ browser }) => {
  const server = await startBuiltServer({ ...RELAY_ENV, RELAY_MODE: 'off' });
  const { lee, student, supervisor, close } = await classroom(browser, server.url);
  try {
    const ode = await supervisor('Mr Ode');
    const ada = await student('Ada');
    // Ada's network cannot reach Ms Lee's browser, and the server has no relay to go round it.
    ada.filter.unreachable.add(ada.reply.room.members.find((m) => m.name === 'Ms Lee')!.peerId!);
    await ada.view.shareButton().click();

    await expectFramesDecoded(ode.view.tile('Ada'));
    // The direct call times out (10 s) and is reported: nothing else can carry the screen.
    await expect(lee.tile('Ada')).toHaveAccessibleName('Ada: No route to this screen', { timeout: 20_000 });
    await expect(lee.tile('Ada')).toContainText('ask the administrator to allow UDP between devices');
    await expect(ode.view.tile('Ada')).toHaveAccessibleName('Ada: Live');
  } finally {
    await close();
    await server.stop();
  }
});

test('a student whose link to the relay is only slow stays relayed, share after share', async ({ browser }) => {
  const server = await startBuiltServer({ ...RELAY_ENV, RELAY_MODE: 'always' });
  const { lee, student, close } = await classroom(browser, server.url);
  try {
    const ada = await student('Ada');
    // Ada's network reaches the relay, but every candidate takes 3 s each way (TURN over TCP, a
    // congested uplink): each call to it comes up after the 2.5 s report.
    ada.filter.slow.add(ada.reply.room.routes.relayPeerId!);
    const reports: string[] = [];
    ada.view.page.on('request', (request) => {
      if (request.url().includes('/connection-failures'))
        reports.push(`${request.method()} ${request.postData() ?? ''}`);
    });
    for (let share = 0; share < 2; share++) {
      await ada.view.shareButton().click();
      await expectFramesDecoded(lee.tile('Ada'));
      await expect.poll(() => reports.length).toBe(2 * (share + 1));
      await ada.view.stopButton().click();
      await expect(lee.tile('Ada')).toHaveAccessibleName('Ada: Stopped sharing');
    }
    // Each slow call was reported, then forgotten when it came up: two slow calls never add up to
    // sending her direct, where her network may not let her screen through at all.
    expect(reports).toEqual(['POST {"with":"relay"}', 'DELETE ', 'POST {"with":"relay"}', 'DELETE ']);
    expect((await roomOnWire(server.url, ada.reply)).routes.directMembers).toEqual([]);
    await expect(ada.view.teachers()).toContainText('passes through the school’s server');
  } finally {
    await close();
    await server.stop();
  }
});
