/**
 * Who is calling: the one seat middleware (token → the caller's seat in the URL's room) and the
 * small request helpers every route shares. It decides no room rule; the registry does.
 */
import type { Request, RequestHandler, Response } from 'express';
import { authenticate, type Seat } from '../core/room-registry.ts';
import type { RoomStore } from '../room-store.ts';
import { ApiError, succeed } from './errors.ts';

/**
 * Puts the caller's seat in the room named by `:code` on `res.locals`, or answers 401. The token is
 * the `Authorization: Bearer` header; event streams (EventSource cannot send headers) pass
 * `'query'` to read `?token=` instead. An unknown room answers exactly like a wrong token, so these
 * routes cannot be used to find out which codes are open.
 */
export function requireSeat(store: Pick<RoomStore, 'state'>, from: 'header' | 'query' = 'header'): RequestHandler {
  return (req, res, next) => {
    const token = from === 'query' ? (typeof req.query.token === 'string' ? req.query.token : '') : bearerToken(req);
    const outcome = authenticate(store.state, String(req.params.code), token);
    if (!outcome.ok && outcome.error === 'room-not-found') throw new ApiError('unauthorized');
    res.locals.seat = succeed(outcome);
    next();
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

/** The `Authorization: Bearer` token of a request, or '' when there is none. */
export function bearerToken(req: Request): string {
  const match = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '');
  return match?.[1] ?? '';
}
