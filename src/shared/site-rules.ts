/**
 * "Keep to these sites": a teacher's allow list or block list, read line by line into sites, and
 * the Chrome `declarativeNetRequest` dynamic rules the companion extension applies for it. Pure: no
 * I/O and no chrome types (the rule shape is typed here; the extension checks it against Chrome's).
 *
 * How a line reads (docs/architecture.md, "The companion extension"):
 * - `example.org` and `*.example.org`: the site and every subdomain, on any port (as Chrome's own
 *   URLBlocklist policy reads a host). `www.example.org` also covers `example.org` itself.
 * - `.example.org` (a leading dot, as in that policy): this host only. An IP address is always one host.
 * - `localhost:8080`: that port only. Ports 80 and 443 are the web's defaults and mean any port.
 * - `docs.google.com/document`: that path and everything below it (`/document/d/…`, not `/documents`),
 *   on the web's default ports unless a port is written (`localhost:8080/app`): Chrome's urlFilter
 *   cannot say "any port, then this path" without also matching other paths.
 * - A pasted address (`https://bücher.de/a?b#c`): its host and path; scheme, query and fragment are dropped.
 */
import { parseUrl } from './whatwg-url.ts';

/** Most distinct sites one list may hold: enough for a lesson, far below Chrome's rule limits (see siteRules). */
export const SITE_LIST_MAX_SITES = 200;

/** Longest line read, in characters: a pasted address is at most this long (URL_MAX_LENGTH). */
export const SITE_LINE_MAX_LENGTH = 2000;

/** Whether a list names the only sites a class may open (`allow`), or sites it may not (`block`). */
export type SiteListKind = 'allow' | 'block';

/** One site of a list, normalised so that two ways of writing it are equal. */
export interface Site {
  /** Lowercase ASCII (IDNs in punycode), no trailing dot; an IPv6 address in brackets. */
  host: string;
  /** Whether the host's subdomains match too; false for `.example.org` and for IP addresses. */
  subdomains: boolean;
  /** A port other than 80 and 443, or null: any port for a whole site, the default ports with a path. */
  port: number | null;
  /** A path prefix as browsers send it (percent-encoded), starting with "/"; null for the whole site. */
  path: string | null;
}

/** Why a list was refused. */
export type SiteListProblemKind =
  /** A line holds something that is not a host, an IP address or a web address. */
  | 'not-a-site'
  /** A `*` stands somewhere other than the start of a host or the end of a path. */
  | 'wildcard'
  /** A line is `*` alone, which would match every site. */
  | 'every-site'
  /** The list holds more than SITE_LIST_MAX_SITES distinct sites. */
  | 'too-many';

/** One reason a list was refused, in words for the teacher who wrote it. */
export interface SiteListProblem {
  kind: SiteListProblemKind;
  /** The line at fault, counted from 1 (null for the whole list). */
  line: number | null;
  message: string;
}

/** A list read: its distinct sites in the order written, or every problem found. */
export type SiteListResult = { ok: true; sites: Site[] } | { ok: false; problems: SiteListProblem[] };

/**
 * Reads a teacher's list: one site a line (commas and spaces also separate sites), blank lines and
 * lines starting with `#` skipped, a site written twice kept once. Every bad line is reported.
 */
export function parseSiteList(text: string): SiteListResult {
  const problems: SiteListProblem[] = [];
  const sites = new Map<string, Site>();
  text.split(/\r\n|\r|\n/).forEach((raw, index) => {
    const line = index + 1;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    if (trimmed.length > SITE_LINE_MAX_LENGTH) {
      problems.push({
        kind: 'not-a-site',
        line,
        message: `line ${line} is longer than ${SITE_LINE_MAX_LENGTH} characters; write a site like example.org`,
      });
      return;
    }
    for (const word of trimmed.split(/[\s,;]+/u)) {
      if (word === '') continue;
      const site = parseSite(word);
      if (typeof site === 'string') {
        problems.push({ kind: site, line, message: `line ${line}: ${problemText(site, word)}` });
      } else {
        const key = siteText(site);
        if (!sites.has(key)) sites.set(key, site);
      }
    }
  });
  if (sites.size > SITE_LIST_MAX_SITES) {
    problems.push({
      kind: 'too-many',
      line: null,
      message:
        `the list has ${sites.size} different sites, and one list may hold ${SITE_LIST_MAX_SITES}; ` +
        'remove some, or write whole sites (example.org covers all its pages and subdomains)',
    });
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, sites: [...sites.values()] };
}

/** The words a teacher reads for a problem with `word`. */
function problemText(kind: Exclude<SiteListProblemKind, 'too-many'>, word: string): string {
  const quoted = `'${word.length > 60 ? `${word.slice(0, 59)}…` : word}'`;
  switch (kind) {
    case 'not-a-site':
      return `${quoted} is not a site; write a site like example.org`;
    case 'wildcard':
      return `${quoted} has a * in the middle; a * may only start a site (*.example.org) or end a path (example.org/docs/*)`;
    case 'every-site':
      return `${quoted} would match every site; write the sites themselves`;
  }
}

/** Schemes a line may start with; any other (ftp:, file:, chrome:) names something that is not a web site. */
const WEB_SCHEME = /^https?:\/\//i;
/** A host name: letters, digits, `-` and `_` in labels of at most 63, not starting or ending with `-`. */
const DOMAIN = /^(?!-)[a-z0-9_-]{1,63}(?<!-)(?:\.(?!-)[a-z0-9_-]{1,63}(?<!-))*$/;
const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;
const IPV6 = /^\[[0-9a-f:.]+\]$/;

/** Reads one site as written in a list, or says what is wrong with it. */
export function parseSite(word: string): Site | Exclude<SiteListProblemKind, 'too-many'> {
  if (/^\*\.?$/.test(word)) return 'every-site';
  let rest = word;
  if (rest.includes('://')) {
    if (!WEB_SCHEME.test(rest)) return 'not-a-site';
    rest = rest.replace(WEB_SCHEME, '');
  }
  // Only a host followed by a path may be read: an "@" is an email address or a login, not a site.
  if (rest.includes('@')) return 'not-a-site';
  let subdomains = true;
  if (rest.startsWith('*.')) rest = rest.slice(2);
  else if (rest.startsWith('.')) {
    subdomains = false;
    rest = rest.slice(1);
  }
  // A path may end with `*` (`example.org/docs/*`): a path already matches everything below it.
  const slash = rest.indexOf('/');
  const star = rest.search(/\*(?=[?#]|$)/);
  if (slash >= 0 && star > slash) rest = rest.slice(0, star) + rest.slice(star + 1);
  if (rest.includes('*')) return 'wildcard';
  const url = parseUrl(`http://${rest}`);
  if (!url) return 'not-a-site';
  const host = url.hostname.replace(/\.$/, '');
  const ip = IPV4.test(host) || IPV6.test(host);
  if (!ip && (!DOMAIN.test(host) || host.length > 253)) return 'not-a-site';
  const port = url.port === '' || url.port === '80' || url.port === '443' ? null : Number(url.port);
  // Chrome's urlFilter has no escapes: its `^` and `|` are written as browsers send them in a path.
  const path = url.pathname === '/' ? null : url.pathname.replace(/\^/g, '%5E').replace(/\|/g, '%7C');
  return { host, subdomains: subdomains && !ip, port, path };
}

/** A site written back as a teacher would write it, one way for each site: `.host:port/path`. */
export function siteText(site: Site): string {
  return `${site.subdomains ? '' : '.'}${site.host}${site.port === null ? '' : `:${site.port}`}${site.path ?? ''}`;
}

/** Where a rule applies: top-level pages only, or frames inside pages too. */
export type RuleResourceType = 'main_frame' | 'sub_frame';

/** A `declarativeNetRequest` rule condition, as much of Chrome's `RuleCondition` as these rules use. */
export interface RuleCondition {
  /** Hosts that match with all their subdomains (punycode, lowercase). */
  requestDomains?: string[];
  /** Chrome's filter syntax: `||` a host or subdomain, `|` start of the address, `^` a separator or the end. */
  urlFilter?: string;
  resourceTypes: RuleResourceType[];
}

/** What a matching rule does: let the page load, refuse it, or send it to an extension page. */
export type RuleAction =
  { type: 'allow' } | { type: 'block' } | { type: 'redirect'; redirect: { extensionPath: string } };

/** A `declarativeNetRequest` dynamic rule; the higher `priority` wins, and at equal priority `allow` wins. */
export interface SiteRule {
  id: number;
  priority: number;
  action: RuleAction;
  condition: RuleCondition;
}

/** What siteRules needs besides the list. */
export interface SiteRulesOptions {
  kind: SiteListKind;
  sites: readonly Site[];
  /** The classroom server's address: its origin is always allowed, so a list can never cut off the lesson. */
  serverUrl: string;
  /** The extension page (path and query, starting with "/") a blocked page is sent to. */
  blockedPagePath: string;
}

/** The rule priorities: a list's own allow rules beat its block-all, and the server beats every list. */
const PRIORITY = { list: 1, listAllow: 2, server: 3 } as const;

/**
 * The dynamic rules for a list. An allow list is one rule sending every other top-level page to
 * `blockedPagePath`, beneath allow rules for its sites. A block list sends its sites' pages there
 * and refuses them in frames (another page showing a blocked site is the blocked site). Frames are
 * not blocked by an allow list: lesson pages embed videos, forms and documents from other sites.
 * Sites with neither port nor path share one `requestDomains` rule, the others get `urlFilter`s; no
 * regular expressions are used (Chrome allows 1,000), and 200 sites make at most 1,201 rules, under
 * the 5,000 dynamic rules that may redirect (Chrome's MAX_NUMBER_OF_UNSAFE_DYNAMIC_RULES).
 */
export function siteRules({ kind, sites, serverUrl, blockedPagePath }: SiteRulesOptions): SiteRule[] {
  const server = parseUrl(serverUrl);
  if (!server || (server.protocol !== 'https:' && server.protocol !== 'http:')) {
    throw new Error(`siteRules: the server address must be an http(s) URL, not ${JSON.stringify(serverUrl)}`);
  }
  const domains: string[] = [];
  const filters: string[] = [];
  for (const site of sites.flatMap(withBareHost)) {
    if (site.subdomains && site.port === null && site.path === null) domains.push(site.host);
    else filters.push(...urlFilters(site));
  }
  const matchers: Omit<RuleCondition, 'resourceTypes'>[] = [
    ...(domains.length > 0 ? [{ requestDomains: unique(domains) }] : []),
    ...unique(filters).map((urlFilter) => ({ urlFilter })),
  ];
  const redirect: RuleAction = { type: 'redirect', redirect: { extensionPath: blockedPagePath } };
  const rules: Omit<SiteRule, 'id'>[] =
    kind === 'allow'
      ? [
          rule(PRIORITY.list, redirect, {}, ['main_frame']),
          ...matchers.map((matcher) => rule(PRIORITY.listAllow, { type: 'allow' }, matcher, ['main_frame'])),
        ]
      : matchers.flatMap((matcher) => [
          rule(PRIORITY.list, redirect, matcher, ['main_frame']),
          rule(PRIORITY.list, { type: 'block' }, matcher, ['sub_frame']),
        ]);
  rules.push(
    rule(PRIORITY.server, { type: 'allow' }, { urlFilter: `|${server.origin}/` }, ['main_frame', 'sub_frame']),
  );
  return rules.map((rule, index) => ({ id: index + 1, ...rule }));
}

/** A `www.` site with the bare host beside it: `www.example.org` is the site people mean by `example.org`. */
function withBareHost(site: Site): Site[] {
  const bare = site.host.replace(/^www\./, '');
  if (!site.subdomains || bare === site.host || !bare.includes('.')) return [site];
  return [site, { ...site, host: bare, subdomains: false }];
}

/**
 * Chrome `urlFilter`s matching a site's pages. `||` anchors at the host or any subdomain of it; a
 * single host is anchored with its scheme, once for http and once for https. A closing `^` (a
 * separator or the end) stops `/document` matching `/documents`, and lets a host with neither port
 * nor path match any port.
 */
function urlFilters(site: Site): string[] {
  const port = site.port === null ? '' : `:${site.port}`;
  const path = site.path ?? '';
  const end = path.endsWith('/') ? '' : '^';
  const rest = `${site.host}${port}${path}${end}`;
  return site.subdomains ? [`||${rest}`] : [`|http://${rest}`, `|https://${rest}`];
}

function rule(
  priority: number,
  action: RuleAction,
  matcher: Omit<RuleCondition, 'resourceTypes'>,
  resourceTypes: RuleResourceType[],
): Omit<SiteRule, 'id'> {
  return { priority, action, condition: { ...matcher, resourceTypes } };
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}
