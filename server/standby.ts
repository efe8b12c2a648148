/**
 * Standby with Redis (STORE_URL=redis://…): an instance serves rooms only while it holds the lease.
 * Until then it answers GET /api/health with 503 and status "standby", so a health-checking proxy
 * sends everyone to the active instance, and takes over when the active one stops renewing.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { hostname } from 'node:os';
import type { ErrorBody, HealthResponse } from '../src/shared/protocol.ts';
import type { Config } from './config.ts';
import { StoreUnavailable } from './store/open-store.ts';
import { LEASE_RENEW_MS, RedisLease } from './store/lease.ts';
import { openRedisStore } from './store/redis-store.ts';

/** The parts of the logger the standby uses. */
interface StandbyLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** The lease, held: renewed until released or lost. */
export interface HeldLease {
  readonly instanceId: string;
  /** Gives the lease up (after the final save of a planned stop) and closes its connection. */
  release(): Promise<void>;
}

/**
 * Resolves once this instance holds the lease, serving the standby answer on the configured port
 * meanwhile (`signal` aborts the wait). `onLost` is called if another instance takes the lease later.
 */
export async function holdLease(deps: {
  config: Pick<Config, 'port' | 'host' | 'tls'>;
  url: string;
  version: string;
  log: StandbyLog;
  onLost: () => void;
  /** The lease had lapsed and is ours again: Redis may have restarted empty, so save everything again. */
  onRegained: () => void;
  signal: AbortSignal;
}): Promise<HeldLease> {
  const { config, log } = deps;
  let connection;
  try {
    connection = await openRedisStore(deps.url, () => undefined);
  } catch (error) {
    throw new StoreUnavailable((error as Error).message, { cause: error });
  }
  const redis = connection.redis;
  const lease = new RedisLease(redis, `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`);

  if (!(await lease.tryAcquire().catch(() => false))) {
    log.info({ instanceId: lease.instanceId }, 'another instance is active: standing by to take over');
    const server = await serveStandby(config, deps.version);
    try {
      while (!deps.signal.aborted && !(await lease.tryAcquire().catch(() => false))) {
        await new Promise((resolve) => setTimeout(resolve, LEASE_RENEW_MS));
      }
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
    }
    if (deps.signal.aborted) {
      await connection.close();
      throw new Error('stopped while standing by');
    }
    log.info({ instanceId: lease.instanceId }, 'took over as the active instance');
  }

  let unreachable = false;
  const renewal = setInterval(() => {
    void lease.renew().then((outcome) => {
      if (outcome === 'lost') {
        clearInterval(renewal);
        log.error({ instanceId: lease.instanceId }, 'another instance took the lease: this one stops serving rooms');
        deps.onLost();
      } else if (outcome === 'unreachable' && !unreachable) {
        unreachable = true;
        log.warn({}, 'cannot renew the lease: Redis is away; serving on from memory');
      } else if (outcome === 'regained') {
        unreachable = false;
        log.warn({}, 'the lease had lapsed (Redis was away or restarted); holding it again and saving the rooms again');
        deps.onRegained();
      } else if (outcome === 'held') {
        unreachable = false;
      }
    });
  }, LEASE_RENEW_MS);

  return {
    instanceId: lease.instanceId,
    async release() {
      clearInterval(renewal);
      await lease.release();
      await connection.close();
    },
  };
}

/** The standby's whole HTTP surface: health says standby, everything else says where to go. */
async function serveStandby(config: Pick<Config, 'port' | 'host' | 'tls'>, version: string): Promise<Server> {
  const startedAt = Date.now();
  const listener: RequestListener = (req, res) => {
    const isHealth = (req.url ?? '').split('?')[0] === '/api/health';
    const body: HealthResponse | ErrorBody = isHealth
      ? {
          status: 'standby',
          version,
          uptimeS: Math.round((Date.now() - startedAt) / 1000),
          rooms: 0,
          members: 0,
          relay: 'off',
          store: { kind: 'redis', saving: 'ok' },
        }
      : {
          error: 'server-restarting',
          message: 'This is the standby server; rooms are served by the active one. Try again in a few seconds.',
        };
    res.writeHead(503, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
    res.end(JSON.stringify(body));
  };
  const server = config.tls
    ? createHttpsServer({ cert: readFileSync(config.tls.certFile), key: readFileSync(config.tls.keyFile) }, listener)
    : createHttpServer(listener);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  return server;
}
