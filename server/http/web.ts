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

/** Logs one line per finished request: method, path without the query (tokens travel there), status, time. */
export function requestLog(log: Logger) {
  return (req: Request, res: Response, next: NextFunction) => {
    const started = process.hrtime.bigint();
    res.on('close', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const line = {
        method: req.method,
        path: req.originalUrl.split('?')[0],
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
