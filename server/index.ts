/**
 * Entry point: reads the configuration from the environment (and a `.env` file in the project
 * folder, whose values never override real environment variables), starts the server, and shuts it
 * down cleanly on SIGINT/SIGTERM (a second signal exits at once). Everything else is composed in instance.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { ConfigError, loadConfig } from './config.ts';
import { loadDotEnv, projectRoot } from './env-file.ts';
import { ExtensionBuildError } from './extension/extension-package.ts';
import { SigningKeyError } from './extension/signing-key.ts';
import { startServer } from './instance.ts';
import { holdLease } from './standby.ts';
import { StoreUnavailable } from './store/open-store.ts';

const root = projectRoot();
loadDotEnv(root);

let config;
try {
  config = loadConfig(process.env);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}

const log = pino({ level: config.logLevel });
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };

/** A stop must not hang a restart: whatever is still open after this is cut. */
const STOP_DEADLINE_MS = 5_000;
const stopRequested = new AbortController();
let stop: (restart: boolean) => Promise<void> = async () => undefined;
let saveAgain: () => void = () => undefined;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    // A second signal means "now": the state was saved after every change anyway.
    if (stopRequested.signal.aborted) process.exit(1);
    stopRequested.abort();
    log.info({ signal }, 'stopping for a restart: telling clients, saving rooms');
    setTimeout(() => {
      log.error({ deadlineMs: STOP_DEADLINE_MS }, 'stopping took too long; exiting anyway');
      process.exit(1);
    }, STOP_DEADLINE_MS).unref();
    // SIGTERM is how services are restarted (systemd, an update): the relay workers forward on for
    // the next process to adopt. SIGINT (Ctrl-C) stops them too.
    void stop(signal === 'SIGTERM').then(() => process.exit(0));
  });
}

try {
  // With Redis, only the instance holding the lease serves rooms; another one stands by.
  const lease =
    config.store.kind === 'redis'
      ? await holdLease({
          config,
          url: config.store.url,
          version,
          log: log.child({ part: 'standby' }),
          signal: stopRequested.signal,
          onLost: () => process.exit(1),
          onRegained: () => saveAgain(),
        })
      : null;
  const server = await startServer(config, {
    log,
    version,
    webDir: join(root, 'dist', 'app'),
    extensionDir: join(root, 'dist', 'extension'),
    ...(lease ? { leaseId: lease.instanceId } : {}),
  });
  // Kept relay workers end by themselves if no new process adopts them (ORPHAN_MS).
  stop = async (restart) => {
    await server.close({ keepRelayWorkers: restart });
    await lease?.release();
  };
  saveAgain = () => server.saveAgain();
  log.info({ url: server.url, version }, `classroom screens is listening on ${server.url}`);
  if (stopRequested.signal.aborted) await stop(true).then(() => process.exit(0));
} catch (error) {
  if (stopRequested.signal.aborted) process.exit(0);
  if (!(error instanceof StoreUnavailable || error instanceof SigningKeyError || error instanceof ExtensionBuildError))
    throw error;
  console.error(error.message);
  process.exit(1);
}
