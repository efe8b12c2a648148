/**
 * A real PostgreSQL server (Debian's package) for tests and benchmarks: on loopback, on a free port,
 * in a temporary folder, with fsync off and trust authentication, stopped by the caller by its PID.
 * PostgreSQL refuses to run as root, and tests run as root in CI, so the server runs as the
 * `postgres` user (runuser) in a folder given to that user. `.ci/run` installs postgresql when missing.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './built-server.ts';

/** A running PostgreSQL server. */
export interface TestPostgres {
  readonly port: number;
  /** A fresh, empty database on it, as a DATABASE_URL. */
  createDatabase(name: string): Promise<string>;
  /** Stops it (fast shutdown) and removes its folder. */
  stop(): Promise<void>;
}

/** The newest installed PostgreSQL's bin folder, e.g. /usr/lib/postgresql/15/bin, or null. */
export function postgresBinDir(): string | null {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'postgres')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], 'bin') : null;
}

/** Runs `command` as the postgres user when this process is root (PostgreSQL will not run as root). */
function asPostgres(command: string, args: readonly string[]): [string, string[]] {
  return process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, [...args]];
}

/** Starts PostgreSQL on 127.0.0.1 and a free port; resolves once it accepts connections. */
export async function startPostgres(): Promise<TestPostgres> {
  const bin = postgresBinDir();
  if (!bin) throw new Error('PostgreSQL is not installed; install it: apt-get install postgresql');
  const dir = mkdtempSync(join(tmpdir(), 'classroom-postgres-'));
  const data = join(dir, 'data');
  if (process.getuid?.() === 0) {
    const id = (flag: string) => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
    chownSync(dir, id('-u'), id('-g'));
  }
  const [initdb, initArgs] = asPostgres(join(bin, 'initdb'), [
    '-D',
    data,
    '-U',
    'postgres',
    '-A',
    'trust',
    '-E',
    'UTF8',
    '--locale=C',
    '--no-sync',
  ]);
  const init = spawnSync(initdb, initArgs, { encoding: 'utf8' });
  if (init.status !== 0) throw new Error(`initdb failed (${init.status}): ${init.stderr || init.error?.message}`);

  const port = await freePort();
  const [postgres, args] = asPostgres(join(bin, 'postgres'), [
    '-D',
    data,
    '-p',
    String(port),
    '-k',
    dir,
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    'fsync=off',
    '-c',
    'synchronous_commit=off',
    '-c',
    'full_page_writes=off',
  ]);
  const child: ChildProcess = spawn(postgres, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    let output = '';
    child.once('error', (error) => reject(new Error(`postgres could not start (${error.message})`)));
    child.once('exit', (code) => reject(new Error(`postgres exited (${code}): ${output.slice(-800)}`)));
    const read = (chunk: Buffer) => {
      output += String(chunk);
      if (output.includes('database system is ready to accept connections')) resolve();
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
  });
  // The server's own PID (runuser is its parent): the first line of postmaster.pid.
  const pid = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
  const killOnExit = () => {
    try {
      process.kill(pid, 'SIGQUIT');
    } catch {
      // Already gone.
    }
  };
  process.once('exit', killOnExit);
  const url = (database: string) => `postgres://postgres@127.0.0.1:${port}/${database}`;

  return {
    port,
    async createDatabase(name) {
      const client = new pg.Client({ connectionString: url('postgres') });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE "${name.replace(/"/g, '')}"`);
      } finally {
        await client.end();
      }
      return url(name);
    },
    async stop() {
      process.off('exit', killOnExit);
      const exited = new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) resolve();
        else child.once('exit', () => resolve());
      });
      // SIGINT: fast shutdown (disconnects clients, does not wait for them).
      try {
        process.kill(pid, 'SIGINT');
      } catch {
        // Already gone.
      }
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
