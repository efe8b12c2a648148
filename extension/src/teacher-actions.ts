/**
 * What a teacher may do in a student's browser during a lesson (issue #21): close a tab, open a web
 * page, keep the class to some sites. The lesson link (lesson-link.ts) calls these when the student's app passes a teacher's action on; they
 * reach Chrome through ports, so they are unit-tested.
 */
import { siteRules, type Site, type SiteListKind, type SiteRule } from '../../src/shared/site-rules.ts';
import { isWebUrl, parseUrl } from '../../src/shared/whatwg-url.ts';
import { blockedPagePath, type BlockedBy } from './blocked-link.ts';

/** What tab actions need of Chrome. */
export interface TabPorts {
  /** `chrome.tabs.remove`. */
  removeTab(tabId: number): Promise<void>;
  /** `chrome.tabs.create` with the address, shown at once: the teacher opened it for the student to look at. */
  createTab(url: string): Promise<void>;
}

/** Closes one of the student's tabs. */
export function closeTab(ports: TabPorts, tabId: number): Promise<void> {
  return ports.removeTab(tabId);
}

/** Opens a web page in a new tab; anything but an http(s) address (javascript:, file:, chrome:) is refused. */
export async function openTab(ports: TabPorts, url: string): Promise<'opened' | 'not-web'> {
  const parsed = parseUrl(url);
  if (!parsed || !isWebUrl(parsed)) return 'not-web';
  await ports.createTab(parsed.href);
  return 'opened';
}

/** A lesson's "keep to these sites", as the extension is told it. */
export interface LessonSites extends BlockedBy {
  kind: SiteListKind;
  sites: readonly Site[];
  /** The classroom server's origin (always allowed). */
  serverOrigin: string;
}

/** The rules that keep a student to a lesson's sites; blocked pages say which lesson and whom to ask. */
export function lessonSiteRules({ kind, sites, serverOrigin, lesson, ask }: LessonSites): SiteRule[] {
  return siteRules({ kind, sites, serverUrl: serverOrigin, blockedPagePath: blockedPagePath({ lesson, ask }) });
}
