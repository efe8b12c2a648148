/**
 * A browser as the sign-in flow sees one: a cookie jar (by name and path; cookies ignore ports, so
 * the app and the provider on one loopback address share it, as in a real browser), redirects
 * followed by hand, and the provider's development login and consent forms filled in.
 */

/** One stored cookie. */
interface Cookie {
  value: string;
  path: string;
}

/** A response with its body read. */
export interface Page {
  readonly url: string;
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
}

export class TestBrowser {
  readonly #jar = new Map<string, Cookie>();

  /** The value of a cookie the browser holds, if any. */
  cookie(name: string): string | undefined {
    for (const [key, cookie] of this.#jar) if (key.split('|')[0] === name) return cookie.value;
    return undefined;
  }

  /** One request, cookies sent and stored, no redirect followed. */
  async fetch(url: string, init: { method?: string; body?: string; headers?: Record<string, string> } = {}) {
    const target = new URL(url);
    const cookies = [...this.#jar]
      .filter(([, c]) => target.pathname.startsWith(c.path))
      .map(([key, c]) => `${key.split('|')[0]}=${c.value}`);
    const headers: Record<string, string> = { accept: 'text/html,*/*;q=0.8', ...init.headers };
    if (cookies.length > 0) headers.cookie = cookies.join('; ');
    if (init.body !== undefined) headers['content-type'] ??= 'application/x-www-form-urlencoded';
    const res = await fetch(url, { method: init.method ?? 'GET', headers, body: init.body, redirect: 'manual' });
    for (const line of res.headers.getSetCookie()) this.#store(line);
    return { url, status: res.status, headers: res.headers, text: await res.text() } satisfies Page;
  }

  /**
   * Follows a navigation from `url`: redirects, and the provider's login form (as `login`) and
   * consent form. Stops before requesting a URL `stopAt` accepts, and returns it with the pages on the way.
   */
  async navigate(url: string, login: string, stopAt: (url: URL) => boolean): Promise<{ stop: URL; pages: Page[] }> {
    const pages: Page[] = [];
    let next: { url: string; method: string; body?: string } = { url, method: 'GET' };
    for (let hop = 0; hop < 20; hop++) {
      if (stopAt(new URL(next.url))) return { stop: new URL(next.url), pages };
      const page = await this.fetch(next.url, next);
      pages.push(page);
      const location = page.headers.get('location');
      if (page.status >= 301 && page.status <= 303 && location) {
        next = { url: new URL(location, next.url).href, method: 'GET' };
        continue;
      }
      const action = /<form[^>]*action="([^"]+)"/.exec(page.text)?.[1];
      const prompt = /name="prompt" value="([^"]+)"/.exec(page.text)?.[1];
      if (page.status !== 200 || !action || !prompt)
        throw new Error(`unexpected ${page.status} at ${next.url}: ${page.text.slice(0, 300)}`);
      const form = new URLSearchParams({ prompt, ...(prompt === 'login' ? { login, password: 'any' } : {}) });
      next = { url: new URL(action.replace(/&amp;/g, '&'), next.url).href, method: 'POST', body: form.toString() };
    }
    throw new Error(`too many hops from ${url}`);
  }

  #store(line: string): void {
    const [pair = '', ...attributes] = line.split(';').map((part) => part.trim());
    const at = pair.indexOf('=');
    const name = pair.slice(0, at);
    const value = pair.slice(at + 1);
    const attribute = (key: string) =>
      attributes.find((a) => a.toLowerCase().startsWith(`${key}=`))?.slice(key.length + 1);
    const path = attribute('path') ?? '/';
    const maxAge = attribute('max-age');
    const expires = attribute('expires');
    const gone = maxAge === '0' || (expires !== undefined && Date.parse(expires) <= Date.now()) || value === '';
    if (gone) this.#jar.delete(`${name}|${path}`);
    else this.#jar.set(`${name}|${path}`, { value, path });
  }
}
