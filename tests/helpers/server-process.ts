/**
 * The server as its own process, to be killed and started again on the same port and data: from
 * source through tsx (integration tests) or built (browser tests, benchmarks).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { HealthResponse } from '../../src/shared/protocol.ts';
import { root } from './built-server.ts';

/** A running server process. */
export interface ServerProcess {
  readonly url: string;
  readonly pid: number;
  /** When /api/health first answered 200 (performance.now()). */
  readonly answeredAt: number;
  /** Everything it wrote to stdout and stderr so far (JSON log lines). */
  readonly output: string[];
  /** Resolves with the exit code (or signal) once the process has ended. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends a signal (SIGKILL for a crash, SIGTERM for a planned restart). */
  kill(signal: NodeJS.Signals): void;
}

/**
 * Starts the server on 127.0.0.1:`port`; resolves once /api/health answers 200 with the relay up
 * (or off; or, `waitForRelay` false, in any state: with RELAY_WORKERS=0 it is up only once a relay
 * node joins), or with `standby`, once it answers as a standby instance.
 */
export async function startServerProcess(options: {
  port: number;
  env: Record<string, string>;
  built?: boolean;
  standby?: boolean;
  waitForRelay?: boolean;
}): Promise<ServerProcess> {
  const args = options.built
    ? [join(root, 'dist/node/server/index.js')]
    : ['--import', 'tsx', join(root, 'server/index.ts')];
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: {
      ...process.env,
      PORT: String(options.port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      RATE_LIMIT_PER_MIN: '0',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const output: string[] = [];
  for (const stream of [child.stdout!, child.stderr!]) stream.on('data', (chunk: Buffer) => output.push(String(chunk)));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      process.off('exit', killOnExit);
      resolve({ code, signal });
    }),
  );
  const url = `http://127.0.0.1:${options.port}`;
  let ended = false;
  let answeredAt: number | null = null;
  void exited.then(() => (ended = true));
  for (let i = 0; ; i++) {
    if (ended) throw new Error(`the server exited at start:\n${output.join('')}`);
    if (i > 600) throw new Error(`the server did not answer within 30 s:\n${output.join('')}`);
    try {
      const res = await fetch(`${url}/api/health`);
      if (res.ok) answeredAt ??= performance.now();
      const health = (await res.json()) as HealthResponse;
      const relayed = health.relay !== 'down' || options.waitForRelay === false;
      if (options.standby ? health.status === 'standby' : res.ok && relayed) break;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url, pid: child.pid!, answeredAt: answeredAt!, output, exited, kill: (signal) => void child.kill(signal) };
}
