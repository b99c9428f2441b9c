import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../server/db/database.ts';
import type { PgListener } from '../../server/db/pg-listener.ts';
import { SessionHub } from '../../server/session/hub.ts';
import { SqlSessionLog } from '../../server/session/sql-log.ts';
import type { SessionEvent } from '../../server/session/types.ts';
import { createPostgresDatabase, createUser, POSTGRES_URL } from '../support/db.ts';

describe.skipIf(!POSTGRES_URL)('SL8: a lost LISTEN connection', () => {
  let url: string;
  let drop: () => Promise<void>;
  let a: Database;
  let b: Database;

  beforeAll(async () => {
    ({ url, drop } = await createPostgresDatabase());
    [a, b] = await Promise.all([openDatabase({ databaseUrl: url }), openDatabase({ databaseUrl: url })]);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await drop?.();
  });

  it('SL8: after the listener connection is killed, subscribers catch up from the log and miss nothing', async () => {
    const logA = new SqlSessionLog(a);
    const logB = new SqlSessionLog(b);
    const hubA = new SessionHub(logA);
    const sessionId = randomUUID();
    await logB.createSession({ id: sessionId, userId: await createUser(b), title: '' });
    const got: SessionEvent[] = [];
    let ready = false;
    hubA.subscribe(sessionId, 0, { event: (e) => (got.push(e), true), ready: () => (ready = true) });
    await expect.poll(() => ready).toBe(true);

    await logB.append(sessionId, 'plan.updated', { n: 1 });
    await expect.poll(() => got.length).toBe(1);

    const listener = a.feed as PgListener;
    const pid = listener.backendPid;
    expect(pid).toBeTypeOf('number');
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query('SELECT pg_terminate_backend($1)', [pid]);
    await admin.end();
    // Written while A cannot hear notifications.
    for (let n = 2; n <= 4; n++) await logB.append(sessionId, 'plan.updated', { n });

    await expect.poll(() => got.length, { timeout: 10_000 }).toBe(4);
    expect(got.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    expect(listener.backendPid).not.toBe(pid);
    // And live delivery works again on the new connection.
    await logB.append(sessionId, 'plan.updated', { n: 5 });
    await expect.poll(() => got.length, { timeout: 5_000 }).toBe(5);
    hubA.close();
    await logA.close();
    await logB.close();
  });
});
