/**
 * The active-instance lease in Redis: one key holding the holder's instance id with a short
 * expiry. Only the holder serves rooms and writes state (writes are fenced by the same key), so a
 * standby pointed at the same Redis takes over when the active instance stops renewing it.
 */
import type { Redis } from 'ioredis';
import { KEY_PREFIX } from './redis-store.ts';

/** The lease key. */
export const LEASE_KEY = `${KEY_PREFIX}lease`;
/** The lease lapses this long after its holder's last renewal (a dead holder is replaced after at most this). */
export const LEASE_TTL_MS = 5_000;
/** The holder renews, and a standby tries to take it, this often. */
export const LEASE_RENEW_MS = 1_000;

/**
 * The outcome of a renewal: still ours; ours again after it had lapsed (Redis was away, or
 * restarted empty); taken by another instance; or Redis could not be asked.
 */
export type Renewal = 'held' | 'regained' | 'lost' | 'unreachable';

const RENEW = `local holder = redis.call('get', KEYS[1])
if holder == ARGV[1] then redis.call('pexpire', KEYS[1], ARGV[2]) return 1 end
if not holder then redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 2 end
return 0`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/** One instance's side of the lease. */
export class RedisLease {
  constructor(
    private readonly redis: Redis,
    /** Unique per process: host, pid and random. */
    readonly instanceId: string,
  ) {}

  /** Takes the lease if nobody holds it; true when this instance now holds it. */
  async tryAcquire(): Promise<boolean> {
    return (await this.redis.set(LEASE_KEY, this.instanceId, 'PX', LEASE_TTL_MS, 'NX')) === 'OK';
  }

  /** Extends the lease if this instance still holds it, or takes it back if nobody does. */
  async renew(): Promise<Renewal> {
    try {
      const outcome = await this.redis.eval(RENEW, 1, LEASE_KEY, this.instanceId, LEASE_TTL_MS);
      return outcome === 1 ? 'held' : outcome === 2 ? 'regained' : 'lost';
    } catch {
      return 'unreachable';
    }
  }

  /** Gives the lease up at once (a planned stop), so a standby need not wait for it to lapse. */
  async release(): Promise<void> {
    await this.redis.eval(RELEASE, 1, LEASE_KEY, this.instanceId).catch(() => undefined);
  }
}
