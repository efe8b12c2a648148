/**
 * The one message between the service worker and the blocked page: which lesson blocked a page and
 * whom to ask, carried in the page's query string. Pure; compiled for the worker and for the page.
 */
import { visibleText } from '../../src/shared/visible-text.ts';

/** The extension page a blocked top-level page is sent to (listed in the manifest's web_accessible_resources). */
export const BLOCKED_PAGE = '/blocked.html';

/** Longest lesson name or list of teachers the page shows, in characters. */
export const BLOCKED_BY_MAX_LENGTH = 200;

/** Who blocked a page: the lesson's name and the people to ask (its teachers' names). */
export interface BlockedBy {
  lesson: string;
  ask: string;
}

/** The path and query of the blocked page for a lesson, as siteRules' `blockedPagePath`. */
export function blockedPagePath(by: BlockedBy): string {
  const query = new URLSearchParams({ lesson: fit(by.lesson), ask: fit(by.ask) });
  return `${BLOCKED_PAGE}?${query.toString()}`;
}

/**
 * Reads the blocked page's query (`location.search`). Any page may link to the blocked page with
 * words of its own, so they are made fit to show as text, and bounded; missing ones read as ''.
 */
export function readBlockedBy(search: string): BlockedBy {
  const query = new URLSearchParams(search);
  return { lesson: fit(query.get('lesson') ?? ''), ask: fit(query.get('ask') ?? '') };
}

function fit(text: string): string {
  return visibleText(text, BLOCKED_BY_MAX_LENGTH);
}
