// Vitest fixtures for integration tests: a fresh database and a real server per file, and a
// signed-in account (with a session) per test, and on PostgreSQL a second instance (`peer`).
// A file that needs a differently configured
// server overrides `serverOptions`:
//
//   const test = base.override('serverOptions', { config: { wsHeartbeatMs: 400 } });
import { test as base } from 'vitest';
import { DEFAULT_RATE_LIMITS, type RateLimits } from '../../server/config.ts';
import { openDatabase, type Database } from '../../server/db/database.ts';
import { createSession, signup, type Account } from './client.ts';
import { openTestDatabase } from './db.ts';
import { startTestServer, type TestServer } from './server.ts';

const GENEROUS = { burst: 10_000, refillPerMinute: 10_000 };
/** Rate limits that never get in a test's way (security-http.test.ts tests the real ones). */
export const TEST_RATE_LIMITS: RateLimits = { ...DEFAULT_RATE_LIMITS, signupPerIp: GENEROUS, loginPerIp: GENEROUS, pairingRedeemPerIp: GENEROUS };

export type ServerOptions = Omit<Parameters<typeof startTestServer>[0], 'db'>;

export const test = base
  .extend('serverOptions', { scope: 'file' }, {} as ServerOptions)
  // eslint-disable-next-line no-empty-pattern -- Vitest reads a fixture's dependencies from this pattern; the database has none.
  .extend('testDatabase', { scope: 'file' }, async ({}, { onCleanup }): Promise<{ db: Database; url?: string }> => {
    const t = await openTestDatabase();
    onCleanup(t.cleanup);
    return { db: t.db, url: t.url };
  })
  /** The file's database (PGlite, or a fresh one on DATABASE_URL's server). */
  .extend('db', { scope: 'file' }, ({ testDatabase }): Database => testDatabase.db)
  /** Its URL on PostgreSQL (a second instance can open it); undefined on PGlite. */
  .extend('databaseUrl', { scope: 'file' }, ({ testDatabase }): string | undefined => testDatabase.url)
  .extend('server', { scope: 'file' }, async ({ db, serverOptions }, { onCleanup }): Promise<TestServer> => {
    // Every test signs up its own account from one address: the per-IP limits would refuse the eleventh.
    const config = { rateLimits: TEST_RATE_LIMITS, ...serverOptions.config };
    const server = await startTestServer({ db, ...serverOptions, config });
    onCleanup(() => server.close());
    return server;
  })
  /**
   * A second instance of the app on the file's database, with its own connection pool and
   * LISTEN connection like another process (instance id "peer"). PostgreSQL only: PGlite is
   * one process, so on PGlite this is undefined and the test should skip.
   */
  .extend('peer', { scope: 'file' }, async ({ databaseUrl, serverOptions }, { onCleanup }): Promise<TestServer | undefined> => {
    if (!databaseUrl) return undefined;
    const db = await openDatabase({ databaseUrl, migrate: false });
    const config = { rateLimits: TEST_RATE_LIMITS, ...serverOptions.config, instanceId: 'peer' };
    const peer = await startTestServer({ db, ...serverOptions, config }).catch(async (err: unknown) => {
      await db.close();
      throw err;
    });
    onCleanup(async () => {
      await peer.close();
      await db.close();
    });
    return peer;
  })
  /** A new user, signed in (its cookie), for this test alone. */
  .extend('account', async ({ server }): Promise<Account> => signup(server.url))
  /** A session of `account`. */
  .extend('sessionId', async ({ server, account }): Promise<string> => createSession(server.url, account));

export { describe, expect } from 'vitest';
