// Builds the PWA from src/client into dist/app, with a generated service worker that precaches the
// app shell. In development, proxies the API and PeerServer (websockets included) to the Node
// server that `npm run dev` starts beside Vite.
import preact from '@preact/preset-vite';
import { VitePWA } from 'vite-plugin-pwa';
import browserslistToEsbuild from 'browserslist-to-esbuild';
import { defineConfig } from 'vite';

const server = `http://localhost:${process.env.PORT ?? 3000}`;

export default defineConfig({
  root: 'src/client',
  publicDir: '../../public',
  plugins: [
    preact(),
    VitePWA({
      // Updates are offered in the app ("Update available — reload"), never applied by themselves.
      registerType: 'prompt',
      injectRegister: false,
      manifest: {
        name: 'Classroom Screens',
        short_name: 'Screens',
        description: 'Share your screen with your teacher, or watch your class’s screens live.',
        id: '/',
        start_url: '/',
        scope: '/',
        display: 'standalone',
        theme_color: '#1e3a8a',
        background_color: '#f8fafc',
        icons: [
          { src: '/icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: '/icon-512.png', sizes: '512x512', type: 'image/png' },
          { src: '/icon-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        ],
      },
      workbox: {
        globPatterns: ['**/*.{js,css,html,svg,png,webmanifest}'],
        navigateFallback: '/index.html',
        // The API, event streams and PeerServer must always reach the network.
        navigateFallbackDenylist: [/^\/api\//, /^\/peerjs\//],
        cleanupOutdatedCaches: true,
      },
    }),
  ],
  // Syntax for the browsers in package.json's "browserslist" (docs/browsers.md says what each can do);
  // tests/e2e/browser-support.spec.ts checks the built bundle against the same list.
  build: { outDir: '../../dist/app', emptyOutDir: true, target: browserslistToEsbuild() },
  server: {
    proxy: {
      '/api': { target: server },
      '/peerjs': { target: server, ws: true },
    },
  },
});
