/**
 * The ICE servers one member is handed: the configured ones, the app server's own STUN responder,
 * and TURN with short-lived credentials in the TURN REST API scheme coturn checks with
 * `use-auth-secret` (username `expiry:memberId`, credential base64(HMAC-SHA1(secret, username))).
 * No long-lived TURN password ever reaches a browser. Pure apart from the HMAC: no I/O, no clock.
 */
import { createHmac } from 'node:crypto';
import type { IceServer } from '../../src/shared/protocol.ts';
import type { Config } from '../config.ts';

/** Short-lived TURN credentials for `memberId`, valid until `nowMs` + TTL. */
export function turnCredentials(
  turn: { secret: string; ttlS: number },
  memberId: string,
  nowMs: number,
): { username: string; credential: string } {
  const expiryS = Math.floor(nowMs / 1000) + turn.ttlS;
  const username = `${expiryS}:${memberId}`;
  const credential = createHmac('sha1', turn.secret).update(username).digest('base64');
  return { username, credential };
}

/**
 * The ICE servers for a browser that reached this server at `hostname`: STUN on the app server's
 * own port (at the address the browser already reaches), plus TURN for `memberId` when configured.
 */
export function iceServersFor(
  config: Pick<Config, 'iceServers' | 'stunPort' | 'turn'>,
  request: { hostname: string; stunPort: number | null },
  member: { id: string; nowMs: number } | null,
): IceServer[] {
  const servers: IceServer[] = [...config.iceServers];
  if (request.stunPort !== null) {
    const host = request.hostname.includes(':') ? `[${request.hostname}]` : request.hostname;
    servers.push({ urls: `stun:${host}:${request.stunPort}` });
  }
  if (config.turn && member) {
    servers.push({ urls: [...config.turn.urls], ...turnCredentials(config.turn, member.id, member.nowMs) });
  }
  return servers;
}
