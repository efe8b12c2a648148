/**
 * Students' tabs from the companion extension (issue #21) on the real server: a report reaches the
 * room's supervisors (and a supervisor who connects later), never a classmate; what a report may
 * hold is checked; a report larger than the API's 8 KB goes through; a student who leaves, or whose
 * extension stops, takes their tabs off the wall; reports are limited per seat.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ErrorBody, OwnMember, RoomEvent, TabReport } from '../../src/shared/protocol.ts';
import { call, createRoom, join } from '../helpers/client.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { openEvents, type EventReader } from '../helpers/sse.ts';

let server: TestServer;
const streams: EventReader<RoomEvent>[] = [];

beforeEach(async () => {
  server = await startTestServer({ RELAY_MODE: 'off' });
});

afterEach(async () => {
  for (const stream of streams.splice(0)) stream.close();
  await server.close();
});

async function eventsOf(code: string, member: OwnMember): Promise<EventReader<RoomEvent>> {
  const events = await openEvents<RoomEvent>(`${server.url}/api/rooms/${code}/events?token=${member.token}`);
  streams.push(events);
  await events.next((e) => e.type === 'snapshot');
  return events;
}

const report = (code: string, member: OwnMember, body: unknown) =>
  call<ErrorBody>(server.url, 'PUT', `/api/rooms/${code}/members/me/tabs`, { token: member.token, body });

const twoTabs: TabReport = {
  tabs: [
    {
      id: 7,
      title: 'Cell biology — Wikipedia',
      url: 'https://en.wikipedia.org/wiki/Cell_(biology)#History',
      active: true,
      windowId: 1,
    },
    { id: 9, title: 'Settings', url: 'chrome://settings/', active: false, windowId: 1 },
  ],
};

describe('tab reports', () => {
  it('reach the supervisors, a late supervisor too, and never a classmate; leaving takes them away', async () => {
    const { room, member: host, supervisorKey } = await createRoom(server.url, 'Biology', 'Ms Lee');
    const ada = await join(server.url, room.code, 'Ada');
    const bo = await join(server.url, room.code, 'Bo');
    const teacher = await eventsOf(room.code, host);
    const classmate = await eventsOf(room.code, bo);

    expect((await report(room.code, ada, twoTabs)).status).toBe(204);
    const seen = await teacher.next((e) => e.type === 'tabs-changed');
    expect(seen).toEqual({
      type: 'tabs-changed',
      memberId: ada.id,
      tabs: [
        // The fragment is dropped; a chrome: page is shown but never offered as a link.
        {
          id: 7,
          title: 'Cell biology — Wikipedia',
          url: 'https://en.wikipedia.org/wiki/Cell_(biology)',
          active: true,
          windowId: 1,
          openable: true,
        },
        { id: 9, title: 'Settings', url: 'chrome://settings/', active: false, windowId: 1, openable: false },
      ],
    });

    // A supervisor who connects now gets the report right after the snapshot.
    const lateTeacher = await join(server.url, room.code, 'Mr Ode', 'supervisor', supervisorKey);
    const late = await eventsOf(room.code, lateTeacher);
    await late.next((e) => e.type === 'tabs-changed' && e.memberId === ada.id);
    expect(late.received.slice(0, 2).map((e) => e.type)).toEqual(['snapshot', 'tabs-changed']);

    // Bo hears of the teacher joining, sent after Ada's report, and never of her tabs.
    await classmate.next((e) => e.type === 'member-joined' && e.member.id === lateTeacher.id);
    expect(classmate.received.filter((e) => e.type === 'tabs-changed')).toEqual([]);

    // A supervisor has no tabs to report.
    expect(await report(room.code, host, twoTabs)).toMatchObject({ status: 403, body: { error: 'wrong-role' } });

    await call(server.url, 'DELETE', `/api/rooms/${room.code}/members/me`, { token: ada.token });
    await teacher.next((e) => e.type === 'tabs-changed' && e.memberId === ada.id && e.tabs === null);
    // Nothing is kept: a stream opened now starts with no tabs (the message marks where the opening ends).
    const after = await eventsOf(room.code, host);
    await call(server.url, 'POST', `/api/rooms/${room.code}/messages`, {
      token: host.token,
      body: { to: 'class', text: 'Hi' },
    });
    await after.next((e) => e.type === 'message-sent');
    expect(after.received.filter((e) => e.type === 'tabs-changed')).toEqual([]);
  });

  it('refuses a malformed report, saying what is wrong; takes a full one larger than 8 KB; clears on request', async () => {
    const { room, member: host } = await createRoom(server.url, 'Biology', 'Ms Lee');
    const ada = await join(server.url, room.code, 'Ada');
    const teacher = await eventsOf(room.code, host);

    const extra = await report(room.code, ada, { tabs: [{ ...twoTabs.tabs[0], favicon: 'x' }] });
    expect(extra).toMatchObject({ status: 400, body: { error: 'invalid-request', field: 'tabs' } });
    expect(extra.body.message).toBe('The tab report was refused: unknown field(s) in tabs[0]: favicon.');
    const many = { tabs: Array.from({ length: 51 }, (_, i) => ({ id: i, title: '', url: '', active: i === 0 })) };
    expect((await report(room.code, ada, many)).body.message).toBe(
      'The tab report was refused: a report holds at most 50 tabs, not 51.',
    );

    const full = {
      tabs: Array.from({ length: 50 }, (_, i) => ({
        id: i,
        title: 'T'.repeat(200),
        url: `https://example.org/${'p'.repeat(1900)}/${i}`,
        active: i === 49,
      })),
    };
    // Larger than any report may be: refused, saying what a report may hold; and a request with no
    // seat is refused for that before its body is read.
    const huge = { tabs: [{ id: 1, title: 'T', url: `https://example.org/${'p'.repeat(200 * 1024)}`, active: true }] };
    const tooLarge = await report(room.code, ada, huge);
    expect(tooLarge).toMatchObject({ status: 413, body: { error: 'body-too-large', field: 'tabs' } });
    expect(tooLarge.body.message).toBe(
      'A tab report is at most 192 KB (50 tabs, each a 200-character title and a 2,000-character address); send fewer or shorter tabs.',
    );
    expect((await report(room.code, { ...ada, token: 'not-a-seat' }, huge)).status).toBe(401);

    expect(JSON.stringify(full).length).toBeGreaterThan(8 * 1024);
    expect((await report(room.code, ada, full)).status).toBe(204);
    const shown = await teacher.next((e) => e.type === 'tabs-changed' && e.tabs !== null);
    expect(shown.type === 'tabs-changed' && shown.tabs?.length).toBe(50);

    expect(
      (await call(server.url, 'DELETE', `/api/rooms/${room.code}/members/me/tabs`, { token: ada.token })).status,
    ).toBe(204);
    await teacher.next((e) => e.type === 'tabs-changed' && e.tabs === null);
  });

  it('limits one seat to 60 reports a minute, and only that seat', async () => {
    const { room } = await createRoom(server.url, 'Biology', 'Ms Lee');
    const ada = await join(server.url, room.code, 'Ada');
    const bo = await join(server.url, room.code, 'Bo');
    const statuses: number[] = [];
    for (let i = 0; i < 61; i++) statuses.push((await report(room.code, ada, twoTabs)).status);
    expect(statuses.slice(0, 60).every((s) => s === 204)).toBe(true);
    expect(statuses[60]).toBe(429);
    expect((await report(room.code, bo, twoTabs)).status).toBe(204);
  });
});

describe('a teacher closing a tab', () => {
  it('asks only that student’s app, for a tab they reported; students and wrong tabs are refused', async () => {
    const { room, member: host } = await createRoom(server.url, 'Biology', 'Ms Lee');
    const ada = await join(server.url, room.code, 'Ada');
    const bo = await join(server.url, room.code, 'Bo');
    const adaEvents = await eventsOf(room.code, ada);
    const boEvents = await eventsOf(room.code, bo);
    await report(room.code, ada, twoTabs);
    const close = (as: OwnMember, studentId: string, tabId: number | string) =>
      call<ErrorBody>(server.url, 'DELETE', `/api/rooms/${room.code}/members/${studentId}/tabs/${tabId}`, {
        token: as.token,
      });

    expect((await close(host, ada.id, 7)).status).toBe(202);
    expect(await adaEvents.next((e) => e.type === 'tab-close-asked')).toEqual({
      type: 'tab-close-asked',
      tabId: 7,
      title: 'Cell biology — Wikipedia',
      byName: 'Ms Lee',
    });
    expect(await close(host, ada.id, 8)).toMatchObject({ status: 404, body: { error: 'tab-not-found' } });
    expect(await close(host, ada.id, 'seven')).toMatchObject({ status: 404, body: { error: 'tab-not-found' } });
    expect(await close(host, bo.id, 7)).toMatchObject({ status: 404, body: { error: 'tab-not-found' } });
    expect(await close(bo, ada.id, 7)).toMatchObject({ status: 403, body: { error: 'wrong-role' } });
    // Bo heard nothing of it; the message marks where his stream has got to.
    await call(server.url, 'POST', `/api/rooms/${room.code}/messages`, {
      token: host.token,
      body: { to: 'class', text: 'Hi' },
    });
    await boEvents.next((e) => e.type === 'message-sent');
    expect(boEvents.received.filter((e) => e.type === 'tab-close-asked')).toEqual([]);
  });
});

describe('keeping the class to some sites', () => {
  const setSites = (code: string, as: OwnMember, body: unknown) =>
    call<ErrorBody & { sites: unknown }>(server.url, 'PUT', `/api/rooms/${code}/sites`, { token: as.token, body });

  it('tells everyone in the room, keeps the list for late joiners, and lifts it', async () => {
    const { room, member: host } = await createRoom(server.url, 'Biology', 'Ms Lee');
    const ada = await join(server.url, room.code, 'Ada');
    const adaEvents = await eventsOf(room.code, ada);

    const set = await setSites(room.code, host, {
      kind: 'allow',
      sites: 'https://en.wikipedia.org/wiki/Cell\n# the lesson\n*.Docs.Example.org, BÜCHER.de\nen.wikipedia.org',
    });
    expect(set.status).toBe(200);
    const sites = {
      kind: 'allow',
      sites: ['en.wikipedia.org/wiki/Cell', 'docs.example.org', 'xn--bcher-kva.de', 'en.wikipedia.org'],
      byName: 'Ms Lee',
      since: expect.any(Number),
    };
    expect(set.body.sites).toEqual(sites);
    expect(await adaEvents.next((e) => e.type === 'sites-changed')).toEqual({
      type: 'sites-changed',
      sites,
      byName: 'Ms Lee',
    });
    const bo = await join(server.url, room.code, 'Bo');
    const boEvents = await eventsOf(room.code, bo);
    const snapshot = boEvents.received[0]!;
    expect(snapshot.type === 'snapshot' && snapshot.room.classroom.sites).toEqual(sites);

    expect((await call(server.url, 'DELETE', `/api/rooms/${room.code}/sites`, { token: host.token })).status).toBe(204);
    expect(await boEvents.next((e) => e.type === 'sites-changed')).toEqual({
      type: 'sites-changed',
      sites: null,
      byName: 'Ms Lee',
    });
  });

  it('refuses a bad list, saying which line is wrong, and students', async () => {
    const { room, member: host } = await createRoom(server.url, 'Biology', 'Ms Lee');
    const ada = await join(server.url, room.code, 'Ada');
    const bad = await setSites(room.code, host, { kind: 'allow', sites: 'bio.example\nftp://files.example\n*' });
    expect(bad).toMatchObject({ status: 400, body: { error: 'invalid-request', field: 'sites' } });
    expect(bad.body.message).toBe(
      "The site list was refused: line 2: 'ftp://files.example' is not a site; write a site like example.org; " +
        "line 3: '*' would match every site; write the sites themselves.",
    );
    expect(await setSites(room.code, host, { kind: 'allow', sites: '\n# none\n' })).toMatchObject({
      status: 400,
      body: { error: 'invalid-request', field: 'sites' },
    });
    expect(await setSites(room.code, host, { kind: 'some', sites: 'bio.example' })).toMatchObject({
      status: 400,
      body: { error: 'invalid-request', field: 'kind' },
    });
    expect(await setSites(room.code, ada, { kind: 'allow', sites: 'bio.example' })).toMatchObject({
      status: 403,
      body: { error: 'wrong-role' },
    });
    // A list of 200 long sites is larger than the API's 8 KB, and goes through.
    const long = Array.from({ length: 200 }, (_, i) => `site-${i}.${'a'.repeat(40)}.example.org`).join('\n');
    expect(long.length).toBeGreaterThan(8 * 1024);
    expect((await setSites(room.code, host, { kind: 'block', sites: long })).status).toBe(200);
  });
});
