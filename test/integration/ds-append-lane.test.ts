// The append lane answers exactly as the Fastify route it bypasses. Each case runs twice on
// twin streams with the same history: over HTTP (a plain key append, which the lane takes)
// and through app.inject (which enters Fastify directly, so the route answers), and the two
// answers must match in status, headers and body.
import { DEFAULT_LIMITS } from '../../server/config.ts';
import { api, signup } from '../support/client.ts';
import { DB_KIND } from '../support/db.ts';
import { describe, expect, test as base } from '../support/fixtures.ts';
import type { TestServer } from '../support/server.ts';

const QUOTA_BYTES = 4_000;
const test = base.override('serverOptions', { config: { limits: { ...DEFAULT_LIMITS, dsMaxBytesPerUser: QUOTA_BYTES } } });

/** Headers that differ between two answers for reasons of transport, not of the answer. */
const TRANSPORT = new Set(['date', 'connection', 'keep-alive', 'transfer-encoding']);

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

type Append = { path: string; headers?: Record<string, string>; body: string };

describe(`append lane ≡ the /ds route (${DB_KIND})`, () => {
  let server: TestServer;
  let key: string;

  test.beforeAll(async ({ server: s }) => {
    server = s;
    const account = await signup(server.url);
    const r = await api<{ key: string }>(server.url, account, 'POST', '/api/keys');
    key = r.body.key;
  });

  const normalized = (status: number, headers: Record<string, string | number | string[] | undefined>, body: string): Answer => {
    const h: Record<string, string> = {};
    for (const [k, v] of Object.entries(headers)) if (!TRANSPORT.has(k.toLowerCase()) && v !== undefined) h[k.toLowerCase()] = String(v);
    return { status, headers: h, body };
  };

  async function viaLane(a: Append): Promise<Answer> {
    const res = await fetch(`${server.url}/ds/v1/stream/${a.path}-lane`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'text/plain', ...a.headers },
      body: a.body,
    });
    return normalized(res.status, Object.fromEntries(res.headers), await res.text());
  }

  async function viaRoute(a: Append): Promise<Answer> {
    const res = await server.app.inject({
      method: 'POST',
      url: `/ds/v1/stream/${a.path}-route`,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'text/plain', 'content-length': String(Buffer.byteLength(a.body)), ...a.headers },
      payload: a.body,
    });
    return normalized(res.statusCode, res.headers, res.body);
  }

  async function put(path: string, headers: Record<string, string> = {}, body?: string) {
    for (const twin of ['lane', 'route']) {
      const res = await fetch(`${server.url}/ds/v1/stream/${path}-${twin}`, { method: 'PUT', headers: { authorization: `Bearer ${key}`, 'content-type': 'text/plain', ...headers }, body });
      expect(res.status).toBe(201);
    }
  }

  /** Every step on both twins; their answers must be equal, and are returned for a look at what they say. */
  async function same(...steps: Append[]): Promise<Answer[]> {
    const answers: Answer[] = [];
    for (const step of steps) {
      const lane = await viaLane(step);
      const route = await viaRoute(step);
      expect(lane, `${step.path}: ${JSON.stringify(step.headers ?? {})}`).toEqual(route);
      answers.push(lane);
    }
    return answers;
  }

  test('plain appends: 204 with the next offset and the endpoint\'s headers', async () => {
    await put('text');
    const [first, second] = await same({ path: 'text', body: 'hello' }, { path: 'text', body: 'world' });
    expect(first!.status).toBe(204);
    expect(second!.headers['stream-next-offset']).toBe('0000000000000002_0000000000000000');
    expect(first!.headers['content-security-policy']).toContain("default-src 'self'");
    expect(first!.headers['access-control-allow-origin']).toBe('*');
  });

  test('JSON appends: a batch is flattened; malformed JSON and an empty batch are 400', async () => {
    await put('json', { 'content-type': 'application/json' });
    const json = { 'content-type': 'application/json' };
    const answers = await same(
      { path: 'json', headers: json, body: '[{"a":1},{"b":2}]' },
      { path: 'json', headers: json, body: '{' },
      { path: 'json', headers: json, body: '[]' },
      { path: 'json', headers: json, body: '{"c":3}' },
    );
    expect(answers.map((a) => a.status)).toEqual([204, 400, 400, 204]);
    expect(JSON.parse(answers[1]!.body).error.code).toBe('invalid_json');
  });

  test('refusals: unknown stream, wrong content type, closed stream, Stream-Seq going back, empty body', async () => {
    await put('typed', { 'content-type': 'application/octet-stream' });
    await put('closing');
    await put('seq');
    const answers = await same(
      { path: 'missing', body: 'x' },
      { path: 'typed', body: 'x' },
      { path: 'closing', headers: { 'stream-closed': 'true' }, body: 'last' },
      { path: 'closing', body: 'after' },
      { path: 'seq', headers: { 'stream-seq': 'b' }, body: 'x' },
      { path: 'seq', headers: { 'stream-seq': 'a' }, body: 'y' },
      { path: 'seq', body: '' },
    );
    expect(answers.map((a) => a.status)).toEqual([404, 409, 204, 409, 204, 409, 400]);
    expect(answers[3]!.headers['stream-closed']).toBe('true');
    expect(JSON.parse(answers[6]!.body).error.code).toBe('empty_body');
  });

  test('idempotent producers: new data 200, a retry 204, a gap 409 with the expected seq, a stale epoch 403', async () => {
    await put('producer');
    const p = (epoch: number, seq: number) => ({ 'producer-id': 'p1', 'producer-epoch': String(epoch), 'producer-seq': String(seq) });
    const answers = await same(
      { path: 'producer', headers: p(1, 0), body: 'a' },
      { path: 'producer', headers: p(1, 0), body: 'a' },
      { path: 'producer', headers: p(1, 5), body: 'c' },
      { path: 'producer', headers: p(2, 0), body: 'd' },
      { path: 'producer', headers: p(1, 1), body: 'e' },
      { path: 'producer', headers: { 'producer-id': 'p1' }, body: 'f' },
    );
    expect(answers.map((a) => a.status)).toEqual([200, 204, 409, 200, 403, 400]);
    expect(answers[2]!.headers['producer-expected-seq']).toBe('1');
  });

  test('a bad key is 401 whatever else is wrong; the storage quota is 403', async () => {
    await put('quota');
    const bad = { authorization: 'Bearer fck_not-a-real-key' };
    const answers = await same(
      { path: 'quota', headers: bad, body: 'x' },
      { path: 'quota', headers: { ...bad, 'content-type': 'application/json' }, body: '{' },
      { path: 'missing', headers: bad, body: 'x' },
      { path: 'quota', body: 'x'.repeat(QUOTA_BYTES / 2 - 100) },
      { path: 'quota', body: 'y'.repeat(QUOTA_BYTES / 2) },
    );
    expect(answers.map((a) => a.status)).toEqual([401, 401, 401, 204, 403]);
    expect(JSON.parse(answers[4]!.body).error.code).toBe('storage_quota_exceeded');
  });
});
