import { randomUUID } from 'node:crypto';
import { describe } from 'vitest';
import { openDatabase } from '../../server/db/database.ts';
import { MemoryDsStore } from '../../server/ds/memory-store.ts';
import { SqlDsStore } from '../../server/ds/sql-store.ts';
import { dsStoreContract } from '../contract/ds-store.contract.ts';
import { createUser, openTestDatabase, POSTGRES_URL } from '../support/db.ts';

dsStoreContract('memory', async () => {
  const store = new MemoryDsStore();
  return { store, newOwner: async () => randomUUID(), cleanup: () => store.close() };
});

dsStoreContract('pglite', async () => {
  const { db, cleanup } = await openTestDatabase('pglite');
  const store = new SqlDsStore(db);
  return {
    store,
    newOwner: () => createUser(db),
    async cleanup() {
      await store.close();
      await cleanup();
    },
  };
});

describe.skipIf(!POSTGRES_URL)('postgres', () => {
  dsStoreContract('postgres', async () => {
    const { db, url, cleanup } = await openTestDatabase('postgres');
    const store = new SqlDsStore(db);
    const peers: Array<() => Promise<void>> = [];
    return {
      store,
      newOwner: () => createUser(db),
      // A second instance: its own pool and its own LISTEN connection.
      async peer() {
        const peerDb = await openDatabase({ databaseUrl: url!, migrate: false });
        const peerStore = new SqlDsStore(peerDb);
        peers.push(async () => {
          await peerStore.close();
          await peerDb.close();
        });
        return peerStore;
      },
      async cleanup() {
        for (const p of peers) await p();
        await store.close();
        await cleanup();
      },
    };
  });
});
