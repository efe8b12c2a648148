/**
 * The server's own URLs, from where it listens: the one people open, and the loopback one its relay
 * workers dial. Pure: it reads the config and the bound port, and opens nothing.
 */
import type { Config } from '../config.ts';

/** Where the server listens, and whether with TLS. */
type Listening = Pick<Config, 'host' | 'tls'>;

/** Whether `host` means every interface rather than one address. */
const anyInterface = (host: string) => host === '0.0.0.0' || host === '::';

/** `scheme://host:port`, with an IPv6 host in brackets. */
function urlOf(scheme: string, host: string, port: number): string {
  return `${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** The base URL a person opens, e.g. http://localhost:3000 (an any-interface bind shows as localhost). */
export function publicUrl(config: Listening, port: number): string {
  return urlOf(config.tls ? 'https' : 'http', anyInterface(config.host) ? 'localhost' : config.host, port);
}

/** The WebSocket base URL processes on this machine reach PeerServer at (an any-interface bind via 127.0.0.1). */
export function loopbackPeerUrl(config: Listening, port: number): string {
  return urlOf(config.tls ? 'wss' : 'ws', anyInterface(config.host) ? '127.0.0.1' : config.host, port);
}

/** A host header's value: a name or IPv4 address, or an IPv6 one in brackets, with an optional port. */
const HOST = /^([a-z0-9-]+(\.[a-z0-9-]+)*\.?|\[[0-9a-f:.]+\])(:\d{1,5})?$/i;

/**
 * The origin a request was sent to, as its client sees it: `req.protocol` and `req.host`, which
 * Express reads from X-Forwarded-Proto and X-Forwarded-Host only with TRUST_PROXY (when this server
 * serves HTTPS itself, the scheme is https). Null when the host is not a plain host[:port].
 */
export function requestOrigin(req: { protocol: string; host: string | undefined }): string | null {
  if (!req.host || !HOST.test(req.host) || (req.protocol !== 'http' && req.protocol !== 'https')) return null;
  try {
    return new URL(`${req.protocol}://${req.host}`).origin;
  } catch {
    return null;
  }
}
