import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { loadConfig } from '../../server/config.ts';
import { migratePostgres, openDatabase, type Database } from '../../server/db/database.ts';

/** The real PostgreSQL under test, when the suite runs against one (CI runs both). */
export const POSTGRES_URL = loadConfig().databaseUrl;

/** Which database the integration tests use: the real Postgres when DATABASE_URL is set, else PGlite. */
export const DB_KIND: 'postgres' | 'pglite' = POSTGRES_URL ? 'postgres' : 'pglite';

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** A fresh, migrated Postgres database for one test file; dropped by the returned cleanup. */
export async function createPostgresDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  if (!POSTGRES_URL) throw new Error('DATABASE_URL is not set');
  const name = `fc_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = withDatabase(POSTGRES_URL, name);
  await migratePostgres(url);
  return {
    url,
    async drop() {
      const c = new pg.Client({ connectionString: POSTGRES_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).catch(() => {});
      await c.end();
    },
  };
}

/** Opens the test database of DB_KIND (fresh), with a cleanup that closes and drops it. */
export async function openTestDatabase(kind: 'postgres' | 'pglite' = DB_KIND): Promise<{ db: Database; url?: string; cleanup: () => Promise<void> }> {
  if (kind === 'pglite') {
    const db = await openDatabase({ migrate: true });
    return { db, cleanup: () => db.close() };
  }
  const { url, drop } = await createPostgresDatabase();
  const db = await openDatabase({ databaseUrl: url, migrate: false });
  return {
    db,
    url,
    async cleanup() {
      await db.close();
      await drop();
    },
  };
}

export async function createUser(db: Database, email = `u-${randomBytes(4).toString('hex')}@example.test`): Promise<string> {
  const user = await db.prisma.user.create({ data: { email, passwordHash: 'x' } });
  return user.id;
}
