import { defineConfig } from 'vitest/config';

// Fault injection: kills processes and restarts PostgreSQL, so files run one at a time.
// Every file skips itself when DATABASE_URL is unset.
export default defineConfig({
  test: {
    include: ['test/faults/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    reporters: ['default'],
  },
});
