/**
 * The app's addresses. Join links open the app ready to join: `/join/CODE` for students and
 * `/join/CODE#key=KEY` for supervisors. The key rides in the fragment, which browsers never send
 * to a server or in a Referer header, so it stays out of logs.
 */
import { CODE_LENGTH, normalizeCode } from '../../shared/protocol.ts';

/** A screen of the app. */
export type Route =
  | { screen: 'home' }
  | { screen: 'lobby' }
  | { screen: 'join'; code: string; supervisorKey: string | null }
  | { screen: 'room'; code: string }
  /** A class's students' link: `/class/<join secret>`. */
  | { screen: 'class-link'; secret: string };

/** Reads a route from a location's path and fragment; unknown paths are Home. */
export function parseRoute(pathname: string, hash = ''): Route {
  const parts = pathname.split('/').filter(Boolean);
  if (parts.length === 0) return { screen: 'home' };
  if (parts[0] === 'lobby' && parts.length === 1) return { screen: 'lobby' };
  if (parts[0] === 'class' && parts.length === 2) {
    const secret = safeDecode(parts[1]!);
    return /^[A-Za-z0-9_-]{8,64}$/.test(secret) ? { screen: 'class-link', secret } : { screen: 'home' };
  }
  if ((parts[0] === 'join' || parts[0] === 'room') && parts.length === 2) {
    const code = normalizeCode(safeDecode(parts[1]!));
    if (code.length !== CODE_LENGTH) return { screen: 'home' };
    if (parts[0] === 'room') return { screen: 'room', code };
    const key = new URLSearchParams(hash.replace(/^#/, '')).get('key');
    return { screen: 'join', code, supervisorKey: key ? normalizeCode(key) : null };
  }
  return { screen: 'home' };
}

/** A malformed escape (a mistyped link) reads as itself rather than throwing. */
function safeDecode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

/** The path (and fragment) of a route. */
export function routePath(route: Route): string {
  switch (route.screen) {
    case 'home':
      return '/';
    case 'lobby':
      return '/lobby';
    case 'room':
      return `/room/${route.code}`;
    case 'join':
      return `/join/${route.code}${route.supervisorKey ? `#key=${route.supervisorKey}` : ''}`;
    case 'class-link':
      return `/class/${route.secret}`;
  }
}

/** Full link a student opens to join. */
export function studentLink(origin: string, code: string): string {
  return `${origin}${routePath({ screen: 'join', code, supervisorKey: null })}`;
}

/** Full link a class's students open, from lesson to lesson. */
export function classLink(origin: string, secret: string): string {
  return `${origin}${routePath({ screen: 'class-link', secret })}`;
}

/** Full link a co-teacher opens to join as supervisor; it carries the key, so share it privately. */
export function supervisorLink(origin: string, code: string, supervisorKey: string): string {
  return `${origin}${routePath({ screen: 'join', code, supervisorKey: normalizeCode(supervisorKey) })}`;
}

/** The key as people read it aloud: XXXX-XXXX-XXXX. */
export function formatKey(key: string): string {
  return normalizeCode(key).replace(/(.{4})(?=.)/g, '$1-');
}
