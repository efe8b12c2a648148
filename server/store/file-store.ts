/**
 * The default store: one file in DATA_DIR (created 0700; the file 0600), replaced atomically by
 * writing a temporary file, fsyncing it and renaming it over the old one, so a crash mid-write
 * leaves the previous state whole. A folder that already existed is made 0700 too, and temporary
 * files a crash left behind are removed when the store opens.
 */
import { constants } from 'node:fs';
import { open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { openDataDir } from './data-dir.ts';
import { asideStamp, type StateStore } from './state-store.ts';

/** The state file's name inside DATA_DIR. */
export const STATE_FILE = 'state.jsonl';

/** A temporary file of `write` below, named `.${STATE_FILE}.<pid>.<n>.tmp`. */
const TEMPORARY = /^\.state\.jsonl\.\d+\.\d+\.tmp$/;

/** Opens (creating if needed) the data directory and returns a store over its state file. */
export async function openFileStore(dataDir: string): Promise<StateStore> {
  const dir = await openDataDir(dataDir);
  // Only this process writes here, and it has just started: any temporary file is a crash's.
  for (const name of await readdir(dir)) if (TEMPORARY.test(name)) await unlink(join(dir, name));
  const path = join(dir, STATE_FILE);
  let writes = 0;

  return {
    kind: 'file',
    where: path,
    async read() {
      try {
        return await readFile(path, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw error;
      }
    },
    async write(text) {
      // A name of its own per write, so two writes can never share a half-written file.
      const temporary = join(dir, `.${STATE_FILE}.${process.pid}.${writes++}.tmp`);
      const file = await open(temporary, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC, 0o600);
      try {
        try {
          await file.writeFile(text, 'utf8');
          await file.sync();
        } finally {
          await file.close();
        }
        await rename(temporary, path);
      } catch (error) {
        // A full disk must not also leave half-written copies behind; the saved file is untouched.
        await unlink(temporary).catch(() => undefined);
        throw error;
      }
      // The rename itself is durable only once the directory is synced.
      const folder = await open(dir, constants.O_RDONLY);
      try {
        await folder.sync();
      } finally {
        await folder.close();
      }
    },
    async keepAside(now) {
      const aside = `${path}.damaged-${asideStamp(now)}`;
      await rename(path, aside);
      return aside;
    },
    async close() {},
  };
}
