// Issue 15: whose origin is ours. With PUBLIC_URL, it alone (plus ALLOWED_ORIGINS); without
// it, the request as the browser addressed it: scheme, host and port, where a proxy's
// X-Forwarded-Proto/-Host count only as TRUST_PROXY says. Links and Secure follow the same.
// Also: /healthz (alive) and /readyz (accepting work, fails at once on shutdown).
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll } from 'vitest';
import type { Config } from '../../server/config.ts';
import type { Database } from '../../server/db/database.ts';
import { signup, WsTestClient, type Account } from '../support/client.ts';
import { DB_KIND } from '../support/db.ts';
import { describe, expect, test } from '../support/fixtures.ts';
import { json, raw } from '../support/security.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

describe(`public origin, forwarded headers and readiness (${DB_KIND})`, () => {
  let db: Database;
  const servers: TestServer[] = [];

  test.beforeAll(({ db: d }) => {
    db = d;
  });
  afterAll(async () => {
    for (const s of servers) await s.close().catch(() => {});
  });

  async function server(config: Partial<Config>): Promise<TestServer> {
    const s = await startTestServer({ db, config });
    servers.push(s);
    return s;
  }

  /**
   * fetch() may not set Host, so requests that need a particular one (as a proxy would send
   * it) go through node:http, which sends the headers as given.
   */
  function send(s: TestServer, method: string, path: string, headers: Record<string, string>, body?: unknown): Promise<{ status: number; body: any; setCookie: string[] }> {
    const text = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = httpRequest(`${s.url}${path}`, { method, headers: { ...(text ? { 'content-type': 'application/json' } : {}), ...headers } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const raw = Buffer.concat(chunks).toString();
          resolve({ status: res.statusCode ?? 0, body: raw ? JSON.parse(raw) : undefined, setCookie: [res.headers['set-cookie'] ?? []].flat() });
        });
      });
      req.on('error', reject);
      req.end(text);
    });
  }

  const createSession = (s: TestServer, who: Account, headers: Record<string, string>) => send(s, 'POST', '/api/sessions', { cookie: who.cookie, ...headers }, { title: 'x' });

  describe('with PUBLIC_URL', () => {
    const PUBLIC = 'https://focus.example:8443';
    let s: TestServer;
    let alice: Account;
    beforeAll(async () => {
      s = await server({ publicOrigin: PUBLIC, secureCookies: true });
      alice = await signup(s.url);
    });

    test('accepts the PUBLIC_URL origin and refuses the Host header’s own origin (HTTP and WebSocket)', async () => {
      expect((await createSession(s, alice, { origin: PUBLIC })).status).toBe(201);
      const own = await createSession(s, alice, { origin: s.url });
      expect(own.status).toBe(403);
      expect(own.body.error.code).toBe('origin_not_allowed');
      // A forged Host matching the forged Origin changes nothing.
      expect((await createSession(s, alice, { origin: 'http://evil.example', host: 'evil.example' })).status).toBe(403);
      const sessionId = (await createSession(s, alice, { origin: PUBLIC })).body.id;
      const ws = await WsTestClient.connect(s.wsUrl, sessionId, alice, { origin: PUBLIC });
      await ws.waitForFrame('ready');
      await ws.close();
      await expect(WsTestClient.connect(s.wsUrl, sessionId, alice, { origin: s.url })).rejects.toMatchObject({ statusCode: 403 });
    });

    test('builds feed, pairing and invite links on PUBLIC_URL whatever Host says, and sets Secure', async () => {
      const feed = await send(s, 'POST', '/api/feeds', { cookie: alice.cookie, origin: PUBLIC, host: 'evil.example' });
      expect(feed.status).toBe(201);
      expect(feed.body.url).toMatch(/^https:\/\/focus\.example:8443\/api\/feeds\/[A-Za-z0-9_-]+\.ics$/);
      const pairing = await send(s, 'POST', '/api/pairing', { cookie: alice.cookie, origin: PUBLIC, host: 'evil.example' }, {});
      expect(pairing.body.url).toBe(`${PUBLIC}/pair/${pairing.body.code}`);
      const sessionId = (await createSession(s, alice, { origin: PUBLIC })).body.id;
      const invite = await send(s, 'POST', `/api/sessions/${sessionId}/invites`, { cookie: alice.cookie, origin: PUBLIC, host: 'evil.example' });
      expect(invite.status).toBe(201);
      expect(invite.body.url).toBe(`${PUBLIC}/invite/${invite.body.code}`);
      const login = await raw(s.url, 'POST', '/api/auth/login', { body: json({ email: alice.email, password: 'correct horse battery' }), headers: { origin: PUBLIC } });
      expect(login.status).toBe(200);
      expect(login.headers.getSetCookie().join('\n')).toMatch(/;\s*Secure/i);
    });
  });

  describe('without PUBLIC_URL', () => {
    test('our origin is the request’s scheme, host and port; X-Forwarded-* count only with TRUST_PROXY', async () => {
      const direct = await server({ trustProxy: false });
      const alice = await signup(direct.url);
      const port = new URL(direct.url).port;
      // Host with its port, as a browser sends it.
      expect((await createSession(direct, alice, { origin: direct.url })).status).toBe(201);
      // The port is part of the origin: the nginx dropped it from Host.
      expect((await createSession(direct, alice, { origin: direct.url, host: '127.0.0.1' })).status).toBe(403);
      // Untrusted proxy headers are ignored: the connection is plain http.
      const forged = { origin: `https://lb.example`, 'x-forwarded-proto': 'https', 'x-forwarded-host': 'lb.example' };
      expect((await createSession(direct, alice, forged)).status).toBe(403);
      const feed = await send(direct, 'POST', '/api/feeds', { cookie: alice.cookie, ...forged, origin: direct.url });
      expect(feed.body.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${port}/api/feeds/`));
      // The login cookie is not Secure on plain http without PUBLIC_URL.
      const login = await raw(direct.url, 'POST', '/api/auth/login', { body: json({ email: alice.email, password: 'correct horse battery' }) });
      expect(login.headers.getSetCookie().join('\n')).not.toMatch(/;\s*Secure/i);

      const proxied = await server({ trustProxy: 1 });
      const bob = await signup(proxied.url);
      // One trusted hop (our peer, the proxy): the browser was on https://lb.example.
      expect((await createSession(proxied, bob, { ...forged, origin: 'https://lb.example' })).status).toBe(201);
      const pairing = await send(proxied, 'POST', '/api/pairing', { cookie: bob.cookie, ...forged }, {});
      expect(pairing.status).toBe(201);
      expect(pairing.body.url).toBe(`https://lb.example/pair/${pairing.body.code}`);
      // Same proxy, plain http and the original Host with its port (deploy/nginx.conf).
      expect((await createSession(proxied, bob, { origin: 'http://lb.example:8080', host: 'lb.example:8080', 'x-forwarded-proto': 'http' })).status).toBe(201);
      expect((await createSession(proxied, bob, { origin: 'http://lb.example:8080', host: 'lb.example', 'x-forwarded-proto': 'http' })).status).toBe(403);
    });
  });

  describe('health and readiness', () => {
    test('/healthz says alive, /readyz says ready; once shutdown starts /readyz fails at once', async () => {
      const s = await server({});
      const health = await raw(s.url, 'GET', '/healthz');
      expect(health.status).toBe(200);
      expect(health.body).toEqual({ status: 'ok', database: db.kind });
      const ready = await raw(s.url, 'GET', '/readyz');
      expect(ready.status).toBe(200);
      expect(ready.body).toEqual({ status: 'ready', database: db.kind });

      // A reader that stops reading holds shutdown open (its close handshake never completes
      // until CLOSE_HANDSHAKE_WAIT_MS), so the listener is still up when we ask.
      const alice = await signup(s.url);
      const sessionId = (await createSession(s, alice, {})).body.id;
      const ws = await WsTestClient.connect(s.wsUrl, sessionId, alice);
      await ws.waitForFrame('ready');
      (ws.ws as unknown as { _socket: { pause(): void } })._socket.pause();

      let closed = false;
      const closing = s.app.close().then(() => (closed = true));
      let status = 200;
      const deadline = Date.now() + 1_000;
      while (status === 200 && Date.now() < deadline) {
        status = (await raw(s.url, 'GET', '/readyz')).status;
        if (status === 200) await new Promise((r) => setTimeout(r, 10));
      }
      expect(status).toBe(503);
      expect(closed).toBe(false);
      await closing;
      ws.kill();
    });
  });
});
