// Authorization matrix: EVERY registered route (read from the app itself, so a new route
// without an entry here fails this test) is tried with no login, with a revoked login and
// as another signed-in user. Another user's things are 404, never 403; no login is 401;
// and nothing of Alice's ever appears in anyone else's answer.
import http from 'node:http';
import { CLOSE_NOT_FOUND, CLOSE_SIGNED_OUT } from '../../server/contract/index.ts';
import { REASON_NOT_FOUND, REASON_SIGN_IN } from '../../server/http/routes/ws.ts';
import { createDemoAgent } from '../../server/agent/demo-agent.ts';
import { createSession, signup, WsTestClient, type Account } from '../support/client.ts';
import { DB_KIND } from '../support/db.ts';
import { describe, expect, test as base } from '../support/fixtures.ts';
import { createPairing, currentLoginId, json, pairDevice, raw } from '../support/security.ts';
import type { TestServer } from '../support/server.ts';

/**
 * owned:    the route acts on Alice's resource named in the path or body → stranger 404, no login 401.
 * self:     the route acts on the caller's own account → stranger succeeds on their own data, no login 401.
 * self-4xx: like self, but the body holds a secret the stranger does not have (an invite code) → a clean 4xx.
 * public:   the route needs no login (its own secret, or none) → never "sign in first", never 5xx.
 */
type Access = 'owned' | 'self' | 'self-4xx' | 'public';
interface Entry {
  access: Access;
  body?: (ctx: Ctx) => unknown;
  websocket?: boolean;
  /** An event stream that never ends by itself: read its first event only. */
  stream?: boolean;
}
interface Ctx {
  sessionId: string;
  aliceBlockId: string;
  aliceRockId: string;
  aliceEnvironmentId: string;
  aliceLoginId: string;
  aliceFeedId: string;
  aliceKeyId: string;
  aliceSubscriptionId: string;
  /** A partner Alice invited into her session. */
  alicePartnerId: string;
}

const MATRIX: Record<string, Entry> = {
  'GET /healthz': { access: 'public' },
  'GET /readyz': { access: 'public' },
  'POST /api/auth/signup': { access: 'public', body: () => ({ email: 'not-an-email', password: 'x' }) },
  'POST /api/auth/login': { access: 'public', body: () => ({ email: 'nobody@example.test', password: 'wrong password' }) },
  // Acts only on the caller's own cookie; without one it is a harmless no-op (204).
  'POST /api/auth/logout': { access: 'public' },
  'GET /api/me': { access: 'self' },
  // 200 with `user: null` for anyone not signed in; only ever the caller's own user.
  'GET /api/auth/session': { access: 'public' },
  'GET /api/devices': { access: 'self' },
  'DELETE /api/devices/:id': { access: 'owned' },
  'POST /api/pairing': { access: 'owned', body: (c) => ({ sessionId: c.sessionId }) },
  'POST /api/pairing/redeem': { access: 'public', body: () => ({ code: 'ZZZZZZZZZZ' }) },
  'POST /api/sessions': { access: 'self', body: () => ({ title: 'mine' }) },
  'GET /api/sessions': { access: 'self' },
  'GET /api/sessions/:id': { access: 'owned' },
  'GET /api/sessions/:id/events': { access: 'owned' },
  'POST /api/sessions/:id/messages': { access: 'owned', body: () => ({ clientMessageId: 'authz', text: 'let me in' }) },
  'POST /api/sessions/:id/cancel': { access: 'owned' },
  'PATCH /api/sessions/:id': { access: 'owned', body: () => ({ title: 'renamed by someone else' }) },
  'DELETE /api/sessions/:id': { access: 'owned' },
  'POST /api/sessions/:id/turns': { access: 'owned', body: () => ({ requestId: 'authz', mode: 'open' }) },
  'GET /api/sessions/:id/ws': { access: 'owned', websocket: true },
  'PATCH /api/me': { access: 'self', body: () => ({ timeZone: 'Europe/Berlin' }) },
  // Weeks belong to the caller: a stranger reads their own (empty) week, never Alice's.
  'GET /api/weeks/current': { access: 'self' },
  'GET /api/weeks/:weekKey': { access: 'self' },
  'GET /api/weeks/:weekKey/plan.ics': { access: 'self' },
  'GET /api/weeks/:weekKey/plan.md': { access: 'self' },
  'GET /api/weeks/:weekKey/live': { access: 'self', stream: true },
  'POST /api/weeks/:weekKey/blocks': { access: 'self', body: () => ({ kind: 'other', title: 'Authz', start: '2026-11-23T09:00:00Z', end: '2026-11-23T10:00:00Z' }) },
  'PATCH /api/weeks/:weekKey/blocks/:blockId': { access: 'owned', body: () => ({ title: 'Taken over' }) },
  'DELETE /api/weeks/:weekKey/blocks/:blockId': { access: 'owned' },
  'POST /api/weeks/:weekKey/rocks': { access: 'self', body: () => ({ title: 'Authz rock' }) },
  'PATCH /api/weeks/:weekKey/rocks/:rockId': { access: 'owned', body: () => ({ status: 'dropped' }) },
  'DELETE /api/weeks/:weekKey/rocks/:rockId': { access: 'owned' },
  'PUT /api/weeks/:weekKey/vision': { access: 'self', body: () => ({ work: 'w', self: 's', relationships: 'r' }) },
  'POST /api/weeks/:weekKey/environment': { access: 'self', body: () => ({ text: 'Authz desk' }) },
  'DELETE /api/weeks/:weekKey/environment/:id': { access: 'owned' },
  'PUT /api/weeks/:weekKey/review': { access: 'self', body: () => ({ start: '2026-11-27T15:00:00Z', end: '2026-11-27T15:30:00Z' }) },
  'POST /api/feeds': { access: 'self' },
  'GET /api/feeds': { access: 'self' },
  'DELETE /api/feeds/:id': { access: 'owned' },
  // The unguessable token in the file name is the credential (calendar apps send no cookie).
  'GET /api/feeds/:file': { access: 'public' },
  // Served to loopback (or with METRICS_TOKEN); counts only, no user data.
  'GET /metrics': { access: 'public' },
  'POST /api/keys': { access: 'self' },
  'GET /api/keys': { access: 'self' },
  'DELETE /api/keys/:id': { access: 'owned' },
  // Durable Streams: the session stream is the owner's (cookie or API key); writes need an API key.
  'GET /ds/v1/stream/*': { access: 'owned' },
  'PUT /ds/v1/stream/*': { access: 'owned' },
  'POST /ds/v1/stream/*': { access: 'owned', body: () => [{ x: 1 }] },
  'DELETE /ds/v1/stream/*': { access: 'owned' },
  // CORS preflight carries no credentials by design.
  'OPTIONS /ds/v1/stream/*': { access: 'public' },
  // Web Push: the VAPID public key is public by nature; subscriptions and reminders are the caller's.
  'GET /api/push/vapid-public-key': { access: 'public' },
  'POST /api/push/subscriptions': { access: 'self', body: () => ({ endpoint: 'https://fcm.googleapis.com/fcm/send/authz', keys: { p256dh: `B${'A'.repeat(86)}`, auth: 'AAAAAAAAAAAAAAAAAAAAAA' } }) },
  'DELETE /api/push/subscriptions/:id': { access: 'owned' },
  'POST /api/push/test': { access: 'self' },
  'GET /api/me/reminders': { access: 'self' },
  'PUT /api/me/reminders': { access: 'self', body: () => ({ review: { weekday: 5, time: '17:00' }, planning: null }) },
  // A human in the session: invites and partners are the owner's; redeeming acts for the caller.
  'POST /api/sessions/:id/invites': { access: 'owned' },
  'POST /api/invites/redeem': { access: 'self-4xx', body: () => ({ code: 'ZZZZZZZZZZZZZZZZ' }) },
  'POST /api/sessions/:id/takeover': { access: 'owned' },
  'POST /api/sessions/:id/handback': { access: 'owned' },
  'GET /api/sessions/:id/partners': { access: 'owned' },
  'DELETE /api/sessions/:id/partners/:userId': { access: 'owned' },
  'GET /api/sessions/:id/plan': { access: 'owned' },
};

/** The status and first event of an event stream (which would otherwise never end). */
function firstEvent(baseUrl: string, path: string, cookie: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${baseUrl}${path}`, { headers: { cookie }, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
        if (text.includes('\n\n')) {
          req.destroy();
          resolve({ status: res.statusCode ?? 0, text });
        }
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
  });
}

/** A route without an entry fails the matrix test above; here it stops the loop with its name. */
function entryFor(key: string): Entry {
  const e = MATRIX[key];
  if (!e) throw new Error(`no matrix entry for ${key}`);
  return e;
}

function fill(url: string, route: string, c: Ctx): string {
  const id = route.startsWith('DELETE /api/devices')
    ? c.aliceLoginId
    : route.startsWith('DELETE /api/feeds')
      ? c.aliceFeedId
      : route.startsWith('DELETE /api/keys')
        ? c.aliceKeyId
        : route.includes('/environment/')
          ? c.aliceEnvironmentId
          : route.startsWith('DELETE /api/push/subscriptions')
            ? c.aliceSubscriptionId
            : c.sessionId;
  return url
    .replace(':id', id)
    .replace(':blockId', c.aliceBlockId)
    .replace(':rockId', c.aliceRockId)
    .replace(':userId', c.alicePartnerId)
    .replace(':weekKey', '2026-W48')
    .replace(':file', 'not-a-real-feed-token-000000000.ics')
    .replace('*', `sessions/${c.sessionId}`);
}

const test = base.override('serverOptions', { agent: () => createDemoAgent({ paceMs: 1, words: 5 }) });

describe(`authorization on every route (${DB_KIND})`, () => {
  let server: TestServer;
  let alice: Account;
  let ctx: Ctx;
  let routes: Array<{ method: string; url: string; websocket: boolean }>;

  test.beforeAll(async ({ server: s }) => {
    server = s;
    alice = await signup(server.url);
    const sessionId = await createSession(server.url, alice, 'Alice private plan');
    const feed = await raw(server.url, 'POST', '/api/feeds', { cookie: alice.cookie });
    const key = await raw(server.url, 'POST', '/api/keys', { cookie: alice.cookie });
    const week = '/api/weeks/2026-W48';
    const rock = await raw(server.url, 'POST', `${week}/rocks`, { cookie: alice.cookie, body: json({ title: 'Alice private plan rock' }) });
    const block = await raw(server.url, 'POST', `${week}/blocks`, {
      cookie: alice.cookie,
      body: json({ kind: 'deep_work', title: 'Alice private plan block', start: '2026-11-24T09:00:00Z', end: '2026-11-24T11:00:00Z', rockId: rock.body.plan.rocks[0].id }),
    });
    const env = await raw(server.url, 'POST', `${week}/environment`, { cookie: alice.cookie, body: json({ text: 'Alice private plan desk' }) });
    const sub = await raw(server.url, 'POST', '/api/push/subscriptions', {
      cookie: alice.cookie,
      body: json({ endpoint: 'https://updates.push.services.mozilla.com/wpush/v2/alice', keys: { p256dh: `B${'A'.repeat(86)}`, auth: 'AAAAAAAAAAAAAAAAAAAAAA' } }),
    });
    const bob = await signup(server.url);
    const invite = await raw(server.url, 'POST', `/api/sessions/${sessionId}/invites`, { cookie: alice.cookie });
    expect((await raw(server.url, 'POST', '/api/invites/redeem', { cookie: bob.cookie, body: json({ code: invite.body.code }) })).status).toBe(200);
    ctx = {
      sessionId,
      aliceLoginId: await currentLoginId(server.url, alice),
      aliceFeedId: feed.body.id,
      aliceKeyId: key.body.id,
      aliceRockId: rock.body.plan.rocks[0].id,
      aliceBlockId: block.body.plan.blocks[0].id,
      aliceEnvironmentId: env.body.plan.environment[0].id,
      aliceSubscriptionId: sub.body.id,
      alicePartnerId: bob.userId,
    };
    // HEAD routes are Fastify's automatic twins of GET routes; they run the same hooks.
    routes = server.app.registeredRoutes.filter((r) => r.method !== 'HEAD');
  });

  test('every registered route has an entry in the matrix (add one when you add a route)', () => {
    const missing = routes.map((r) => `${r.method} ${r.url}`).filter((k) => !MATRIX[k]);
    expect(missing, 'routes without an authorization expectation').toEqual([]);
    // And the matrix names no route that does not exist (a renamed route must be re-checked).
    const registered = new Set(routes.map((r) => `${r.method} ${r.url}`));
    expect(Object.keys(MATRIX).filter((k) => !registered.has(k))).toEqual([]);
  });

  test('with no login, or with a revoked one, every non-public route is 401 (HTTP and WebSocket)', async () => {
    const revoked = await pairDevice(server.url, alice, 'lost phone');
    expect((await raw(server.url, 'DELETE', `/api/devices/${revoked.loginId}`, { cookie: alice.cookie })).status).toBe(204);
    const forged = { ...alice, cookie: 'fc_session=forged-token-value' };
    for (const who of [null, revoked, forged]) {
      for (const r of routes) {
        const key = `${r.method} ${r.url}`;
        const e = entryFor(key);
        const path = fill(r.url, key, ctx);
        const label = `${key} as ${who === null ? 'anonymous' : who === revoked ? 'revoked login' : 'forged cookie'}`;
        if (e.websocket) {
          expect(await WsTestClient.refusal(server.wsUrl, ctx.sessionId, who), label).toEqual({ code: CLOSE_SIGNED_OUT, reason: REASON_SIGN_IN, frames: 0 });
          continue;
        }
        const body = e.body?.(ctx);
        const res = await raw(server.url, r.method, path, { cookie: who?.cookie, body: body === undefined ? undefined : json(body) });
        expect(res.status, label).toBeLessThan(500);
        // A public route may say 401 for its own reason (wrong password), never "sign in first".
        if (e.access === 'public') expect(res.body?.error?.code, label).not.toBe('unauthorized');
        else expect(res.body?.error?.code, label).toBe('unauthorized');
      }
    }
  });

  test("as another user, Alice's session, device and pairing are 404 and nothing of hers leaks", async () => {
    const aliceSecrets = [ctx.sessionId, ctx.aliceLoginId, alice.email, alice.userId, 'Alice private plan', ctx.aliceBlockId, ctx.aliceRockId, ctx.aliceEnvironmentId];
    const mallory = await signup(server.url);
    for (const r of routes) {
      const key = `${r.method} ${r.url}`;
      const e = entryFor(key);
      // Logging out would end Mallory's login for the rest of the loop; it is tried last, below.
      if (key === 'POST /api/auth/logout') continue;
      if (e.websocket) {
        expect(await WsTestClient.refusal(server.wsUrl, ctx.sessionId, mallory), key).toEqual({ code: CLOSE_NOT_FOUND, reason: REASON_NOT_FOUND, frames: 0 });
        continue;
      }
      const body = e.body?.(ctx);
      const res = e.stream
        ? await firstEvent(server.url, fill(r.url, key, ctx), mallory.cookie)
        : await raw(server.url, r.method, fill(r.url, key, ctx), { cookie: mallory.cookie, body: body === undefined ? undefined : json(body) });
      expect(res.status, key).toBeLessThan(500);
      if (e.access === 'owned') {
        // Durable Streams writes refuse a cookie outright (401/405) before looking anything up.
        if (key.includes('/ds/') && r.method !== 'GET') expect([401, 404, 405], key).toContain(res.status);
        else expect(res.status, key).toBe(404);
      }
      if (e.access === 'self') expect(res.status, key).toBeLessThan(300);
      if (e.access === 'self-4xx') expect(res.status, key).toBeGreaterThanOrEqual(400);
      for (const secret of aliceSecrets) expect(res.text, `${key} leaks ${secret}`).not.toContain(secret);
    }
    expect((await raw(server.url, 'POST', '/api/auth/logout', { cookie: mallory.cookie })).status).toBe(204);

    // Alice is untouched by all of it.
    const mine = await raw(server.url, 'GET', `/api/sessions/${ctx.sessionId}/events`, { cookie: alice.cookie });
    expect(mine.status).toBe(200);
    expect(mine.body.events).toEqual([]);
    const devices = await raw(server.url, 'GET', '/api/devices', { cookie: alice.cookie });
    expect(devices.body.devices.map((d: { id: string }) => d.id)).toContain(ctx.aliceLoginId);
    const plan = (await raw(server.url, 'GET', '/api/weeks/2026-W48', { cookie: alice.cookie })).body.plan;
    expect(plan.blocks).toEqual([expect.objectContaining({ id: ctx.aliceBlockId, title: 'Alice private plan block', rockId: ctx.aliceRockId })]);
    expect(plan.rocks).toEqual([expect.objectContaining({ id: ctx.aliceRockId, status: 'planned' })]);
    expect(plan.environment).toEqual([{ id: ctx.aliceEnvironmentId, text: 'Alice private plan desk' }]);
  });

  test("a pairing code for someone else's session cannot be made, even with a malformed id", async () => {
    const mallory = await signup(server.url);
    for (const sessionId of [ctx.sessionId, 'not-a-uuid', '00000000-0000-0000-0000-000000000000']) {
      const r = await raw(server.url, 'POST', '/api/pairing', { cookie: mallory.cookie, body: json({ sessionId }) });
      expect(r.status, sessionId).toBe(404);
    }
    // Alice herself can.
    const p = await createPairing(server.url, alice, ctx.sessionId);
    expect(p.code).toHaveLength(10);
  });

  test('malformed ids anywhere are 404 like foreign ones, not 400 or 500', async () => {
    const mallory = await signup(server.url);
    for (const id of ['x', '..%2F..%2Fetc', "1' OR '1'='1", '%00', '%F0%9F%98%80', 'a'.repeat(90)]) {
      expect((await raw(server.url, 'GET', `/api/sessions/${id}`, { cookie: mallory.cookie })).status, id).toBe(404);
      expect((await raw(server.url, 'DELETE', `/api/devices/${id}`, { cookie: mallory.cookie })).status, id).toBe(404);
    }
    // Past Fastify's 100-character parameter limit the answer is 414, still a clean JSON error.
    const long = await raw(server.url, 'GET', `/api/sessions/${'a'.repeat(300)}`, { cookie: mallory.cookie });
    expect(long.status).toBe(414);
    expect(long.body.error.code).toBeTruthy();
  });
});
