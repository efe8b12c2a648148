/**
 * Runs the built server (dist/node) as its own process on a free loopback port, for browser tests
 * and benchmarks, with bench/gc-probe.mjs preloaded so benchmarks can read memory after a full GC.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HealthResponse } from '../../src/shared/protocol.ts';
import { LIMITS_OFF } from './limits.ts';

/** The repository root. */
export const root = join(dirname(fileURLToPath(import.meta.url)), '../..');

/** A free TCP port on loopback. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/**
 * The built server (dist/node), started on loopback with `env` (saving rooms in a fresh temporary
 * DATA_DIR unless `env` says otherwise); resolves once /api/health says all is up (the relay too,
 * unless `waitForRelay` is false: with RELAY_WORKERS=0 it is up only once a relay node joins).
 */
export async function startBuiltServer(env: Record<string, string> = {}, options: { waitForRelay?: boolean } = {}) {
  const port = await freePort();
  const dataDir = env.DATA_DIR ?? mkdtempSync(join(tmpdir(), 'classroom-screens-'));
  const args = ['--expose-gc', '--import', join(root, 'bench/gc-probe.mjs'), join(root, 'dist/node/server/index.js')];
  const child: ChildProcess = spawn(process.execPath, args, {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      STUN_PORT: '0',
      LOG_LEVEL: 'warn',
      ...LIMITS_OFF,
      DATA_DIR: dataDir,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  // Never leave the server behind, even when a benchmark throws.
  const killChild = () => child.kill('SIGKILL');
  process.once('exit', killChild);
  const memoryWaiters: ((m: Memory) => void)[] = [];
  let pending = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    pending += String(chunk);
    let end: number;
    while ((end = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, end);
      pending = pending.slice(end + 1);
      if (line.startsWith('MEMORY ')) memoryWaiters.shift()?.(JSON.parse(line.slice(7)) as Memory);
      else process.stdout.write(`${line}\n`);
    }
  });
  const url = `http://127.0.0.1:${port}`;
  // Started means every part is up, the relay process included (it starts a moment after).
  for (let i = 0; i < 100; i++) {
    try {
      const res = await fetch(`${url}/api/health`);
      if (res.ok && (options.waitForRelay === false || ((await res.json()) as HealthResponse).relay !== 'down')) break;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    pid: child.pid!,
    /** Memory after a full garbage collection in the server. */
    memoryAfterGc: () =>
      new Promise<Memory>((resolve) => {
        memoryWaiters.push(resolve);
        child.kill('SIGUSR2');
      }),
    /** Stops for good (SIGINT: the relay workers stop too, as they do not for SIGTERM's restart). */
    stop: () =>
      new Promise<void>((resolve) => {
        process.off('exit', killChild);
        child.once('exit', () => resolve());
        child.kill('SIGINT');
      }),
  };
}

/** The server's memory figures, in bytes. */
export interface Memory {
  rss: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}
