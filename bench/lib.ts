/** Shared benchmark plumbing: run the built server as a child process, read its memory, save results. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const root = join(dirname(fileURLToPath(import.meta.url)), '..');

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

/** The built server (dist/node), started on loopback with `env`; resolves once it answers /api/health. */
export async function startBuiltServer(env: Record<string, string> = {}) {
  const port = await freePort();
  const args = ['--expose-gc', '--import', join(root, 'bench/gc-probe.mjs'), join(root, 'dist/node/server/index.js')];
  const child: ChildProcess = spawn(process.execPath, args, {
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', RATE_LIMIT_PER_MIN: '0', ...env },
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
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`${url}/api/health`)).ok) break;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
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
    stop: () =>
      new Promise<void>((resolve) => {
        process.off('exit', killChild);
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
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

/** Resident set size of a process, in bytes (Linux). */
export function rssBytes(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return Number(line?.match(/(\d+)/)?.[1] ?? 0) * 1024;
}

/** The p-th percentile (0–100) of `values`. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Writes `data` as JSON to bench/results/<name>.json and returns the path. */
export function saveResult(name: string, data: unknown): string {
  const dir = join(root, 'bench/results');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.json`);
  writeFileSync(path, `${JSON.stringify(data, null, 2)}\n`);
  return path;
}

/** Runs `task` over `items` with at most `limit` at once. */
export async function pool<T>(items: T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) await task(items[next++]!);
    }),
  );
}
