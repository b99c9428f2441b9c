import { randomUUID } from 'node:crypto';
import { createMemoryPlanStore } from '../../../server/plan/memory-store.ts';
import { planStoreContract } from '../../contract/plan-store.contract.ts';

planStoreContract('memory', () => ({ store: createMemoryPlanStore(), newUserId: async () => randomUUID() }));
