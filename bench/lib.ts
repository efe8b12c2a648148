/** Shared benchmark plumbing: run the built server as a child process, read its memory, save results. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { root } from '../tests/helpers/built-server.ts';

export { root, startBuiltServer, type Memory } from '../tests/helpers/built-server.ts';

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

/**
 * Writes `data` (an object of figures) as JSON to bench/results/<name>.json and returns the path.
 * Keys already in the file that this run does not write stay: its `findings` and the earlier runs
 * kept beside the latest for comparison, and the figures of a benchmark's other scenarios.
 */
export function saveResult(name: string, data: object): string {
  const dir = join(root, 'bench/results');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.json`);
  const saved = existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as object) : {};
  writeFileSync(path, `${JSON.stringify({ ...saved, ...data }, null, 2)}\n`);
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
