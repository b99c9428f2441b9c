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

/** A commit this slow means the disk is still busy with an earlier scenario's writes. */
const SETTLED_COMMIT_MS = 5;
const SETTLE_PROBES_IN_A_ROW = 3;
const SETTLE_MAX_MS = 60_000;

/**
 * Waits until a one-row commit is quick again: a scenario that writes a lot (the file-store
 * peer fsyncs every append, and leaves a backlog) must not slow the next one's commits.
 * Returns how long it waited; gives up after SETTLE_MAX_MS.
 */
export async function settleDisk(url: string): Promise<number> {
  const started = performance.now();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    // Temp tables are not WAL-logged; a commit that must flush WAL needs a real write.
    await client.query('CREATE TABLE IF NOT EXISTS bench_settle_probe (x int)');
    let quick = 0;
    while (quick < SETTLE_PROBES_IN_A_ROW && performance.now() - started < SETTLE_MAX_MS) {
      const t0 = performance.now();
      await client.query('INSERT INTO bench_settle_probe VALUES (1)');
      quick = performance.now() - t0 <= SETTLED_COMMIT_MS ? quick + 1 : 0;
      await new Promise((r) => setTimeout(r, 50));
    }
    await client.query('DROP TABLE bench_settle_probe');
  } finally {
    await client.end();
  }
  return performance.now() - started;
}
