import { randomUUID } from 'node:crypto';
import { describe } from 'vitest';
import { openDatabase } from '../../server/db/database.ts';
import { MemorySessionLog } from '../../server/session/memory-log.ts';
import { SqlSessionLog } from '../../server/session/sql-log.ts';
import { sessionLogContract } from '../contract/session-log.contract.ts';
import { createUser, openTestDatabase, POSTGRES_URL } from '../support/db.ts';

sessionLogContract('memory', async () => {
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
});

sessionLogContract('pglite', async () => {
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
});

describe.skipIf(!POSTGRES_URL)('postgres', () => {
  sessionLogContract('postgres', async () => {
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
  });
});
