// End-to-end tests: real Chromium against the built server (Express + PeerServer) on loopback.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS, chromiumExecutable } from './tests/e2e/browser.ts';

const port = Number(process.env.E2E_PORT ?? 3517);

export default defineConfig({
  testDir: 'tests/e2e',
  testMatch: '**/*.spec.ts',
  // Browsers with live media are heavy on two cores: one test at a time keeps timings honest.
  workers: 1,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [['list']],
  forbidOnly: !!process.env.CI,
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    launchOptions: {
      executablePath: chromiumExecutable(),
      args: CHROMIUM_ARGS,
    },
  },
  webServer: {
    command: 'node dist/node/server/index.js',
    url: `http://127.0.0.1:${port}/api/health`,
    reuseExistingServer: false,
    env: {
      PORT: String(port),
      HOST: '127.0.0.1',
      STUN_PORT: '0',
      LOG_LEVEL: 'warn',
      // Every browser comes from 127.0.0.1: the per-address limits would count them as one machine.
      RATE_LIMIT_PER_MIN: '0',
      READ_RATE_LIMIT_PER_MIN: '0',
      ROOM_CREATIONS_PER_HOUR: '0',
      ROOMS_PER_ADDRESS: '100000',
      STREAMS_PER_ADDRESS: '100000',
      RECONNECT_GRACE_S: '10',
      // Rooms are saved, as by default, but never into the project folder or from an earlier run.
      DATA_DIR: mkdtempSync(join(tmpdir(), 'classroom-screens-e2e-')),
      // The default RELAY_MODE (auto) with the relay reachable on loopback, as a server's own address.
      RELAY_ANNOUNCED_IPS: '127.0.0.1',
    },
  },
});
