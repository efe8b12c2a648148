// End-to-end tests: real Chromium against the built server (Express + PeerServer) on loopback.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS, chromiumExecutable } from './tests/e2e/browser.ts';
import { LIMITS_OFF } from './tests/helpers/limits.ts';

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
    // Stopped for good, its relay workers too (Playwright's default SIGKILL would leave them waiting
    // for a next server process, ORPHAN_MS).
    gracefulShutdown: { signal: 'SIGINT', timeout: 6_000 },
    env: {
      PORT: String(port),
      HOST: '127.0.0.1',
      STUN_PORT: '0',
      LOG_LEVEL: 'warn',
      ...LIMITS_OFF,
      RECONNECT_GRACE_S: '10',
      // Rooms are saved, as by default, but never into the project folder or from an earlier run.
      DATA_DIR: mkdtempSync(join(tmpdir(), 'classroom-screens-e2e-')),
      // The default RELAY_MODE (auto) with the relay reachable on loopback, as a server's own address.
      RELAY_ANNOUNCED_IPS: '127.0.0.1',
    },
  },
});
