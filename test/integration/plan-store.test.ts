import { afterAll, beforeAll, describe } from 'vitest';
import type { Database } from '../../server/db/database.ts';
import { createPrismaPlanStore } from '../../server/plan/prisma-store.ts';
import { planStoreContract } from '../contract/plan-store.contract.ts';
import { createUser, DB_KIND, openTestDatabase } from '../support/db.ts';

describe(`Prisma plan store (${DB_KIND})`, () => {
  let db: Database;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ db, cleanup } = await openTestDatabase());
  });
  afterAll(async () => cleanup?.());

  planStoreContract(`prisma on ${DB_KIND}`, () => ({
    store: createPrismaPlanStore(db.prisma),
    newUserId: () => createUser(db),
  }));
});
