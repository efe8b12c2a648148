/** The student's app's side of the channel to the companion extension (src/client/room/companion.ts), over a fake port. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CompanionLink, TAB_REPORT_INTERVAL_MS, type CompanionLesson } from '../../src/client/room/companion.ts';
import { COMPANION_RENEW_MS, type ToCompanion } from '../../src/shared/companion-link.ts';
import type { TabReport } from '../../src/shared/tab-report.ts';

/** A port to a fake extension: what the app posted, and a way to answer. */
function fakeExtension() {
  const posted: ToCompanion[] = [];
  const listeners: ((data: unknown) => void)[] = [];
  const gone: (() => void)[] = [];
  let disconnected = 0;
  return {
    posted,
    get disconnected() {
      return disconnected;
    },
    port: {
      post: (message: ToCompanion) => void posted.push(message),
      onMessage: (listener: (data: unknown) => void) => void listeners.push(listener),
      onDisconnect: (listener: () => void) => void gone.push(listener),
      disconnect: () => void disconnected++,
    },
    say: (data: unknown) => listeners.forEach((listener) => listener(data)),
    leave: () => gone.forEach((listener) => listener()),
  };
}

const lesson: CompanionLesson = { lesson: 'Biology 7B', ask: 'Ms Rivera', reportTabs: true, sites: null };
const report = (title: string): TabReport => ({ tabs: [{ id: 1, title, url: 'https://bio.example/', active: true }] });

function setUp(connect = true) {
  const extensions: ReturnType<typeof fakeExtension>[] = [];
  const deps = {
    connect: vi.fn(() => {
      if (!connect) return null;
      const extension = fakeExtension();
      extensions.push(extension);
      return extension.port;
    }),
    sendTabs: vi.fn(async (_report: TabReport) => undefined),
    clearTabs: vi.fn(async () => undefined),
    onChange: vi.fn(),
    onNotice: vi.fn(),
  };
  const link = new CompanionLink(deps);
  return { link, deps, extensions, extension: () => extensions.at(-1)! };
}

beforeEach(() => void vi.useFakeTimers());
afterEach(() => void vi.useRealTimers());

describe('the app’s link to the companion extension', () => {
  it('does nothing without an extension', () => {
    const { link, deps } = setUp(false);
    link.setLesson(lesson);
    link.closeTab(1, 'Cells', 'Ms Rivera');
    vi.advanceTimersByTime(COMPANION_RENEW_MS * 3);
    expect(link.present).toBe(false);
    expect(deps.onChange).not.toHaveBeenCalled();
  });

  it('tells the lesson once the extension answers, again every 20 s while the server answers, and nothing while it does not', () => {
    const { link, deps, extension } = setUp();
    link.setLesson(lesson);
    expect(extension().posted).toEqual([]);
    extension().say({ type: 'ready', version: '1.0.0' });
    expect(link.present).toBe(true);
    expect(deps.onChange).toHaveBeenCalledTimes(1);
    expect(extension().posted).toEqual([{ type: 'lesson', ...lesson }]);
    vi.advanceTimersByTime(COMPANION_RENEW_MS);
    expect(extension().posted).toHaveLength(2);
    link.setLesson(null);
    vi.advanceTimersByTime(COMPANION_RENEW_MS * 5);
    expect(extension().posted).toHaveLength(2);
  });

  it('sends the extension’s reports with the seat at most one per interval, the latest, and clears them when sharing stops', async () => {
    const { link, deps, extension } = setUp();
    extension().say({ type: 'ready', version: '1.0.0' });
    link.setLesson(lesson);
    extension().say({ type: 'tabs', report: report('A') });
    vi.advanceTimersByTime(0);
    expect(deps.sendTabs).toHaveBeenLastCalledWith(report('A'));
    extension().say({ type: 'tabs', report: report('B') });
    extension().say({ type: 'tabs', report: report('C') });
    vi.advanceTimersByTime(TAB_REPORT_INTERVAL_MS - 1);
    expect(deps.sendTabs).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(1);
    expect(deps.sendTabs).toHaveBeenCalledTimes(2);
    expect(deps.sendTabs).toHaveBeenLastCalledWith(report('C'));
    link.setLesson({ ...lesson, reportTabs: false });
    expect(deps.clearTabs).toHaveBeenCalledTimes(1);
    extension().say({ type: 'tabs', report: report('D') });
    vi.advanceTimersByTime(TAB_REPORT_INTERVAL_MS * 2);
    expect(deps.sendTabs).toHaveBeenCalledTimes(2);
  });

  it('sends the last report again when the server is back', () => {
    const { link, deps, extension } = setUp();
    extension().say({ type: 'ready', version: '1.0.0' });
    link.setLesson(lesson);
    extension().say({ type: 'tabs', report: report('A') });
    vi.advanceTimersByTime(TAB_REPORT_INTERVAL_MS);
    link.setLesson(null);
    link.setLesson(lesson);
    vi.advanceTimersByTime(TAB_REPORT_INTERVAL_MS);
    expect(deps.sendTabs.mock.calls.map(([sent]) => sent)).toEqual([report('A'), report('A')]);
  });

  it('passes on a teacher’s actions and tells the student what was done', () => {
    const { link, deps, extension } = setUp();
    extension().say({ type: 'ready', version: '1.0.0' });
    link.closeTab(7, 'Cells', 'Ms Rivera');
    link.openTab('https://www.docs.example/lesson', 'Ms Rivera');
    link.openTab('javascript:alert(1)', 'Ms Rivera');
    const asked = extension().posted.filter((m) => m.type !== 'lesson');
    expect(asked).toEqual([
      { type: 'close-tab', tabId: 7, requestId: '1' },
      { type: 'open-tab', url: 'https://www.docs.example/lesson', requestId: '2' },
      { type: 'open-tab', url: 'javascript:alert(1)', requestId: '3' },
    ]);
    extension().say({ type: 'done', requestId: '2', outcome: 'opened' });
    extension().say({ type: 'done', requestId: '1', outcome: 'closed' });
    extension().say({ type: 'done', requestId: '3', outcome: 'not-web' });
    extension().say({ type: 'done', requestId: '1', outcome: 'closed' });
    expect(deps.onNotice.mock.calls).toEqual([
      ['Ms Rivera opened docs.example in a new tab.'],
      ['Ms Rivera closed your tab “Cells”.'],
    ]);
  });

  it('opens the port again when the extension’s worker restarts, and says the lesson ended when it does', () => {
    const { link, deps, extensions, extension } = setUp();
    extension().say({ type: 'ready', version: '1.0.0' });
    link.setLesson(lesson);
    extension().leave();
    expect(link.present).toBe(false);
    expect(deps.onChange).toHaveBeenCalledTimes(2);
    vi.advanceTimersByTime(1000);
    expect(extensions).toHaveLength(2);
    extension().say({ type: 'ready', version: '1.0.1' });
    expect(extension().posted).toEqual([{ type: 'lesson', ...lesson }]);
    link.end();
    expect(extension().posted.at(-1)).toEqual({ type: 'ended' });
    expect(extension().disconnected).toBe(1);
    vi.advanceTimersByTime(COMPANION_RENEW_MS * 2);
    expect(extension().posted.at(-1)).toEqual({ type: 'ended' });
  });
});
