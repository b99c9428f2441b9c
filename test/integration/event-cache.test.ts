import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../server/db/database.ts';
import { eventFrame } from '../../server/session/frames.ts';
import { SessionHub } from '../../server/session/hub.ts';
import { SqlSessionLog } from '../../server/session/sql-log.ts';
import type { LogNotification, SessionEvent } from '../../server/session/types.ts';
import { createUser, openTestDatabase, POSTGRES_URL } from '../support/db.ts';

interface Instances {
  db: Database;
  /** The instance under test: its reads go through its event cache. */
  a: SqlSessionLog;
  /** Another instance (Postgres: its own pool and LISTEN connection): a never sees its commits directly. */
  b: SqlSessionLog;
  /** No cache: what the database says. */
  truth: SqlSessionLog;
  userId: string;
  cleanup(): Promise<void>;
}

async function instances(kind: 'pglite' | 'postgres'): Promise<Instances> {
  const { db, url, cleanup } = await openTestDatabase(kind);
  const userId = await createUser(db);
  const peerDb = kind === 'postgres' ? await openDatabase({ databaseUrl: url!, migrate: false }) : db;
  const a = new SqlSessionLog(db);
  const b = new SqlSessionLog(peerDb);
  const truth = new SqlSessionLog(db, { eventCacheBytes: 0 });
  return {
    db,
    a,
    b,
    truth,
    userId,
    async cleanup() {
      for (const l of [a, b, truth]) await l.close();
      if (peerDb !== db) await peerDb.close();
      await cleanup();
    },
  };
}

/**
 * What a reader sees of an event: its frame, as JSON (a local commit's frame is serialized
 * here, a read one is the database's jsonb text, so whitespace may differ).
 */
const wire = (events: SessionEvent[] | { kind: string }) => (Array.isArray(events) ? events.map((e) => JSON.parse(eventFrame(e)) as unknown) : events);

function waitFor(log: SqlSessionLog, pred: (n: LogNotification) => boolean): Promise<void> {
  return new Promise((resolve) => {
    const off = log.onNotification((n) => {
      if (pred(n)) {
        off();
        resolve();
      }
    });
  });
}

function cacheSuite(kind: 'pglite' | 'postgres') {
  describe(`event cache: ${kind}`, () => {
    let fx: Instances;
    beforeAll(async () => {
      fx = await instances(kind);
    });
    afterAll(async () => {
      await fx?.cleanup();
    });

    const newSession = async () => {
      const id = randomUUID();
      await fx.a.createSession({ id, userId: fx.userId, title: '' });
      return id;
    };

    it('SL20: a read the cache answers in part still returns what another instance committed after it, gap-free', async () => {
      const id = await newSession();
      for (let i = 0; i < 5; i++) await fx.a.append(id, 'plan.updated', { i });
      expect(wire(await fx.a.read(id, 0, 100))).toEqual(wire(await fx.truth.read(id, 0, 100)));
      expect(fx.a.eventCacheSize.sessions).toBeGreaterThan(0);
      // Another instance writes; nothing here waits for its notice.
      for (let i = 5; i < 10; i++) await fx.b.append(id, 'plan.updated', { i });
      await fx.a.append(id, 'plan.updated', { i: 10 });
      for (const [after, limit] of [[0, 100], [0, 7], [3, 4], [4, 2], [5, 100], [9, 1], [11, 5]] as const) {
        expect(wire(await fx.a.read(id, after, limit)), `after ${after} limit ${limit}`).toEqual(wire(await fx.truth.read(id, after, limit)));
      }
      expect((await fx.a.read(id, 0, 100)) as SessionEvent[]).toHaveLength(11);
      // eventCacheBytes 0 (EVENT_CACHE_MB=0): nothing is kept.
      expect(fx.truth.eventCacheSize).toEqual({ sessions: 0, bytes: 0 });
    });

    it('SL20: interleaved writes of two instances and reads at random offsets always match the database', async () => {
      const id = await newSession();
      let rnd = 7;
      const next = (n: number) => ((rnd = (rnd * 1103515245 + 12345) % 2 ** 31), rnd % n);
      for (let step = 0; step < 120; step++) {
        const op = next(4);
        if (op === 0) await fx.a.append(id, 'plan.updated', { step });
        else if (op === 1) await fx.b.append(id, 'plan.updated', { step });
        else if (op === 2) await fx.b.appendUserMessage(id, { clientMessageId: `c${step}`, text: `m${step}` });
        const last = (await fx.truth.lastSeq(id)) as number;
        const after = next(last + 2);
        const limit = 1 + next(12);
        expect(wire(await fx.a.read(id, after, limit)), `step ${step}: after ${after} limit ${limit}`).toEqual(wire(await fx.truth.read(id, after, limit)));
      }
    });

    it('SL20: a session read at its tail is cached from then on by this instance’s commits, and still reads as the database says', async () => {
      const id = await newSession();
      expect(await fx.a.read(id, 0, 100)).toEqual([]);
      const empty = fx.a.eventCacheSize.bytes;
      for (let i = 0; i < 3; i++) await fx.a.append(id, 'plan.updated', { i });
      expect(fx.a.eventCacheSize.bytes).toBeGreaterThan(empty);
      await fx.b.append(id, 'plan.updated', { i: 3 });
      await fx.a.append(id, 'plan.updated', { i: 4 });
      for (const [after, limit] of [[0, 100], [0, 3], [2, 1], [3, 100], [4, 100]] as const) {
        expect(wire(await fx.a.read(id, after, limit)), `after ${after} limit ${limit}`).toEqual(wire(await fx.truth.read(id, after, limit)));
      }
    });

    it('SL20 + SL4: subscribers from an offset get every event once, in order, including other instances’ commits', async () => {
      const id = await newSession();
      const hub = new SessionHub(fx.a, () => {}, 4);
      try {
        for (let i = 0; i < 6; i++) await fx.a.append(id, 'plan.updated', { i });
        const replay = async (after: number) => {
          const got: number[] = [];
          await new Promise<void>((resolve, reject) => {
            const sub = hub.subscribe(id, after, {
              event: (e) => (got.push(e.seq), true),
              ready: () => (hub.unsubscribe(sub), resolve()),
              error: reject,
            });
          });
          return got;
        };
        expect(await replay(0)).toEqual([1, 2, 3, 4, 5, 6]);
        for (let i = 0; i < 5; i++) await fx.b.append(id, 'plan.updated', { i });
        expect(await replay(0)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
        expect(await replay(4)).toEqual([5, 6, 7, 8, 9, 10, 11]);
      } finally {
        hub.close();
      }
    });

    it('SL16 + SL20: a session another instance deleted reads as not_found at once when the read goes past the cached run', async () => {
      const id = await newSession();
      for (let i = 0; i < 4; i++) await fx.a.append(id, 'plan.updated', { i });
      await fx.a.read(id, 0, 100);
      expect(await fx.b.deleteSession(id)).toBe(true);
      // No waiting for the notice: the part past the cache is asked of the database, which knows.
      expect(await fx.a.read(id, 0, 100)).toEqual({ kind: 'not_found' });
      expect(await fx.a.read(id, 0, 2)).toEqual({ kind: 'not_found' });
    });

    it('SL16 + SL20: the deletion notice of another instance empties the cache, also for reads the cache alone could answer', async () => {
      const id = await newSession();
      for (let i = 0; i < 4; i++) await fx.a.append(id, 'plan.updated', { i });
      await fx.a.read(id, 0, 100);
      const told = waitFor(fx.a, (n) => n.kind === 'session_deleted' && n.sessionId === id);
      expect(await fx.b.deleteSession(id)).toBe(true);
      await told;
      expect(await fx.a.read(id, 0, 2)).toEqual({ kind: 'not_found' });
    });

    it('SL20: after a resync (notices may have been lost) nothing cached is served: a deletion it missed is seen', async () => {
      // An instance whose notices we control: here its listener "loses" the deletion's notice.
      let resync!: () => void;
      const feed = { ...fx.db.feed, onPayload: () => () => {}, onResync: (h: () => void) => ((resync = h), () => {}) };
      const c = new SqlSessionLog({ ...fx.db, feed });
      try {
        const id = await newSession();
        for (let i = 0; i < 4; i++) await fx.a.append(id, 'plan.updated', { i });
        expect((await c.read(id, 0, 100)) as SessionEvent[]).toHaveLength(4);
        expect(await fx.b.deleteSession(id)).toBe(true);
        // Within the run it holds, the cache answers without the database: the window a lost notice leaves open.
        expect((await c.read(id, 0, 2)) as SessionEvent[]).toHaveLength(2);
        resync();
        expect(c.eventCacheSize.sessions).toBe(0);
        expect(await c.read(id, 0, 2)).toEqual({ kind: 'not_found' });
      } finally {
        await c.close();
      }
    });

    it('SL20: a local delete forgets the session at once', async () => {
      const id = await newSession();
      await fx.a.append(id, 'plan.updated', {});
      await fx.a.read(id, 0, 100);
      expect(await fx.a.deleteSession(id)).toBe(true);
      expect(await fx.a.read(id, 0, 1)).toEqual({ kind: 'not_found' });
    });
  });
}

cacheSuite('pglite');
describe.skipIf(!POSTGRES_URL)('postgres', () => cacheSuite('postgres'));
