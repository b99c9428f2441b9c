import { defineConfig } from 'vitest/config';

// npm run test:soak — the chaos soak alone (test/faults/soak/README.md). It starts its own
// PostgreSQL cluster and app instances; the timeout follows SOAK_SECONDS plus setup and drain.
const seconds = Number(process.env.SOAK_SECONDS || 600);
const timeoutMs = (Number.isFinite(seconds) ? seconds : 600) * 1000 + 600_000;

export default defineConfig({
  test: {
    include: ['test/faults/soak/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
    testTimeout: timeoutMs,
    hookTimeout: 120_000,
    reporters: ['default'],
  },
});
