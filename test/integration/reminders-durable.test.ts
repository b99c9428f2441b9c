// Reminders are jobs in PostgreSQL (pg-boss): they outlive the instance that scheduled
// them, and with several instances each fires exactly once.
import { afterAll, beforeAll } from 'vitest';
import pg from 'pg';
import { createDemoAgent } from '../../server/agent/demo-agent.ts';
import { openDatabase, type Database } from '../../server/db/database.ts';
import { JOB_SCHEMA, startJobQueue } from '../../server/jobs/queue.ts';
import { PUSH_QUEUES } from '../../server/push/push-service.ts';
import { localToInstant, weekKeyFor } from '../../server/plan/week.ts';
import { api, signup } from '../support/client.ts';
import { createPostgresDatabase, DB_KIND } from '../support/db.ts';
import { describe, expect, test } from '../support/fixtures.ts';
import { FakePushService } from '../support/fake-push.ts';
import { sleep } from '../support/security.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const TZ = 'America/New_York';

describe.skipIf(DB_KIND !== 'postgres')('durable reminders on PostgreSQL', () => {
  let url: string;
  let fake: FakePushService;
  const open: Array<{ server: TestServer; db: Database }> = [];
  // The reminder is due 8 s after the test starts, by the servers' (shifted) clock.
  let offsetMs = 0;

  async function instance(name: string) {
    const db = await openDatabase({ databaseUrl: url, migrate: false });
    const server = await startTestServer({
      db,
      agent: () => createDemoAgent({ paceMs: 1, words: 3 }),
      config: { instanceId: name, push: { allowedOrigins: [fake.origin], contact: 'mailto:ops@focus.example' } },
      overrides: { pushAgent: fake.agent, now: () => new Date(Date.now() + offsetMs) },
    });
    const handle = { server, db };
    open.push(handle);
    return handle;
  }

  async function stop(h: { server: TestServer; db: Database }) {
    open.splice(open.indexOf(h), 1);
    await h.server.close();
    await h.db.close();
  }

  // The file's database (from the fixtures); every instance opens its own pool on it, like separate processes.
  test.beforeAll(({ databaseUrl }) => {
    url = databaseUrl!;
  });
  beforeAll(async () => {
    fake = await FakePushService.start();
  }, 60_000);
  afterAll(async () => {
    for (const h of [...open]) await stop(h);
    await fake?.close();
  });

  test('a reminder scheduled on one instance survives its restart and fires once with two instances running', async () => {
    const target = Date.parse(localToInstant(weekKeyFor(Date.now(), TZ), 4, '18:00', TZ));
    offsetMs = target - 8_000 - Date.now();
    const a = await instance('instance-a');
    const alice = await signup(a.server.url);
    await api(a.server.url, alice, 'PATCH', '/api/me', { timeZone: TZ });
    const sub = fake.subscribe();
    expect((await api(a.server.url, alice, 'POST', '/api/push/subscriptions', { endpoint: sub.endpoint, keys: sub.keys })).status).toBe(201);
    const put = await api(a.server.url, alice, 'PUT', '/api/me/reminders', { review: { weekday: 'friday', time: '18:00' }, planning: null });
    expect(put.status).toBe(200);
    expect(Date.parse(put.body.next.review)).toBe(target);
    // The instance that scheduled it goes away before it is due.
    await stop(a);
    const [b, c] = await Promise.all([instance('instance-b'), instance('instance-c')]);
    await fake.waitFor(() => fake.for(sub.id).length >= 1, 30_000, 'the reminder');
    expect(fake.decrypt(fake.for(sub.id)[0]!)).toMatchObject({ title: 'Time for your weekly review' });

    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      // Synchronize on the queue instead of sleeping: once this week's job is completed and only
      // next week's waits, no instance can send this week's reminder again (a job runs once; the
      // "Notification" claim below would refuse a second send of the same key anyway).
      const reminderJobs = () => client.query(`SELECT state, data FROM ${JOB_SCHEMA}.job WHERE name = 'reminder' ORDER BY created_on`);
      let jobs = await reminderJobs();
      for (const deadline = Date.now() + 30_000; jobs.rows.map((r) => r.state).join() !== 'completed,created' && Date.now() < deadline; ) {
        await sleep(50);
        jobs = await reminderJobs();
      }
      expect(fake.for(sub.id)).toHaveLength(1);
      // This week's done, next week's waiting: the chain goes on.
      expect(jobs.rows.map((r) => r.state)).toEqual(['completed', 'created']);
      expect(jobs.rows[1].data.weekKey).not.toBe(jobs.rows[0].data.weekKey);
      const claims = await client.query(`SELECT key FROM "Notification" WHERE "userId" = $1`, [alice.userId]);
      expect(claims.rows).toEqual([{ key: `review:${weekKeyFor(target, TZ)}` }]);
    } finally {
      await client.end();
    }
    await Promise.all([stop(b), stop(c)]);
  }, 90_000);

  test('instances started together on a fresh database both get a working job queue', async () => {
    // The replicas of a first deploy: both create pg-boss's schema and queues at once.
    for (let round = 0; round < 2; round++) {
      const fresh = await createPostgresDatabase();
      const dbs = await Promise.all([0, 1].map(() => openDatabase({ databaseUrl: fresh.url, migrate: false })));
      const failures: string[] = [];
      const queues = dbs.map((db) => startJobQueue(db, PUSH_QUEUES, { error: (_o, msg) => failures.push(String(msg)), warn: () => undefined }));
      try {
        const ids = await Promise.all(queues.map((q, i) => q.send('notify', { round, instance: i })));
        expect(ids.every((id) => typeof id === 'string')).toBe(true);
        // Each can also take work: a job sent by one is done by whichever claims it.
        const done: number[] = [];
        await Promise.all(queues.map((q, i) => q.work<{ n: number }>('reminder', async () => void done.push(i))));
        await queues[0]!.send('reminder', { n: 1 });
        for (let i = 0; i < 50 && done.length === 0; i++) await sleep(100);
        expect(done).toHaveLength(1);
        expect(failures).toEqual([]);
      } finally {
        for (const q of queues) await q.stop();
        for (const db of dbs) await db.close();
        await fresh.drop();
      }
    }
  }, 60_000);
});
