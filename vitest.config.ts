import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    exclude: ['test/faults/**', 'node_modules/**'],
    pool: 'forks',
    // Two cores: integration tests hold databases and servers, keep them from starving each other.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default'],
    // Finds (or, as root on Debian, installs) the browser the e2e tests drive, and on
    // PostgreSQL the nginx the load-balancer tests run.
    globalSetup: ['test/support/browser-setup.ts', 'test/support/nginx-setup.ts'],
  },
});
