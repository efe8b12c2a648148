/**
 * A real redis-server (the Debian package) for tests and benchmarks: on loopback, on a free port,
 * saving nothing to disk, stopped by the caller. `.ci/run` installs redis-server when it is missing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './built-server.ts';

/** A running redis-server. */
export interface TestRedis {
  readonly url: string;
  readonly port: number;
  /** Stops it (SIGKILL: as if the machine running it went away) and resolves once it has exited. */
  kill(): Promise<void>;
  /** Starts it again on the same port (empty, as after a crash without persistence). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts redis-server on 127.0.0.1 and a free port; resolves once it accepts connections. */
export async function startRedis(): Promise<TestRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'classroom-redis-'));
  let child: ChildProcess | null = null;
  const run = () =>
    new Promise<void>((resolve, reject) => {
      const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir];
      const current = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
      child = current;
      let output = '';
      current.once('error', (error) =>
        reject(new Error(`redis-server could not start (${error.message}); install it: apt-get install redis-server`)),
      );
      current.stdout!.on('data', (chunk: Buffer) => {
        output += String(chunk);
        if (output.includes('Ready to accept connections')) resolve();
      });
      current.once('exit', (code) => reject(new Error(`redis-server exited (${code}): ${output.slice(-500)}`)));
    });
  const exited = (signal: NodeJS.Signals) =>
    new Promise<void>((resolve) => {
      const current = child;
      if (!current || current.exitCode !== null || current.signalCode !== null) return resolve();
      current.once('exit', () => resolve());
      current.kill(signal);
    });
  await run();
  const killOnExit = () => child?.kill('SIGKILL');
  process.once('exit', killOnExit);
  return {
    url: `redis://127.0.0.1:${port}/0`,
    port,
    kill: () => exited('SIGKILL'),
    restart: run,
    stop: async () => {
      process.off('exit', killOnExit);
      await exited('SIGTERM');
    },
  };
}
