/**
 * Signing a `TestBrowser` in to the app through the test provider, and calling the API as that
 * browser does (its cookies, and its session's CSRF token on changing requests).
 */
import type { AuthMeResponse } from '../../src/shared/protocol.ts';
import type { TestBrowser } from './browser-session.ts';

/** Signs `login` in to the app at `base` in `browser`: the pages on the way and the callback's answer. */
export async function signInAt(base: string, browser: TestBrowser, login: string, returnTo = '/join/ABCDEF') {
  const isCallback = (url: URL) => url.origin === base && url.pathname === '/api/auth/callback';
  const start = `${base}/api/auth/login?returnTo=${encodeURIComponent(returnTo)}`;
  const { stop, pages } = await browser.navigate(start, login, isCallback);
  const callback = await browser.fetch(stop.href);
  return { pages, callback, code: stop.searchParams.get('code') ?? '' };
}

/** Sends an API request to `base` from `browser` with its cookies, and its session's CSRF token unless told not to. */
export async function apiAt<T>(
  base: string,
  browser: TestBrowser,
  method: string,
  path: string,
  options: { body?: unknown; csrf?: boolean } = {},
) {
  const headers: Record<string, string> = { accept: 'application/json', 'content-type': 'application/json' };
  if (options.csrf !== false) {
    const me = await browser.fetch(`${base}/api/auth/me`, { headers: { accept: 'application/json' } });
    const token = (JSON.parse(me.text) as AuthMeResponse).csrfToken;
    if (token) headers['x-csrf-token'] = token;
  }
  const page = await browser.fetch(`${base}${path}`, {
    method,
    headers,
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  return { status: page.status, body: (page.text ? JSON.parse(page.text) : null) as T };
}
