/**
 * Keeps the student's tab report current from the browser's tab events. Any event that can change
 * the report reads every tab again (one read for a burst of events), so the report is never patched
 * out of step with the browser. It listens only between start and stop: outside a lesson it does
 * not wake the worker at all. Chrome is reached through ports, so it is unit-tested.
 */
import { tabReportFrom, type BrowserTab, type TabReport } from '../../src/shared/tab-report.ts';

/** How long events are gathered before the tabs are read again, in milliseconds. */
export const TAB_READ_DELAY_MS = 100;

/** A browser event source (`chrome.tabs.onCreated` and the like); its arguments are not read. */
export interface TabEventSource {
  addListener(listener: () => void): void;
  removeListener(listener: () => void): void;
}

/** What watching tabs needs of Chrome. */
export interface TabWatchPorts {
  /** Every open tab (`chrome.tabs.query({})`). */
  queryTabs(): Promise<BrowserTab[]>;
  /** Events after which the tabs are read again (created, removed, activated, moved, replaced...). */
  changes: readonly TabEventSource[];
  /** `chrome.tabs.onUpdated`: only changes of title or address count (not loading, audio or favicon). */
  updates: { addListener(listener: Updated): void; removeListener(listener: Updated): void };
}

type Updated = (tabId: number, change: { title?: string; url?: string }) => void;

/** The tab report while watching. */
export interface TabWatch {
  /** Starts listening and reads the tabs at once. */
  start(): void;
  stop(): void;
  /** The last report read, or null before the first. */
  current(): TabReport | null;
}

/** Watches tabs, calling `onReport` with each report that differs from the one before. */
export function tabWatch(ports: TabWatchPorts, onReport: (report: TabReport) => void): TabWatch {
  let report: TabReport | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let watching = false;

  const read = async () => {
    const next = tabReportFrom(await ports.queryTabs());
    if (!watching || JSON.stringify(next) === JSON.stringify(report)) return;
    report = next;
    onReport(next);
  };
  const changed = () => {
    timer ??= setTimeout(() => {
      timer = null;
      void read();
    }, TAB_READ_DELAY_MS);
  };
  const updated: Updated = (_tabId, change) => {
    if (change.title !== undefined || change.url !== undefined) changed();
  };

  return {
    start() {
      if (watching) return;
      watching = true;
      for (const source of ports.changes) source.addListener(changed);
      ports.updates.addListener(updated);
      void read();
    },
    stop() {
      watching = false;
      for (const source of ports.changes) source.removeListener(changed);
      ports.updates.removeListener(updated);
      if (timer !== null) clearTimeout(timer);
      timer = null;
      report = null;
    },
    current: () => report,
  };
}
