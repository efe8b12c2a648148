/**
 * Serves the built PWA: compressed, hashed assets cached for a year, the shell and service worker
 * always revalidated (so an update is noticed), and app routes such as /join/CODE answered with the shell.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import compression from 'compression';
import express, { type Request, type Response, type NextFunction } from 'express';
import type { Logger } from 'pino';

/** Returns the static-file handler for `dir`, or a page saying how to build it when it is missing. */
export function createWebApp(dir: string): express.Router {
  const web = express.Router();
  const index = join(dir, 'index.html');
  if (!existsSync(index)) {
    web.get('/', (_req, res) => {
      res
        .type('text')
        .send('The app is not built yet. Run `npm start` (which builds it), or `npm run dev` while developing.');
    });
    return web;
  }
  // Only here: compressing the API would hold back event streams.
  web.use(compression());
  web.use(
    express.static(dir, {
      index: false,
      setHeaders(res, path) {
        const immutable = path.includes(`${join(dir, 'assets')}`);
        res.setHeader('Cache-Control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    }),
  );
  web.use((req: Request, res: Response, next: NextFunction) => {
    const isFile = /\.[a-z0-9]+$/i.test(req.path);
    if ((req.method !== 'GET' && req.method !== 'HEAD') || isFile || !req.accepts('html')) return next();
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(index);
  });
  return web;
}

/**
 * Path segments that are credentials or personal data, and what the log writes in their place: a
 * class's join secret lets anyone into its lessons, and a co-teacher's address is theirs (issue #20:
 * no tokens in logs). Express matches routes case-insensitively, so these do too.
 */
const REDACTED_SEGMENTS: readonly (readonly [RegExp, string])[] = [
  [/^(\/api\/join\/)[^/]+/i, '$1:secret'],
  [/^(\/class\/)[^/]+/i, '$1:secret'],
  [/^(\/api\/classes\/[^/]+\/teachers\/)[^/]+/i, '$1:email'],
];

/** The path a log line may hold: no query (tokens travel there), and no secret or address from `REDACTED_SEGMENTS`. */
export function loggedPath(url: string): string {
  const path = url.split('?')[0] ?? '';
  return REDACTED_SEGMENTS.reduce((logged, [segment, placeholder]) => logged.replace(segment, placeholder), path);
}

/** Logs one line per finished request: method, path as `loggedPath` writes it, status, time. */
export function requestLog(log: Logger) {
  return (req: Request, res: Response, next: NextFunction) => {
    const started = process.hrtime.bigint();
    res.on('close', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const line = {
        method: req.method,
        path: loggedPath(req.originalUrl),
        status: res.statusCode,
        ms: Math.round(ms),
      };
      if (res.statusCode >= 500) log.error(line, 'request failed');
      else if (req.method === 'GET' || req.method === 'HEAD') log.debug(line, 'request');
      else log.info(line, 'request');
    });
    next();
  };
}
