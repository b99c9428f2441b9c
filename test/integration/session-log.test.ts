import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../server/db/database.ts';
import { MemorySessionLog } from '../../server/session/memory-log.ts';
import { SqlSessionLog } from '../../server/session/sql-log.ts';
import { runStoreContract } from '../contract/run-store.contract.ts';
import { sessionLogContract } from '../contract/session-log.contract.ts';
import { claim, type StoreFixture } from '../contract/store-fixture.ts';
import { createUser, openTestDatabase, POSTGRES_URL } from '../support/db.ts';

const memory = async (): Promise<StoreFixture> => {
  const log = new MemorySessionLog();
  return {
    log,
    async newSession() {
      const id = randomUUID();
      await log.createSession({ id, userId: 'u', title: '' });
      return id;
    },
    cleanup: () => log.close(),
  };
};

const pglite = async (): Promise<StoreFixture> => {
  const { db, cleanup } = await openTestDatabase('pglite');
  const log = new SqlSessionLog(db);
  const userId = await createUser(db);
  return {
    log,
    async newSession() {
      const id = randomUUID();
      await log.createSession({ id, userId, title: '' });
      return id;
    },
    async cleanup() {
      await log.close();
      await cleanup();
    },
  };
};

const postgres = async (): Promise<StoreFixture> => {
    const { db, url, cleanup } = await openTestDatabase('postgres');
    const log = new SqlSessionLog(db);
    const userId = await createUser(db);
    const peers: Array<() => Promise<void>> = [];
    return {
      log,
      async newSession() {
        const id = randomUUID();
        await log.createSession({ id, userId, title: '' });
        return id;
      },
      // A second instance: its own pool and its own LISTEN connection.
      async peer() {
        const peerDb = await openDatabase({ databaseUrl: url!, migrate: false });
        const peerLog = new SqlSessionLog(peerDb);
        peers.push(async () => {
          await peerLog.close();
          await peerDb.close();
        });
        return peerLog;
      },
      async cleanup() {
        for (const p of peers) await p();
        await log.close();
        await cleanup();
      },
    };
};

// One contract suite per port, each against every adapter.
sessionLogContract('memory', memory);
runStoreContract('memory', memory);
sessionLogContract('pglite', pglite);
runStoreContract('pglite', pglite);
describe.skipIf(!POSTGRES_URL)('postgres', () => {
  sessionLogContract('postgres', postgres);
  runStoreContract('postgres', postgres);

  it('SL13: renewing many leases never waits on a row lock, so it cannot deadlock with an end or a stop holding the same runs', async () => {
    const { db, url, cleanup } = await openTestDatabase('postgres');
    const log = new SqlSessionLog(db);
    const userId = await createUser(db);
    const holder = new pg.Client({ connectionString: url });
    await holder.connect();
    try {
      const runs: string[] = [];
      for (let i = 0; i < 2; i++) {
        const id = randomUUID();
        await log.createSession({ id, userId, title: '' });
        await log.appendUserMessage(id, { clientMessageId: 'a', text: 'hi' });
        const c = await claim(log, id);
        if (c.kind !== 'claimed') throw new Error(c.kind);
        runs.push(c.event.data.runId as string);
      }
      // In the order a multi-row UPDATE visits them on this two-row table (a sequential scan: insertion order).
      const [a, b] = runs as [string, string];
      // An end or stop in progress: it holds b and is about to lock a (the opposite order of a renewal's scan).
      await holder.query('BEGIN');
      await holder.query(`UPDATE "Run" SET "deltaCount" = "deltaCount" WHERE id = $1`, [b]);
      const renewal = log.renewLeases([a, b], 60_000);
      renewal.catch(() => {}); // awaited below; a deadlock victim must not be an unhandled rejection first
      await new Promise((r) => setTimeout(r, 200));
      // With a renewal holding a and waiting for b, this would deadlock (one of the two aborted after deadlock_timeout).
      const t0 = performance.now();
      await holder.query(`UPDATE "Run" SET "deltaCount" = "deltaCount" WHERE id = $1`, [a]);
      expect(performance.now() - t0).toBeLessThan(500);
      await holder.query('COMMIT');
      expect(await renewal).toEqual([
        { kind: 'renewed', stopRequested: false },
        { kind: 'renewed', stopRequested: false },
      ]);
      const leases = await holder.query<{ id: string; left: number }>(
        `SELECT id, extract(epoch FROM "leaseExpiresAt" - clock_timestamp())::float8 AS left FROM "Run" WHERE id = ANY($1::text[])`,
        [runs],
      );
      for (const l of leases.rows) expect(l.left).toBeGreaterThan(30);
    } finally {
      await holder.query('ROLLBACK').catch(() => {});
      await holder.end();
      await log.close();
      await cleanup();
    }
  });

  it('SL7: delta statements have their own connections: a flush commits while every connection of the shared pool is busy', async () => {
    const { url, cleanup } = await openTestDatabase('postgres');
    const db = await openDatabase({ databaseUrl: url!, migrate: false, poolSize: 2 });
    const log = new SqlSessionLog(db);
    try {
      const userId = await createUser(db);
      const id = randomUUID();
      await log.createSession({ id, userId, title: '' });
      await log.appendUserMessage(id, { clientMessageId: 'a', text: 'hi' });
      const c = await claim(log, id);
      if (c.kind !== 'claimed') throw new Error(c.kind);
      // Both shared connections busy for a second (requests, turn starts, ends).
      const busy = [db.sql.query('SELECT pg_sleep(1)'), db.sql.query('SELECT pg_sleep(1)')];
      await new Promise((r) => setTimeout(r, 100));
      const t0 = performance.now();
      const [out] = await log.appendDeltas([{ runId: c.event.data.runId as string, sessionId: id, messageId: String(c.event.data.messageId), text: 'live' }]);
      expect(performance.now() - t0).toBeLessThan(500);
      expect(out?.kind).toBe('appended');
      await Promise.all(busy);
    } finally {
      await log.close();
      await db.close();
      await cleanup();
    }
  });
});
