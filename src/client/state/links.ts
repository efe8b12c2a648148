/**
 * The app's addresses. Join links open the app ready to join: `/join/CODE` for students and
 * `/join/CODE#key=KEY` for supervisors; a class's page is `/classes/ID`, and its co-teacher invite
 * `/classes/ID#key=TEACHER_KEY`. Keys ride in the fragment, which browsers never send to a server
 * or in a Referer header, so they stay out of logs.
 */
import { CODE_LENGTH, normalizeCode } from '../../shared/protocol.ts';

/** A screen of the app. */
export type Route =
  | { screen: 'home' }
  | { screen: 'lobby' }
  | { screen: 'join'; code: string; supervisorKey: string | null }
  | { screen: 'room'; code: string }
  | { screen: 'classes' }
  /** A class's page; `teacherKey` only when opened from a co-teacher invite link. */
  | { screen: 'class'; classId: string; teacherKey: string | null }
  /** A class's students' link: `/class/<join secret>`. */
  | { screen: 'class-link'; secret: string };

/** Class ids, teacher keys and join secrets are base64url (22 to 43 characters); 64 leaves room. */
const CLASS_TOKEN = /^[A-Za-z0-9_-]{1,64}$/;

/** Reads a route from a location's path and fragment; unknown paths are Home. */
export function parseRoute(pathname: string, hash = ''): Route {
  const parts = pathname.split('/').filter(Boolean);
  if (parts.length === 0) return { screen: 'home' };
  if (parts[0] === 'lobby' && parts.length === 1) return { screen: 'lobby' };
  if (parts[0] === 'class' && parts.length === 2) {
    const secret = safeDecode(parts[1]!);
    return CLASS_TOKEN.test(secret) ? { screen: 'class-link', secret } : { screen: 'home' };
  }
  if (parts[0] === 'classes' && parts.length === 1) return { screen: 'classes' };
  if (parts[0] === 'classes' && parts.length === 2) {
    const classId = parts[1]!;
    if (!CLASS_TOKEN.test(classId)) return { screen: 'home' };
    const key = fragmentKey(hash);
    return { screen: 'class', classId, teacherKey: key !== null && CLASS_TOKEN.test(key) ? key : null };
  }
  if ((parts[0] === 'join' || parts[0] === 'room') && parts.length === 2) {
    const code = normalizeCode(safeDecode(parts[1]!));
    if (code.length !== CODE_LENGTH) return { screen: 'home' };
    if (parts[0] === 'room') return { screen: 'room', code };
    const key = fragmentKey(hash);
    return { screen: 'join', code, supervisorKey: key ? normalizeCode(key) : null };
  }
  return { screen: 'home' };
}

/** The `key=` value of a link's fragment, if any. */
function fragmentKey(hash: string): string | null {
  return new URLSearchParams(hash.replace(/^#/, '')).get('key') || null;
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
    case 'classes':
      return '/classes';
    case 'class':
      return `/classes/${route.classId}${route.teacherKey ? `#key=${route.teacherKey}` : ''}`;
  }
}

/** Full link a student opens to join. */
export function studentLink(origin: string, code: string): string {
  return `${origin}${routePath({ screen: 'join', code, supervisorKey: null })}`;
}

/** Full link a co-teacher opens to join as supervisor; it carries the key, so share it privately. */
export function supervisorLink(origin: string, code: string, supervisorKey: string): string {
  return `${origin}${routePath({ screen: 'join', code, supervisorKey: normalizeCode(supervisorKey) })}`;
}

/** Full link students open to join a class's lessons, valid until its teachers ask for a new one. */
export function classJoinLink(origin: string, joinSecret: string): string {
  return `${origin}${routePath({ screen: 'class-link', secret: joinSecret })}`;
}

/** Full link that makes whoever opens it a teacher of the class: it carries the class teacher key. */
export function teacherInviteLink(origin: string, classId: string, teacherKey: string): string {
  return `${origin}${routePath({ screen: 'class', classId, teacherKey })}`;
}

/** The key as people read it aloud: XXXX-XXXX-XXXX. */
export function formatKey(key: string): string {
  return normalizeCode(key).replace(/(.{4})(?=.)/g, '$1-');
}
