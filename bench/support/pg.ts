import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { migratePostgres } from '../../server/db/database.ts';

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** A fresh, migrated database for one bench run; `drop` removes it. */
export async function freshDatabase(adminUrl: string): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const name = `fc_bench_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = withDatabase(adminUrl, name);
  await migratePostgres(url);
  return {
    url,
    name,
    async drop() {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).catch(() => {});
      await c.end();
    },
  };
}

export async function query<T extends pg.QueryResultRow = any>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<T>(sql, params)).rows;
  } finally {
    await c.end();
  }
}

export async function postgresVersion(url: string): Promise<string> {
  const [row] = await query<{ v: string }>(url, "SELECT current_setting('server_version') AS v");
  if (!row) throw new Error('server_version query returned no row');
  return `PostgreSQL ${row.v}`;
}

/** Committed transactions in one database so far (pg_stat_database; flushed by the stats collector ~every 500 ms on PG 15). */
export async function xactCommits(url: string, dbName: string): Promise<number> {
  const [row] = await query<{ n: string }>(url, 'SELECT xact_commit::text AS n FROM pg_stat_database WHERE datname = $1', [dbName]);
  return Number(row?.n ?? 0);
}
