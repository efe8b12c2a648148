/**
 * The key the companion extension is signed with. Its public half is the extension's id, so it must
 * outlive the process: generated once into DATA_DIR (0600), or the admin's own (EXTENSION_KEY_FILE).
 * It never leaves the server and is never part of the repository or the built app.
 */
import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ExtensionKeyConfig } from '../config.ts';
import { openDataDir } from '../store/data-dir.ts';

/** The generated key's file name inside DATA_DIR. */
export const GENERATED_KEY_FILE = 'extension-key.pem';
/** RSA modulus length of a generated key (Chrome's own "Pack extension" makes 2048-bit keys too). */
const KEY_BITS = 2048;

/** The key and where it was read, for the start log. */
export interface SigningKey {
  readonly key: KeyObject;
  readonly file: string;
  /** Whether this start made the key (the extension's id is new). */
  readonly generated: boolean;
  /** A problem worth a warning, such as a key file other users can read. */
  readonly warning: string | null;
}

/** Thrown when the key cannot be read or made; the message says what to do. */
export class SigningKeyError extends Error {
  override name = 'SigningKeyError';
}

/** Reads the signing key, making it first in DATA_DIR when there is none. */
export async function loadSigningKey(source: ExtensionKeyConfig): Promise<SigningKey> {
  if (source.kind === 'file') return { ...(await readKey(source.file)), generated: false };
  let dir: string;
  try {
    dir = await openDataDir(source.dataDir);
  } catch (error) {
    throw new SigningKeyError(
      `Cannot keep the extension's signing key in DATA_DIR=${source.dataDir} (${(error as Error).message}). ` +
        'Give the server user a folder it can write, or name a key with EXTENSION_KEY_FILE.',
    );
  }
  const file = join(dir, GENERATED_KEY_FILE);
  if (!existsSync(file)) {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: KEY_BITS });
    try {
      // 'wx': never replace a key that exists (another instance sharing DATA_DIR may have just made it).
      await writeFile(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
      return { key: privateKey, file, generated: true, warning: null };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new SigningKeyError(`Cannot write the extension's signing key ${file}: ${(error as Error).message}.`);
      }
    }
  }
  // Our own file: narrowed to 0600 if someone widened it, as DATA_DIR itself is narrowed to 0700.
  if ((await stat(file)).mode & 0o077) await chmod(file, 0o600);
  return { ...(await readKey(file)), generated: false };
}

/** Reads and checks one PEM key file. */
async function readKey(file: string): Promise<Omit<SigningKey, 'generated'>> {
  let pem: Buffer;
  try {
    pem = await readFile(file);
  } catch (error) {
    throw new SigningKeyError(
      `Cannot read the extension's signing key ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}). ` +
        'Check EXTENSION_KEY_FILE, or unset it to let the server make one in DATA_DIR.',
    );
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch {
    throw new SigningKeyError(
      `${file} is not a PEM private key. Give the RSA key Chrome's "Pack extension" made (a .pem file), ` +
        'or one from `openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048`.',
    );
  }
  if (key.asymmetricKeyType !== 'rsa') {
    throw new SigningKeyError(
      `${file} holds a ${key.asymmetricKeyType ?? 'non-RSA'} key; the extension is signed with an RSA key.`,
    );
  }
  const mode = (await stat(file)).mode;
  const warning =
    mode & 0o044
      ? `${file} can be read by other users of this machine; whoever has it can publish updates to the extension as this server (chmod 600 it)`
      : null;
  return { key, file, warning };
}
