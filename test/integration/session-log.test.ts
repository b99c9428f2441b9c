import { randomUUID } from 'node:crypto';
import { describe } from 'vitest';
import { openDatabase } from '../../server/db/database.ts';
import { MemorySessionLog } from '../../server/session/memory-log.ts';
import { SqlSessionLog } from '../../server/session/sql-log.ts';
import { runStoreContract } from '../contract/run-store.contract.ts';
import { sessionLogContract } from '../contract/session-log.contract.ts';
import type { StoreFixture } from '../contract/store-fixture.ts';
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
});
