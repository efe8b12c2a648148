/** What a tile says of a student's tabs: the active tab's site and title, from their extension's report. Pure. */
import type { TabView } from '../../shared/protocol.ts';

/** The tab a tile names: the active one (the first, with several windows), or none. */
export function activeTab(tabs: readonly TabView[] | undefined): TabView | null {
  return tabs?.find((tab) => tab.active) ?? null;
}

/** A tab's site as people read it: the host of a web page (without "www."), else the address as reported. */
export function tabSite(tab: Pick<TabView, 'url' | 'openable'>): string {
  if (tab.url === '') return 'New tab';
  if (!tab.openable) return tab.url;
  try {
    return new URL(tab.url).hostname.replace(/^www\./, '');
  } catch {
    return tab.url;
  }
}
