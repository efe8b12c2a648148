import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/unit/**/*.test.ts', 'tests/integration/**/*.test.ts'],
    testTimeout: 20_000,
    // One file per core. Vitest's default leaves one core free, which on a two-core machine runs the
    // files one at a time while the slowest integration files mostly wait (a node's linger, a Redis
    // lease): two at a time took 94 s -> 58-64 s here. Files share no port: each relay test file
    // has its own RELAY_PORT_RANGE slice, everything else listens on port 0.
    maxWorkers: '100%',
  },
});
