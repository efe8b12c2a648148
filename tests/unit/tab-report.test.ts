import { describe, expect, it } from 'vitest';
import { URL_MAX_LENGTH } from '../../src/shared/protocol.ts';
import {
  parseTabReport,
  tabAddress,
  tabReportFrom,
  TAB_REPORT_MAX_TABS,
  TAB_TITLE_MAX_LENGTH,
  TAB_URL_MAX_LENGTH,
  type BrowserTab,
} from '../../src/shared/tab-report.ts';
import { visibleText } from '../../src/shared/visible-text.ts';

/** A browser tab, as chrome.tabs describes it. */
function tab(id: number, more: Partial<BrowserTab> = {}): BrowserTab {
  return { id, title: `Tab ${id}`, url: `https://example.org/${id}`, active: false, windowId: 1, index: id, ...more };
}

describe('the report an extension makes from its tabs', () => {
  it('lists each tab’s id, title, address, whether it is active and its window, in window then tab order', () => {
    const report = tabReportFrom([
      tab(7, { windowId: 2, index: 0, active: true, title: 'Photosynthesis - Wikipedia' }),
      tab(3, { index: 1 }),
      tab(4, { index: 0, active: true }),
    ]);
    expect(report).toEqual({
      tabs: [
        { id: 4, title: 'Tab 4', url: 'https://example.org/4', active: true, windowId: 1 },
        { id: 3, title: 'Tab 3', url: 'https://example.org/3', active: false, windowId: 1 },
        { id: 7, title: 'Photosynthesis - Wikipedia', url: 'https://example.org/7', active: true, windowId: 2 },
      ],
    });
  });

  it('skips tabs without an id, and uses the address a new tab is loading when it has none yet', () => {
    const report = tabReportFrom([
      { title: 'DevTools', url: 'devtools://x', active: false, windowId: 1, index: 0 },
      tab(1, { url: '', pendingUrl: 'https://loading.example/' }),
      tab(2, { url: undefined, title: undefined }),
    ]);
    expect(report.tabs).toEqual([
      { id: 1, title: 'Tab 1', url: 'https://loading.example/', active: false, windowId: 1 },
      { id: 2, title: '', url: '', active: false, windowId: 1 },
    ]);
  });

  it(`keeps at most ${TAB_REPORT_MAX_TABS} tabs, the active ones among them whatever their place`, () => {
    const tabs = Array.from({ length: 80 }, (_, i) => tab(i, { active: i === 70 || i === 79 }));
    const report = tabReportFrom(tabs);
    expect(report.tabs).toHaveLength(TAB_REPORT_MAX_TABS);
    expect(report.tabs.filter((t) => t.active).map((t) => t.id)).toEqual([70, 79]);
    expect(report.tabs.slice(0, 3).map((t) => t.id)).toEqual([0, 1, 2]);
  });
});

describe('titles', () => {
  it('lose the invisible and control characters the server refuses in names, line breaks becoming spaces', () => {
    // Zero-width space, right-to-left override, NUL, Hangul filler, braille blank, BOM, private use.
    const title = 'Home\u200Bwork \u202Egnp.exe\u0000 \u3164\u2800\uFEFF\uE000done\nnow\t';
    expect(tabReportFrom([tab(1, { title })]).tabs[0]!.title).toBe('Homework gnp.exe done now');
  });

  it('lose lone surrogates and are written in NFC', () => {
    expect(visibleText('a\uD800b\uDC00c', 10)).toBe('abc');
    expect(visibleText('Zoe\u0301', 10)).toBe('Zoé');
  });

  it(`are cut to ${TAB_TITLE_MAX_LENGTH} characters with an ellipsis, never between the halves of an emoji`, () => {
    const long = tabReportFrom([tab(1, { title: 'a'.repeat(300) })]).tabs[0]!.title;
    expect(long).toHaveLength(TAB_TITLE_MAX_LENGTH);
    expect(long.endsWith('a…')).toBe(true);
    const emoji = tabReportFrom([tab(1, { title: `${'a'.repeat(198)}😀😀` })]).tabs[0]!.title;
    expect(emoji).toBe(`${'a'.repeat(198)}…`);
  });
});

describe('addresses', () => {
  it('keep web addresses whole and openable, without login or fragment, the host in punycode', () => {
    expect(tabAddress('https://user:secret@Bücher.de/a?q=1#access_token=x')).toEqual({
      url: 'https://xn--bcher-kva.de/a?q=1',
      openable: true,
    });
  });

  it('keep other schemes to show, never to open, and keep only the scheme of data: addresses', () => {
    expect(tabAddress('chrome://newtab/')).toEqual({ url: 'chrome://newtab/', openable: false });
    expect(tabAddress('file:///home/student/essay.pdf')).toEqual({
      url: 'file:///home/student/essay.pdf',
      openable: false,
    });
    expect(tabAddress('javascript:alert(1)')).toEqual({ url: 'javascript:alert(1)', openable: false });
    expect(tabAddress('data:text/html;base64,PGgxPmhpPC9oMT4=')).toEqual({ url: 'data:…', openable: false });
    expect(tabAddress('')).toEqual({ url: '', openable: false });
    expect(tabAddress('not an address\u200B')).toEqual({ url: 'not an address', openable: false });
  });

  it(`are at most ${TAB_URL_MAX_LENGTH} characters as stored; a longer one is cut and not openable`, () => {
    expect(TAB_URL_MAX_LENGTH).toBe(URL_MAX_LENGTH);
    const fits = `https://example.org/${'a'.repeat(TAB_URL_MAX_LENGTH - 20)}`;
    expect(tabAddress(fits)).toEqual({ url: fits, openable: true });
    // 300 letters outside A–Z are 1,800 characters once percent-encoded.
    const cut = tabAddress(`https://example.org/${'é'.repeat(300)}x${'b'.repeat(200)}`);
    expect(cut.url).toHaveLength(TAB_URL_MAX_LENGTH);
    expect(cut.url.endsWith('…')).toBe(true);
    expect(cut.openable).toBe(false);
  });
});

describe('reading a report from the wire', () => {
  const made = tabReportFrom([
    tab(1, { active: true, title: 'Cells\u200B' }),
    tab(2, { url: 'chrome://settings/', windowId: 3 }),
  ]);

  it('passes the extension’s own report unchanged, adding whether each address may be opened', () => {
    expect(parseTabReport(JSON.parse(JSON.stringify(made)))).toEqual({
      ok: true,
      report: {
        tabs: [
          { id: 1, title: 'Cells', url: 'https://example.org/1', active: true, windowId: 1, openable: true },
          { id: 2, title: 'Tab 2', url: 'chrome://settings/', active: false, windowId: 3, openable: false },
        ],
      },
    });
  });

  it('makes fit what a forged report sends, as the extension would have', () => {
    const forged = {
      tabs: [{ id: 5, title: `\u202E${'x'.repeat(500)}`, url: 'https://a:b@example.org/#t', active: false }],
    };
    const result = parseTabReport(forged);
    expect(result.ok && result.report.tabs[0]).toEqual({
      id: 5,
      title: `${'x'.repeat(TAB_TITLE_MAX_LENGTH - 1)}…`,
      url: 'https://example.org/',
      active: false,
      openable: true,
    });
  });

  it('refuses a report of the wrong shape, saying which field is wrong', () => {
    const good = { id: 1, title: 't', url: 'https://example.org/', active: true };
    const cases: [unknown, string][] = [
      [null, 'a tab report is {"tabs": [...]}'],
      [[good], 'a tab report is {"tabs": [...]}'],
      [{ tabs: {} }, 'a tab report is {"tabs": [...]}'],
      [{ tabs: [], history: [] }, 'unknown field(s) in the report: history'],
      [{ tabs: [good, 'x'] }, 'tabs[1] must be an object'],
      [{ tabs: [{ ...good, openable: true }] }, 'unknown field(s) in tabs[0]: openable'],
      [{ tabs: [{ ...good, content: '<html>' }] }, 'unknown field(s) in tabs[0]: content'],
      [{ tabs: [{ ...good, id: -1 }] }, 'tabs[0].id must be a whole number from 0'],
      [{ tabs: [{ ...good, id: 1.5 }] }, 'tabs[0].id must be a whole number from 0'],
      [{ tabs: [{ ...good, id: '1' }] }, 'tabs[0].id must be a whole number from 0'],
      [{ tabs: [good, good] }, 'tabs[1].id 1 is reported twice'],
      [{ tabs: [{ ...good, title: 3 }] }, 'tabs[0].title must be text'],
      [{ tabs: [{ ...good, url: null }] }, 'tabs[0].url must be text'],
      [{ tabs: [{ ...good, active: 'yes' }] }, 'tabs[0].active must be true or false'],
      [{ tabs: [{ ...good, windowId: -2 }] }, 'tabs[0].windowId must be a whole number from 0'],
    ];
    for (const [data, error] of cases) expect(parseTabReport(data), JSON.stringify(data)).toEqual({ ok: false, error });
  });

  it(`refuses more than ${TAB_REPORT_MAX_TABS} tabs`, () => {
    const tabs = Array.from({ length: TAB_REPORT_MAX_TABS + 1 }, (_, i) => ({
      id: i,
      title: '',
      url: '',
      active: false,
    }));
    expect(parseTabReport({ tabs })).toEqual({ ok: false, error: 'a report holds at most 50 tabs, not 51' });
    expect(parseTabReport({ tabs: tabs.slice(1) }).ok).toBe(true);
  });
});
