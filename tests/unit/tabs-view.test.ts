/** What the wall shows of a student's tabs: the active tab's site, and the session keeping each student's report. */
import { describe, expect, it } from 'vitest';
import type { RoomView, TabView } from '../../src/shared/protocol.ts';
import { initialSession, reduceSession } from '../../src/client/state/session.ts';
import { activeTab, tabSite } from '../../src/client/state/tabs.ts';

const tab = (url: string, openable: boolean, active = false): TabView => ({ id: 1, title: 't', url, active, openable });

describe('a tile names the active tab', () => {
  it('by its site: the host without www, an IDN in the form that cannot pass for another', () => {
    expect(tabSite(tab('https://www.bbc.co.uk/bitesize', true))).toBe('bbc.co.uk');
    expect(tabSite(tab('http://127.0.0.1:8080/quiz', true))).toBe('127.0.0.1');
    expect(tabSite(tab('https://xn--pple-43d.com/', true))).toBe('xn--pple-43d.com');
    expect(tabSite(tab('chrome://settings/', false))).toBe('chrome://settings/');
    expect(tabSite(tab('', false))).toBe('New tab');
  });

  it('picks the active tab, or none', () => {
    const tabs = [tab('https://a.example/', true), { ...tab('https://b.example/', true, true), id: 2 }];
    expect(activeTab(tabs)?.id).toBe(2);
    expect(activeTab([tab('https://a.example/', true)])).toBeNull();
    expect(activeTab(undefined)).toBeNull();
  });
});

describe('the session keeps each student’s tabs', () => {
  it('sets, replaces and drops a report, and starts again from a snapshot', () => {
    const tabs = [tab('https://a.example/', true, true)];
    let s = reduceSession(initialSession, { type: 'tabs-changed', memberId: 'ada', tabs });
    s = reduceSession(s, { type: 'tabs-changed', memberId: 'bo', tabs });
    expect(Object.keys(s.tabs)).toEqual(['ada', 'bo']);
    s = reduceSession(s, { type: 'tabs-changed', memberId: 'ada', tabs: null });
    expect(Object.keys(s.tabs)).toEqual(['bo']);
    const room = {
      code: 'K7QM3X',
      name: 'Bio',
      listed: false,
      routes: { transport: 'mesh', relayedPairs: [], directMembers: [], relayPeerId: null, unroutablePairs: [] },
      hostId: null,
      createdAt: 0,
      students: 0,
      supervisors: 0,
      members: [],
      classroom: { hands: [], messages: [], attention: null, attendanceCount: 0, presentation: null },
    } as unknown as RoomView;
    s = reduceSession(s, { type: 'snapshot', room, you: 'lee' });
    expect(s.tabs).toEqual({});
  });
});
