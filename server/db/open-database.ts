/**
 * Opens the classes database the configuration names, SQLite in DATA_DIR or PostgreSQL at
 * DATABASE_URL, and brings its schema up to date before anything queries it. The one place that
 * knows the two drivers; everything else sees `Kysely<Tables>`.
 */
import { chmod, open } from 'node:fs/promises';
import { join } from 'node:path';
import Sqlite from 'better-sqlite3';
import { CamelCasePlugin, Kysely, Migrator, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { Config, DatabaseConfig } from '../config.ts';
import { openDataDir } from '../store/data-dir.ts';
import { migrationProvider } from './migrations.ts';
import type { Tables } from './tables.ts';

/** The SQLite file's name inside DATA_DIR. */
export const DATABASE_FILE = 'classes.sqlite';

/** An open classes database. */
export interface ClassesDatabase {
  readonly kind: DatabaseConfig['kind'];
  /** Typed queries, columns in camelCase. Not for use after `close`. */
  readonly db: Kysely<Tables>;
  /** Where it is, for logs: the file, or the PostgreSQL URL without its password. */
  readonly where: string;
  /** Closes the file or the connection pool; resolves once it is closed. */
  close(): Promise<void>;
}

/** Thrown when the database cannot be opened or migrated at start; the message says what to do. */
export class DatabaseUnavailable extends Error {
  constructor(message: string, options?: { cause: unknown }) {
    super(message, options);
    this.name = 'DatabaseUnavailable';
  }
}

/**
 * Opens and migrates the configured database. `onError` hears errors of idle PostgreSQL
 * connections (the server restarting, the network dropping), which would otherwise end the process;
 * the pool replaces such connections by itself.
 */
export async function openDatabase(
  config: Pick<Config, 'database'>,
  onError: (error: Error) => void = () => undefined,
): Promise<ClassesDatabase> {
  const { database } = config;
  const opened =
    database.kind === 'postgres' ? openPostgres(database.url, onError) : await openSqlite(database.dataDir);
  try {
    await migrate(opened.db);
  } catch (error) {
    await opened.close().catch(() => undefined);
    const setting =
      database.kind === 'postgres' ? `DATABASE_URL=${opened.where}` : `DATA_DIR=${database.dataDir} (${DATABASE_FILE})`;
    throw new DatabaseUnavailable(`Cannot use the classes database at ${setting}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return opened;
}

/** SQLite in DATA_DIR: the file 0600 (it holds rosters), write-ahead logging, foreign keys enforced. */
async function openSqlite(dataDir: string): Promise<ClassesDatabase> {
  let file: string;
  let sqlite: Sqlite.Database;
  try {
    file = join(await openDataDir(dataDir), DATABASE_FILE);
    // better-sqlite3 would create the file with the process's umask; SQLite gives its -wal and -shm
    // files the database file's mode, so narrowing this one narrows them too.
    await (await open(file, 'a', 0o600)).close();
    await chmod(file, 0o600);
    sqlite = new Sqlite(file);
    // WAL: readers do not wait for a writer; NORMAL is durable across a process crash in WAL mode.
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    // SQLite leaves foreign keys unchecked unless asked, per connection.
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
  } catch (error) {
    throw new DatabaseUnavailable(
      `Cannot open the classes database in DATA_DIR=${dataDir} (${(error as Error).message}). ` +
        'Give the server user a folder it can write (for example DATA_DIR=/var/lib/classroom-screens), ' +
        `or set DATABASE_URL to use PostgreSQL.`,
      { cause: error },
    );
  }
  const db = new Kysely<Tables>({ dialect: new SqliteDialect({ database: sqlite }), plugins: [new CamelCasePlugin()] });
  return { kind: 'sqlite', db, where: file, close: () => db.destroy() };
}

/**
 * PostgreSQL through a pool. Times and counts are 64-bit integers, which pg returns as strings by
 * default (they may exceed 2^53); ours are milliseconds and row counts, so they are read as numbers.
 */
function openPostgres(url: string, onError: (error: Error) => void): ClassesDatabase {
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    connectionTimeoutMillis: 10_000,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === pg.types.builtins.INT8 ? Number : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  pool.on('error', onError);
  const db = new Kysely<Tables>({ dialect: new PostgresDialect({ pool }), plugins: [new CamelCasePlugin()] });
  return { kind: 'postgres', db, where: withoutPassword(url), close: () => db.destroy() };
}

/** A connection URL fit for logs. */
function withoutPassword(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}

/** Runs every step not yet run, under the Migrator's lock (two instances starting together take turns). */
async function migrate(db: Kysely<Tables>): Promise<void> {
  const migrator = new Migrator({
    // Steps name their SQL columns themselves: no camelCase mapping.
    db: db.withoutPlugins() as unknown as Kysely<unknown>,
    provider: migrationProvider,
    migrationTableName: 'schema_migrations',
    migrationLockTableName: 'schema_migrations_lock',
  });
  const { error } = await migrator.migrateToLatest();
  if (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (/corrupted migrations/.test(message))
      throw new Error(
        `it was set up by a newer version of this server (${message}); run that version, or a newer one`,
        {
          cause: error,
        },
      );
    throw error instanceof Error ? error : new Error(message);
  }
}
