/** Starts the real server (Express + PeerServer) on a free loopback port, capturing its log lines. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { loadConfig } from '../../server/config.ts';
import { startServer, type RunningServer } from '../../server/instance.ts';
import { LIMITS_OFF } from './limits.ts';

export interface TestServer extends RunningServer {
  /** Every log line written so far, raw JSON. */
  readonly logs: string[];
}

/**
 * `env` overrides the defaults (no room state is saved unless a test says so; the classes database
 * is SQLite in a temporary DATA_DIR, removed on close, unless the test gives DATA_DIR or
 * DATABASE_URL); `clock` replaces the server's clock and `wait` the timer its slow-downs wait on;
 * `extensionDir` is a built companion extension to serve.
 */
export async function startTestServer(
  env: Record<string, string> = {},
  options: { clock?: () => number; wait?: (ms: number) => Promise<void>; webDir?: string; extensionDir?: string } = {},
): Promise<TestServer> {
  const dataDir =
    env.DATA_DIR === undefined && env.DATABASE_URL === undefined
      ? mkdtempSync(join(tmpdir(), 'classroom-test-'))
      : null;
  const config = loadConfig({
    ...(dataDir === null ? {} : { DATA_DIR: dataDir }),
    PORT: '0',
    HOST: '127.0.0.1',
    STUN_PORT: '0',
    LOG_LEVEL: 'trace',
    STORE_URL: 'memory',
    ...LIMITS_OFF,
    // One relay process per test server keeps the suite light; the worker tests ask for more.
    RELAY_WORKERS: '1',
    ...env,
  });
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logs.push(String(chunk));
      done();
    },
  });
  const log = pino({ level: config.logLevel }, sink);
  const server = await startServer(config, {
    log,
    version: '0.0.0-test',
    webDir: options.webDir ?? '/nonexistent',
    extensionDir: options.extensionDir,
    clock: options.clock,
    wait: options.wait,
  });
  if (dataDir !== null) {
    const close = server.close;
    server.close = async () => {
      await close();
      rmSync(dataDir, { recursive: true, force: true });
    };
  }
  return Object.assign(server, { logs });
}

/** Resolves once the server's relay worker is up (registered with PeerServer); throws after `timeoutMs`. */
export async function relayUp(server: TestServer, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!server.relay?.up) {
    if (Date.now() > deadline) throw new Error('the relay worker did not come up');
    await new Promise((r) => setTimeout(r, 50));
  }
}
