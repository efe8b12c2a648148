/**
 * Who is calling: the one seat middleware (token → the caller's seat in the URL's room) and the
 * small request helpers every route shares. It decides no room rule; the registry does.
 */
import type { Request, RequestHandler, Response } from 'express';
import { ipKeyGenerator } from 'express-rate-limit';
import { authenticate, type Seat } from '../core/room-registry.ts';
import type { RoomStore } from '../room-store.ts';
import { ApiError, succeed } from './errors.ts';

/**
 * Puts the caller's seat in the room named by `:code` on `res.locals`, or answers 401, then counts
 * the request against that seat's own limit (`perSeat`), never its address's. The token is the
 * `Authorization: Bearer` header; event streams (EventSource cannot send headers) pass `'query'` to
 * read `?token=` instead. An unknown room answers exactly like a wrong token, so these routes cannot
 * be used to find out which codes are open; a refused token is counted nowhere, so it cannot spend a
 * member's budget.
 */
export function requireSeat(
  store: Pick<RoomStore, 'state'>,
  perSeat: RequestHandler,
  from: 'header' | 'query' = 'header',
): RequestHandler {
  return (req, res, next) => {
    const token = from === 'query' ? (typeof req.query.token === 'string' ? req.query.token : '') : bearerToken(req);
    const outcome = authenticate(store.state, String(req.params.code), token);
    if (!outcome.ok && outcome.error === 'room-not-found') throw new ApiError('unauthorized');
    res.locals.seat = succeed(outcome);
    return perSeat(req, res, next);
  };
}

/** The seat `requireSeat` found for this request. */
export function seatOf(res: Response): Seat {
  return res.locals.seat as Seat;
}

/** The client's address: the socket's, or with TRUST_PROXY the one the proxy saw (express's `req.ip`). */
export function address(req: Request): string {
  return req.ip ?? req.socket.remoteAddress ?? 'unknown';
}

/** The client's address as the per-address limits count it: an IPv6 address by its /56, as the rate limiter does. */
export function addressKey(req: Request): string {
  return ipKeyGenerator(address(req));
}

/** The `Authorization: Bearer` token of a request, or '' when there is none. */
export function bearerToken(req: Request): string {
  const match = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '');
  return match?.[1] ?? '';
}
