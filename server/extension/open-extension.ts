/**
 * Readies the companion extension at start: the signing key (made on first start), then the built
 * extension packed with it, and says in the log what an admin needs: its id and where Chrome gets it.
 */
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import { readExtensionPackage, UPDATE_MANIFEST_PATH, type ExtensionPackage } from './extension-package.ts';
import { loadSigningKey } from './signing-key.ts';

/** The extension built into `dir`, signed with the configured key; null when there is no build. */
export async function openExtension(
  config: Pick<Config, 'extensionKey'>,
  dir: string,
  log: Logger,
): Promise<ExtensionPackage | null> {
  const signing = await loadSigningKey(config.extensionKey);
  if (signing.warning) log.warn(signing.warning);
  if (signing.generated) log.info({ file: signing.file }, 'made a signing key for the companion extension');
  const extension = await readExtensionPackage(dir, signing.key);
  if (!extension) {
    log.warn({ dir }, 'the companion extension is not built (npm run build); it is not served');
    return null;
  }
  log.info(
    { extensionId: extension.id, version: extension.version, keyFile: signing.file },
    `companion extension ${extension.id} ${extension.version}: force-install it with "${extension.id};https://<this server>${UPDATE_MANIFEST_PATH}"`,
  );
  return extension;
}
