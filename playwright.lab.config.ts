// Lab tests: real Chromium on each device of a school network built from namespaces (tests/lab/lab.ts).
// Needs root and runs inside scripts/loopback-only.sh's namespace: `npm run test:lab`.
import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: 'tests/lab',
  testMatch: '**/*.spec.ts',
  // One lab at a time: the router, bridges and rule sets live in the one namespace.
  workers: 1,
  timeout: 90_000,
  expect: { timeout: 10_000 },
  reporter: [['list']],
  forbidOnly: !!process.env.CI,
});
