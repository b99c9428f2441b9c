import { formatOffset } from '../../server/ds/offsets.ts';
import { api, createSession, signup, type Account } from '../support/client.ts';
import { DB_KIND } from '../support/db.ts';
import { describe, expect, test as base } from '../support/fixtures.ts';
import type { TestServer } from '../support/server.ts';

const LONG_POLL_MS = 1_500;

const test = base.override('serverOptions', { config: { dsLongPollTimeoutMs: LONG_POLL_MS } });

describe(`Durable Streams endpoint: auth, API keys, session streams (${DB_KIND})`, () => {
  let server: TestServer;
  let alice: Account;
  let bob: Account;
  let aliceKey: string;

  const ds = (path: string) => `${server.url}/ds/v1/stream/${path}`;
  const bearer = (key: string, extra: Record<string, string> = {}) => ({ authorization: `Bearer ${key}`, ...extra });

  async function newKey(account: Account): Promise<{ id: string; key: string }> {
    const r = await api<{ id: string; key: string; createdAt: string }>(server.url, account, 'POST', '/api/keys');
    expect(r.status).toBe(201);
    expect(r.body.key).toMatch(/^fck_[A-Za-z0-9_-]{43}$/);
    expect(Date.parse(r.body.createdAt)).not.toBeNaN();
    return r.body;
  }

  test.beforeAll(async ({ server: s }) => {
    server = s;
    alice = await signup(server.url);
    bob = await signup(server.url);
    aliceKey = (await newKey(alice)).key;
  });

  test('API keys: created once, listed without the secret, stored only as a hash', async () => {
    const k = await newKey(alice);
    const list = await api<{ keys: Array<Record<string, unknown>> }>(server.url, alice, 'GET', '/api/keys');
    expect(list.status).toBe(200);
    const mine = list.body.keys.find((x) => x.id === k.id);
    expect(mine).toEqual({ id: k.id, createdAt: expect.any(String) });
    expect(JSON.stringify(list.body)).not.toContain(k.key);
    const row = await server.services.db.prisma.apiKey.findUniqueOrThrow({ where: { id: k.id } });
    expect(row.keyHash).not.toContain(k.key.slice(4));
    expect(row.keyHash).toMatch(/^[0-9a-f]{64}$/);
    // Someone else's key is invisible to bob.
    expect((await api(server.url, bob, 'DELETE', `/api/keys/${k.id}`)).status).toBe(404);
    expect((await api(server.url, null, 'GET', '/api/keys')).status).toBe(401);
  });

  test('API keys: a revoked key stops working on the next request', async () => {
    const k = await newKey(alice);
    expect((await fetch(ds(`revoke-${Date.now()}`), { method: 'PUT', headers: bearer(k.key, { 'content-type': 'text/plain' }) })).status).toBe(201);
    expect((await api(server.url, alice, 'DELETE', `/api/keys/${k.id}`)).status).toBe(204);
    const after = await fetch(ds(`revoke-2-${Date.now()}`), { method: 'PUT', headers: bearer(k.key, { 'content-type': 'text/plain' }) });
    expect(after.status).toBe(401);
    expect((await after.json()).error.code).toBe('invalid_api_key');
    expect((await api(server.url, alice, 'DELETE', `/api/keys/${k.id}`)).status).toBe(404);
  });

  test('an append checks its key in its own commit: a revoked key writes nothing from the next request on, and a bad key is 401 whatever else is wrong', async () => {
    const k = await newKey(alice);
    const path = `append-key-${Date.now()}`;
    const text = { 'content-type': 'text/plain' };
    expect((await fetch(ds(path), { method: 'PUT', headers: bearer(aliceKey, text) })).status).toBe(201);
    const ok = await fetch(ds(path), { method: 'POST', headers: bearer(k.key, text), body: 'one;' });
    expect(ok.status).toBe(204);
    expect(ok.headers.get('stream-next-offset')).toBe(formatOffset(1));
    // With a live key, the request's own faults answer as always.
    expect((await fetch(ds(path), { method: 'POST', headers: bearer(k.key, text), body: '' })).status).toBe(400);
    expect((await fetch(ds(`missing-${Date.now()}`), { method: 'POST', headers: bearer(k.key, text), body: 'x' })).status).toBe(404);
    const mismatch = await fetch(ds(path), { method: 'POST', headers: bearer(k.key, { 'content-type': 'application/json' }), body: '[1]' });
    expect(mismatch.status).toBe(409);
    expect((await mismatch.json()).error.code).toBe('content_type_mismatch');

    expect((await api(server.url, alice, 'DELETE', `/api/keys/${k.id}`)).status).toBe(204);
    const unknown = `fck_${'A'.repeat(43)}`;
    const cases: Array<{ key: string; headers: Record<string, string>; body: string }> = [
      { key: k.key, headers: text, body: 'two;' },
      { key: k.key, headers: { ...text, 'producer-id': 'p', 'producer-epoch': '0', 'producer-seq': '0' }, body: 'three;' },
      { key: k.key, headers: { 'stream-closed': 'true' }, body: '' },
      // What would be 400 or 404 with a live key is 401 first.
      { key: k.key, headers: text, body: '' },
      { key: k.key, headers: {}, body: 'no content type' },
      { key: k.key, headers: { 'content-type': 'application/json' }, body: '[' },
      { key: unknown, headers: text, body: 'x' },
      { key: unknown, headers: text, body: '' },
    ];
    const refusals = await Promise.all(
      cases.map(async (r, i) => {
        const res = await fetch(ds(i === 7 ? `missing-${Date.now()}` : path), { method: 'POST', headers: bearer(r.key, r.headers), body: r.body });
        return [res.status, ((await res.json()) as { error: { code: string } }).error.code];
      }),
    );
    expect(refusals).toEqual(Array.from({ length: 8 }, () => [401, 'invalid_api_key']));
    const read = await fetch(ds(path), { headers: bearer(aliceKey) });
    expect(await read.text()).toBe('one;');
    expect(read.headers.get('stream-closed')).toBeNull();
  });

  test('auth is always on: no credentials is 401, and generic streams refuse cookie auth (CSRF)', async () => {
    const none = await fetch(ds('anything'), { method: 'PUT', headers: { 'content-type': 'text/plain' } });
    expect(none.status).toBe(401);
    expect(none.headers.get('x-content-type-options')).toBe('nosniff');
    const cookie = await fetch(ds('anything'), { method: 'PUT', headers: { cookie: alice.cookie, 'content-type': 'text/plain' } });
    expect(cookie.status).toBe(401);
    expect((await fetch(ds('anything'), { headers: { authorization: 'Bearer fck_not-a-key' } })).status).toBe(401);
    // Preflights carry no credentials and still get CORS answers.
    const pre = await fetch(ds('anything'), { method: 'OPTIONS', headers: { origin: 'https://example.com', 'access-control-request-method': 'PUT' } });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('*');
  });

  test('streams belong to the key’s account: another account sees 404 at the same path', async () => {
    const bobKey = (await newKey(bob)).key;
    const path = `owned-${Date.now()}`;
    await fetch(ds(path), { method: 'PUT', headers: bearer(aliceKey, { 'content-type': 'text/plain' }), body: 'alice' });
    expect((await fetch(ds(path), { headers: bearer(bobKey) })).status).toBe(404);
    expect((await fetch(ds(path), { method: 'POST', headers: bearer(bobKey, { 'content-type': 'text/plain' }), body: 'x' })).status).toBe(404);
    const mine = await fetch(ds(path), { headers: bearer(aliceKey) });
    expect(await mine.text()).toBe('alice');
  });

  test('a session is a read-only JSON stream for its owner: events in seq order, offsets map to seq', async () => {
    const sessionId = await createSession(server.url, alice);
    const log = server.services.log;
    await log.append(sessionId, 'plan.updated', { n: 1 });
    await log.append(sessionId, 'plan.updated', { n: 2 });
    // Cookie works for the owner (read-only), and so does the owner's API key.
    const byCookie = await fetch(ds(`sessions/${sessionId}`), { headers: { cookie: alice.cookie } });
    expect(byCookie.status).toBe(200);
    expect(byCookie.headers.get('content-type')).toBe('application/json');
    expect(byCookie.headers.get('stream-next-offset')).toBe(formatOffset(2));
    const events = (await byCookie.json()) as Array<{ seq: number; type: string; data: { n: number } }>;
    expect(events.map((e) => [e.seq, e.type, e.data.n])).toEqual([
      [1, 'plan.updated', 1],
      [2, 'plan.updated', 2],
    ]);
    const fromOne = await fetch(`${ds(`sessions/${sessionId}`)}?offset=${formatOffset(1)}`, { headers: bearer(aliceKey) });
    expect(((await fromOne.json()) as Array<{ seq: number }>).map((e) => e.seq)).toEqual([2]);
    const head = await fetch(ds(`sessions/${sessionId}`), { method: 'HEAD', headers: bearer(aliceKey) });
    expect(head.headers.get('stream-next-offset')).toBe(formatOffset(2));
  });

  test('a session stream is 404 for anyone else and 405 for writes', async () => {
    const sessionId = await createSession(server.url, alice);
    const bobKey = (await newKey(bob)).key;
    expect((await fetch(ds(`sessions/${sessionId}`), { headers: bearer(bobKey) })).status).toBe(404);
    expect((await fetch(ds(`sessions/${sessionId}`), { headers: { cookie: bob.cookie } })).status).toBe(404);
    expect((await fetch(ds('sessions/not-a-uuid'), { headers: bearer(aliceKey) })).status).toBe(404);
    const post = await fetch(ds(`sessions/${sessionId}`), { method: 'POST', headers: bearer(aliceKey, { 'content-type': 'application/json' }), body: '{}' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD, OPTIONS');
    expect((await fetch(ds(`sessions/${sessionId}`), { method: 'DELETE', headers: bearer(aliceKey) })).status).toBe(405);
  });

  test('a long-poll on a session wakes on the next event; at the tail it times out with 204', async () => {
    const sessionId = await createSession(server.url, alice);
    await server.services.log.append(sessionId, 'plan.updated', { n: 1 });
    const url = `${ds(`sessions/${sessionId}`)}?offset=${formatOffset(1)}&live=long-poll`;
    const started = Date.now();
    const waiting = fetch(url, { headers: bearer(aliceKey) });
    setTimeout(() => void server.services.log.append(sessionId, 'plan.updated', { n: 2 }), 200);
    const res = await waiting;
    expect(res.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(LONG_POLL_MS);
    expect(((await res.json()) as Array<{ seq: number }>).map((e) => e.seq)).toEqual([2]);
    const idle = await fetch(`${ds(`sessions/${sessionId}`)}?offset=${formatOffset(2)}&live=long-poll`, { headers: bearer(aliceKey) });
    expect(idle.status).toBe(204);
    expect(idle.headers.get('stream-up-to-date')).toBe('true');
  });

  test('SSE on a session replays, then streams new events live', async () => {
    const sessionId = await createSession(server.url, alice);
    await server.services.log.append(sessionId, 'plan.updated', { n: 1 });
    const ac = new AbortController();
    const res = await fetch(`${ds(`sessions/${sessionId}`)}?offset=-1&live=sse`, { headers: bearer(aliceKey), signal: ac.signal });
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const reader = res.body!.getReader();
    let text = '';
    const until = async (needle: string) => {
      while (!text.includes(needle)) text += new TextDecoder().decode((await reader.read()).value);
    };
    await until('"upToDate":true');
    await server.services.log.append(sessionId, 'plan.updated', { n: 2 });
    await until(formatOffset(2));
    ac.abort();
    const data = text
      .split('\n\n')
      .filter((b) => b.startsWith('event: data'))
      .flatMap((b) => JSON.parse(b.slice('event: data\ndata:'.length)) as Array<{ seq: number }>);
    expect(data.map((e) => e.seq)).toEqual([1, 2]);
  });
});
