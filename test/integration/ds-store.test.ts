import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../server/db/database.ts';
import { openDatabase } from '../../server/db/database.ts';
import { MemoryDsStore } from '../../server/ds/memory-store.ts';
import { SqlDsStore } from '../../server/ds/sql-store.ts';
import { dsStoreContract } from '../contract/ds-store.contract.ts';
import { createUser, openTestDatabase, POSTGRES_URL } from '../support/db.ts';

/** The SQL store's group commit: one transaction for the appends queued together. */
function groupCommitTests(kind: 'pglite' | 'postgres') {
  describe(`ds group commit: ${kind}`, () => {
    let db: Database;
    let store: SqlDsStore;
    let owner: string;
    let cleanup: () => Promise<void>;
    const enc = new TextEncoder();
    const append = (path: string, text: string, streamSeq: string | null = null) =>
      store.append({ ownerId: owner, path, contentType: 'text/plain', payload: { data: enc.encode(text), messages: 1 }, close: false, streamSeq, producer: null });
    const create = (path: string) => store.create({ ownerId: owner, path, contentType: 'text/plain', ttlSeconds: null, expiresAt: null, closed: false, initial: null, fork: null });

    beforeAll(async () => {
      ({ db, cleanup } = await openTestDatabase(kind));
      store = new SqlDsStore(db);
      owner = await createUser(db);
    });
    afterAll(async () => {
      await store.close();
      await cleanup();
    });

    it('appends submitted together commit as one transaction with one notice', async () => {
      await create('gc-one');
      await create('gc-two');
      const notices: string[] = [];
      const off = db.feed.onPayload((p) => notices.push(p));
      const outcomes = await Promise.all(Array.from({ length: 10 }, (_, i) => append(i % 2 ? 'gc-one' : 'gc-two', `${i}`)));
      expect(outcomes.every((o) => o.kind === 'appended')).toBe(true);
      await new Promise((r) => setTimeout(r, 200));
      off();
      // One notice for the commit, naming both streams at their new tails.
      const ours = notices.filter((n) => n.startsWith('x:'));
      expect(ours).toHaveLength(1);
      expect(ours[0]!.split('|').slice(1).map((h) => h.split(':')[1]).sort()).toEqual(['5', '5']);
    });

    it('an append committed alone (ONE_APPEND_SQL) gives the same outcome and notice as a group of one', async () => {
      await create('gc-alone');
      const notices: string[] = [];
      const off = db.feed.onPayload((p) => notices.push(p));
      const first = await append('gc-alone', 'a');
      const second = await append('gc-alone', 'b');
      await new Promise((r) => setTimeout(r, 200));
      off();
      expect(first).toMatchObject({ kind: 'appended', stream: { tailSeq: 1, path: 'gc-alone', contentType: 'text/plain', closed: false } });
      expect(second).toMatchObject({ kind: 'appended', stream: { tailSeq: 2 } });
      const ours = notices.filter((n) => n.startsWith('x:'));
      expect(ours.map((n) => n.split('|').slice(1).map((h) => h.split(':')[1]))).toEqual([['1'], ['2']]);
      // Refusals are judged as for a group: a wrong type, and a stream that is not there.
      expect(await store.append({ ownerId: owner, path: 'gc-alone', contentType: 'application/json', payload: { data: enc.encode('[1]'), messages: 1 }, close: false, streamSeq: null, producer: null })).toMatchObject({ kind: 'content_type_mismatch' });
      expect(await append('gc-nowhere', 'x')).toEqual({ kind: 'not_found' });
    });

    it('a failing statement fails every append of its commit with a code, and none is stored', async () => {
      await create('gc-fail');
      await append('gc-fail', 'before');
      // A NUL in a text parameter makes the database refuse the statement (not the validation).
      const results = await Promise.allSettled([append('gc-fail', 'a'), append('gc-fail', 'b', 'bad\u0000seq'), append('gc-fail', 'c')]);
      expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
      for (const r of results) expect((r as PromiseRejectedResult).reason).toMatchObject({ code: 'DS_APPEND_COMMIT_FAILED' });
      const read = await store.read({ ownerId: owner, path: 'gc-fail', afterSeq: 0, maxEntries: 100, maxBytes: 1 << 20, touch: false });
      if (read.kind !== 'ok') throw new Error(read.kind);
      expect(read.stream.tailSeq).toBe(1);
      expect(read.entries.map((e) => new TextDecoder().decode(e.data))).toEqual(['before']);
      // The store goes on: the next commit is fine.
      expect((await append('gc-fail', 'after')).kind).toBe('appended');
    });

    it('a reader woken in-process gets the committed entries with the change', async () => {
      await create('gc-wake');
      const seen: unknown[] = [];
      const off = store.onChange((c) => seen.push(c));
      await Promise.all([append('gc-wake', 'x'), append('gc-wake', 'y')]);
      off();
      const change = seen.find((c) => (c as { committed?: unknown }).committed) as { tailSeq: number; committed: { stream: { tailSeq: number }; entries: Array<{ seq: number; data: Uint8Array }> } };
      expect(change.tailSeq).toBe(2);
      expect(change.committed.stream.tailSeq).toBe(2);
      expect(change.committed.entries.map((e) => [e.seq, new TextDecoder().decode(e.data)])).toEqual([[1, 'x'], [2, 'y']]);
    });
  });
}

groupCommitTests('pglite');
describe.skipIf(!POSTGRES_URL)('postgres group commit', () => groupCommitTests('postgres'));

/** API keys as the ApiKey table holds them (only the hash), for AppendRequest.apiKeyHash. */
function sqlKeys(db: Database) {
  return {
    async newKey(owner: string) {
      const hash = randomBytes(32).toString('hex');
      await db.prisma.apiKey.create({ data: { userId: owner, keyHash: hash } });
      return hash;
    },
    async revokeKey(hash: string) {
      await db.prisma.apiKey.update({ where: { keyHash: hash }, data: { revokedAt: new Date() } });
    },
  };
}

dsStoreContract('memory', async () => {
  const keys = new Map<string, string>();
  const store = new MemoryDsStore(Date.now, (hash) => keys.get(hash));
  return {
    store,
    newOwner: async () => randomUUID(),
    async newKey(owner) {
      const hash = randomBytes(32).toString('hex');
      keys.set(hash, owner);
      return hash;
    },
    revokeKey: async (hash) => void keys.delete(hash),
    cleanup: () => store.close(),
  };
});

dsStoreContract('pglite', async () => {
  const { db, cleanup } = await openTestDatabase('pglite');
  const store = new SqlDsStore(db);
  return {
    store,
    newOwner: () => createUser(db),
    ...sqlKeys(db),
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
      ...sqlKeys(db),
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
