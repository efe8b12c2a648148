/**
 * The school's settings for the extension: what an admin sets for it in the Google Admin console
 * (managed storage, described by managed-schema.json), read and checked. Pure.
 */
import { parseUrl } from '../../src/shared/whatwg-url.ts';

/** The settings the extension works with. */
export interface ManagedConfig {
  /** The classroom server's origin, e.g. `https://screens.school.example`. */
  serverOrigin: string;
}

/** The settings read: set, not set (the extension stays idle), or set wrongly (idle, and says why). */
export type ManagedConfigResult =
  { state: 'set'; config: ManagedConfig } | { state: 'unset' } | { state: 'invalid'; problem: string };

const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/;

/**
 * Reads what `chrome.storage.managed.get('serverUrl')` returned. The address must be https (the
 * seat's credentials cross the school's network), or http on this machine's loopback, for trying it out.
 */
export function readManagedConfig(data: unknown): ManagedConfigResult {
  const serverUrl = typeof data === 'object' && data !== null ? (data as Record<string, unknown>).serverUrl : undefined;
  if (serverUrl === undefined || serverUrl === '') return { state: 'unset' };
  const url = typeof serverUrl === 'string' ? parseUrl(serverUrl.trim()) : null;
  const secure = url?.protocol === 'https:' || (url?.protocol === 'http:' && LOOPBACK.test(url.hostname));
  if (!url || !secure) {
    return {
      state: 'invalid',
      problem: `serverUrl must be the classroom server's https:// address, like https://screens.school.example (http:// only for localhost), not ${JSON.stringify(serverUrl)}`,
    };
  }
  return { state: 'set', config: { serverOrigin: url.origin } };
}
