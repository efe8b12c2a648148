/** The project folder and its optional `.env` file, shared by the server and the admin commands. */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder holding package.json, found upwards from this file (it runs from server/ or dist/node/server/). */
export function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  return dir;
}

/** Loads `.env` from the project folder into process.env, if there is one; real environment variables win. */
export function loadDotEnv(root: string = projectRoot()): void {
  if (existsSync(join(root, '.env'))) process.loadEnvFile(join(root, '.env'));
}
