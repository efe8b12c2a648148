import { expect, test } from '@playwright/test';
import { expectFramesDecoded } from '../e2e/pages.ts';
import { startLab, type Lab } from './lab.ts';
import { classInLab, devicesFor, selectedPairs } from './school.ts';

// Two students sharing to two teachers, each on a device of their own in a school network.
const STUDENTS = ['Ada', 'Bo'];

let lab: Lab | undefined;
test.afterEach(async () => {
  // The lab tears itself down whatever the test did.
  await lab?.close();
  lab = undefined;
});

test('(a) open LAN: every tile is live, peer to peer', async () => {
  lab = await startLab({ scenario: 'open', devices: devicesFor(2, 2) });
  const { teachers, students } = await classInLab(lab, { teachers: 2, students: STUDENTS });
  for (const student of students) await student.shareButton().click();
  for (const teacher of teachers) for (const name of STUDENTS) await expectFramesDecoded(teacher.tile(name));
  await expect(teachers[0]!.page.getByText('screens arrive peer to peer')).toBeVisible();
  // Straight across the LAN between the devices' own addresses (mDNS names resolved over multicast).
  for (const teacher of teachers) {
    expect(await selectedPairs(teacher)).toEqual(
      STUDENTS.map(() => ({ local: 'host', remote: 'host', protocol: 'udp', relayProtocol: null })),
    );
  }
});
