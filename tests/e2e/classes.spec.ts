/**
 * The teachers' class pages (issue #20): a class made in the PWA, its roster from a CSV file and a
 * OneRoster export, a lesson started from it and ended, its record listed and exported; a co-teacher
 * invite link; a tablet-sized window throughout, with axe on the class page.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import type { CreateClassResponse, StartLessonResponse } from '../../src/shared/protocol.ts';
import { startBuiltServer } from '../helpers/built-server.ts';
import { call, joinByClassLink } from '../helpers/client.ts';
import { SupervisorRoomPage, expectNoAxeViolations, exportTodaysLessons, person } from './pages.ts';

const TABLET = { width: 1024, height: 768 };

/** Writes a fixture file into the test's own output folder and returns its path. */
function fixture(name: string, text: string): string {
  const path = test.info().outputPath(name);
  writeFileSync(path, text);
  return path;
}

/** The class page's parts, found as a screen reader finds them. */
class ClassPageObject {
  constructor(readonly page: Page) {}

  heading(name: string) {
    return this.page.getByRole('heading', { level: 1, name });
  }

  roster() {
    return this.page.getByRole('table', { name: /^Roster/ });
  }

  rosterNames() {
    return this.roster().getByRole('rowheader');
  }

  pastLessons() {
    return this.page.getByRole('table', { name: 'Past lessons' }).getByRole('row');
  }

  importForm() {
    return this.page.getByRole('form', { name: 'Import students' });
  }

  /** Imports one CSV file into the roster. */
  async importCsv(path: string, mode: 'Merge' | 'Replace'): Promise<void> {
    const form = this.importForm();
    await form.getByLabel('A CSV file').check();
    await form.getByLabel(/^CSV file/).setInputFiles(path);
    await form.getByLabel(new RegExp(`^${mode}:`)).check();
    await form.getByRole('button', { name: 'Import' }).click();
  }
}

test('a teacher makes a class, imports its roster, teaches a lesson and exports its record', async ({
  browser,
  baseURL,
}) => {
  const teacher = await person(browser, '/', TABLET);
  const { page } = teacher;
  const bio = new ClassPageObject(page);

  await test.step('Home leads to the classes, where a new class opens its page', async () => {
    await page.getByRole('region', { name: 'Classes' }).getByRole('button', { name: 'Your classes' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Your classes' })).toBeVisible();
    await expect(page.getByText('None yet.')).toBeVisible();
    const form = page.getByRole('region', { name: 'New class' });
    await form.getByLabel('Class name').fill('Period 3 Biology');
    await form.getByRole('button', { name: 'Make class' }).click();
    await expect(bio.heading('Period 3 Biology')).toBeVisible();
    expect(new URL(page.url()).pathname).toMatch(/^\/classes\/[A-Za-z0-9_-]{22}$/);
    await expect(page.getByText('No students yet.')).toBeVisible();
    // The students' join link is the class's, with its QR code.
    await expect(page.getByLabel('Student join link', { exact: true })).toHaveValue(/\/class\/[A-Za-z0-9_-]{32}$/);
    await expect(page.getByRole('img', { name: 'QR code of the student join link' })).toBeVisible();
  });

  await test.step('a roster from a CSV file', async () => {
    const csv = fixture(
      'roster.csv',
      'Name,Email,Student ID\r\nAda Lovelace,ada@school.example,S1001\r\nGrace Hopper,grace@school.example,S1003\r\n"Lee, Sam",,S1004\r\n',
    );
    await bio.importCsv(csv, 'Merge');
    await expect(page.getByRole('status').filter({ hasText: 'Imported:' })).toHaveText(
      'Imported: 3 added, 0 updated, 0 removed, 0 unchanged.',
    );
    await expect(page.getByRole('heading', { level: 2, name: 'Roster (3 students)' })).toBeVisible();
    await expect(bio.rosterNames()).toHaveText(['Ada Lovelace', 'Grace Hopper', 'Lee, Sam']);
    await expect(bio.roster().getByRole('row', { name: /Ada Lovelace/ })).toHaveText(
      /Ada Lovelace\s*ada@school\.example\s*S1001\s*CSV file/,
    );
  });

  await test.step('a broken CSV is refused with its line and column, focus on the message, nothing imported', async () => {
    const broken = fixture(
      'broken.csv',
      'name,email\nAnn Other,ann@school.example\n"Alan Turing,alan@school.example\n',
    );
    await bio.importCsv(broken, 'Replace');
    const alert = bio.importForm().getByRole('alert');
    // The server's words, as they are: the file, the line and the column.
    await expect(alert).toHaveText(
      `roster.csv line 3, column 'field 1': a quoted field is not closed: add the closing quote (") or double the quotes inside it ("")`,
    );
    await expect(alert).toBeFocused();
    await expect(bio.rosterNames()).toHaveText(['Ada Lovelace', 'Grace Hopper', 'Lee, Sam']);
  });

  await test.step('the class page passes axe at 1024×768', async () => {
    await expectNoAxeViolations(page);
  });

  let code = '';
  await test.step('Start lesson: the teacher lands on the lesson’s wall as its host', async () => {
    const link = await page.getByLabel('Student join link', { exact: true }).inputValue();
    await page.getByLabel('Your name (students see it)').fill('Ms Lee');
    await page.getByRole('button', { name: 'Start lesson' }).click();
    const lee = new SupervisorRoomPage(page);
    await expect(lee.heading('Period 3 Biology')).toBeVisible();
    await expect(page.getByText(/you are the host/)).toBeVisible();
    code = await lee.code();
    // Students of a class with a roster pick their names on the class link.
    const secret = link.slice(link.lastIndexOf('/') + 1);
    await joinByClassLink(baseURL!, secret, 'Ada Lovelace');
    await joinByClassLink(baseURL!, secret, 'Grace Hopper');
    await expect(lee.students()).toHaveCount(2);
  });

  await test.step('ending the lesson returns to the class page, where it is listed', async () => {
    await new SupervisorRoomPage(page).endRoom();
    await expect(bio.heading('Period 3 Biology')).toBeVisible();
    await expect(page.getByRole('button', { name: 'Start lesson' })).toBeVisible();
    await expect(bio.pastLessons()).toHaveCount(2);
    const lesson = bio.pastLessons().nth(1);
    await expect(lesson.getByRole('cell').nth(1)).toHaveText('2');
    await expectNoAxeViolations(page);
  });

  await test.step('the lesson’s attendance downloads as CSV with the students who came', async () => {
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: /^Export CSV of the lesson of / }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(new RegExp(`^attendance-${code}-\\d{4}-\\d{2}-\\d{2}\\.csv$`));
    const sheet = readFileSync((await download.path())!, 'utf8');
    const lines = sheet
      .replace(/^\uFEFF/, '')
      .trimEnd()
      .split('\r\n');
    expect(lines[0]).toBe(
      'Class,Lesson started,Lesson ended,Name,Email,Student id,Joined,Left,Time sharing (h:mm:ss),Times stopped sharing,Hands raised',
    );
    const classAndName = (line: string) => [line.split(',')[0], line.split(',')[3]];
    expect(lines.slice(1).map(classAndName)).toEqual([
      ['Period 3 Biology', 'Ada Lovelace'],
      ['Period 3 Biology', 'Grace Hopper'],
    ]);
  });

  await test.step('a span of days exports the same attendance in one file', async () => {
    const download = await exportTodaysLessons(page);
    expect(download.suggestedFilename()).toBe('attendance.csv');
    const names = readFileSync((await download.path())!, 'utf8')
      .trimEnd()
      .split('\r\n')
      .slice(1)
      .map((line) => line.split(',')[3]);
    expect(names).toEqual(['Ada Lovelace', 'Grace Hopper']);
  });

  await test.step('a OneRoster export: its classes listed, one chosen, the roster replaced by its students', async () => {
    const users = fixture(
      'users.csv',
      [
        'sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,userIds,givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password',
        'u1,,,true,org1,student,u1,,Rosalind,Franklin,,S2001,rosalind@school.example,,,,08,',
        'u2,,,true,org1,student,u2,,Marie,Curie,,S2002,marie@school.example,,,,08,',
        'u3,,,true,org1,student,u3,,Isaac,Newton,,S2003,isaac@school.example,,,,08,',
        't1,,,true,org1,teacher,t1,,Mary,Lee,,,mary.lee@school.example,,,,,',
      ].join('\n'),
    );
    const classes = fixture(
      'classes.csv',
      [
        'sourcedId,status,dateLastModified,title,grades,courseSourcedId,classCode,classType,location,schoolSourcedId,termSourcedIds,subjects,subjectCodes,periods',
        'c1,,,Chemistry 8A,08,course1,CHE8A,scheduled,Lab 1,org1,term1,Chemistry,,3',
        'c2,,,Physics 8B,08,course2,PHY8B,scheduled,Lab 2,org1,term1,Physics,,4',
      ].join('\n'),
    );
    const enrollments = fixture(
      'enrollments.csv',
      [
        'sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role,primary,beginDate,endDate',
        'e1,,,c1,org1,u1,student,false,,',
        'e2,,,c1,org1,u2,student,false,,',
        'e3,,,c2,org1,u3,student,false,,',
        'e4,,,c1,org1,t1,teacher,true,,',
      ].join('\n'),
    );
    const form = bio.importForm();
    await form.getByLabel(/^A OneRoster 1\.1 export/).check();
    await form.getByLabel('users.csv', { exact: true }).setInputFiles(users);
    await form.getByLabel('classes.csv', { exact: true }).setInputFiles(classes);
    await form.getByLabel('enrollments.csv', { exact: true }).setInputFiles(enrollments);
    await form.getByRole('button', { name: 'List the export’s classes' }).click();
    const choice = form.getByRole('group', { name: 'Classes to import' });
    await expect(choice.getByRole('checkbox')).toHaveCount(2);
    await expect(form.getByRole('button', { name: 'Import' })).toBeDisabled();
    await choice.getByRole('checkbox', { name: 'Chemistry 8A (CHE8A) · 2 students' }).check();
    await form.getByLabel(/^Replace:/).check();
    await form.getByRole('button', { name: 'Import' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Imported:' })).toHaveText(
      'Imported: 2 added, 0 updated, 3 removed, 0 unchanged.',
    );
    await expect(bio.rosterNames()).toHaveText(['Marie Curie', 'Rosalind Franklin']);
    await expect(bio.roster().getByRole('row', { name: /Marie Curie/ })).toHaveText(
      /Marie Curie\s*marie@school\.example\s*S2002\s*OneRoster/,
    );
  });

  await test.step('Delete record asks first, then the lesson and its attendance are gone', async () => {
    await page.getByRole('button', { name: /^Delete record of the lesson of / }).click();
    const confirm = page.getByRole('group', { name: /^Delete the record of the lesson of / });
    await expect(confirm.getByRole('button', { name: 'Delete record' })).toBeFocused();
    await confirm.getByRole('button', { name: 'Delete record' }).click();
    await expect(page.getByRole('status').filter({ hasText: /was deleted\.$/ })).toBeVisible();
    await expect(page.getByText('No lessons yet.')).toBeVisible();
  });

  await teacher.context.close();
});

test('a co-teacher invite link: the class joins the list, the key leaves the address bar, the lesson opens to watch', async ({
  browser,
  baseURL,
}) => {
  const created = await call<CreateClassResponse>(baseURL!, 'POST', '/api/classes', { body: { name: 'Art 9' } });
  expect(created.status).toBe(201);
  const { class: art, teacherKey } = created.body;

  const co = await person(browser, `/classes/${art.id}#key=${teacherKey}`, TABLET);
  const page = new ClassPageObject(co.page);
  await expect(page.heading('Art 9')).toBeVisible();
  expect(new URL(co.page.url()).hash).toBe('');
  await co.page.getByRole('link', { name: 'Your classes' }).click();
  await expect(co.page.getByRole('link', { name: 'Art 9' })).toBeVisible();
  await expectNoAxeViolations(co.page);
  await co.page.getByRole('link', { name: 'Art 9' }).click();
  await expect(page.heading('Art 9')).toBeVisible();

  // Another teacher starts the lesson; back on this tab, the page offers to open it.
  const started = await call<StartLessonResponse>(baseURL!, 'POST', `/api/classes/${art.id}/lessons`, {
    token: teacherKey,
    body: { hostName: 'Mr Ode' },
  });
  expect(started.status).toBe(201);
  await co.page.reload();
  // A co-teacher by school e-mail, for signing in rather than holding the link; added, shown, removed.
  await co.page.getByLabel('Add a co-teacher by school e-mail').fill('Bea.Ode@School.example');
  await co.page.getByRole('button', { name: 'Add', exact: true }).click();
  const byAccount = co.page.getByRole('list', { name: 'Teachers by school account' });
  await expect(byAccount.getByRole('listitem')).toHaveText([
    'bea.ode@school.example · not signed in yetRemove bea.ode@school.example',
  ]);
  await expectNoAxeViolations(co.page);
  await byAccount.getByRole('button', { name: 'Remove bea.ode@school.example' }).click();
  await expect(byAccount).toHaveCount(0);
  await co.page.getByLabel('Add a co-teacher by school e-mail').fill('not an address');
  await co.page.getByRole('button', { name: 'Add', exact: true }).click();
  await expect(co.page.getByRole('alert')).toHaveText(
    'email must be a school e-mail address (like lee@school.example).',
  );

  await co.page.getByLabel('Your name (students see it)').fill('Ms Lee');
  await co.page.getByRole('button', { name: 'Open lesson' }).click();
  const lee = new SupervisorRoomPage(co.page);
  await expect(lee.heading('Art 9')).toBeVisible();
  await expect(lee.supervisors().filter({ hasText: 'Mr Ode' })).toContainText('Host');
  await expect(co.page.getByText(/you are the host/)).toHaveCount(0);

  // Retiring the invite link: this browser keeps the class, the old key stops working.
  await co.page.goto(`/classes/${art.id}`);
  await co.page.getByRole('button', { name: 'Retire invite link' }).click();
  await co.page.getByRole('group').getByRole('button', { name: 'Retire invite link' }).click();
  await expect(co.page.getByText('Invite link retired. This device has the new one.')).toBeVisible();
  const old = await call(baseURL!, 'GET', `/api/classes/${art.id}`, { token: teacherKey });
  expect(old.status).toBe(403);
  await co.page.reload();
  await expect(page.heading('Art 9')).toBeVisible();
  await co.context.close();
});

test('with TEACHER_PASSCODE set, a new class needs it, as a new room does', async ({ browser }) => {
  const server = await startBuiltServer({ TEACHER_PASSCODE: 'staffroom-kettle-42', RELAY_MODE: 'off' });
  try {
    const teacher = await person(browser, '/classes', TABLET, server.url);
    const form = teacher.page.getByRole('region', { name: 'New class' });
    await form.getByLabel('Class name').fill('Period 3 Biology');
    await form.getByLabel('Teacher passcode').fill('staffroom-kettle-4');
    await form.getByRole('button', { name: 'Make class' }).click();
    await expect(form.getByRole('alert')).toHaveText(
      "That is not the school's teacher passcode; check it with your admin.",
    );
    await form.getByLabel('Teacher passcode').fill('staffroom-kettle-42');
    await form.getByRole('button', { name: 'Make class' }).click();
    await expect(new ClassPageObject(teacher.page).heading('Period 3 Biology')).toBeVisible();
    await teacher.context.close();
  } finally {
    await server.stop();
  }
});
