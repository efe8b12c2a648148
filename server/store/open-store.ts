/** Opens the store the configuration names: a file in DATA_DIR, Redis, or none (STORE_URL=memory). */
import type { StoreConfig } from '../config.ts';
import { openFileStore } from './file-store.ts';
import { openRedisStore } from './redis-store.ts';
import type { StateStore } from './state-store.ts';

/** Thrown when the configured store cannot be opened at start; the message says what to do. */
export class StoreUnavailable extends Error {
  constructor(message: string, options?: { cause: unknown }) {
    super(message, options);
    this.name = 'StoreUnavailable';
  }
}

/** The store for `config`, or null when nothing is to be saved; Redis writes are fenced by `leaseId` when given. */
export async function openStateStore(
  config: StoreConfig,
  onError: (error: Error) => void,
  leaseId: string | null = null,
): Promise<StateStore | null> {
  if (config.kind === 'memory') return null;
  if (config.kind === 'redis') {
    try {
      return await openRedisStore(config.url, onError, leaseId);
    } catch (error) {
      throw new StoreUnavailable((error as Error).message, { cause: error });
    }
  }
  try {
    return await openFileStore(config.dataDir);
  } catch (error) {
    throw new StoreUnavailable(
      `Cannot use DATA_DIR=${config.dataDir} for saved rooms (${(error as Error).message}). ` +
        'Give the server user a folder it can write (for example DATA_DIR=/var/lib/classroom-screens).',
      { cause: error },
    );
  }
}
