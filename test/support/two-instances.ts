// The two-instance fixture: a fresh database, instances "a" and "b" of the app as separate
// processes on it, and a signed-up account. One copy, used by the multi-instance tests (on the
// shared PostgreSQL, which they never restart) and by the fault tests (on a private cluster,
// which they may stop, restart or cut).
//
//   const it = twoInstanceTest({ database: 'private', env: { COACH_PACE_MS: '20' } });
//   it('…', async ({ instances, alice, cluster }) => { … });
//
// Fixtures are file-scoped: the tests of one file share them, as a beforeAll would.

import { test } from 'vitest';
import { signup, type Account } from './client.ts';
import { createPostgresDatabase } from './db.ts';
import { InstanceSet } from './instances.ts';
import { startPrivateCluster, type PrivateCluster } from './private-postgres.ts';

export interface TwoInstanceOptions {
  /** 'shared': a database on DATABASE_URL's server. 'private': a cluster of the test's own. */
  database: 'shared' | 'private';
  /** Environment of both instances; COACH defaults to demo. */
  env?: Record<string, string>;
  names?: string[];
}

export interface TwoInstanceFixtures {
  /** The private cluster (undefined on the shared server, which tests must never restart). */
  cluster: PrivateCluster | undefined;
  databaseUrl: string;
  instances: InstanceSet;
  alice: Account;
}

export function twoInstanceTest(opts: TwoInstanceOptions) {
  return test.extend<{ $file: TwoInstanceFixtures }>({
    cluster: [
      // eslint-disable-next-line no-empty-pattern -- Vitest reads a fixture's dependencies from this pattern
      async ({}, use) => {
        if (opts.database === 'shared') return use(undefined);
        const cluster = await startPrivateCluster();
        try {
          await use(cluster);
        } finally {
          await cluster.destroy();
        }
      },
      { scope: 'file' },
    ],
    databaseUrl: [
      async ({ cluster }, use) => {
        const { url, drop } = cluster ? await cluster.createDatabase() : await createPostgresDatabase();
        try {
          await use(url);
        } finally {
          // A test that stopped the private cluster may leave it down; destroy() removes it anyway.
          if (!cluster || cluster.running) await drop();
        }
      },
      { scope: 'file' },
    ],
    instances: [
      async ({ databaseUrl }, use) => {
        const set = await InstanceSet.start({ databaseUrl, names: opts.names, env: opts.env });
        try {
          await use(set);
        } finally {
          await set.stopAll();
        }
      },
      { scope: 'file' },
    ],
    alice: [async ({ instances }, use) => use(await signup(instances.url(0))), { scope: 'file' }],
  });
}
