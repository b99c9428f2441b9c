// The append lane (server/ds/append-lane.ts) on a real HTTP server over the in-memory store:
// which requests it takes, and how it reads their bodies. That it answers exactly like the
// Fastify route is checked against the real app in test/integration/ds-append-lane.test.ts.
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { hashToken } from '../../../server/auth/tokens.ts';
import { BODY_LIMIT_BYTES } from '../../../server/contract/limits.ts';
import { appendLane } from '../../../server/ds/append-lane.ts';
import { MemoryDsStore } from '../../../server/ds/memory-store.ts';

const KEY = 'fck_lane-test-key';
const OWNER = 'owner-1';
const DEADLINE_MS = 200;

describe('append lane', () => {
  const store = new MemoryDsStore(Date.now, (hash) => (hash === hashToken(KEY) ? OWNER : undefined));
  let closing = false;
  const logLines: string[] = [];
  /** Requests the lane left to the route, by "METHOD url". */
  const routed: string[] = [];
  const lane = appendLane({
    store,
    apiKeys: { resolve: async (key: string) => (key === KEY ? { userId: OWNER, keyId: 'k1' } : undefined) },
    maxOwnerBytes: 1_000_000,
    headers: [['x-lane-test', 'yes']],
    bodyDeadlineMs: DEADLINE_MS,
    closing: () => closing,
    log: pino({ level: 'info' }, { write: (line: string) => void logLines.push(line) }),
  });
  const server = http.createServer((req, res) => {
    if (lane(req, res)) return;
    routed.push(`${req.method} ${req.url}`);
    req.resume();
    req.once('end', () => res.writeHead(299).end());
  });
  let base = '';

  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    for (const path of ['a', 'sessions/x']) {
      await store.create({ ownerId: OWNER, path, contentType: 'text/plain', ttlSeconds: null, expiresAt: null, closed: false, initial: null, fork: null });
    }
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const post = (path: string, headers: Record<string, string> = {}, body: string | Uint8Array<ArrayBuffer> = 'hi') =>
    fetch(`${base}/ds/v1/stream/${path}`, { method: 'POST', headers: { authorization: `Bearer ${KEY}`, 'content-type': 'text/plain', ...headers }, body });

  test('takes a plain append with an API key and answers it from the store', async () => {
    const res = await post('a');
    expect(res.status).toBe(204);
    expect(res.headers.get('x-lane-test')).toBe('yes');
    expect(res.headers.get('stream-next-offset')).toMatch(/^\d{16}_\d{16}$/);
    const read = await store.read({ ownerId: OWNER, path: 'a', afterSeq: 0, maxEntries: 10, maxBytes: 1000, touch: false });
    expect(read.kind === 'ok' && Buffer.from(read.entries.at(-1)!.data).toString()).toBe('hi');
    expect(routed).toEqual([]);
    // One request line, as Fastify logs its own requests; no key in it.
    await new Promise((r) => setTimeout(r, 10));
    const line = logLines.map((l) => JSON.parse(l)).find((l) => l.msg === 'request completed');
    expect(line).toMatchObject({ req: { method: 'POST', url: '/ds/v1/stream/a' }, res: { statusCode: 204 } });
    expect(logLines.join('\n')).not.toContain(KEY);
  });

  test('answers the request\'s own errors, a bad key first', async () => {
    const missing = await post('nope');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: { code: 'not_found', message: 'Stream not found' } });
    // Malformed JSON with a bad key: the key is judged before the body.
    const badKey = await post('a', { authorization: 'Bearer fck_unknown', 'content-type': 'application/json' }, '{');
    expect(badKey.status).toBe(401);
    expect((await badKey.json()).error.code).toBe('invalid_api_key');
    const badJson = await post('a', { 'content-type': 'application/json' }, '{');
    expect(badJson.status).toBe(400);
    expect(badJson.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(badJson.headers.get('x-lane-test')).toBe('yes');
    expect(routed).toEqual([]);
  });

  test.each([
    ['a GET', () => fetch(`${base}/ds/v1/stream/a`, { headers: { authorization: `Bearer ${KEY}` } })],
    ['a PUT', () => fetch(`${base}/ds/v1/stream/b`, { method: 'PUT', headers: { authorization: `Bearer ${KEY}`, 'content-type': 'text/plain' } })],
    ['another route', () => fetch(`${base}/api/x`, { method: 'POST', headers: { authorization: `Bearer ${KEY}`, 'content-type': 'text/plain' }, body: 'x' })],
    ['a query string', () => fetch(`${base}/ds/v1/stream/a?x=1`, { method: 'POST', headers: { authorization: `Bearer ${KEY}`, 'content-type': 'text/plain' }, body: 'x' })],
    ['an Origin (the CSRF guard judges it)', () => post('a', { origin: 'https://elsewhere.example' })],
    ['a cookie', () => post('a', { cookie: 'fc_session=x' })],
    ['no Content-Type', () => fetch(`${base}/ds/v1/stream/a`, { method: 'POST', headers: { authorization: `Bearer ${KEY}` }, body: new Uint8Array([1]) as Uint8Array<ArrayBuffer> })],
    ['no key', () => post('a', { authorization: '' })],
    ['a key without our prefix', () => post('a', { authorization: 'Bearer sk-something' })],
    ['a session stream', () => post('sessions/x')],
    ['a malformed path', () => post('%E0%A4%A')],
    ['a body larger than BODY_LIMIT_BYTES', () => post('a', {}, new Uint8Array(BODY_LIMIT_BYTES + 1))],
    ['a chunked body', () => fetch(`${base}/ds/v1/stream/a`, { method: 'POST', headers: { authorization: `Bearer ${KEY}`, 'content-type': 'text/plain' }, body: new Blob(['x']).stream(), duplex: 'half' } as RequestInit)],
  ])('leaves %s to the route', async (_what, send) => {
    routed.length = 0;
    const res = await (send as () => Promise<Response>)();
    expect(res.status).toBe(299);
    expect(routed).toHaveLength(1);
  });

  test('leaves everything to the route while the app is closing', async () => {
    routed.length = 0;
    closing = true;
    try {
      expect((await post('a')).status).toBe(299);
    } finally {
      closing = false;
    }
    expect(routed).toHaveLength(1);
  });

  test('a body that stalls is cut at the deadline with 408 and the connection closes; nothing is appended', async () => {
    routed.length = 0;
    const before = await store.head(OWNER, 'a');
    const { port } = server.address() as AddressInfo;
    const got = await new Promise<{ text: string; ms: number }>((resolve, reject) => {
      const t0 = performance.now();
      let text = '';
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.write(`POST /ds/v1/stream/a HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${KEY}\r\ncontent-type: text/plain\r\ncontent-length: 10\r\n\r\nabc`);
      });
      socket.on('data', (d) => (text += d.toString('latin1')));
      socket.on('close', () => resolve({ text, ms: performance.now() - t0 }));
      socket.on('error', reject);
    });
    expect(got.text.split('\r\n')[0]).toBe('HTTP/1.1 408 Request Timeout');
    expect(got.text).toContain('"code":"request_timeout"');
    expect(got.ms).toBeGreaterThanOrEqual(DEADLINE_MS - 5);
    expect(await store.head(OWNER, 'a')).toEqual(before);
    expect(routed).toEqual([]);
  });

  test('a body that arrives in pieces is appended whole', async () => {
    const { port } = server.address() as AddressInfo;
    const head = await new Promise<string>((resolve, reject) => {
      let text = '';
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.write(`POST /ds/v1/stream/a HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${KEY}\r\ncontent-type: text/plain\r\ncontent-length: 6\r\nconnection: close\r\n\r\nabc`);
        setTimeout(() => socket.write('def'), 30);
      });
      socket.on('data', (d) => (text += d.toString('latin1')));
      socket.on('close', () => resolve(text.split('\r\n')[0]!));
      socket.on('error', reject);
    });
    expect(head).toBe('HTTP/1.1 204 No Content');
    const read = await store.read({ ownerId: OWNER, path: 'a', afterSeq: 0, maxEntries: 100, maxBytes: 10_000, touch: false });
    expect(read.kind === 'ok' && Buffer.from(read.entries.at(-1)!.data).toString()).toBe('abcdef');
  });
});
