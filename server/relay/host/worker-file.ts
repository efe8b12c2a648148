/**
 * `relay-workers.json` in DATA_DIR (0600): the secret local relay workers connect back with, and the
 * process id of each worker by its PeerServer id, so a restarted app server finds the workers that
 * outlived the last process. Only the relay host writes it; nothing else reads it.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { openDataDir } from '../../store/data-dir.ts';

/** The file's name inside DATA_DIR. */
export const WORKER_FILE = 'relay-workers.json';

/** The local workers' file, read at start and written as workers start and are adopted. */
export interface WorkerFile {
  /** The bearer token of this DATA_DIR's local workers on the control websocket. */
  readonly secret: string;
  /** The process id last recorded for the worker with this PeerServer id, or null. */
  pidOf(peerId: string): number | null;
  /** Records a worker's process id (null: it has none now). */
  record(peerId: string, pid: number | null): void;
  /** Forgets every worker but these (workers of an earlier configuration, or processes gone). */
  keepOnly(peerIds: readonly string[]): void;
}

/** Reads the file in `dataDir` (making a secret on first use); a damaged file is started afresh. */
export async function openWorkerFile(dataDir: string): Promise<WorkerFile> {
  const file = join(await openDataDir(dataDir), WORKER_FILE);
  let saved: { secret?: unknown; pids?: unknown } = {};
  if (existsSync(file)) {
    try {
      saved = JSON.parse(readFileSync(file, 'utf8')) as typeof saved;
    } catch {
      // Half-written or edited by hand: workers it named cannot connect back and end by themselves.
    }
  }
  const secret = typeof saved.secret === 'string' && saved.secret.length >= 32 ? saved.secret : randomToken();
  const pids = new Map<string, number>();
  if (typeof saved.pids === 'object' && saved.pids !== null)
    for (const [peerId, pid] of Object.entries(saved.pids)) if (Number.isInteger(pid)) pids.set(peerId, pid as number);
  const write = () => {
    const temporary = `${file}.tmp`;
    writeFileSync(temporary, JSON.stringify({ secret, pids: Object.fromEntries(pids) }), { mode: 0o600 });
    renameSync(temporary, file);
  };
  write();
  return {
    secret,
    pidOf: (peerId) => pids.get(peerId) ?? null,
    record(peerId, pid) {
      if (pid === null) pids.delete(peerId);
      else pids.set(peerId, pid);
      write();
    },
    keepOnly(peerIds) {
      for (const peerId of [...pids.keys()]) if (!peerIds.includes(peerId)) pids.delete(peerId);
      write();
    },
  };
}

/**
 * Whether process `pid` runs and is a relay worker of ours. Where /proc exists (Linux), a zombie does
 * not count (a worker killed after its server died waits there for an init that may never reap it,
 * in a container without one) nor does another program under a reused pid (after a reboot).
 * Elsewhere: whether it exists and is ours to signal.
 */
export function processAlive(pid: number): boolean {
  if (existsSync('/proc/self/stat')) {
    try {
      // The state follows the command name in parentheses, which may itself hold spaces.
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      return state !== 'Z' && state !== 'X' && /relay[/\\]worker[/\\]main\.[jt]s/.test(command);
    } catch {
      return false;
    }
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function randomToken(): string {
  return randomBytes(32).toString('base64url');
}
