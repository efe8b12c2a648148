import { describe, expect, it } from 'vitest';
import {
  parseSite,
  parseSiteList,
  siteRules,
  siteText,
  SITE_LIST_MAX_SITES,
  type Site,
  type SiteListKind,
} from '../../src/shared/site-rules.ts';
import { outcome } from '../helpers/dnr-model.ts';

const BLOCKED = '/blocked.html?lesson=Biology';
const SERVER = 'https://screens.school.example:8443/room/K7QM3X';

/** The sites of a list that must parse. */
function sites(text: string): Site[] {
  const result = parseSiteList(text);
  if (!result.ok) throw new Error(result.problems.map((p) => p.message).join('\n'));
  return result.sites;
}

/** The rules for a list written as a teacher would write it. */
function rulesFor(kind: SiteListKind, text: string, serverUrl = SERVER) {
  return siteRules({ kind, sites: sites(text), serverUrl, blockedPagePath: BLOCKED });
}

const redirected = `redirected to ${BLOCKED}`;

describe('reading a site', () => {
  it('reads a host as the site and its subdomains on any port, in lowercase without a trailing dot', () => {
    const site = { host: 'example.org', subdomains: true, port: null, path: null };
    expect(parseSite('example.org')).toEqual(site);
    expect(parseSite('EXAMPLE.Org.')).toEqual(site);
    expect(parseSite('*.example.org')).toEqual(site);
    expect(parseSite('https://Example.org/')).toEqual(site);
    expect(parseSite('http://example.org/?q=1#top')).toEqual(site);
  });

  it('reads a leading dot as one host, and an IP address as one host always', () => {
    expect(parseSite('.example.org')).toEqual({ host: 'example.org', subdomains: false, port: null, path: null });
    expect(parseSite('192.168.1.20')).toEqual({ host: '192.168.1.20', subdomains: false, port: null, path: null });
    expect(parseSite('[::1]:8080')).toEqual({ host: '[::1]', subdomains: false, port: 8080, path: null });
  });

  it('keeps a port, but reads the default ports 80 and 443 as any port', () => {
    expect(parseSite('localhost:8080')).toEqual({ host: 'localhost', subdomains: true, port: 8080, path: null });
    expect(parseSite('example.org:443')).toMatchObject({ port: null });
    expect(parseSite('https://example.org:80/')).toMatchObject({ port: null });
  });

  it('writes an international name in punycode, as Chrome matches it', () => {
    expect(parseSite('bücher.de')).toMatchObject({ host: 'xn--bcher-kva.de' });
    expect(parseSite('https://BÜCHER.de/Straße')).toMatchObject({ host: 'xn--bcher-kva.de', path: '/Stra%C3%9Fe' });
    expect(parseSite('*.例え.jp')).toMatchObject({ host: 'xn--r8jz45g.jp', subdomains: true });
  });

  it('keeps a path as a prefix, with a closing * meaning the same', () => {
    expect(parseSite('docs.google.com/document')).toEqual({
      host: 'docs.google.com',
      subdomains: true,
      port: null,
      path: '/document',
    });
    expect(parseSite('example.org/docs/*')).toMatchObject({ path: '/docs/' });
    expect(parseSite('https://example.org/docs/*?x=1')).toMatchObject({ path: '/docs/' });
  });

  it('refuses what is not a web site, saying what kind of problem it is', () => {
    for (const word of [
      'ht!p://x',
      'ftp://files.example.org',
      'file:///etc/passwd',
      'javascript://x',
      'teacher@school.org',
    ]) {
      expect(parseSite(word), word).toBe('not-a-site');
    }
    for (const word of ['-example.org', 'example..org', 'exa mple', 'a'.repeat(64) + '.org', 'http://']) {
      expect(parseSite(word), word).toBe('not-a-site');
    }
    for (const word of ['exa*mple.org', 'example.*', 'example.org*', '*.*.org', 'example.org/a*b']) {
      expect(parseSite(word), word).toBe('wildcard');
    }
    expect(parseSite('*')).toBe('every-site');
    expect(parseSite('*.')).toBe('every-site');
  });

  it('writes a site back one way, whatever way it was written', () => {
    expect(siteText(parseSite('HTTPS://Bücher.de:8080/a/') as Site)).toBe('xn--bcher-kva.de:8080/a/');
    expect(siteText(parseSite('.example.org') as Site)).toBe('.example.org');
  });
});

describe('reading a list', () => {
  it('reads one site a line, also split by commas and spaces, skipping blank lines and # comments', () => {
    const list = '# Biology, week 3\n\nexample.org\r\nbbc.co.uk, wikipedia.org  khanacademy.org\n';
    expect(sites(list).map(siteText)).toEqual(['example.org', 'bbc.co.uk', 'wikipedia.org', 'khanacademy.org']);
  });

  it('keeps a site written twice once, in the order first written', () => {
    const list = 'example.org\nbücher.de\n*.EXAMPLE.org\nhttps://example.org/\nxn--bcher-kva.de';
    expect(sites(list).map(siteText)).toEqual(['example.org', 'xn--bcher-kva.de']);
  });

  it('reports every bad line by number, quoting it and saying what to write', () => {
    const result = parseSiteList('example.org\nfine.org\nht!p://x\n*\nexa*mple.org, ok.org');
    expect(result).toEqual({
      ok: false,
      problems: [
        { kind: 'not-a-site', line: 3, message: "line 3: 'ht!p://x' is not a site; write a site like example.org" },
        { kind: 'every-site', line: 4, message: "line 4: '*' would match every site; write the sites themselves" },
        {
          kind: 'wildcard',
          line: 5,
          message:
            "line 5: 'exa*mple.org' has a * in the middle; a * may only start a site (*.example.org) or end a path (example.org/docs/*)",
        },
      ],
    });
  });

  it('quotes a long bad word shortened, and refuses a line too long to be a site', () => {
    const [problem] = (parseSiteList(`ftp://${'x'.repeat(100)}.org`) as { problems: { message: string }[] }).problems;
    expect(problem!.message).toBe(`line 1: 'ftp://${'x'.repeat(53)}…' is not a site; write a site like example.org`);
    expect(parseSiteList(`example.org/${'a'.repeat(2000)}`)).toMatchObject({
      ok: false,
      problems: [
        {
          kind: 'not-a-site',
          line: 1,
          message: 'line 1 is longer than 2000 characters; write a site like example.org',
        },
      ],
    });
  });

  it(`holds at most ${SITE_LIST_MAX_SITES} different sites, counting a site written twice once`, () => {
    const many = (n: number) => Array.from({ length: n }, (_, i) => `site${i}.example`).join('\n');
    expect(parseSiteList(many(SITE_LIST_MAX_SITES))).toMatchObject({ ok: true });
    expect(parseSiteList(`${many(SITE_LIST_MAX_SITES)}\n${many(SITE_LIST_MAX_SITES)}`)).toMatchObject({ ok: true });
    expect(parseSiteList(many(SITE_LIST_MAX_SITES + 1))).toEqual({
      ok: false,
      problems: [
        {
          kind: 'too-many',
          line: null,
          message:
            'the list has 201 different sites, and one list may hold 200; remove some, or write whole sites (example.org covers all its pages and subdomains)',
        },
      ],
    });
  });
});

describe('an allow list', () => {
  it('sends every other top-level page to the blocked page, and lets the sites and their subdomains load', () => {
    const rules = rulesFor('allow', 'example.org\nbücher.de');
    expect(outcome(rules, 'https://example.org/')).toBe('loads');
    expect(outcome(rules, 'http://www.example.org:8080/a?b')).toBe('loads');
    expect(outcome(rules, 'https://a.b.example.org/')).toBe('loads');
    expect(outcome(rules, 'https://bücher.de/')).toBe('loads');
    expect(outcome(rules, 'https://other.org/')).toBe(redirected);
    // Names that merely contain an allowed one are other sites.
    expect(outcome(rules, 'https://notexample.org/')).toBe(redirected);
    expect(outcome(rules, 'https://example.org.evil.test/')).toBe(redirected);
    expect(outcome(rules, 'https://evil.test/?next=https://example.org/')).toBe(redirected);
  });

  it('leaves frames alone: lesson pages embed videos and documents from other sites', () => {
    const rules = rulesFor('allow', 'example.org');
    expect(outcome(rules, 'https://video.test/embed/1', 'sub_frame')).toBe('loads');
  });

  it('always lets the classroom server load, at its own origin only', () => {
    const rules = rulesFor('allow', 'example.org');
    expect(outcome(rules, 'https://screens.school.example:8443/room/K7QM3X')).toBe('loads');
    expect(outcome(rules, 'https://screens.school.example:8443/', 'sub_frame')).toBe('loads');
    expect(outcome(rules, 'https://screens.school.example/')).toBe(redirected);
    expect(outcome(rules, 'http://screens.school.example:8443/')).toBe(redirected);
  });

  it('lets an empty list reach the classroom server and nothing else', () => {
    const rules = rulesFor('allow', '', 'http://127.0.0.1:3000');
    expect(outcome(rules, 'http://127.0.0.1:3000/lobby')).toBe('loads');
    expect(outcome(rules, 'http://127.0.0.1:3001/')).toBe(redirected);
    expect(outcome(rules, 'https://example.org/')).toBe(redirected);
  });

  it('matches one host only for a leading dot, on http and https and any port', () => {
    const rules = rulesFor('allow', '.example.org');
    expect(outcome(rules, 'https://example.org/page')).toBe('loads');
    expect(outcome(rules, 'http://example.org:8080/')).toBe('loads');
    expect(outcome(rules, 'https://www.example.org/')).toBe(redirected);
    expect(outcome(rules, 'https://evil.test/?https://example.org/')).toBe(redirected);
  });

  it('takes www.example.org to mean example.org too, but not its other subdomains', () => {
    const rules = rulesFor('allow', 'www.example.org');
    expect(outcome(rules, 'https://www.example.org/')).toBe('loads');
    expect(outcome(rules, 'https://example.org/')).toBe('loads');
    expect(outcome(rules, 'https://mail.example.org/')).toBe(redirected);
  });

  it('matches a port exactly when one is given', () => {
    const rules = rulesFor('allow', 'localhost:8080\n127.0.0.1:9000');
    expect(outcome(rules, 'http://localhost:8080/app')).toBe('loads');
    expect(outcome(rules, 'http://dev.localhost:8080/')).toBe('loads');
    expect(outcome(rules, 'http://localhost:8081/')).toBe(redirected);
    expect(outcome(rules, 'http://localhost/')).toBe(redirected);
    expect(outcome(rules, 'http://127.0.0.1:9000/')).toBe('loads');
    expect(outcome(rules, 'http://127.0.0.1:9001/')).toBe(redirected);
  });

  it('matches a path and everything below it, not a longer name beside it', () => {
    const rules = rulesFor('allow', 'docs.google.com/document\nexample.org/docs/');
    expect(outcome(rules, 'https://docs.google.com/document')).toBe('loads');
    expect(outcome(rules, 'https://docs.google.com/document/d/1abc/edit?usp=sharing')).toBe('loads');
    expect(outcome(rules, 'https://docs.google.com/documents')).toBe(redirected);
    expect(outcome(rules, 'https://docs.google.com/spreadsheets/d/1')).toBe(redirected);
    expect(outcome(rules, 'https://example.org/docs/intro')).toBe('loads');
    expect(outcome(rules, 'https://example.org/docs')).toBe(redirected);
    expect(outcome(rules, 'https://evil.test/docs.google.com/document')).toBe(redirected);
    // With a path, no port means the default ports (Chromium agrees: tests/e2e/extension.spec.ts).
    expect(outcome(rules, 'https://docs.google.com:8443/document')).toBe(redirected);
    expect(outcome(rulesFor('allow', 'localhost:8080/app'), 'http://localhost:8080/app/x')).toBe('loads');
  });
});

describe('a block list', () => {
  it('sends its sites’ pages to the blocked page, refuses them in frames, and lets the rest load', () => {
    const rules = rulesFor('block', 'games.test\n.chat.test\nexample.org/forum');
    expect(outcome(rules, 'https://games.test/')).toBe(redirected);
    expect(outcome(rules, 'https://www.games.test/play')).toBe(redirected);
    expect(outcome(rules, 'https://games.test/', 'sub_frame')).toBe('blocked');
    expect(outcome(rules, 'https://chat.test/')).toBe(redirected);
    expect(outcome(rules, 'https://help.chat.test/')).toBe('loads');
    expect(outcome(rules, 'https://example.org/forum/1')).toBe(redirected);
    expect(outcome(rules, 'https://example.org/')).toBe('loads');
    expect(outcome(rules, 'https://other.test/')).toBe('loads');
  });

  it('never blocks the classroom server, even inside a blocked site', () => {
    const rules = rulesFor('block', 'school.example');
    expect(outcome(rules, 'https://school.example/')).toBe(redirected);
    expect(outcome(rules, 'https://screens.school.example:8443/room/K7QM3X')).toBe('loads');
    expect(outcome(rules, 'https://screens.school.example:8443/', 'sub_frame')).toBe('loads');
  });
});

describe('the rules Chrome is given', () => {
  it('are this JSON for a small allow list', () => {
    expect(rulesFor('allow', 'example.org\nbücher.de\n.one.test\nlocalhost:8080\ndocs.google.com/document')).toEqual([
      {
        id: 1,
        priority: 1,
        action: { type: 'redirect', redirect: { extensionPath: BLOCKED } },
        condition: { resourceTypes: ['main_frame'] },
      },
      {
        id: 2,
        priority: 2,
        action: { type: 'allow' },
        condition: { requestDomains: ['example.org', 'xn--bcher-kva.de'], resourceTypes: ['main_frame'] },
      },
      {
        id: 3,
        priority: 2,
        action: { type: 'allow' },
        condition: { urlFilter: '|http://one.test^', resourceTypes: ['main_frame'] },
      },
      {
        id: 4,
        priority: 2,
        action: { type: 'allow' },
        condition: { urlFilter: '|https://one.test^', resourceTypes: ['main_frame'] },
      },
      {
        id: 5,
        priority: 2,
        action: { type: 'allow' },
        condition: { urlFilter: '||localhost:8080^', resourceTypes: ['main_frame'] },
      },
      {
        id: 6,
        priority: 2,
        action: { type: 'allow' },
        condition: { urlFilter: '||docs.google.com/document^', resourceTypes: ['main_frame'] },
      },
      {
        id: 7,
        priority: 3,
        action: { type: 'allow' },
        condition: { urlFilter: '|https://screens.school.example:8443/', resourceTypes: ['main_frame', 'sub_frame'] },
      },
    ]);
  });

  it('stay within Chrome’s limits for the longest list: no regular expressions, under 5,000 rules, ids unique', () => {
    const worst = Array.from({ length: SITE_LIST_MAX_SITES }, (_, i) => `www.site${i}.example/path`).join('\n');
    for (const kind of ['allow', 'block'] as const) {
      const rules = rulesFor(kind, worst);
      expect(rules.length).toBeLessThanOrEqual(1201);
      expect(new Set(rules.map((r) => r.id)).size).toBe(rules.length);
      expect(rules.every((r) => r.id >= 1 && !('regexFilter' in r.condition))).toBe(true);
      // urlFilter must be ASCII.
      expect(rules.every((r) => /^[\x20-\x7e]*$/.test(r.condition.urlFilter ?? ''))).toBe(true);
    }
    expect(rulesFor('block', worst)).toHaveLength(1201);
  });

  it('refuse a server address that is not a web address', () => {
    expect(() => siteRules({ kind: 'allow', sites: [], serverUrl: 'ftp://x', blockedPagePath: BLOCKED })).toThrow(
      /server address must be an http\(s\) URL/,
    );
  });
});
