// Builds the companion Chrome extension from extension/ into dist/extension, ready for Chrome's
// "Load unpacked" or for the server to pack: the service worker and the blocked page as ES modules,
// the managed-storage schema copied as it is, and the manifest with the app's version written in.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const extension = (path: string) => fileURLToPath(new URL(`extension/${path}`, import.meta.url));

/**
 * The app's version as Chrome takes it: the numbers of package.json's version (Chrome allows up to
 * four, each up to 65535, nothing else), with the whole version shown as `version_name` when they differ.
 */
function appVersion(): { version: string; version_name?: string } {
  const { version } = JSON.parse(readFileSync(new URL('package.json', import.meta.url), 'utf8')) as { version: string };
  const numbers = /^\d+(\.\d+){0,3}/.exec(version)?.[0];
  if (!numbers || numbers.split('.').some((n) => Number(n) > 65535)) {
    throw new Error(`package.json's version ${version} has no version Chrome accepts (like 1.4.0)`);
  }
  return numbers === version ? { version } : { version: numbers, version_name: version };
}

/** Emits the extension's JSON files beside the code: the manifest with the app's version, the rest unchanged. */
function extensionFiles(names: string[]): Plugin {
  return {
    name: 'extension-files',
    generateBundle() {
      for (const fileName of names) {
        const source = readFileSync(extension(fileName), 'utf8');
        const stamped =
          fileName === 'manifest.json'
            ? `${JSON.stringify({ ...(JSON.parse(source) as object), ...appVersion() }, null, 2)}\n`
            : source;
        this.emitFile({ type: 'asset', fileName, source: stamped });
      }
    },
  };
}

export default defineConfig({
  root: extension(''),
  publicDir: false,
  plugins: [extensionFiles(['manifest.json', 'managed-schema.json'])],
  build: {
    outDir: fileURLToPath(new URL('dist/extension', import.meta.url)),
    emptyOutDir: true,
    // The manifest's minimum_chrome_version.
    target: 'chrome109',
    // Extension pages load their modules from the extension itself; no preload polyfill is needed.
    modulePreload: false,
    rolldownOptions: {
      input: { background: extension('src/background.ts'), blocked: extension('blocked.html') },
      // manifest.json names background.js; nothing is hashed, since the extension's version says what changed.
      output: { entryFileNames: '[name].js', chunkFileNames: 'chunks/[name].js', assetFileNames: '[name][extname]' },
    },
  },
});
