/**
 * The companion extension as this server hands it to Chrome for force-installation: the built files
 * (dist/extension) read once at start, and for each address the server is reached at a signed CRX3
 * whose manifest names that origin's update.xml (Chrome's only source of updates after the first
 * install) and lets that origin's pages talk to the extension. Packed on first request, then kept.
 */
import type { KeyObject } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { zipSync, type Zippable } from 'fflate';
import { extensionIdOf, packCrx3, publicKeyDer } from './crx3.ts';

/** Where the extension's routes are mounted; the update manifest is `update.xml` below it. */
export const EXTENSION_PATH = '/extension';
/** The update manifest's path. */
export const UPDATE_MANIFEST_PATH = `${EXTENSION_PATH}/update.xml`;
/** Origins kept packed at once (a server reached by name, by address, through a proxy...); the least recently asked goes first. */
const MAX_PACKED_ORIGINS = 8;
/** Every file in the zip carries this time, so the same build and origin always pack to the same zip. */
const ZIP_TIME = new Date(1980, 0, 1);

/** The extension, ready to be served. */
export interface ExtensionPackage {
  /** The 32-letter id Chrome gives it, from the signing key. */
  readonly id: string;
  /** The manifest's version (the app's, stamped by the build). */
  readonly version: string;
  /** The CRX's file name under EXTENSION_PATH, with the version in it. */
  readonly crxName: string;
  /** The CRX for pages of `origin` (scheme://host[:port]), packed on first ask. */
  crxFor(origin: string): Buffer;
}

/** Thrown when the built extension cannot be packed; the message says what is wrong. */
export class ExtensionBuildError extends Error {
  override name = 'ExtensionBuildError';
}

/** Whether Chrome accepts `version`: one to four dot-separated whole numbers up to 65535, without leading zeros. */
export function isChromeVersion(version: unknown): version is string {
  const parts = typeof version === 'string' ? version.split('.') : [];
  return parts.length >= 1 && parts.length <= 4 && parts.every((n) => /^(0|[1-9]\d*)$/.test(n) && Number(n) <= 65535);
}

/**
 * Reads the built extension in `dir` and signs with `key`; null when `dir` holds no build (a
 * development server started without `npm run build`).
 */
export async function readExtensionPackage(dir: string, key: KeyObject): Promise<ExtensionPackage | null> {
  const files = await readTree(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw error;
  });
  const manifestBytes = files?.get('manifest.json');
  if (!files || !manifestBytes) return null;
  let manifest: Record<string, unknown>;
  try {
    manifest = JSON.parse(Buffer.from(manifestBytes).toString('utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new ExtensionBuildError(
      `${join(dir, 'manifest.json')} is not JSON (${(error as Error).message}); run npm run build`,
    );
  }
  const version = manifest.version;
  if (!isChromeVersion(version)) {
    throw new ExtensionBuildError(
      `the extension's version ${JSON.stringify(version)} is not one Chrome accepts: one to four numbers up to 65535, like 1.4.0`,
    );
  }
  const id = extensionIdOf(publicKeyDer(key));
  const packed = new Map<string, Buffer>();
  return {
    id,
    version,
    crxName: `classroom-screens-${version}.crx`,
    crxFor(origin) {
      const kept = packed.get(origin);
      packed.delete(origin);
      const crx = kept ?? packCrx3(zipFiles(files, manifestFor(manifest, origin)), key);
      packed.set(origin, crx);
      if (packed.size > MAX_PACKED_ORIGINS) packed.delete(packed.keys().next().value!);
      return crx;
    },
  };
}

/**
 * The built manifest as served to `origin`: Chrome looks for updates at `update_url` (the update URL
 * in the install policy is used only for the first install), and only pages matched by
 * `externally_connectable` may open a channel to the extension.
 */
export function manifestFor(built: Readonly<Record<string, unknown>>, origin: string): Record<string, unknown> {
  return {
    ...built,
    update_url: `${origin}${UPDATE_MANIFEST_PATH}`,
    externally_connectable: { matches: [`${origin}/*`] },
  };
}

/** Every file under `dir`, by its path relative to `dir` with forward slashes. */
async function readTree(dir: string): Promise<Map<string, Uint8Array>> {
  const files = new Map<string, Uint8Array>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    files.set(relative(dir, path).split(sep).join('/'), await readFile(path));
  }
  return files;
}

/** The extension's zip, the manifest replaced by `manifest`, in a fixed order with fixed times. */
function zipFiles(files: ReadonlyMap<string, Uint8Array>, manifest: Record<string, unknown>): Uint8Array {
  const tree: Zippable = {};
  for (const name of [...files.keys()].sort()) {
    const bytes = name === 'manifest.json' ? Buffer.from(JSON.stringify(manifest, null, 2)) : files.get(name)!;
    tree[name] = [bytes, { mtime: ZIP_TIME }];
  }
  return zipSync(tree, { level: 9 });
}
