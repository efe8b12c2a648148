// Builds the companion Chrome extension from extension/ into dist/extension, ready for Chrome's
// "Load unpacked" or for packing: the service worker and the blocked page as ES modules, with the
// manifest and the managed-storage schema copied as they are.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const extension = (path: string) => fileURLToPath(new URL(`extension/${path}`, import.meta.url));

/** Emits the extension's JSON files unchanged beside the code. */
function extensionFiles(names: string[]): Plugin {
  return {
    name: 'extension-files',
    generateBundle() {
      for (const fileName of names) {
        this.emitFile({ type: 'asset', fileName, source: readFileSync(extension(fileName), 'utf8') });
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
