/**
 * The sign-in cookies: their names, attributes and parsing, and the one rule for a safe return
 * path. Pure: strings in, strings out.
 */

/** The session cookie; over HTTPS with the `__Host-` prefix, which browsers keep to Secure, Path=/ and this host. */
const SESSION = 'classroom-session';
/** The sign-in-under-way cookie, sent back only to the auth routes. */
const FLOW = 'classroom-sign-in';
/** Where the flow cookie goes. */
const FLOW_PATH = '/api/auth';

/** The session cookie's name for a request over HTTPS or not. */
export const sessionCookieName = (secure: boolean) => (secure ? `__Host-${SESSION}` : SESSION);
/** The flow cookie's name for a request over HTTPS or not. */
export const flowCookieName = (secure: boolean) => (secure ? `__Secure-${FLOW}` : FLOW);

/**
 * A `Set-Cookie` value: never readable by script (HttpOnly), SameSite=Lax (the provider's redirect
 * back is a top-level navigation from its site, which Strict would send without the cookie), Secure
 * over HTTPS. `maxAgeS` 0 deletes it.
 */
function cookie(name: string, value: string, path: string, maxAgeS: number, secure: boolean): string {
  return `${name}=${value}; Max-Age=${maxAgeS}; Path=${path}; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`;
}

/** The session cookie carrying `id` for `maxAgeS` seconds. */
export const sessionCookie = (id: string, maxAgeS: number, secure: boolean) =>
  cookie(sessionCookieName(secure), id, '/', maxAgeS, secure);
/** Deletes the session cookie. */
export const noSessionCookie = (secure: boolean) => cookie(sessionCookieName(secure), '', '/', 0, secure);
/** The flow cookie carrying `id` for `maxAgeS` seconds. */
export const flowCookie = (id: string, maxAgeS: number, secure: boolean) =>
  cookie(flowCookieName(secure), id, FLOW_PATH, maxAgeS, secure);
/** Deletes the flow cookie. */
export const noFlowCookie = (secure: boolean) => cookie(flowCookieName(secure), '', FLOW_PATH, 0, secure);

/** The value of cookie `name` in a `Cookie` header, or undefined. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim() || undefined;
  }
  return undefined;
}

/** Longest return path accepted. */
const RETURN_PATH_MAX = 512;

/**
 * `raw` when it is a path on this server (`/join/AB3D`, `/class/x?tab=roster`), else null: no
 * scheme, no `//host` or `/\host` (which browsers read as another host), no control characters.
 */
export function safeReturnPath(raw: unknown): string | null {
  if (typeof raw !== 'string' || raw.length > RETURN_PATH_MAX) return null;
  // eslint-disable-next-line no-control-regex
  if (!raw.startsWith('/') || /^\/[/\\]/.test(raw) || /[\\\u0000-\u001F\u007F]/.test(raw)) return null;
  const base = 'http://return.invalid';
  const url = new URL(raw, base);
  return url.origin === base ? `${url.pathname}${url.search}${url.hash}` : null;
}
