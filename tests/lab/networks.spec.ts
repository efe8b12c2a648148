import { expect, test } from '@playwright/test';
import { expectFramesDecoded, tileFrameWidth } from '../e2e/pages.ts';
import { SERVER_IP, startLab, type Lab } from './lab.ts';
import {
  classInLab,
  devicesFor,
  firstLiveAt,
  framesPerWindow,
  iceReport,
  localCandidates,
  reflexiveAddresses,
  selectedPairs,
  tryingAt,
} from './school.ts';

// Two students sharing to two teachers, each on a device of their own in a school network.
const STUDENTS = ['Ada', 'Bo'];

let lab: Lab | undefined;
test.afterEach(async () => {
  try {
    // A failure's log says which paths each page checked and why it picked the one it did.
    const { status, expectedStatus } = test.info();
    if (lab && status !== expectedStatus)
      for (const { device, page } of lab.pages()) console.error(`ICE on ${device}:\n${await iceReport(page)}`);
    // Whatever the scenario, the school's server contacted nothing the school does not run (a
    // public STUN server, a DNS lookup for one): the router at the school's edge saw no such packet.
    if (lab) expect(lab.serverEscapes(), 'packets the server sent beyond the school network').toBe(0);
  } finally {
    // The lab tears itself down whatever the test did.
    await lab?.close();
    lab = undefined;
  }
});

test('(a) open LAN: every tile is live, peer to peer', async () => {
  lab = await startLab({ scenario: 'open', devices: devicesFor(2, 2) });
  const { teachers, students } = await classInLab(lab, { teachers: 2, students: STUDENTS });
  for (const student of students) await student.shareButton().click();
  for (const teacher of teachers) for (const name of STUDENTS) await expectFramesDecoded(teacher.tile(name));
  await expect(teachers[0]!.page.getByText(/· screens arrive peer to peer$/)).toBeVisible();
  // Straight across the LAN between the devices' own addresses, never through the server.
  const studentAddresses = ['s1', 's2'].map((device) => lab!.addresses.get(device));
  // On a busy machine a TURN pair can answer its checks first and carry the first frames; the
  // browser moves to the direct pair as soon as that one answers, so wait for that state.
  for (const teacher of teachers) {
    await expect
      .poll(async () =>
        (await selectedPairs(teacher))
          .map((p) => `${p.remoteAddress} ${p.protocol} ${p.relayProtocol ?? 'direct'}`)
          .sort(),
      )
      .toEqual(studentAddresses.map((address) => `${address} udp direct`));
  }
});

test('(b) client isolation: the first shares race through the relay, the room moves there, and the next lesson starts there', async () => {
  // Without TURN (with it, the pairs would meet on coturn): the server's relay is the way round.
  lab = await startLab({ scenario: 'isolated', devices: devicesFor(2, 2), turn: false });
  const { teachers, students, people } = await classInLab(lab, { teachers: 2, students: STUDENTS });
  // A fresh room on a network the server knows nothing of races: every screen goes to the relay
  // beside the direct calls, and both sides are told so before anyone shares.
  for (const teacher of teachers)
    await expect(
      teacher.page.getByText('screens come through the server’s relay until peer to peer works here'),
    ).toBeVisible();
  for (const student of students)
    await expect(
      student.page.getByText(
        'Your screen is sent to them directly and, until that is known to work here, through the school’s server too.',
      ),
    ).toBeVisible();
  // A pointer resting on a tile asks for a full-quality leg: keep the teachers' pointers off the wall.
  for (const teacher of teachers) await teacher.page.mouse.move(5, 5);
  for (const student of students) await student.shareButton().click();
  for (const teacher of teachers)
    for (const name of STUDENTS) await expect(teacher.tile(name)).toHaveAccessibleName(`${name}: Live`);
  for (const teacher of teachers) for (const name of STUDENTS) await expectFramesDecoded(teacher.tile(name));
  // Each tile went live through the relay while that student's direct calls (one per teacher) were
  // still trying: nothing waited for them to fail.
  for (const teacher of teachers)
    for (const [i, name] of STUDENTS.entries())
      expect(await tryingAt(students[i]!.page, await firstLiveAt(teacher, name)), `${name}'s direct calls`).toBe(2);
  // The server has seen isolation: the whole room is relayed, and every teacher is told.
  for (const teacher of teachers)
    await expect(teacher.page.getByText('screens arrive through the server’s relay')).toBeVisible();
  for (const teacher of teachers) {
    for (const pair of await selectedPairs(teacher)) expect(pair.remoteAddress).toBe(SERVER_IP);
  }

  // The next lesson on this network: the server remembers it keeps devices apart, so the room is
  // relayed before anyone shares, and no share waits for a direct call to fail first.
  for (const person of people) await person.context.close();
  const next = await classInLab(lab, { teachers: 2, students: STUDENTS });
  for (const teacher of next.teachers)
    await expect(teacher.page.getByText('screens arrive through the server’s relay')).toBeVisible();
  for (const student of next.students)
    await expect(
      student.page.getByText(/Your screen passes through the school’s server on its way to them\./),
    ).toBeVisible();
  for (const student of next.students) await student.shareButton().click();
  for (const teacher of next.teachers) for (const name of STUDENTS) await expectFramesDecoded(teacher.tile(name));
  for (const teacher of next.teachers) {
    for (const pair of await selectedPairs(teacher)) expect(pair.remoteAddress).toBe(SERVER_IP);
  }
});

test('(c) no UDP at all: screens come through the relay over TURN on TCP', async () => {
  lab = await startLab({ scenario: 'tcp-only', devices: devicesFor(2, 2) });
  const { teachers, students } = await classInLab(lab, { teachers: 2, students: STUDENTS });
  for (const student of students) await student.shareButton().click();
  for (const teacher of teachers) for (const name of STUDENTS) await expectFramesDecoded(teacher.tile(name));
  for (const teacher of teachers) {
    const pairs = await selectedPairs(teacher);
    expect(pairs.length).toBeGreaterThan(0);
    // The teacher's end is a TURN allocation reached over TCP, the only way out of this network.
    for (const pair of pairs) expect([pair.local, pair.relayProtocol]).toEqual(['relay', 'tcp']);
  }
});

test('(c) no UDP at all, in a relayed room: the relay reaches every device through TURN on TCP', async () => {
  lab = await startLab({ scenario: 'tcp-only', devices: devicesFor(2, 2), serverEnv: { RELAY_MODE: 'always' } });
  const { teachers, students } = await classInLab(lab, { teachers: 2, students: STUDENTS });
  for (const student of students) await student.shareButton().click();
  for (const teacher of teachers) for (const name of STUDENTS) await expectFramesDecoded(teacher.tile(name));
  await expect(teachers[0]!.page.getByText('screens arrive through the server’s relay')).toBeVisible();
  for (const teacher of teachers) {
    const pairs = await selectedPairs(teacher);
    expect(pairs.length).toBeGreaterThan(0);
    // Each teacher's calls come from the relay worker itself (a host candidate of the server, not
    // a student's TURN allocation), reached through the teacher's own TURN allocation over TCP.
    for (const pair of pairs) expect([pair.local, pair.relayProtocol, pair.remote]).toEqual(['relay', 'tcp', 'host']);
  }
});

test('(d) a capped, lossy uplink: thumbnails stay small and no tile freezes', async () => {
  lab = await startLab({
    scenario: 'capped',
    devices: devicesFor(2, 2),
    uplinkMbit: 10,
    lossPercent: 1,
    // Every screen crosses the uplink to the relay in the server room and back.
    serverEnv: { RELAY_MODE: 'always' },
    turn: false,
  });
  // Screens whose content changes every frame, so a frozen tile would show.
  const { teachers, students } = await classInLab(lab, { teachers: 2, students: STUDENTS, movingScreens: true });
  // A pointer resting on a tile asks for full quality: keep the teachers' pointers off the wall.
  for (const teacher of teachers) await teacher.page.mouse.move(5, 5);
  for (const student of students) await student.shareButton().click();
  for (const teacher of teachers) for (const name of STUDENTS) await expectFramesDecoded(teacher.tile(name));
  const tiles = teachers.flatMap((teacher, t) =>
    STUDENTS.map((name) => ({ tile: teacher.tile(name), what: `${name}'s tile on teacher ${t + 1}'s wall` })),
  );
  // Thumbnails: at most 360 lines of the 1280×720 screen, whatever the loss does to the rate.
  for (const { tile, what } of tiles) expect(await tileFrameWidth(tile), what).toBeLessThanOrEqual(640);
  // New frames in each of three consecutive 2-second windows: no tile froze. Every tile is watched
  // over the same six seconds, while all four streams share the uplink, rather than one after another.
  const windows = await Promise.all(tiles.map(({ tile }) => framesPerWindow(tile, 3, 2000)));
  tiles.forEach(({ what }, i) => expect(windows[i], what).toEqual([true, true, true]));
});

test('(e) multicast filtered: mDNS names do not resolve, the school’s STUN gives each device its address, screens go direct', async () => {
  lab = await startLab({ scenario: 'no-multicast', devices: devicesFor(2, 2), turn: false });
  const { teachers, students } = await classInLab(lab, { teachers: 2, students: STUDENTS });
  for (const student of students) await student.shareButton().click();
  for (const teacher of teachers) for (const name of STUDENTS) await expectFramesDecoded(teacher.tile(name));
  await expect(teachers[0]!.page.getByText(/· screens arrive peer to peer$/)).toBeVisible();
  const studentAddresses = ['s1', 's2'].map((device) => lab!.addresses.get(device));
  for (const [i, teacher] of teachers.entries()) {
    // A teacher's page hides its address behind an mDNS name nobody can resolve here...
    const offered = await localCandidates(teacher.page);
    expect(offered.filter((c) => c.type === 'host').every((c) => c.address.endsWith('.local'))).toBe(true);
    // ...and the school's STUN server (the ICE servers the app hands out) tells it its LAN address.
    // Gathered to the end on a connection of its own: a call's gathering stops racing once ICE
    // has connected, by whichever candidate came first.
    expect(await reflexiveAddresses(teacher.page)).toEqual([lab.addresses.get(`t${i + 1}`)]);
    // Media runs straight between the devices, not through the server, once the room's race is
    // over (the teacher hangs up the relay's calls when the direct ones decode).
    await expect
      .poll(async () => (await selectedPairs(teacher)).map((p) => p.remoteAddress).sort())
      .toEqual(studentAddresses);
  }
});
