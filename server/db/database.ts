import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { PrismaClient } from './generated/client.ts';
import { applyMigrations } from './migrate.ts';
import { NOTIFY_CHANNEL } from './notify-registry.ts';
import { PgListener } from './pg-listener.ts';

export type { PrismaClient };

/** Raw notification feed: payload strings on NOTIFY_CHANNEL, plus "the feed was broken, re-read" signals. */
export interface NotificationFeed {
  onPayload(handler: (payload: string) => void): () => void;
  onResync(handler: () => void): () => void;
}

/**
 * Plain parameterised SQL on the same database, for the session log's hot path: one
 * statement per append, where Prisma's raw-query layer costs more CPU than the query.
 */
export interface SqlExecutor {
  /** `name` makes it a prepared statement on PostgreSQL (parsed and planned once per connection). */
  query<T = Record<string, unknown>>(text: string, params?: unknown[], name?: string): Promise<T[]>;
  /**
   * The same, each row as an array of its columns in select order. For bulk reads (a replay
   * of 10,000 rows): the driver then builds no keyed object per row.
   */
  queryArrays<T extends unknown[] = unknown[]>(text: string, params?: unknown[], name?: string): Promise<T[]>;
}

/**
 * Several statements as one transaction on one connection, for group commits that must
 * run statements in order (each sees the previous one's rows). `fn` may use only `tx`:
 * on PGlite the outer executor would wait for this transaction forever.
 */
export type SqlTransaction = <T>(fn: (tx: SqlExecutor) => Promise<T>) => Promise<T>;

/** The shape pg-boss takes for a database it does not own (its `db` option). */
export interface JobQueueSql {
  executeSql(text: string, values?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
}

export interface Database {
  kind: 'pglite' | 'postgres';
  prisma: PrismaClient;
  sql: SqlExecutor;
  /**
   * For the streaming hot path (the delta flusher's group commits): its own connections on
   * PostgreSQL, so a flush never waits for a pool connection behind per-request queries
   * (turn starts and ends, sign-ins) — under a burst of those, it did, and the wait showed in
   * delivery's tail. PGlite has one connection: there it is `sql`.
   */
  streamSql: SqlExecutor;
  /** Commits everything `fn` ran, or nothing if it throws. */
  transaction: SqlTransaction;
  /** The job queue's SQL: the same pool (Postgres) or the same embedded instance (PGlite). */
  jobSql: JobQueueSql;
  feed: NotificationFeed;
  /** Sends an ephemeral notification (not stored) to every instance, this one included. */
  notify(payload: string): Promise<void>;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  databaseUrl?: string;
  /** PGlite data directory; omitted means in-memory (tests). */
  dataDir?: string;
  migrate?: boolean;
  poolSize?: number;
  log?: (msg: string, err?: unknown) => void;
}

/**
 * Connections of the streaming lane (`streamSql`): as many as the delta flusher keeps
 * statements in flight (MAX_INFLIGHT_FLUSHES), on top of `poolSize`.
 */
export const STREAM_POOL_SIZE = 2;

// Any 64-bit constant works; it only has to be the same in every instance.
const MIGRATION_LOCK_KEY = 7_226_431_870_511;

export async function openDatabase(opts: OpenDatabaseOptions): Promise<Database> {
  return opts.databaseUrl ? openPostgres(opts.databaseUrl, opts) : openPglite(opts);
}

/** The executor over a pool or one of its connections (`name`: a prepared statement). */
function pgExecutor(db: pg.Pool | pg.PoolClient): SqlExecutor {
  return {
    query: async (text, params, name) => (await db.query({ text, values: params as unknown[], ...(name ? { name } : {}) })).rows,
    queryArrays: async (text, params, name) => (await db.query({ text, values: params as unknown[], rowMode: 'array', ...(name ? { name } : {}) })).rows as never[],
  };
}

/** The executor over PGlite or one of its transactions (no prepared statement names). */
function pgliteExecutor(db: Pick<Transaction, 'query'>): SqlExecutor {
  return {
    query: async (text, params) => (await db.query(text, params as unknown[])).rows as never[],
    queryArrays: async (text, params) => (await db.query(text, params as unknown[], { rowMode: 'array' })).rows as never[],
  };
}

async function openPostgres(url: string, opts: OpenDatabaseOptions): Promise<Database> {
  if (opts.migrate) await migratePostgres(url);
  // One pool serves Prisma and every request's statements; the streaming lane has its own
  // few, so an instance uses at most poolSize + STREAM_POOL_SIZE connections.
  const pool = new pg.Pool({ connectionString: url, max: opts.poolSize ?? 10 });
  pool.on('error', (err) => opts.log?.('idle database connection failed', err));
  const streamPool = new pg.Pool({ connectionString: url, max: STREAM_POOL_SIZE });
  streamPool.on('error', (err) => opts.log?.('idle database connection failed', err));
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  const listener = new PgListener(url, NOTIFY_CHANNEL, opts.log);
  await listener.start();
  return {
    kind: 'postgres',
    prisma,
    sql: pgExecutor(pool),
    streamSql: pgExecutor(streamPool),
    async transaction(fn) {
      const client = await pool.connect();
      let broken: unknown;
      try {
        await client.query('BEGIN');
        const out = await fn(pgExecutor(client));
        await client.query('COMMIT');
        return out;
      } catch (err) {
        await client.query('ROLLBACK').catch((e: unknown) => (broken = e));
        throw err;
      } finally {
        // A connection whose ROLLBACK failed is in an unknown state: the pool must not reuse it.
        client.release(broken instanceof Error ? broken : undefined);
      }
    },
    jobSql: { executeSql: async (text, values) => pool.query<Record<string, unknown>>(text, values) },
    feed: listener,
    // A prepared statement on the pool: presence announces on every socket open and close,
    // next to that socket's replay, and Prisma's raw layer costs more CPU than the statement.
    notify: async (payload) => {
      await pool.query({ text: 'SELECT pg_notify($1, $2)', values: [NOTIFY_CHANNEL, payload], name: 'fc_notify' });
    },
    ping: () => prisma.$queryRaw`SELECT 1`.then(() => true, () => false),
    async close() {
      await listener.stop();
      await prisma.$disconnect();
      await pool.end().catch(() => {});
      await streamPool.end().catch(() => {});
    },
  };
}

/** Applies migrations under a session-level advisory lock so concurrent starts are safe. */
export async function migratePostgres(url: string): Promise<string[]> {
  const lockClient = new pg.Client({ connectionString: url });
  await lockClient.connect();
  try {
    await lockClient.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    return await applyMigrations(new PrismaPg({ connectionString: url, max: 2 }));
  } finally {
    await lockClient.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => {});
    await lockClient.end().catch(() => {});
  }
}

async function openPglite(opts: OpenDatabaseOptions): Promise<Database> {
  let dataDir: string | undefined;
  if (opts.dataDir) {
    dataDir = path.resolve(opts.dataDir, 'pglite');
    await mkdir(dataDir, { recursive: true });
  }
  const pglite = dataDir ? await PGlite.create(dataDir) : await PGlite.create();
  if (opts.migrate !== false) await applyMigrations(new PrismaPGlite(pglite));
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(pglite) });
  const payloadHandlers = new Set<(p: string) => void>();
  // PGlite delivers NOTIFY in-process; there is no connection to lose, so no resync.
  const unlisten = await pglite.listen(NOTIFY_CHANNEL, (payload) => {
    for (const h of payloadHandlers) h(payload);
  });
  return {
    kind: 'pglite',
    prisma,
    sql: pgliteExecutor(pglite),
    streamSql: pgliteExecutor(pglite),
    transaction: (fn) => pglite.transaction((tx) => fn(pgliteExecutor(tx))),
    jobSql: {
      // pg-boss sends its migrations as one multi-statement script without parameters;
      // PGlite runs those through exec (simple protocol), everything else through query.
      async executeSql(text, values) {
        if (values && values.length > 0) return { rows: (await pglite.query<Record<string, unknown>>(text, values)).rows };
        const results = await pglite.exec(text);
        return { rows: (results[results.length - 1]?.rows ?? []) as Record<string, unknown>[] };
      },
    },
    feed: {
      onPayload(h) {
        payloadHandlers.add(h);
        return () => payloadHandlers.delete(h);
      },
      onResync() {
        return () => {};
      },
    },
    notify: async (payload) => {
      await pglite.query('SELECT pg_notify($1, $2)', [NOTIFY_CHANNEL, payload]);
    },
    ping: () => prisma.$queryRaw`SELECT 1`.then(() => true, () => false),
    async close() {
      await unlisten();
      await prisma.$disconnect();
      await pglite.close();
    },
  };
}
