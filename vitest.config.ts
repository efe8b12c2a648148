import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/unit/**/*.test.ts', 'tests/integration/**/*.test.ts'],
    testTimeout: 20_000,
    // Two files at a time (Vitest's default here is one: cores less one). Most integration tests wait
    // on child processes and sockets rather than compute: 115 s instead of 178 s on two cores.
    maxWorkers: 2,
  },
});
