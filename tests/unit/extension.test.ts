import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { blockedPagePath, readBlockedBy } from '../../extension/src/blocked-link.ts';
import { lessonLink, type AppPort } from '../../extension/src/lesson-link.ts';
import { readManagedConfig } from '../../extension/src/managed-config.ts';
import { LIFT_AFTER_SILENCE_MINUTES, siteBlock, type SiteBlockPorts } from '../../extension/src/site-block.ts';
import { tabWatch, TAB_READ_DELAY_MS, type TabEventSource } from '../../extension/src/tab-watch.ts';
import { lessonSiteRules, openTab } from '../../extension/src/teacher-actions.ts';
import {
  parseFromCompanion,
  parseToCompanion,
  type FromCompanion,
  type ToCompanion,
} from '../../src/shared/companion-link.ts';
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

/** The app's end of a port, as the lesson link sees it: what the extension posted, and a way to talk. */
function fakeApp() {
  const posted: FromCompanion[] = [];
  const listeners: ((data: unknown) => void)[] = [];
  const gone: (() => void)[] = [];
  const port: AppPort & { closed: boolean } = {
    closed: false,
    post: (message) => void posted.push(message),
    onMessage: (listener) => void listeners.push(listener),
    onDisconnect: (listener) => void gone.push(listener),
    disconnect: () => void (port.closed = true),
  };
  return {
    port,
    posted,
    say: (message: ToCompanion | unknown) => listeners.forEach((listener) => listener(message)),
    /** The app went away (closed or reloaded) without a word. */
    leave: () => gone.forEach((listener) => listener()),
  };
}

describe('the lesson link', () => {
  const SERVER = 'https://screens.school.example';
  const lesson = (over: Partial<Extract<ToCompanion, { type: 'lesson' }>> = {}): ToCompanion => ({
    type: 'lesson',
    lesson: 'Biology 7B',
    ask: 'Ms Rivera',
    reportTabs: true,
    sites: null,
    ...over,
  });
  function setUp() {
    const chrome = fakeChrome();
    const block = siteBlock(chrome);
    const watching = { on: false };
    const tabs = { start: () => void (watching.on = true), stop: () => void (watching.on = false) };
    const open: string[] = [];
    const removed: number[] = [];
    const tabPorts = {
      createTab: async (url: string) => void open.push(url),
      removeTab: async (id: number) => {
        if (id === 404) throw new Error('No tab with id: 404.');
        removed.push(id);
      },
    };
    const link = lessonLink({ config: { serverOrigin: SERVER }, version: '1.2.3', block, tabs, tabPorts });
    return { chrome, block, watching, link, open, removed };
  }
  /** Lets the link's queued Chrome calls run. */
  const settle = () => new Promise((done) => setTimeout(done, 0));

  it('takes a port only from the server’s origin, and says it is ready', () => {
    const { link } = setUp();
    const stranger = fakeApp();
    expect(link.accept(stranger.port, 'https://evil.example')).toBe(false);
    expect(link.accept(fakeApp().port, undefined)).toBe(false);
    expect(stranger.port.closed).toBe(true);
    expect(stranger.posted).toEqual([]);
    const app = fakeApp();
    expect(link.accept(app.port, SERVER)).toBe(true);
    expect(app.posted).toEqual([{ type: 'ready', version: '1.2.3' }]);
  });

  it('reports tabs only while the app asks, and stops when the app goes', () => {
    const { link, watching } = setUp();
    const app = fakeApp();
    link.accept(app.port, SERVER);
    const report = { tabs: [{ id: 1, title: 'Cells', url: 'https://bio.example/', active: true }] };
    link.tabsChanged(report);
    expect(watching.on).toBe(false);
    app.say(lesson());
    expect(watching.on).toBe(true);
    link.tabsChanged(report);
    expect(app.posted.at(-1)).toEqual({ type: 'tabs', report });
    app.say(lesson({ reportTabs: false }));
    expect(watching.on).toBe(false);
    app.say(lesson());
    app.leave();
    expect(watching.on).toBe(false);
    link.tabsChanged(report);
    expect(app.posted.filter((m) => m.type === 'tabs')).toHaveLength(1);
  });

  it('keeps to the lesson’s sites, renews them with each word, and lifts them when the lesson ends', async () => {
    const { link, chrome } = setUp();
    const app = fakeApp();
    link.accept(app.port, SERVER);
    app.say(lesson({ sites: { kind: 'allow', sites: ['bio.example', '.docs.example/lesson'] } }));
    await settle();
    expect(chrome.rules.length).toBeGreaterThan(2);
    const blockedPage = chrome.rules.find((rule) => rule.action.type === 'redirect');
    expect(blockedPage?.action).toEqual({
      type: 'redirect',
      redirect: { extensionPath: '/blocked.html?lesson=Biology+7B&ask=Ms+Rivera' },
    });
    chrome.alarmMinutes = 0.5;
    const before = [...chrome.rules];
    app.say(lesson({ sites: { kind: 'allow', sites: ['bio.example', '.docs.example/lesson'] } }));
    await settle();
    expect(chrome.rules).toEqual(before);
    expect(chrome.alarmMinutes).toBe(LIFT_AFTER_SILENCE_MINUTES);
    app.say(lesson({ sites: { kind: 'block', sites: ['games.example'] } }));
    await settle();
    expect(chrome.rules.filter((rule) => rule.action.type === 'block')).toHaveLength(1);
    app.say({ type: 'ended' });
    await settle();
    expect(chrome.rules).toEqual([]);
    expect(chrome.alarmMinutes).toBe(null);
  });

  it('leaves the rules to their countdown when the app goes without a word, and a new app takes them up', async () => {
    const { link, chrome } = setUp();
    const first = fakeApp();
    link.accept(first.port, SERVER);
    first.say(lesson({ sites: { kind: 'block', sites: ['games.example'] } }));
    await settle();
    first.leave();
    expect(chrome.rules).not.toEqual([]);
    expect(chrome.alarmMinutes).toBe(LIFT_AFTER_SILENCE_MINUTES);
    const second = fakeApp();
    link.accept(second.port, SERVER);
    second.say(lesson({ sites: null }));
    await settle();
    expect(chrome.rules).toEqual([]);
    // An old port still open when a new one comes is closed, and no longer heard.
    const third = fakeApp();
    link.accept(third.port, SERVER);
    expect(second.port.closed).toBe(true);
    second.say(lesson({ sites: { kind: 'block', sites: ['games.example'] } }));
    await settle();
    expect(chrome.rules).toEqual([]);
  });

  it('closes and opens tabs when asked in a live lesson, and says how it went', async () => {
    const { link, open, removed } = setUp();
    const app = fakeApp();
    link.accept(app.port, SERVER);
    // Outside a live lesson the link does nothing a page asks.
    app.say({ type: 'close-tab', requestId: 'z', tabId: 7 });
    app.say({ type: 'open-tab', requestId: 'y', url: 'https://bio.example/cells' });
    await settle();
    expect(app.posted).toEqual([{ type: 'ready', version: '1.2.3' }]);
    app.say(lesson({ reportTabs: false }));
    app.say({ type: 'close-tab', requestId: 'a', tabId: 7 });
    app.say({ type: 'close-tab', requestId: 'b', tabId: 404 });
    app.say({ type: 'open-tab', requestId: 'c', url: 'https://bio.example/cells' });
    app.say({ type: 'open-tab', requestId: 'd', url: 'javascript:alert(1)' });
    app.say({ type: 'close-tab', requestId: 'e', tabId: -1 });
    app.say({ type: 'format-disk' });
    await settle();
    expect(removed).toEqual([7]);
    expect(open).toEqual(['https://bio.example/cells']);
    // Each answers when its step is done, so they may come in any order.
    const answers = app.posted.slice(1).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
    expect(answers).toEqual([
      { type: 'done', requestId: 'a', outcome: 'closed' },
      { type: 'done', requestId: 'b', outcome: 'no-such-tab' },
      { type: 'done', requestId: 'c', outcome: 'opened' },
      { type: 'done', requestId: 'd', outcome: 'not-web' },
    ]);
  });
});

describe('the messages between the app and the extension', () => {
  it('reads what each side may send, and nothing else', () => {
    expect(parseToCompanion({ type: 'ended', extra: 1 })).toEqual({ type: 'ended' });
    expect(parseToCompanion({ type: 'lesson', lesson: 'L', ask: 'T', reportTabs: 'yes', sites: null })).toBe(null);
    expect(
      parseToCompanion({ type: 'lesson', lesson: 'L', ask: 'T', reportTabs: true, sites: { kind: 'all', sites: [] } }),
    ).toBe(null);
    expect(parseToCompanion({ type: 'open-tab', requestId: 'r', url: 'x'.repeat(5000) })).toBe(null);
    expect(parseToCompanion(['ended'])).toBe(null);
    expect(parseFromCompanion({ type: 'done', requestId: 'r', outcome: 'deleted' })).toBe(null);
    expect(parseFromCompanion({ type: 'tabs', report: { tabs: [] } })).toEqual({ type: 'tabs', report: { tabs: [] } });
    expect(parseFromCompanion({ type: 'ready' })).toBe(null);
  });
});
