/**
 * A model of how Chrome's declarativeNetRequest picks the rule for a request, for the subset of
 * rules `siteRules` writes (requestDomains, urlFilter anchors, priorities), so unit tests can say
 * what a student would see on a given page. tests/e2e/extension.spec.ts checks real Chromium agrees.
 */
import type { RuleResourceType, SiteRule } from '../../src/shared/site-rules.ts';

/** What happens to a request: it loads (no rule, or an allow rule), is refused, or goes to a page. */
export type Outcome = 'loads' | 'blocked' | `redirected to ${string}`;

/** The outcome of loading `url` as a top-level page (`main_frame`) or a frame in one (`sub_frame`). */
export function outcome(rules: readonly SiteRule[], url: string, type: RuleResourceType = 'main_frame'): Outcome {
  // Chrome matches the canonical address: lowercase host in punycode, default port dropped.
  const canonical = new URL(url);
  const matching = rules.filter((rule) => matches(rule, canonical, type));
  if (matching.length === 0) return 'loads';
  const top = Math.max(...matching.map((rule) => rule.priority));
  // At equal priority, allow beats block, which beats redirect.
  const order = ['allow', 'block', 'redirect'];
  const [winner] = matching
    .filter((rule) => rule.priority === top)
    .sort((a, b) => order.indexOf(a.action.type) - order.indexOf(b.action.type));
  const action = winner!.action;
  if (action.type === 'allow') return 'loads';
  if (action.type === 'block') return 'blocked';
  return `redirected to ${action.redirect.extensionPath}`;
}

function matches(rule: SiteRule, url: URL, type: RuleResourceType): boolean {
  const { requestDomains, urlFilter, resourceTypes } = rule.condition;
  if (!resourceTypes.includes(type)) return false;
  if (requestDomains && !requestDomains.some((d) => url.hostname === d || url.hostname.endsWith(`.${d}`))) {
    return false;
  }
  return urlFilter === undefined || filterRegExp(urlFilter).test(url.href);
}

/** Chrome's urlFilter as a regular expression: `||` host or subdomain start, `|` either end, `^` separator or end, `*` anything. */
function filterRegExp(filter: string): RegExp {
  let source = '';
  let rest = filter;
  if (rest.startsWith('||')) {
    source = '^[a-z][a-z0-9+.-]*://(?:[^/?#@]*@)?(?:[^/?#:]*\\.)?';
    rest = rest.slice(2);
  } else if (rest.startsWith('|')) {
    source = '^';
    rest = rest.slice(1);
  }
  const endAnchor = rest.endsWith('|');
  if (endAnchor) rest = rest.slice(0, -1);
  for (const char of rest) {
    if (char === '^') source += '(?:[^a-z0-9_.%-]|$)';
    else if (char === '*') source += '.*';
    else source += char.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(source + (endAnchor ? '$' : ''), 'i');
}
