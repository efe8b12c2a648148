/**
 * The Redis store (STORE_URL=redis://…), for schools that run Redis or a standby instance: the saved
 * text is one key, replaced with one SET, so readers never see half a save. While Redis is away,
 * commands fail at once (no queue) and the caller keeps serving from memory.
 */
import { Redis } from 'ioredis';
import { asideStamp, type StateStore } from './state-store.ts';

/** Keys this server uses start with this. */
export const KEY_PREFIX = 'classroom-screens:';
/** The key holding the saved state. */
export const STATE_KEY = `${KEY_PREFIX}state`;

/** How long the first connection may take before the start fails. */
const CONNECT_TIMEOUT_MS = 3_000;

/** A Redis state store, with its connection for the standby lease. */
export interface RedisStateStore extends StateStore {
  readonly kind: 'redis';
  /** The connection, shared with the lease. */
  readonly redis: Redis;
}

/** A redis URL without its password, for logs and errors. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'redis://(unreadable URL)';
  }
}

/** Sets the state only while the lease (KEYS[1]) holds this instance's id, so a replaced instance cannot overwrite its successor. */
const FENCED_SET = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('set', KEYS[2], ARGV[2]) else return redis.error_reply('this instance no longer holds the lease') end`;

/**
 * Connects to Redis; rejects with a sentence naming STORE_URL when it cannot be reached. With a
 * `leaseId`, every write is fenced by the lease (see lease.ts).
 */
export async function openRedisStore(
  url: string,
  onError: (error: Error) => void,
  leaseId: string | null = null,
): Promise<RedisStateStore> {
  const redis = new Redis(url, {
    lazyConnect: true,
    // Fail commands at once while disconnected: saving retries on its own, and rooms run from memory.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: CONNECT_TIMEOUT_MS,
    // Keep trying to come back, at most every 2 s.
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
  });
  redis.on('error', onError);
  try {
    await redis.connect();
  } catch (error) {
    redis.disconnect();
    throw new Error(
      `Cannot reach Redis at STORE_URL=${redactUrl(url)} (${(error as Error).message}). ` +
        'Start Redis, fix STORE_URL (for example STORE_URL=redis://127.0.0.1:6379/0), or unset it to save in DATA_DIR.',
      { cause: error },
    );
  }
  return {
    kind: 'redis',
    where: redactUrl(url),
    redis,
    read: () => redis.get(STATE_KEY),
    async write(text) {
      if (leaseId === null) await redis.set(STATE_KEY, text);
      else await redis.eval(FENCED_SET, 2, `${KEY_PREFIX}lease`, STATE_KEY, leaseId, text);
    },
    async keepAside(now) {
      const aside = `${STATE_KEY}:damaged-${asideStamp(now)}`;
      await redis.rename(STATE_KEY, aside);
      return aside;
    },
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
