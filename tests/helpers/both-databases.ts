/**
 * For a test file run against both classes databases: starts PostgreSQL on loopback before its
 * tests and stops it after, and opens fresh databases of either kind (a new DATA_DIR for SQLite, a
 * new database on the one server), each closed after its test.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { DatabaseConfig } from '../../server/config.ts';
import { openDatabase, type ClassesDatabase } from '../../server/db/open-database.ts';
import { startPostgres, type TestPostgres } from './postgres.ts';

/** Registers the file's hooks; `prefix` names its temporary folders and PostgreSQL databases. */
export function bothDatabases(prefix: string) {
  let postgres: TestPostgres | undefined;
  let databases = 0;
  const folders: string[] = [];
  const open: ClassesDatabase[] = [];

  beforeAll(async () => {
    postgres = await startPostgres();
  }, 60_000);
  afterEach(async () => {
    await Promise.all(open.splice(0).map((d) => d.close()));
  });
  afterAll(async () => {
    await postgres?.stop();
    for (const dir of folders) rmSync(dir, { recursive: true, force: true });
  });

  return {
    /** A fresh configuration of `kind`. */
    async config(kind: 'sqlite' | 'postgres'): Promise<DatabaseConfig> {
      if (kind === 'postgres') return { kind, url: await postgres!.createDatabase(`${prefix}_${++databases}`) };
      const dataDir = mkdtempSync(join(tmpdir(), `${prefix}-`));
      folders.push(dataDir);
      return { kind, dataDir };
    },
    /** Opens (and migrates) `config`, closed after the test unless the test closes it and says so (`closed`). */
    async open(config: DatabaseConfig): Promise<ClassesDatabase> {
      const opened = await openDatabase({ database: config });
      open.push(opened);
      return opened;
    },
    /** The test closed `db` itself. */
    closed(db: ClassesDatabase): void {
      open.splice(open.indexOf(db), 1);
    },
  };
}
