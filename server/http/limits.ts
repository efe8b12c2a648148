/**
 * The one rate-limiter factory every API limit is made with, so each limit is one line saying what
 * it counts, and the API's limits themselves: per seat for members, per address only for what needs
 * no seat. A limit of 0 turns it off. It knows no route.
 */
import type { Request, RequestHandler, Response } from 'express';
import { rateLimit } from 'express-rate-limit';
import type { Config } from '../config.ts';
import { ApiError } from './errors.ts';
import { seatOf } from './seat.ts';

/** What one limit counts and what a person is told when they reach it. */
export interface LimitOptions {
  /** Requests allowed per window; 0 turns the limit off. */
  limit: number;
  windowMs: number;
  /** Requests this limit does not count. */
  skip?: (req: Request) => boolean;
  /** The bucket a request counts in (default: the client's address, an IPv6 address by its /56). */
  key?: (res: Response) => string;
  /** Refused requests (4xx, 5xx) give their count back. */
  skipFailedRequests?: boolean;
  /** The text of the 429 (default: the `rate-limited` text of the error table). */
  message?: string;
}

/** A rate limiter answering `rate-limited` (429) with standard `RateLimit` headers. */
export function limiter(options: LimitOptions): RequestHandler {
  if (options.limit <= 0) return (_req, _res, next) => next();
  const { key } = options;
  return rateLimit({
    windowMs: options.windowMs,
    limit: options.limit,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    skipFailedRequests: options.skipFailedRequests ?? false,
    ...(options.skip ? { skip: options.skip } : {}),
    ...(key ? { keyGenerator: (_req, res) => key(res) } : {}),
    handler: (_req, _res, next) => next(new ApiError('rate-limited', options.message)),
  });
}

/**
 * The API's request limits. A school's devices share one address (its NAT), so nothing a seated
 * member does is counted per address, and a request refused for a missing or wrong token is counted
 * nowhere: it cannot spend anyone's budget, and costs the server a hash and a lookup.
 */
export interface RequestLimits {
  /** Every request a member makes with their seat token, reads and event streams included; run by `requireSeat`. */
  seat: RequestHandler;
  /** Joining a room and creating one, per client address. */
  entry: RequestHandler;
  /** Reads that need no seat (the runtime config, the lobby), per client address. */
  read: RequestHandler;
}

/** Builds the API's limits from the config. */
export function requestLimits(
  config: Pick<Config, 'seatRateLimitPerMinute' | 'rateLimitPerMinute' | 'readRateLimitPerMinute'>,
): RequestLimits {
  const minute = 60_000;
  return {
    seat: limiter({
      windowMs: minute,
      limit: config.seatRateLimitPerMinute,
      key: (res) => `seat:${seatOf(res).room.code}:${seatOf(res).member.id}`,
      message: `Your device sent more than ${config.seatRateLimitPerMinute} requests in a minute; wait a minute and try again.`,
    }),
    entry: limiter({
      windowMs: minute,
      limit: config.rateLimitPerMinute,
      message: `Your address joined or created rooms more than ${config.rateLimitPerMinute} times in a minute; wait a minute and try again.`,
    }),
    read: limiter({ windowMs: minute, limit: config.readRateLimitPerMinute }),
  };
}
