/**
 * The one rate-limiter factory every API limit is made with, so each limit is one line saying what
 * it counts. A limit of 0 turns it off. It knows no route.
 */
import type { Request, RequestHandler, Response } from 'express';
import { rateLimit } from 'express-rate-limit';
import { ApiError } from './errors.ts';

/** What one limit counts and what a person is told when they reach it. */
export interface LimitOptions {
  /** Requests allowed per window; 0 turns the limit off. */
  limit: number;
  windowMs: number;
  /** Requests this limit does not count. */
  skip?: (req: Request) => boolean;
  /** The bucket a request counts in (default: the client's address). */
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
