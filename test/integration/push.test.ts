// Web Push end to end against a local push service that decrypts what it gets.
import { createDemoAgent } from '../../server/agent/demo-agent.ts';
import { DEFAULT_PUSH_ORIGINS, type Config } from '../../server/config.ts';
import { localToInstant, weekKeyFor } from '../../server/plan/week.ts';
import { JOB_RETRY_DELAY_S, JOB_SCHEMA } from '../../server/jobs/queue.ts';
import { Notifier } from '../../server/push/notifier.ts';
import { ANSWER_TTL_S, QUEUE_NOTIFY, REMINDER_TTL_S, TEST_TTL_S } from '../../server/push/push-service.ts';
import { PushSender } from '../../server/push/sender.ts';
import { loadVapidKeys } from '../../server/push/vapid.ts';
import { api, createSession, signup, WsTestClient, type Account } from '../support/client.ts';
import type { Database } from '../../server/db/database.ts';
import { DB_KIND } from '../support/db.ts';
import { describe, expect, test as base, TEST_RATE_LIMITS, type ServerOptions } from '../support/fixtures.ts';
import { FakePushService } from '../support/fake-push.ts';
import { sleep } from '../support/security.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const TZ = 'Europe/Berlin';
// Friday 17:59:57 in Berlin, this week: the review reminder at 18:00 is three seconds away.
// The server's clock is shifted there when the reminder test starts.
const fridayEvening = Date.parse(localToInstant(weekKeyFor(Date.now(), TZ), 4, '18:00', TZ)) - 3_000;
let clockOffsetMs = 0;

// The server sends to a fake push service of this file: it starts first, and closes after the server.
const test = base
  // eslint-disable-next-line no-empty-pattern -- Vitest reads a fixture's dependencies from this pattern; the fake has none.
  .extend('fake', { scope: 'file' }, async ({}, { onCleanup }): Promise<FakePushService> => {
    const fake = await FakePushService.start();
    onCleanup(() => fake.close());
    return fake;
  })
  .override('serverOptions', { scope: 'file' }, ({ fake }): ServerOptions => ({
    agent: () => createDemoAgent({ paceMs: 5, words: 30 }),
    config: { push: { allowedOrigins: [...DEFAULT_PUSH_ORIGINS, fake.origin], contact: 'mailto:ops@focus.example' } },
    overrides: { pushAgent: fake.agent, now: () => new Date(Date.now() + clockOffsetMs) },
  }));

describe(`Web Push (${DB_KIND})`, () => {
  let fake: FakePushService;
  let server: TestServer;
  let db: Database;

  test.beforeAll(({ fake: f, server: s, db: d }) => {
    fake = f;
    server = s;
    db = d;
  }, 60_000);

  /** Waits until `count` notify jobs of this user exist and every one has finished (completed or failed). */
  async function notifyJobsDone(userId: string, count: number) {
    const states = async () =>
      (await db.sql.query<{ state: string }>(`SELECT state FROM ${JOB_SCHEMA}.job WHERE name = $1 AND data->>'userId' = $2`, [QUEUE_NOTIFY, userId])).map((r) => r.state);
    let now = await states();
    for (const deadline = Date.now() + 20_000; (now.length < count || now.some((s) => s !== 'completed' && s !== 'failed')) && Date.now() < deadline; ) {
      await sleep(25);
      now = await states();
    }
    expect(now).toEqual(Array.from({ length: count }, () => 'completed'));
  }

  /** A server on the test database that may send to the fake push service, on the shifted clock. */
  function pushServer(opts: { words?: number; config?: Partial<Config> } = {}) {
    return startTestServer({
      db,
      agent: () => createDemoAgent({ paceMs: 5, words: opts.words ?? 2 }),
      // More accounts than one network may sign up by default.
      config: { rateLimits: TEST_RATE_LIMITS, push: { allowedOrigins: [...DEFAULT_PUSH_ORIGINS, fake.origin], contact: 'mailto:ops@focus.example' }, ...opts.config },
      overrides: { pushAgent: fake.agent, now: () => new Date(Date.now() + clockOffsetMs) },
    });
  }

  async function signupIn(timeZone: string): Promise<Account> {
    const account = await signup(server.url);
    expect((await api(server.url, account, 'PATCH', '/api/me', { timeZone })).status).toBe(200);
    return account;
  }

  async function subscribed(account: Account, status = 201) {
    const sub = fake.subscribe(status);
    const r = await api(server.url, account, 'POST', '/api/push/subscriptions', { endpoint: sub.endpoint, keys: sub.keys, expirationTime: null });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return { ...sub, serverId: r.body.id as string };
  }

  test('the VAPID public key is made once, stored, and the same after a restart', async () => {
    const r = await api(server.url, null, 'GET', '/api/push/vapid-public-key');
    expect(r.status).toBe(200);
    const key = Buffer.from(r.body.publicKey, 'base64url');
    expect(key).toHaveLength(65);
    expect(key[0]).toBe(4);
    expect(r.body.publicKey).toMatch(/^[A-Za-z0-9_-]+$/);
    expect((await loadVapidKeys(db.prisma)).publicKey).toBe(r.body.publicKey);
    const again = await startTestServer({ db, agent: () => createDemoAgent({ paceMs: 1, words: 2 }) });
    try {
      expect((await api(again.url, null, 'GET', '/api/push/vapid-public-key')).body.publicKey).toBe(r.body.publicKey);
    } finally {
      await again.close();
    }
  });

  test('endpoints off the allowed push services are refused with 400, so nobody can aim the server inward', async () => {
    const alice = await signup(server.url);
    const keys = fake.subscribe().keys;
    for (const endpoint of [
      'http://127.0.0.1:5432/x',
      'https://169.254.169.254/latest/meta-data',
      'https://localhost/push',
      'https://fcm.googleapis.com.evil.example/x',
      'https://user:pw@fcm.googleapis.com/x',
      'not a url',
      `${fake.origin.replace('https', 'http')}/push/x`,
    ]) {
      const r = await api(server.url, alice, 'POST', '/api/push/subscriptions', { endpoint, keys });
      expect(r.status, endpoint).toBe(400);
      expect(r.body.error.field, endpoint).toBe('endpoint');
    }
    // Real push services are fine by default; bad keys are 400 naming the field.
    const fcm = await api(server.url, alice, 'POST', '/api/push/subscriptions', { endpoint: 'https://fcm.googleapis.com/fcm/send/abc', keys });
    expect(fcm.status).toBe(201);
    const badKey = await api(server.url, alice, 'POST', '/api/push/subscriptions', { endpoint: `${fake.origin}/push/x`, keys: { ...keys, p256dh: 'AAAA' } });
    expect(badKey.status).toBe(400);
    expect(badKey.body.error.field).toBe('keys/p256dh');
    expect((await api(server.url, null, 'POST', '/api/push/subscriptions', { endpoint: 'https://fcm.googleapis.com/x', keys })).status).toBe(401);
  });

  test('"Send a test": 202, and the push service gets an aes128gcm payload with a TTL and a VAPID JWT for its own origin', async () => {
    const alice = await signup(server.url);
    const sub = await subscribed(alice);
    const r = await api(server.url, alice, 'POST', '/api/push/test');
    expect(r.status).toBe(202);
    await fake.waitFor(() => fake.for(sub.id).length === 1);
    const push = fake.for(sub.id)[0]!;
    expect(fake.decrypt(push)).toMatchObject({ title: 'Focus Coach', body: expect.stringContaining('work'), url: '/' });
    expect(push.headers.ttl).toBe(String(TEST_TTL_S));
    const jwt = fake.vapid(push);
    expect(jwt.aud).toBe(fake.origin);
    expect(jwt.sub).toBe('mailto:ops@focus.example');
    expect(jwt.exp * 1000).toBeGreaterThan(Date.now());
    expect(jwt.k).toBe((await api(server.url, null, 'GET', '/api/push/vapid-public-key')).body.publicKey);
  });

  test('with PUBLIC_URL set, notification links are absolute on it', async () => {
    const publicUrl = 'http://focus.example:8080';
    const behindProxy = await pushServer({ config: { publicOrigin: publicUrl } });
    try {
      const alice = await signup(behindProxy.url);
      const sub = await subscribed(alice);
      expect((await api(behindProxy.url, alice, 'POST', '/api/push/test')).status).toBe(202);
      await fake.waitFor(() => fake.for(sub.id).length === 1);
      expect(fake.decrypt(fake.for(sub.id)[0]!)).toMatchObject({ title: 'Focus Coach', url: `${publicUrl}/` });
    } finally {
      await behindProxy.close();
    }
  });

  test('subscriptions are listed with their device and can be removed; a stranger cannot remove them', async () => {
    const alice = await signup(server.url);
    const sub = await subscribed(alice);
    const devices = (await api(server.url, alice, 'GET', '/api/devices')).body.devices;
    const current = devices.find((d: { current: boolean }) => d.current);
    expect(current.pushSubscriptions).toEqual([{ id: sub.serverId, service: fake.origin, createdAt: expect.any(String) }]);
    const mallory = await signup(server.url);
    expect((await api(server.url, mallory, 'DELETE', `/api/push/subscriptions/${sub.serverId}`)).status).toBe(404);
    expect((await api(server.url, mallory, 'DELETE', '/api/push/subscriptions/not-a-uuid')).status).toBe(404);
    expect((await api(server.url, alice, 'DELETE', `/api/push/subscriptions/${sub.serverId}`)).status).toBe(204);
    expect((await api(server.url, alice, 'DELETE', `/api/push/subscriptions/${sub.serverId}`)).status).toBe(404);
    expect((await api(server.url, alice, 'POST', '/api/push/test')).status).toBe(202);
    // Synchronize on the queue instead of sleeping: the test notification's job has run (it found no subscription).
    await notifyJobsDone(alice.userId, 1);
    expect(fake.for(sub.id)).toHaveLength(0);
  });

  test('an answer that ends while no device has the session open is pushed with its first words and a link to it', async () => {
    const alice = await signup(server.url);
    const sub = await subscribed(alice);
    const sessionId = await createSession(server.url, alice, 'Week plan');
    // Away: nobody has the session open; the message comes in over HTTP.
    expect((await api(server.url, alice, 'POST', `/api/sessions/${sessionId}/messages`, { clientMessageId: 'm1', text: 'plan my week please' })).status).toBe(202);
    await fake.waitFor(() => fake.for(sub.id).length === 1, 20_000, 'answer push');
    const push = fake.for(sub.id)[0]!;
    const payload = fake.decrypt(push);
    const events = (await api(server.url, alice, 'GET', `/api/sessions/${sessionId}/events`)).body.events;
    const end = events.find((e: { type: string }) => e.type === 'assistant.end');
    expect(payload.url).toBe(`/sessions/${sessionId}`);
    expect(payload.title).toContain('Week plan');
    const firstWords = String(end.data.text).split(/\s+/).slice(0, 5).join(' ');
    expect(payload.body.startsWith(firstWords)).toBe(true);
    expect(payload.body.length).toBeLessThan(String(end.data.text).length + 2);
    expect(push.headers.ttl).toBe(String(ANSWER_TTL_S));

    // Present: the same thing with the session open on a device sends nothing.
    const ws = await WsTestClient.connect(server.wsUrl, sessionId, alice);
    await ws.waitForFrame('ready');
    await api(server.url, alice, 'POST', `/api/sessions/${sessionId}/messages`, { clientMessageId: 'm2', text: 'and now?' });
    await ws.waitFor((c) => c.events.filter((e) => e.type === 'assistant.end').length === 2, 20_000, 'second end');
    // Synchronize instead of sleeping: the run is over (its end was reported), its notice decided,
    // and only the first answer's notify job exists — the only way a push could still come.
    for (const deadline = Date.now() + 10_000; server.services.runs.activeRunCount > 0 && Date.now() < deadline; ) await sleep(10);
    expect(server.services.runs.activeRunCount).toBe(0);
    await server.services.answerNotices.settled();
    await notifyJobsDone(alice.userId, 1);
    expect(fake.for(sub.id)).toHaveLength(1);
    await ws.close();
  });

  test('an answer that ends during quiet hours waits for their end', async () => {
    const alice = await signupIn(TZ);
    const week = weekKeyFor(Date.now(), TZ);
    const friday23 = Date.parse(localToInstant(week, 4, '23:00', TZ));
    const saturday7 = Date.parse(localToInstant(week, 5, '07:00', TZ));
    clockOffsetMs = friday23 - Date.now();
    const sub = await subscribed(alice);
    expect((await api(server.url, alice, 'PUT', '/api/me/reminders', { review: null, planning: null, quietHours: { from: '22:00', to: '07:00' } })).status).toBe(200);
    const sessionId = await createSession(server.url, alice, 'Late night');
    expect((await api(server.url, alice, 'POST', `/api/sessions/${sessionId}/messages`, { clientMessageId: 'late', text: 'one more thing' })).status).toBe(202);
    const jobs = () =>
      db.prisma.$queryRawUnsafe<Array<{ state: string; start_after: Date; url: string }>>(
        `SELECT state::text AS state, start_after, data->'payload'->>'url' AS url FROM ${JOB_SCHEMA}.job WHERE name = 'notify' AND data->>'userId' = $1`,
        alice.userId,
      );
    for (let i = 0; i < 100 && (await jobs()).length === 0; i++) await sleep(200);
    const [job] = await jobs();
    expect(job).toMatchObject({ state: 'created', url: `/sessions/${sessionId}` });
    // Due at 07:00 by the server's clock: about eight hours from now in real time.
    expect(Math.abs(job!.start_after.getTime() - (Date.now() + (saturday7 - (Date.now() + clockOffsetMs))))).toBeLessThan(60_000);
    await sleep(2_000);
    expect(fake.for(sub.id)).toHaveLength(0);
  });

  test('a subscription the push service says is gone (410) is deleted', async () => {
    const alice = await signup(server.url);
    const sub = await subscribed(alice, 410);
    await api(server.url, alice, 'POST', '/api/push/test');
    await fake.waitFor(() => fake.for(sub.id).length === 1);
    for (let i = 0; i < 50 && (await db.prisma.pushSubscription.count({ where: { id: sub.serverId } })) > 0; i++) await sleep(100);
    expect(await db.prisma.pushSubscription.count({ where: { id: sub.serverId } })).toBe(0);
  });

  test('a push the push service refuses for now (503) is retried by the job queue with growing delays, then delivered once', async () => {
    const alice = await signup(server.url);
    const sub = await subscribed(alice, 503);
    expect((await api(server.url, alice, 'POST', '/api/push/test')).status).toBe(202);
    await fake.waitFor(() => fake.for(sub.id).length === 1, 15_000, 'first attempt');
    // Second attempt refused again; the third goes through.
    await fake.waitFor(() => fake.for(sub.id).length === 2, 20_000, 'first retry');
    fake.setStatus(sub.id, 201);
    await fake.waitFor(() => fake.for(sub.id).length === 3, 30_000, 'second retry');
    const [first, second, third] = fake.for(sub.id);
    // Backoff: the first retry waits at least JOB_RETRY_DELAY_S, the next at least twice that.
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(JOB_RETRY_DELAY_S * 1000 - 100);
    expect(third!.at - second!.at).toBeGreaterThanOrEqual(2 * JOB_RETRY_DELAY_S * 1000 - 100);
    // Each attempt carries the same message, freshly encrypted.
    for (const p of [first!, second!, third!]) expect(fake.decrypt(p)).toMatchObject({ title: 'Focus Coach', url: '/' });
    // Delivered: no further attempt, and the job is done after two retries.
    await sleep(2_500);
    expect(fake.for(sub.id)).toHaveLength(3);
    const jobs = await db.prisma.$queryRawUnsafe<Array<{ state: string; retry_count: number }>>(
      `SELECT state::text AS state, retry_count FROM ${JOB_SCHEMA}.job WHERE name = 'notify' AND data->>'userId' = $1`,
      alice.userId,
    );
    expect(jobs).toEqual([{ state: 'completed', retry_count: 2 }]);
  }, 60_000);

  test('the weekly review reminder fires at the chosen local time, and quiet hours move a reminder to their end', async () => {
    const alice = await signupIn(TZ);
    clockOffsetMs = fridayEvening - Date.now();
    const sub = await subscribed(alice);
    const r = await api(server.url, alice, 'PUT', '/api/me/reminders', { review: { weekday: 5, time: '18:00' }, planning: { weekday: 'sunday', time: '18:00' } });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ review: { weekday: 5, time: '18:00' }, planning: { weekday: 'sunday', time: '18:00' }, quietHours: null, timeZone: TZ });
    expect(Date.parse(r.body.next.review)).toBe(fridayEvening + 3_000);
    await fake.waitFor(() => fake.for(sub.id).length === 1, 20_000, 'review reminder');
    const push = fake.for(sub.id)[0]!;
    expect(fake.decrypt(push)).toMatchObject({ title: 'Time for your weekly review', url: '/start/review' });
    expect(push.headers.ttl).toBe(String(REMINDER_TTL_S));
    expect(push.headers.topic).toBe(`review-${weekKeyFor(fridayEvening, TZ)}`);

    // Quiet hours from 17:00 to 19:00: the 18:00 reminder waits until 19:00.
    const q = await api(server.url, alice, 'PUT', '/api/me/reminders', { review: { weekday: 'Fri', time: '18:30' }, planning: null, quietHours: { from: '17:00', to: '19:00' } });
    expect(q.status).toBe(200);
    expect(q.body.planning).toBeNull();
    expect(new Date(q.body.next.review).toLocaleTimeString('en-GB', { timeZone: TZ, hour: '2-digit', minute: '2-digit' })).toBe('19:00');
    // Overnight quiet hours wrap midnight.
    const w = await api(server.url, alice, 'PUT', '/api/me/reminders', { review: { weekday: 0, time: '23:30' }, planning: null, quietHours: { from: '22:00', to: '07:00' } });
    expect(new Date(w.body.next.review).toLocaleString('en-GB', { timeZone: TZ, weekday: 'long', hour: '2-digit', minute: '2-digit' })).toBe('Monday 07:00');

    for (const bad of [
      { review: { weekday: 9, time: '18:00' }, planning: null },
      { review: { weekday: 'someday', time: '18:00' }, planning: null },
      { review: { weekday: 5, time: '25:00' }, planning: null },
      { review: null, planning: null, quietHours: { from: '7am', to: '9' } },
      // Both reminders are named (null turns one off): a body without one is refused, not taken as "off".
      {},
      { review: { weekday: 5, time: '18:00' } },
      { planning: null, quietHours: null },
    ]) {
      const b = await api(server.url, alice, 'PUT', '/api/me/reminders', bad);
      expect(b.status, JSON.stringify(bad)).toBe(400);
    }
    // Nothing above changed the settings.
    expect((await api(server.url, alice, 'GET', '/api/me/reminders')).body).toMatchObject({ review: { weekday: 0, time: '23:30' }, quietHours: { from: '22:00', to: '07:00' } });
  }, 40_000);

  test('the planning nudge fires at its time; moved later in the same week, it does not come a second time', async () => {
    const alice = await signupIn(TZ);
    const week = weekKeyFor(Date.now(), TZ);
    const sunday18 = Date.parse(localToInstant(week, 6, '18:00', TZ));
    clockOffsetMs = sunday18 - 3_000 - Date.now();
    const sub = await subscribed(alice);
    const r = await api(server.url, alice, 'PUT', '/api/me/reminders', { review: null, planning: { weekday: 'sunday', time: '18:00' } });
    expect(r.status).toBe(200);
    expect(Date.parse(r.body.next.planning)).toBe(sunday18);
    expect(r.body.next.review).toBeNull();
    await fake.waitFor(() => fake.for(sub.id).length === 1, 20_000, 'planning nudge');
    const push = fake.for(sub.id)[0]!;
    expect(fake.decrypt(push)).toMatchObject({ title: 'Plan your week', url: '/start/plan' });
    expect(push.headers.topic).toBe(`planning-${week}`);

    // A minute later they move it to 18:01 the same Sunday: that job runs, and sends nothing.
    clockOffsetMs = sunday18 + 58_000 - Date.now();
    const moved = await api(server.url, alice, 'PUT', '/api/me/reminders', { review: null, planning: { weekday: 0, time: '18:01' } });
    expect(moved.status).toBe(200);
    expect(Date.parse(moved.body.next.planning)).toBe(sunday18 + 60_000);
    const completed = async () =>
      (
        await db.prisma.$queryRawUnsafe<Array<{ n: number }>>(
          `SELECT count(*)::int AS n FROM ${JOB_SCHEMA}.job WHERE name = 'reminder' AND state = 'completed' AND data->>'userId' = $1 AND data->>'atMs' = $2`,
          alice.userId,
          String(sunday18 + 60_000),
        )
      )[0]!.n === 1;
    for (let i = 0; i < 100 && !(await completed()); i++) await sleep(200);
    expect(await completed(), 'the moved reminder ran').toBe(true);
    await sleep(500);
    expect(fake.for(sub.id)).toHaveLength(1);
    const claims = await db.prisma.notification.findMany({ where: { userId: alice.userId }, select: { key: true } });
    expect(claims).toEqual([{ key: `planning:${week}` }]);
  }, 40_000);

  test('after an outage of weeks, the missed reminders are not all sent at once: only the one still fresh', async () => {
    const alice = await signupIn(TZ);
    const thisWeek = weekKeyFor(Date.now(), TZ);
    const threeWeeksAgo = weekKeyFor(Date.now() - 21 * 86_400_000, TZ);
    const friday18 = (week: string) => Date.parse(localToInstant(week, 4, '18:00', TZ));
    clockOffsetMs = friday18(threeWeeksAgo) - 3_000 - Date.now();
    const sub = await subscribed(alice);
    const r = await api(server.url, alice, 'PUT', '/api/me/reminders', { review: { weekday: 'friday', time: '18:00' }, planning: null });
    expect(Date.parse(r.body.next.review)).toBe(friday18(threeWeeksAgo));
    // The job comes due only when (by the clock) three weeks and two hours have gone by:
    // as if every instance had been down since. This week's, two hours old, is still worth it.
    clockOffsetMs = friday18(thisWeek) + 2 * 3_600_000 - Date.now();
    await fake.waitFor(() => fake.for(sub.id).length >= 1, 20_000, 'the fresh reminder');
    await sleep(3_000);
    const pushes = fake.for(sub.id);
    expect(pushes.map((p) => p.headers.topic)).toEqual([`review-${thisWeek}`]);
    expect(fake.decrypt(pushes[0]!)).toMatchObject({ title: 'Time for your weekly review' });
    expect(await db.prisma.notification.findMany({ where: { userId: alice.userId }, select: { key: true } })).toEqual([{ key: `review:${thisWeek}` }]);
    // …and the chain goes on next week.
    const waiting = await db.prisma.$queryRawUnsafe<Array<{ week: string }>>(
      `SELECT data->>'weekKey' AS week FROM ${JOB_SCHEMA}.job WHERE name = 'reminder' AND state = 'created' AND data->>'userId' = $1`,
      alice.userId,
    );
    expect(waiting).toEqual([{ week: weekKeyFor(friday18(thisWeek) + 7 * 86_400_000, TZ) }]);
  }, 40_000);

  test('a reminder chain lost while the app was down starts again when an instance starts', async () => {
    const alice = await signupIn(TZ);
    const week = weekKeyFor(Date.now(), TZ);
    const saturday10 = Date.parse(localToInstant(week, 5, '10:00', TZ));
    clockOffsetMs = saturday10 - 8_000 - Date.now();
    const sub = await subscribed(alice);
    const r = await api(server.url, alice, 'PUT', '/api/me/reminders', { review: { weekday: 'saturday', time: '10:00' }, planning: null });
    expect(Date.parse(r.body.next.review)).toBe(saturday10);
    // Gone, as pg-boss's maintenance drops a job still not run 14 days after it was due.
    await db.prisma.$executeRawUnsafe(`DELETE FROM ${JOB_SCHEMA}.job WHERE name = 'reminder' AND data->>'userId' = $1`, alice.userId);
    const restarted = await pushServer();
    try {
      await fake.waitFor(() => fake.for(sub.id).length === 1, 20_000, 'the resumed reminder');
      const push = fake.for(sub.id)[0]!;
      expect(fake.decrypt(push)).toMatchObject({ title: 'Time for your weekly review' });
      expect(push.headers.topic).toBe(`review-${week}`);
      await sleep(2_000);
      expect(fake.for(sub.id)).toHaveLength(1);
    } finally {
      await restarted.close();
    }
  }, 40_000);

  test('moving to another time zone moves the reminders with it: the same local time there', async () => {
    const alice = await signupIn(TZ);
    const ny = 'America/New_York';
    const fridayInNewYork = Date.parse(localToInstant(weekKeyFor(Date.now(), ny), 4, '18:00', ny));
    // 17:59:57 on Friday in New York is near midnight in Berlin: Berlin's 18:00 has passed.
    clockOffsetMs = fridayInNewYork - 3_000 - Date.now();
    const sub = await subscribed(alice);
    const r = await api(server.url, alice, 'PUT', '/api/me/reminders', { review: { weekday: 'friday', time: '18:00' }, planning: null });
    expect(Date.parse(r.body.next.review)).toBeGreaterThan(fridayInNewYork + 86_400_000);
    expect((await api(server.url, alice, 'PATCH', '/api/me', { timeZone: ny })).status).toBe(200);
    const after = await api(server.url, alice, 'GET', '/api/me/reminders');
    expect(after.body).toMatchObject({ timeZone: ny, review: { weekday: 'friday', time: '18:00' } });
    expect(Date.parse(after.body.next.review)).toBe(fridayInNewYork);
    await fake.waitFor(() => fake.for(sub.id).length === 1, 20_000, 'the reminder at 18:00 in New York');
    expect(fake.decrypt(fake.for(sub.id)[0]!)).toMatchObject({ title: 'Time for your weekly review' });
  }, 40_000);

  test('at most one nudge of each kind per week: a second job with the same key sends nothing', async () => {
    const alice = await signup(server.url);
    const sub = await subscribed(alice);
    const keys = await loadVapidKeys(db.prisma);
    const notifier = new Notifier(db.prisma, server.services.pushSubscriptions, new PushSender(keys, 'mailto:x@y.z', [fake.origin], fake.agent));
    const delivery = { userId: alice.userId, key: 'review:2026-W48', payload: { title: 't', body: 'b', url: '/' }, options: { ttlSeconds: 60 } };
    expect(await notifier.deliver({ ...delivery, jobId: 'job-1' })).toEqual({ kind: 'delivered', sent: 1 });
    // The same job retried (after a crash) skips the device it already reached.
    expect(await notifier.deliver({ ...delivery, jobId: 'job-1' })).toEqual({ kind: 'delivered', sent: 0 });
    expect(await notifier.deliver({ ...delivery, jobId: 'job-2' })).toEqual({ kind: 'duplicate' });
    expect(fake.for(sub.id)).toHaveLength(1);
  });
});
