/**
 * DATA_DIR, the server's own folder: created 0700, and narrowed to 0700 if it already existed, so
 * only the server's user may list or read what is in it (supervisor keys, rosters, records).
 */
import { chmod, mkdir, stat } from 'node:fs/promises';
import { resolve } from 'node:path';

/** Creates (or narrows) the folder to mode 0700 and returns its absolute path. */
export async function openDataDir(dataDir: string): Promise<string> {
  const dir = resolve(dataDir);
  // mkdir's mode applies only to a folder it creates, so an existing one is narrowed here.
  await mkdir(dir, { recursive: true, mode: 0o700 });
  if ((await stat(dir)).mode & 0o077) {
    await chmod(dir, 0o700).catch((error: NodeJS.ErrnoException) => {
      throw new Error(`it is open to other users and cannot be made 0700 (${error.code}); run chmod 700 on it`);
    });
  }
  return dir;
}
