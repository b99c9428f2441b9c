// WebSocket hardening: Origin, frame size, per-connection rate, heartbeat, connections per user.
import WebSocket from 'ws';
import { createDemoAgent } from '../../server/agent/demo-agent.ts';
import { DEFAULT_LIMITS } from '../../server/config.ts';
import type { Database } from '../../server/db/database.ts';
import { CLOSE_RATE_LIMITED, MAX_FRAME_BYTES } from '../../server/contract/index.ts';
import { api, createSession, signup, WsTestClient, type Account } from '../support/client.ts';
import { DB_KIND } from '../support/db.ts';
import { describe, expect, test as base } from '../support/fixtures.ts';
import { sleep } from '../support/security.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { nth } from '../support/nth.ts';

// Short enough for a quick test, long enough that a busy machine (server and clients share
// one event loop here) does not miss a pong by accident. Only the heartbeat test's server uses it.
const HEARTBEAT_MS = 400;
const MAX_SOCKETS = 3;

/** The server's rate-limit clock: real time plus whatever a test skips ahead. */
let skippedMs = 0;
const rateClock = () => performance.now() + skippedMs;

const test = base.override('serverOptions', { agent: () => createDemoAgent({ paceMs: 2, words: 40 }), config: { limits: { ...DEFAULT_LIMITS, maxSocketsPerUser: MAX_SOCKETS }, allowedOrigins: ['https://app.focus.example'] }, overrides: { monotonicNow: rateClock } });

describe(`WebSocket hardening (${DB_KIND})`, () => {
  let server: TestServer;
  let db: Database;
  let alice: Account;
  let sessionId: string;

  test.beforeAll(async ({ db: d, server: s }) => {
    db = d;
    server = s;
    alice = await signup(server.url);
    sessionId = await createSession(server.url, alice);
  });

  const healthy = async () => expect((await api(server.url, null, 'GET', '/healthz')).status).toBe(200);

  test('a foreign Origin is refused before the upgrade; our own and allowed origins are accepted', async () => {
    for (const origin of ['https://evil.example', 'null', 'http://127.0.0.1.evil.example', 'not a url']) {
      await expect(WsTestClient.connect(server.wsUrl, sessionId, alice, { origin }), origin).rejects.toMatchObject({ statusCode: 403 });
    }
    for (const origin of [server.url, 'https://app.focus.example']) {
      const c = await WsTestClient.connect(server.wsUrl, sessionId, alice, { origin });
      await c.waitForFrame('ready');
      await c.close();
    }
  });

  test('an oversized frame is refused without crashing: above 64 KiB an error frame, far above it the socket is closed (1009)', async () => {
    const watcher = await WsTestClient.connect(server.wsUrl, sessionId, alice);
    const c = await WsTestClient.connect(server.wsUrl, sessionId, alice);
    await Promise.all([watcher.waitForFrame('ready'), c.waitForFrame('ready')]);
    c.send(JSON.stringify({ type: 'user.message', clientMessageId: 'big', text: 'x'.repeat(MAX_FRAME_BYTES + 10) }));
    expect(await c.waitForFrame('error')).toMatchObject({ code: 'frame_too_large' });
    c.send({ type: 'ping' });
    await c.waitForFrame('pong');
    expect(c.closed).toBeUndefined();

    c.send('y'.repeat(MAX_FRAME_BYTES * 5));
    await c.waitFor((x) => x.closed, 5_000, 'close');
    expect(c.closed?.code).toBe(1009);
    // Nobody else noticed.
    await healthy();
    watcher.send({ type: 'ping' });
    await watcher.waitForFrame('pong');
    expect(watcher.events).toEqual([]);
    await watcher.close();
  });

  test(`rate limit: past the burst a client first gets a rate_limited error, then is closed with ${CLOSE_RATE_LIMITED}`, async () => {
    const c = await WsTestClient.connect(server.wsUrl, sessionId, alice);
    await c.waitForFrame('ready');
    // A burst within the limit is fine.
    for (let i = 0; i < DEFAULT_LIMITS.wsMessageBurst - 5; i++) c.send({ type: 'ping' });
    await c.waitFor((x) => x.frames.filter((f) => f.type === 'pong').length === DEFAULT_LIMITS.wsMessageBurst - 5, 5_000, 'pongs');
    expect(c.frames.some((f) => f.type === 'error')).toBe(false);
    skippedMs += 2_100; // the bucket refills, without waiting for it

    for (let i = 0; i < DEFAULT_LIMITS.wsMessageBurst + 1; i++) c.send({ type: 'ping' });
    const warning = await c.waitFor((x) => x.frames.find((f) => f.type === 'error'), 5_000, 'rate_limited');
    expect(warning).toMatchObject({ code: 'rate_limited' });
    expect(c.closed).toBeUndefined();
    // It continues: closed.
    for (let i = 0; i < 100; i++) c.send({ type: 'ping' });
    await c.waitFor((x) => x.closed, 5_000, 'close');
    expect(c.closed?.code).toBe(CLOSE_RATE_LIMITED);
    expect(c.frames.filter((f) => f.type === 'error')).toHaveLength(1);
    await healthy();
  });

  test('a client hovering above the rate is closed too: the odd accepted frame does not wipe its strikes', async () => {
    const tight = await startTestServer({ db, config: { limits: { ...DEFAULT_LIMITS, wsMessagesPerSecond: 10, wsMessageBurst: 5 } } });
    try {
      const c = await WsTestClient.connect(tight.wsUrl, sessionId, alice);
      await c.waitForFrame('ready');
      // 50 frames a second against a limit of 10: most are refused, some still get through.
      const timer = setInterval(() => c.ws.readyState === WebSocket.OPEN && c.send({ type: 'ping' }), 20);
      try {
        await c.waitFor((x) => x.closed, 10_000, 'close');
      } finally {
        clearInterval(timer);
      }
      expect(c.closed?.code).toBe(CLOSE_RATE_LIMITED);
      expect(c.frames.filter((f) => f.type === 'error')).toHaveLength(1);
      const firstError = c.frames.findIndex((f) => f.type === 'error');
      expect(c.frames.slice(firstError).some((f) => f.type === 'pong')).toBe(true);
    } finally {
      await tight.close();
    }
  });

  test('heartbeat: a peer that stops answering pings is dropped; a live one stays', async () => {
    const beating = await startTestServer({ db, config: { wsHeartbeatMs: HEARTBEAT_MS } });
    try {
      const live = await WsTestClient.connect(beating.wsUrl, sessionId, alice);
      await live.waitForFrame('ready');
      // A client whose network died silently: it never answers pings.
      const dead = new WebSocket(`${beating.wsUrl}/api/sessions/${sessionId}/ws`, { headers: { cookie: alice.cookie }, autoPong: false });
      let pings = 0;
      dead.on('ping', () => pings++);
      const closed = new Promise<number>((resolve) => dead.on('close', (code) => resolve(code)));
      await new Promise((resolve, reject) => {
        dead.once('open', resolve);
        dead.once('error', reject);
      });
      const t0 = Date.now();
      const code = await closed;
      expect(pings).toBeGreaterThanOrEqual(1);
      // terminate() sends no close frame: the client sees an abnormal closure.
      expect(code).toBe(1006);
      expect(Date.now() - t0).toBeLessThan(HEARTBEAT_MS * 10);
      await sleep(HEARTBEAT_MS * 3);
      expect(live.closed).toBeUndefined();
      live.send({ type: 'ping' });
      await live.waitForFrame('pong');
      await live.close();
      await sleep(50);
      expect(beating.services.sockets.size).toBe(0);
    } finally {
      await beating.close();
    }
  });

  test(`at most ${MAX_SOCKETS} open connections per user: the next is refused with 429 before the upgrade`, async () => {
    const bob = await signup(server.url);
    const bobSession = await createSession(server.url, bob);
    const open = await Promise.all(Array.from({ length: MAX_SOCKETS }, () => WsTestClient.connect(server.wsUrl, bobSession, bob)));
    await expect(WsTestClient.connect(server.wsUrl, bobSession, bob)).rejects.toMatchObject({ statusCode: 429 });
    // Other users are not affected.
    const other = await WsTestClient.connect(server.wsUrl, sessionId, alice);
    await other.waitForFrame('ready');
    // Closing one frees a slot.
    await nth(open, 0).close();
    await sleep(50);
    const again = await WsTestClient.connect(server.wsUrl, bobSession, bob);
    await again.waitForFrame('ready');
    await Promise.all([...open.slice(1), again, other].map((c) => c.close()));
  });

  test('a burst of parallel upgrades cannot overshoot the cap by more than the race allows: extras are closed with 4029', async () => {
    const carol = await signup(server.url);
    const s = await createSession(server.url, carol);
    const attempts = await Promise.allSettled(Array.from({ length: MAX_SOCKETS * 3 }, () => WsTestClient.connect(server.wsUrl, s, carol)));
    await sleep(200);
    const opened = attempts.filter((a): a is PromiseFulfilledResult<WsTestClient> => a.status === 'fulfilled').map((a) => a.value);
    const stillOpen = opened.filter((c) => !c.closed);
    expect(stillOpen.length).toBeLessThanOrEqual(MAX_SOCKETS);
    for (const c of opened.filter((x) => x.closed)) expect(c.closed?.code).toBe(CLOSE_RATE_LIMITED);
    for (const a of attempts) if (a.status === 'rejected') expect(a.reason).toMatchObject({ statusCode: 429 });
    await Promise.all(stillOpen.map((c) => c.close()));
  });
});
