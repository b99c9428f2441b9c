import { defineConfig } from 'vitest/config';

// Fault injection: kills processes and restarts PostgreSQL, so files run one at a time. Every
// file starts its own PostgreSQL cluster (test/support/private-postgres.ts) and never touches
// DATABASE_URL's server; files skip themselves where no PostgreSQL binaries are installed.
// The chaos soak has its own command (npm run test:soak, vitest.soak.config.ts).
export default defineConfig({
  test: {
    include: ['test/faults/**/*.test.ts'],
    exclude: ['test/faults/soak/**', 'node_modules/**'],
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    reporters: ['default'],
  },
});
