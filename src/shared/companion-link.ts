/**
 * The channel between the student's app and their companion extension (issue #21): one port the app
 * opens (`chrome.runtime.connect(id)`, allowed by the manifest's `externally_connectable` for the
 * server's origin only), the messages each side sends on it, and their parsers. Pure: no DOM, no chrome.
 *
 * The app holds the seat and talks to the server; the extension holds no credentials and reaches
 * no server. It is live only while the app, seated in a live lesson, keeps telling it so.
 */
import type { SiteListKind } from './site-rules.ts';
import type { TabReport } from './tab-report.ts';

/** The port's name, so the extension can tell the app's port from anything else. */
export const COMPANION_PORT = 'classroom-lesson';

/**
 * How often the app repeats `lesson` while it hears from the server. Chrome stops an extension's
 * worker after 30 s without an event, which would close the port; a message every 20 s keeps it
 * (Chrome 110+), and each one also renews the extension's countdown to lifting the site rules.
 */
export const COMPANION_RENEW_MS = 20_000;

/** A lesson's "keep to these sites", as sent: each site as `siteText` writes it, re-read by the extension. */
export interface CompanionSites {
  kind: SiteListKind;
  sites: string[];
}

/** What the app tells the extension. */
export type ToCompanion =
  /**
   * The student is seated in this live lesson and the server answers (sent on every change and every
   * COMPANION_RENEW_MS). `lesson` and `ask` name the lesson and its teachers on the blocked page.
   */
  | { type: 'lesson'; lesson: string; ask: string; reportTabs: boolean; sites: CompanionSites | null }
  /** The lesson ended or the student left: stop watching tabs and lift the rules now. */
  | { type: 'ended' }
  /** A teacher asked to close one of the student's tabs. */
  | { type: 'close-tab'; requestId: string; tabId: number }
  /** A teacher opened a web page for the student: open it in a new tab. */
  | { type: 'open-tab'; requestId: string; url: string };

/** One end of the port, as either side uses it (a `chrome.runtime.Port` sending `Out`). */
export interface CompanionPort<Out> {
  post(message: Out): void;
  onMessage(listener: (data: unknown) => void): void;
  onDisconnect(listener: () => void): void;
  disconnect(): void;
}

/** How a teacher's action went in the student's browser. */
export type CompanionOutcome = 'closed' | 'opened' | 'no-such-tab' | 'not-web' | 'failed';

/** What the extension tells the app. */
export type FromCompanion =
  /** Sent first on every port: the extension is there, and its version. */
  | { type: 'ready'; version: string }
  /** The student's open tabs changed (only while `reportTabs`). */
  | { type: 'tabs'; report: TabReport }
  /** A close-tab or open-tab was carried out, or why not. */
  | { type: 'done'; requestId: string; outcome: CompanionOutcome };

/** Longest lesson name, list of teachers, request id or address the parsers accept, in characters. */
const MAX_TEXT = 4000;
const OUTCOMES: ReadonlySet<string> = new Set(['closed', 'opened', 'no-such-tab', 'not-web', 'failed']);

/** Reads a message from the app, or null for anything else (the extension ignores it). */
export function parseToCompanion(data: unknown): ToCompanion | null {
  if (!isRecord(data)) return null;
  switch (data.type) {
    case 'lesson': {
      const { lesson, ask, reportTabs, sites } = data;
      if (!isText(lesson) || !isText(ask) || typeof reportTabs !== 'boolean') return null;
      if (sites !== null && !isSites(sites)) return null;
      return { type: 'lesson', lesson, ask, reportTabs, sites: sites && { kind: sites.kind, sites: [...sites.sites] } };
    }
    case 'ended':
      return { type: 'ended' };
    case 'close-tab':
      return isText(data.requestId) && isTabId(data.tabId)
        ? { type: 'close-tab', requestId: data.requestId, tabId: data.tabId }
        : null;
    case 'open-tab':
      return isText(data.requestId) && isText(data.url)
        ? { type: 'open-tab', requestId: data.requestId, url: data.url }
        : null;
    default:
      return null;
  }
}

/**
 * Reads a message from the extension, or null for anything else. A tab report is passed on as it
 * came: the server checks it (`parseTabReport`) before anyone sees it.
 */
export function parseFromCompanion(data: unknown): FromCompanion | null {
  if (!isRecord(data)) return null;
  switch (data.type) {
    case 'ready':
      return isText(data.version) ? { type: 'ready', version: data.version } : null;
    case 'tabs':
      return isRecord(data.report) && Array.isArray(data.report.tabs)
        ? { type: 'tabs', report: data.report as unknown as TabReport }
        : null;
    case 'done':
      return isText(data.requestId) && typeof data.outcome === 'string' && OUTCOMES.has(data.outcome)
        ? { type: 'done', requestId: data.requestId, outcome: data.outcome as CompanionOutcome }
        : null;
    default:
      return null;
  }
}

function isSites(value: unknown): value is CompanionSites {
  return (
    isRecord(value) &&
    (value.kind === 'allow' || value.kind === 'block') &&
    Array.isArray(value.sites) &&
    value.sites.every(isText)
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isText(value: unknown): value is string {
  return typeof value === 'string' && value.length <= MAX_TEXT;
}

function isTabId(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}
