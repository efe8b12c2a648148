/**
 * The report a student's companion extension sends of their open tabs (title, address, which is
 * active: no page content, no history), how the extension makes it from the browser's tabs, and
 * the parser that checks and bounds it on arrival. Pure: no DOM, no Node, no chrome types.
 */
import { clip, visibleText } from './visible-text.ts';
import { isWebUrl, parseUrl } from './whatwg-url.ts';

/** Most tabs a report holds: the active ones, then the rest in window order, up to this many. */
export const TAB_REPORT_MAX_TABS = 50;

/** Longest tab title kept, in characters; longer ones are cut with "…". */
export const TAB_TITLE_MAX_LENGTH = 200;

/**
 * Longest address kept, in characters as stored (a letter outside A–Z takes 6 to 12); longer ones
 * are cut and not openable. The same as a link a teacher sends (protocol.ts' URL_MAX_LENGTH, which
 * is not imported so that protocol.ts may re-export this module; a unit test keeps them equal).
 */
export const TAB_URL_MAX_LENGTH = 2000;

/** One open tab, as the extension reports it. */
export interface ReportedTab {
  /** The browser's id for the tab (`chrome.tabs.Tab.id`), which a teacher's "close this tab" names. */
  id: number;
  /** The page's title, made fit to show (visibleText). */
  title: string;
  /** The tab's address without login or fragment; empty while a new tab has none. */
  url: string;
  /** Whether the tab is the one shown in its window. */
  active: boolean;
  windowId?: number;
}

/** What an extension sends: its student's open tabs. */
export interface TabReport {
  tabs: ReportedTab[];
}

/** A reported tab as supervisors see it. */
export interface TabView extends ReportedTab {
  /** Whether the address is a web page (http or https, whole) that may be offered as a link: never for chrome:, file:, data: or a cut address. */
  openable: boolean;
}

/** A report as the server keeps it. */
export interface TabsView {
  tabs: TabView[];
}

/** A tab as the browser describes it: the members of `chrome.tabs.Tab` the report reads. */
export interface BrowserTab {
  id?: number;
  title?: string;
  url?: string;
  /** The address a tab is still navigating to (Chrome sets it before `url` changes). */
  pendingUrl?: string;
  active: boolean;
  windowId: number;
  index: number;
}

/**
 * The extension's report from the browser's tabs: tabs without an id are skipped; when there are
 * more than TAB_REPORT_MAX_TABS, the active tabs are kept first; tabs are in window, then tab order.
 */
export function tabReportFrom(tabs: readonly BrowserTab[]): TabReport {
  const known = tabs.filter((tab): tab is BrowserTab & { id: number } => tab.id !== undefined && tab.id >= 0);
  const kept = [...known.filter((tab) => tab.active), ...known.filter((tab) => !tab.active)]
    .slice(0, TAB_REPORT_MAX_TABS)
    .sort((a, b) => a.windowId - b.windowId || a.index - b.index);
  return {
    tabs: kept.map((tab) => ({
      id: tab.id,
      title: visibleText(tab.title ?? '', TAB_TITLE_MAX_LENGTH),
      url: tabAddress(tab.url || tab.pendingUrl || '').url,
      active: tab.active,
      windowId: tab.windowId,
    })),
  };
}

/** A report read, or why it was refused (for the extension's developer: a working extension never sends one). */
export type TabReportResult = { ok: true; report: TabsView } | { ok: false; error: string };

const TAB_FIELDS = new Set(['id', 'title', 'url', 'active', 'windowId']);

/**
 * Reads a report from the wire. Refused: anything but `{tabs: [...]}` with each tab's fields of the
 * right type and no others, more than TAB_REPORT_MAX_TABS tabs, or one tab id twice. Then each
 * title and address is made fit exactly as tabReportFrom does (so a report it made passes
 * unchanged), and `openable` is worked out here, never taken from the sender.
 */
export function parseTabReport(data: unknown): TabReportResult {
  if (!isRecord(data) || !Array.isArray(data.tabs)) return refuse('a tab report is {"tabs": [...]}');
  const unknown = Object.keys(data).filter((key) => key !== 'tabs');
  if (unknown.length > 0) return refuse(`unknown field(s) in the report: ${unknown.join(', ')}`);
  if (data.tabs.length > TAB_REPORT_MAX_TABS) {
    return refuse(`a report holds at most ${TAB_REPORT_MAX_TABS} tabs, not ${data.tabs.length}`);
  }
  const tabs: TabView[] = [];
  const ids = new Set<number>();
  for (const [index, tab] of data.tabs.entries()) {
    const where = `tabs[${index}]`;
    if (!isRecord(tab)) return refuse(`${where} must be an object`);
    const extra = Object.keys(tab).filter((key) => !TAB_FIELDS.has(key));
    if (extra.length > 0) return refuse(`unknown field(s) in ${where}: ${extra.join(', ')}`);
    const { id, title, url, active, windowId } = tab;
    if (!isTabId(id)) return refuse(`${where}.id must be a whole number from 0`);
    if (ids.has(id)) return refuse(`${where}.id ${id} is reported twice`);
    if (typeof title !== 'string') return refuse(`${where}.title must be text`);
    if (typeof url !== 'string') return refuse(`${where}.url must be text`);
    if (typeof active !== 'boolean') return refuse(`${where}.active must be true or false`);
    if (windowId !== undefined && !isTabId(windowId)) return refuse(`${where}.windowId must be a whole number from 0`);
    ids.add(id);
    const address = tabAddress(url);
    tabs.push({
      id,
      title: visibleText(title, TAB_TITLE_MAX_LENGTH),
      url: address.url,
      active,
      ...(windowId === undefined ? {} : { windowId }),
      openable: address.openable,
    });
  }
  return { ok: true, report: { tabs } };
}

/**
 * A tab's address made fit to send and show. A parsed address loses its login (`user:pass@`) and
 * fragment (sign-in pages put tokens there); `data:` keeps only its scheme (the rest is content);
 * one that does not parse is kept as visible text. Longer than TAB_URL_MAX_LENGTH: cut with "…".
 * Openable only when it is http(s) and whole.
 */
export function tabAddress(text: string): { url: string; openable: boolean } {
  if (/^data:/i.test(text)) return { url: 'data:…', openable: false };
  const parsed = parseUrl(text);
  if (!parsed) return { url: visibleText(text, TAB_URL_MAX_LENGTH), openable: false };
  parsed.username = '';
  parsed.password = '';
  parsed.hash = '';
  const url = clip(parsed.href, TAB_URL_MAX_LENGTH);
  return { url, openable: isWebUrl(parsed) && url === parsed.href };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isTabId(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function refuse(error: string): TabReportResult {
  return { ok: false, error };
}
