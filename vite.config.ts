// Builds the PWA from src/client into dist/app; in development, proxies the API and PeerServer
// (websockets included) to the Node server that `npm run dev` starts beside Vite.
import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';

const server = `http://localhost:${process.env.PORT ?? 3000}`;

export default defineConfig({
  root: 'src/client',
  publicDir: '../../public',
  plugins: [preact()],
  build: { outDir: '../../dist/app', emptyOutDir: true, target: 'es2022' },
  server: {
    proxy: {
      '/api': { target: server },
      '/peerjs': { target: server, ws: true },
    },
  },
});
