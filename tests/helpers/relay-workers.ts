/** The local relay workers a server in `dataDir` recorded (relay-workers.json), for tests and benchmarks that kill or follow them. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WORKER_FILE } from '../../server/relay/host/worker-file.ts';

/** Process ids of the recorded local relay workers. */
export function relayWorkerPids(dataDir: string): number[] {
  const saved = JSON.parse(readFileSync(join(dataDir, WORKER_FILE), 'utf8')) as { pids: Record<string, number> };
  return Object.values(saved.pids);
}
