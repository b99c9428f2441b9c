// HTTP hardening: security headers, validation with the field at fault, body limit, no
// internals in 5xx, rate limits on sign-in and sign-up, the session cap, and CSRF.
import { afterAll } from 'vitest';
import { createDemoAgent } from '../../server/agent/demo-agent.ts';
import { BODY_LIMIT_BYTES } from '../../server/contract/index.ts';
import { DEFAULT_LIMITS, DEFAULT_RATE_LIMITS, type Config } from '../../server/config.ts';
import type { Database } from '../../server/db/database.ts';
import { createSession, signup, WsTestClient, type Account } from '../support/client.ts';
import { DB_KIND } from '../support/db.ts';
import { describe, expect, test as base } from '../support/fixtures.ts';
import { json, raw } from '../support/security.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { nth } from '../support/nth.ts';

const generous = { burst: 1_000, refillPerMinute: 1_000 };
const PASSWORD = 'correct horse battery';
// The real rate limits: this file tests them.
const test = base.override('serverOptions', { agent: () => createDemoAgent({ paceMs: 1, words: 5 }), config: { rateLimits: DEFAULT_RATE_LIMITS } });

describe(`HTTP hardening (${DB_KIND})`, () => {
  let db: Database;
  let server: TestServer;
  let alice: Account;
  let sessionId: string;
  const extra: TestServer[] = [];

  const another = async (config: Partial<Config>) => {
    const s = await startTestServer({ db, config });
    extra.push(s);
    return s;
  };

  test.beforeAll(async ({ db: d, server: s }) => {
    db = d;
    server = s;
    alice = await signup(server.url);
    sessionId = await createSession(server.url, alice);
  });
  afterAll(async () => {
    for (const s of extra) await s.close();
  });

  describe('security headers', () => {
    test('are on every response: success, 401, 404, 400, 413, framework errors', async () => {
      const responses = [
        await raw(server.url, 'GET', '/healthz'),
        await raw(server.url, 'GET', '/api/me'),
        await raw(server.url, 'GET', '/api/me', { cookie: alice.cookie }),
        await raw(server.url, 'GET', '/no/such/route'),
        await raw(server.url, 'POST', '/api/auth/login', { body: '{' }),
        await raw(server.url, 'POST', '/api/auth/login', { body: json({ email: 'a@b.co', password: 'x'.repeat(BODY_LIMIT_BYTES) }) }),
        await raw(server.url, 'GET', '/api/sessions/%E0%A4%A'),
      ];
      for (const r of responses) {
        const csp = r.headers.get('content-security-policy') ?? '';
        expect(csp, `${r.status}`).toContain("default-src 'self'");
        expect(csp).toContain("script-src 'self'");
        expect(csp).toContain("frame-ancestors 'none'");
        expect(csp).not.toContain('unsafe-inline');
        expect(r.headers.get('x-content-type-options')).toBe('nosniff');
        expect(r.headers.get('referrer-policy')).toBe('no-referrer');
        expect(r.headers.get('x-frame-options')).toBe('DENY');
        // Plain http here: HSTS would be wrong.
        expect(r.headers.get('strict-transport-security')).toBeNull();
      }
      expect(nth(responses, 2).headers.get('cache-control')).toBe('no-store');
    });

    test('Strict-Transport-Security only when PUBLIC_URL is https', async () => {
      const https = await another({ publicOrigin: 'https://focus.example', secureCookies: true });
      const r = await raw(https.url, 'GET', '/healthz');
      expect(r.headers.get('strict-transport-security')).toMatch(/^max-age=\d{7,}; includeSubDomains$/);
      const s = await raw(https.url, 'POST', '/api/auth/signup', { body: json({ email: 'secure@example.test', password: PASSWORD }) });
      expect(s.headers.getSetCookie().join('\n')).toMatch(/;\s*Secure/i);
      const plain = await another({ publicOrigin: 'http://focus.example' });
      expect((await raw(plain.url, 'GET', '/healthz')).headers.get('strict-transport-security')).toBeNull();
    });
  });

  describe('bad input', () => {
    test('a body over 64 KiB is 413 with a JSON error', async () => {
      const r = await raw(server.url, 'POST', `/api/sessions/${sessionId}/messages`, {
        cookie: alice.cookie,
        body: json({ clientMessageId: 'big', text: 'x'.repeat(BODY_LIMIT_BYTES + 1) }),
      });
      expect(r.status).toBe(413);
      expect(r.body).toEqual({ error: { code: 'body_too_large', message: expect.any(String) } });
    });

    test.each([
      ['POST', '/api/auth/signup', { email: 'nope', password: PASSWORD }, 'email'],
      ['POST', '/api/auth/signup', { email: 'a@b.co' }, 'password'],
      ['POST', '/api/auth/signup', { email: 'a@b.co', password: 'short' }, 'password'],
      ['POST', '/api/auth/login', { email: 'a@b.co', password: 7 }, 'password'],
      ['POST', '/api/auth/login', { email: 'a@b.co', password: PASSWORD, deviceName: 'd'.repeat(121) }, 'deviceName'],
      ['POST', '/api/sessions', { title: 't'.repeat(201) }, 'title'],
      ['POST', '/api/sessions', { kind: 'party' }, 'kind'],
      ['POST', '/api/sessions', { weekKey: '2026-48' }, 'weekKey'],
      ['POST', '/api/sessions', { title: 'nul\u0000byte' }, 'title'],
      ['POST', '/api/sessions', [1, 2], ''],
      ['POST', '/api/sessions/:id/messages', { clientMessageId: '', text: 'hi' }, 'clientMessageId'],
      ['POST', '/api/sessions/:id/messages', { clientMessageId: 'a' }, 'text'],
      ['POST', '/api/sessions/:id/messages', { clientMessageId: 'a', text: '   ' }, 'text'],
      ['POST', '/api/sessions/:id/messages', { clientMessageId: 'a', text: 'x'.repeat(8001) }, 'text'],
      ['POST', '/api/sessions/:id/messages', { clientMessageId: 'a', text: 'broken \uD83D pair' }, 'text'],
      ['POST', '/api/sessions/:id/messages', { clientMessageId: 'a', text: { nested: true } }, 'text'],
      ['GET', '/api/sessions/:id/events?after=-1', undefined, 'after'],
      ['GET', '/api/sessions/:id/events?limit=0', undefined, 'limit'],
      ['GET', '/api/sessions/:id/events?limit=lots', undefined, 'limit'],
      ['GET', '/api/sessions/:id/events?limit=1001', undefined, 'limit'],
      // Out of an integer column's range: refused before any SQL.
      ['GET', '/api/sessions/:id/events?after=2147483648', undefined, 'after'],
      ['GET', '/api/sessions/:id/events?after=1e309', undefined, 'after'],
      ['GET', '/api/sessions/:id/events?after=99999999999999999999', undefined, 'after'],
      ['GET', '/api/sessions/:id/events?after=0&colour=red', undefined, 'colour'],
      // Unknown properties are refused, never silently dropped.
      ['POST', '/api/sessions', { title: 'x', titel: 'typo' }, 'titel'],
      ['POST', '/api/sessions/:id/messages', { clientMessageId: 'a', text: 'hi', extra: 1 }, 'extra'],
      ['POST', '/api/auth/signup', { email: 'a@b.co', password: PASSWORD, admin: true }, 'admin'],
      ['PATCH', '/api/me', { timeZone: 'UTC', email: 'x@y.z' }, 'email'],
      ['POST', '/api/pairing', { sessionId: 'x', extra: 1 }, 'extra'],
      ['POST', '/api/pairing', { sessionId: { $ne: null } }, 'sessionId'],
      ['POST', '/api/pairing/redeem', {}, 'code'],
      ['POST', '/api/pairing/redeem', { code: 'C'.repeat(100) }, 'code'],
      ['POST', '/api/pairing/redeem', { code: 'ABCDE12345', deviceName: 'd'.repeat(121) }, 'deviceName'],
    ])('%s %s %j → 400 naming %s', async (method, path, body, field) => {
      const r = await raw(server.url, method, path.replace(':id', sessionId), { cookie: alice.cookie, body: body === undefined ? undefined : json(body) });
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe('invalid_request');
      if (field) {
        expect(r.body.error.field).toBe(field);
        expect(r.body.error.message).toContain(field);
      }
    });

    test('routes that take no body refuse one with properties (400 naming the first), and accept none, {} or null', async () => {
      const bob = await signup(server.url);
      const bobSession = await createSession(server.url, bob);
      const bodyless: Array<[string, string]> = [
        ['POST', '/api/keys'],
        ['POST', '/api/feeds'],
        ['POST', '/api/push/test'],
        ['POST', `/api/sessions/${bobSession}/cancel`],
        ['POST', `/api/sessions/${bobSession}/takeover`],
        ['POST', `/api/sessions/${bobSession}/handback`],
        ['POST', `/api/sessions/${bobSession}/invites`],
        ['DELETE', `/api/sessions/${bobSession}`],
        ['POST', '/api/auth/logout'],
      ];
      for (const [method, path] of bodyless) {
        const r = await raw(server.url, method, path, { cookie: bob.cookie, body: json({ everywhere: true, admin: 1 }) });
        expect(r.status, `${method} ${path}`).toBe(400);
        expect(r.body.error, `${method} ${path}`).toMatchObject({ code: 'invalid_request', field: 'everywhere', message: 'body.everywhere is not a known property' });
        const notAnObject = await raw(server.url, method, path, { cookie: bob.cookie, body: json([1]) });
        expect(notAnObject.status, `${method} ${path} [1]`).toBe(400);
      }
      // Nothing was done: bob is still signed in and his session is there.
      expect((await raw(server.url, 'GET', `/api/sessions/${bobSession}`, { cookie: bob.cookie })).status).toBe(200);
      for (const body of [undefined, '{}', 'null']) {
        expect((await raw(server.url, 'POST', '/api/keys', { cookie: bob.cookie, body })).status, String(body)).toBe(201);
      }
    });

    test('malformed JSON, prototype-pollution keys and unknown media types are clean 4xx; nothing is polluted', async () => {
      const cases: Array<[string, string, number, string]> = [
        ['{"title":', 'application/json', 400, 'invalid_json'],
        ['', 'application/json', 400, 'invalid_json'],
        ['{"__proto__":{"polluted":true},"title":"x"}', 'application/json', 400, 'invalid_json'],
        ['{"constructor":{"prototype":{"polluted":true}}}', 'application/json', 400, 'invalid_json'],
        ['<session/>', 'application/xml', 415, 'unsupported_media_type'],
        ['title=x', 'application/x-www-form-urlencoded', 415, 'unsupported_media_type'],
        ['{"title":"x"}', 'text/plain', 415, 'unsupported_media_type'],
        ['{"title":"x"}', 'text/plain; charset=utf-8', 415, 'unsupported_media_type'],
      ];
      for (const [body, contentType, status, code] of cases) {
        const r = await raw(server.url, 'POST', '/api/sessions', { cookie: alice.cookie, body, contentType });
        expect(r.status, body).toBe(status);
        expect(r.body.error.code, body).toBe(code);
      }
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });

    test('5xx answers carry no internals (forced internal error, HTTP and WebSocket)', async () => {
      const secret = 'relation "secret_table" does not exist at /srv/app/db.ts:42 password=hunter2';
      const sessions = server.services.sessions;
      const originalList = sessions.list;
      const originalCancel = sessions.cancel;
      sessions.list = async () => {
        throw new Error(secret);
      };
      sessions.cancel = async () => {
        throw Object.assign(new Error(secret), { statusCode: 500 });
      };
      try {
        const r = await raw(server.url, 'GET', '/api/sessions', { cookie: alice.cookie });
        expect(r.status).toBe(500);
        expect(r.body).toEqual({ error: { code: 'internal', message: 'Something went wrong on our side. Try again.' } });
        expect(r.text).not.toMatch(/secret_table|hunter2|\/srv|stack|at /);
        const c = await WsTestClient.connect(server.wsUrl, sessionId, alice);
        await c.waitForFrame('ready');
        c.send({ type: 'cancel' });
        const err = await c.waitForFrame('error');
        expect(err).toEqual({ type: 'error', code: 'internal', message: 'Something went wrong on our side. Try again.' });
        await c.close();
      } finally {
        sessions.list = originalList;
        sessions.cancel = originalCancel;
      }
      expect((await raw(server.url, 'GET', '/api/sessions', { cookie: alice.cookie })).status).toBe(200);
    });
  });

  describe('limits', () => {
    test('sessions per user: past the cap a 409 that says so', async () => {
      const capped = await another({ limits: { ...DEFAULT_LIMITS, maxSessionsPerUser: 3 } });
      const bob = await signup(capped.url);
      for (let i = 0; i < 3; i++) expect((await raw(capped.url, 'POST', '/api/sessions', { cookie: bob.cookie, body: json({}) })).status).toBe(201);
      const r = await raw(capped.url, 'POST', '/api/sessions', { cookie: bob.cookie, body: json({ title: 'one more' }) });
      expect(r.status).toBe(409);
      expect(r.body.error.code).toBe('session_limit_reached');
      expect(r.body.error.message).toContain('3');
      // Someone else's count is their own.
      const carol = await signup(capped.url);
      expect((await raw(capped.url, 'POST', '/api/sessions', { cookie: carol.cookie, body: json({}) })).status).toBe(201);
    });
  });

  describe('rate limits on sign-in and sign-up', () => {
    test('per email: wrong passwords use up the bucket (429 + Retry-After); right ones give their token back', async () => {
      const s = await another({ rateLimits: { ...DEFAULT_RATE_LIMITS, loginPerIp: generous, signupPerIp: generous, authPerEmail: { burst: 3, refillPerMinute: 1 } } });
      const email = `victim-${Date.now()}@example.test`;
      expect((await raw(s.url, 'POST', '/api/auth/signup', { body: json({ email, password: PASSWORD }) })).status).toBe(201);
      for (let i = 0; i < 5; i++) expect((await raw(s.url, 'POST', '/api/auth/login', { body: json({ email, password: PASSWORD }) })).status).toBe(200);
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await raw(s.url, 'POST', '/api/auth/login', { body: json({ email: email.toUpperCase(), password: 'wrong password' }) })).status);
      expect(statuses).toEqual([401, 401, 429, 429]);
      const limited = await raw(s.url, 'POST', '/api/auth/login', { body: json({ email, password: PASSWORD }) });
      expect(limited.status).toBe(429);
      expect(limited.body.error.code).toBe('rate_limited');
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      // Another address from the same network is unaffected.
      expect((await raw(s.url, 'POST', '/api/auth/login', { body: json({ email: 'other@example.test', password: 'wrong password' }) })).status).toBe(401);
    });

    test('per IP: logins and sign-ups; X-Forwarded-For is ignored unless a proxy is trusted', async () => {
      const limits = { ...DEFAULT_RATE_LIMITS, authPerEmail: generous, loginPerIp: { burst: 3, refillPerMinute: 1 }, signupPerIp: { burst: 2, refillPerMinute: 1 } };
      const s = await another({ rateLimits: limits });
      const login = (i: number, headers: Record<string, string> = {}) =>
        raw(s.url, 'POST', '/api/auth/login', { body: json({ email: `guess${i}@example.test`, password: 'wrong password' }), headers });
      expect([(await login(1)).status, (await login(2)).status, (await login(3)).status]).toEqual([401, 401, 401]);
      expect((await login(4)).status).toBe(429);
      expect((await login(5, { 'x-forwarded-for': '203.0.113.9' })).status).toBe(429);
      const signupAs = (i: number) => raw(s.url, 'POST', '/api/auth/signup', { body: json({ email: `new${i}-${Date.now()}@example.test`, password: PASSWORD }) });
      expect([(await signupAs(1)).status, (await signupAs(2)).status, (await signupAs(3)).status]).toEqual([201, 201, 429]);

      // Behind one trusted proxy, its X-Forwarded-For names the client.
      const proxied = await another({ rateLimits: limits, trustProxy: 1 });
      const viaProxy = (ip: string, i: number) =>
        raw(proxied.url, 'POST', '/api/auth/login', { body: json({ email: `p${i}@example.test`, password: 'wrong password' }), headers: { 'x-forwarded-for': ip } });
      for (let i = 0; i < 3; i++) expect((await viaProxy('198.51.100.1', i)).status).toBe(401);
      expect((await viaProxy('198.51.100.1', 9)).status).toBe(429);
      expect((await viaProxy('198.51.100.2', 10)).status).toBe(401);
    });
  });

  describe('cross-site requests', () => {
    test('a state-changing request from a foreign Origin is 403 (also login CSRF); our own origin works', async () => {
      const evil = { origin: 'https://evil.example' };
      const create = await raw(server.url, 'POST', '/api/sessions', { cookie: alice.cookie, body: json({ title: 'csrf' }), headers: evil });
      expect(create.status).toBe(403);
      expect(create.body.error.code).toBe('origin_not_allowed');
      expect((await raw(server.url, 'POST', '/api/auth/login', { body: json({ email: alice.email, password: PASSWORD }), headers: evil })).status).toBe(403);
      expect((await raw(server.url, 'POST', '/api/pairing/redeem', { body: json({ code: 'ABCDE12345' }), headers: evil })).status).toBe(403);
      // Reading is harmless (and CORS keeps the answer from the foreign page anyway).
      expect((await raw(server.url, 'GET', '/api/me', { cookie: alice.cookie, headers: evil })).status).toBe(200);
      expect((await raw(server.url, 'POST', '/api/sessions', { cookie: alice.cookie, body: json({}), headers: { origin: server.url } })).status).toBe(201);
    });
  });
});
