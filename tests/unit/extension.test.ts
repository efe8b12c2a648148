import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { blockedPagePath, readBlockedBy } from '../../extension/src/blocked-link.ts';
import { readManagedConfig } from '../../extension/src/managed-config.ts';
import { LIFT_AFTER_SILENCE_MINUTES, siteBlock, type SiteBlockPorts } from '../../extension/src/site-block.ts';
import { tabWatch, TAB_READ_DELAY_MS, type TabEventSource } from '../../extension/src/tab-watch.ts';
import { lessonSiteRules, openTab } from '../../extension/src/teacher-actions.ts';
import type { SiteRule } from '../../src/shared/site-rules.ts';
import type { BrowserTab, TabReport } from '../../src/shared/tab-report.ts';

describe('the school’s settings', () => {
  it('read the server’s origin from its https address', () => {
    expect(readManagedConfig({ serverUrl: ' https://Screens.School.example/lobby ' })).toEqual({
      state: 'set',
      config: { serverOrigin: 'https://screens.school.example' },
    });
    expect(readManagedConfig({ serverUrl: 'http://localhost:3000' })).toMatchObject({ state: 'set' });
  });

  it('leave the extension idle when not set, and say what to write when set wrongly', () => {
    expect(readManagedConfig({})).toEqual({ state: 'unset' });
    expect(readManagedConfig(undefined)).toEqual({ state: 'unset' });
    expect(readManagedConfig({ serverUrl: 'http://screens.school.example' })).toEqual({
      state: 'invalid',
      problem:
        'serverUrl must be the classroom server\'s https:// address, like https://screens.school.example (http:// only for localhost), not "http://screens.school.example"',
    });
    expect(readManagedConfig({ serverUrl: 42 })).toMatchObject({ state: 'invalid' });
  });
});

describe('the blocked page’s query', () => {
  it('carries the lesson and whom to ask, read back as the worker wrote them', () => {
    const path = blockedPagePath({ lesson: 'Biology 7B & friends', ask: 'Ms Rivera, Mr Okafor' });
    expect(path).toBe('/blocked.html?lesson=Biology+7B+%26+friends&ask=Ms+Rivera%2C+Mr+Okafor');
    expect(readBlockedBy(path.slice(path.indexOf('?')))).toEqual({
      lesson: 'Biology 7B & friends',
      ask: 'Ms Rivera, Mr Okafor',
    });
  });

  it('shows words any page may have put there only as bounded, visible text', () => {
    const by = readBlockedBy(`?lesson=${encodeURIComponent('\u202Eevil\u200B')}&ask=${'x'.repeat(500)}`);
    expect(by.lesson).toBe('evil');
    expect(by.ask).toHaveLength(200);
    expect(readBlockedBy('')).toEqual({ lesson: '', ask: '' });
  });
});

/** Chrome's dynamic rules and the lift alarm, in memory. */
function fakeChrome(): SiteBlockPorts & { rules: SiteRule[]; alarmMinutes: number | null } {
  const fake = {
    rules: [] as SiteRule[],
    alarmMinutes: null as number | null,
    ruleIds: async () => fake.rules.map((rule) => rule.id),
    replaceRules: async (removeIds: number[], add: readonly SiteRule[]) => {
      fake.rules = [...fake.rules.filter((rule) => !removeIds.includes(rule.id)), ...add];
    },
    setLiftAlarm: async (minutes: number) => void (fake.alarmMinutes = minutes),
    hasLiftAlarm: async () => fake.alarmMinutes !== null,
    clearLiftAlarm: async () => void (fake.alarmMinutes = null),
  };
  return fake;
}

describe('site blocking in the browser', () => {
  const rules = (list: string) =>
    lessonSiteRules({
      kind: 'allow',
      sites: list.split(' ').map((host) => ({ host, subdomains: true, port: null, path: null })),
      serverOrigin: 'https://screens.school.example',
      lesson: 'Biology',
      ask: 'Ms Rivera',
    });

  it('puts a lesson’s rules in force instead of any before, and starts the silence countdown', async () => {
    const chrome = fakeChrome();
    const block = siteBlock(chrome);
    await block.apply(rules('a.test'));
    await block.apply(rules('b.test c.test'));
    expect(chrome.rules).toEqual(rules('b.test c.test'));
    expect(chrome.rules[0]!.action).toEqual({
      type: 'redirect',
      redirect: { extensionPath: '/blocked.html?lesson=Biology&ask=Ms+Rivera' },
    });
    expect(chrome.alarmMinutes).toBe(LIFT_AFTER_SILENCE_MINUTES);
  });

  it('lifts every rule and the countdown', async () => {
    const chrome = fakeChrome();
    const block = siteBlock(chrome);
    await block.apply(rules('a.test'));
    await block.lift();
    expect(chrome.rules).toEqual([]);
    expect(chrome.alarmMinutes).toBeNull();
  });

  it('renews the countdown only while rules are in force', async () => {
    const chrome = fakeChrome();
    const block = siteBlock(chrome);
    await block.renew();
    expect(chrome.alarmMinutes).toBeNull();
    await block.apply(rules('a.test'));
    chrome.alarmMinutes = 0.5;
    await block.renew();
    expect(chrome.alarmMinutes).toBe(LIFT_AFTER_SILENCE_MINUTES);
  });

  it('at start, lifts rules whose countdown is gone, and keeps those still counting', async () => {
    const chrome = fakeChrome();
    const block = siteBlock(chrome);
    await block.apply(rules('a.test'));
    await block.liftIfStale();
    expect(chrome.rules).not.toEqual([]);
    chrome.alarmMinutes = null;
    await block.liftIfStale();
    expect(chrome.rules).toEqual([]);
  });

  it('runs calls one at a time in the order made, so a lift after an apply wins', async () => {
    const chrome = fakeChrome();
    const block = siteBlock(chrome);
    const apply = block.apply(rules('a.test'));
    const lift = block.lift();
    await Promise.all([apply, lift]);
    expect(chrome.rules).toEqual([]);
  });
});

/** A chrome.tabs event in memory. */
function fakeEvent<L extends (...args: never[]) => void>() {
  const listeners = new Set<L>();
  return {
    addListener: (listener: L) => void listeners.add(listener),
    removeListener: (listener: L) => void listeners.delete(listener),
    fire: (...args: Parameters<L>) => listeners.forEach((listener) => listener(...args)),
    get count() {
      return listeners.size;
    },
  };
}

describe('watching tabs', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  function setUp() {
    let tabs: BrowserTab[] = [{ id: 1, title: 'One', url: 'https://a.test/', active: true, windowId: 1, index: 0 }];
    const created = fakeEvent<() => void>();
    const updated = fakeEvent<(tabId: number, change: { title?: string; url?: string }) => void>();
    const queryTabs = vi.fn(async () => tabs);
    const reports: TabReport[] = [];
    const watch = tabWatch({ queryTabs, changes: [created as TabEventSource], updates: updated }, (report) =>
      reports.push(report),
    );
    return { watch, created, updated, queryTabs, reports, setTabs: (next: BrowserTab[]) => (tabs = next) };
  }

  it('listens only between start and stop', async () => {
    const { watch, created, updated, queryTabs } = setUp();
    expect(created.count + updated.count).toBe(0);
    watch.start();
    expect(created.count + updated.count).toBe(2);
    watch.stop();
    expect(created.count + updated.count).toBe(0);
    await vi.runAllTimersAsync();
    expect(queryTabs).toHaveBeenCalledTimes(1);
  });

  it('reads the tabs at start, then once for a burst of events, reporting only a changed report', async () => {
    const { watch, created, updated, queryTabs, reports, setTabs } = setUp();
    watch.start();
    await vi.runAllTimersAsync();
    expect(reports.map((r) => r.tabs.map((t) => t.title))).toEqual([['One']]);

    setTabs([
      { id: 1, title: 'One', url: 'https://a.test/', active: false, windowId: 1, index: 0 },
      { id: 2, title: 'Two', url: 'https://b.test/', active: true, windowId: 1, index: 1 },
    ]);
    created.fire();
    updated.fire(2, { title: 'Two' });
    updated.fire(2, { url: 'https://b.test/' });
    await vi.advanceTimersByTimeAsync(TAB_READ_DELAY_MS);
    expect(queryTabs).toHaveBeenCalledTimes(2);
    expect(watch.current()?.tabs.map((t) => [t.id, t.active])).toEqual([
      [1, false],
      [2, true],
    ]);

    // Loading, audio and favicon changes do not count; nor does a read that finds nothing new.
    updated.fire(2, {});
    await vi.runAllTimersAsync();
    expect(queryTabs).toHaveBeenCalledTimes(2);
    created.fire();
    await vi.runAllTimersAsync();
    expect(queryTabs).toHaveBeenCalledTimes(3);
    expect(reports).toHaveLength(2);
  });
});

describe('opening a tab for the student', () => {
  it('opens web pages only', async () => {
    const createTab = vi.fn(async () => undefined);
    const ports = { createTab, removeTab: async () => undefined };
    expect(await openTab(ports, 'https://Example.org/a b')).toBe('opened');
    expect(createTab).toHaveBeenCalledWith('https://example.org/a%20b');
    for (const url of ['javascript:alert(1)', 'file:///etc/passwd', 'chrome://settings', 'not a url']) {
      expect(await openTab(ports, url), url).toBe('not-web');
    }
    expect(createTab).toHaveBeenCalledTimes(1);
  });
});
