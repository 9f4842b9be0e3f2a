import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Tests measure real CPU load: run files one at a time so they don't skew each other.
    fileParallelism: false,
    reporters: ['default'],
  },
});
