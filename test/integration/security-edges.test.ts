// The edges of issue 13's table: each input gets its 4xx, nothing answers 500 or logs an
// error, nothing is buffered before authentication, and revoked logins' live reads end.
import net from 'node:net';
import { afterEach } from 'vitest';
import { DEFAULT_LIMITS } from '../../server/config.ts';
import { formatOffset } from '../../server/ds/offsets.ts';
import { api, signup, WsTestClient, type Account } from '../support/client.ts';
import { describe, expect, test as base } from '../support/fixtures.ts';
import { captureLogs, pairDevice, raw } from '../support/security.ts';
import { startTestServer } from '../support/server.ts';

const logs = captureLogs();
const LIVE_WAIT_MS = 20_000;
const test = base.override('serverOptions', {
  config: { logLevel: 'info', dsLongPollTimeoutMs: LIVE_WAIT_MS, limits: { ...DEFAULT_LIMITS, dsMaxStreamsPerUser: 3, dsMaxBytesPerUser: 4096 } },
  overrides: { logStream: logs.stream },
});

/** No request of this file may log at error level (pino 50) or above. */
afterEach(() => {
  const errors = logs.lines.filter((l) => (JSON.parse(l) as { level: number }).level >= 50);
  logs.lines.length = 0;
  expect(errors).toEqual([]);
});

async function newKey(url: string, account: Account): Promise<{ id: string; key: string }> {
  const r = await api<{ id: string; key: string }>(url, account, 'POST', '/api/keys');
  expect(r.status).toBe(201);
  return r.body;
}

/** Sends only the request head (a large Content-Length, no body) and returns the first response head. */
function headOnly(url: string, method: string, path: string, headers: Record<string, string>): Promise<{ status: number; head: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname, () => {
      const lines = [`${method} ${path} HTTP/1.1`, `host: ${hostname}:${port}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
      socket.write(`${lines.join('\r\n')}\r\n\r\n`);
    });
    let got = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer before the body was sent: ${JSON.stringify(got)}`));
    }, 5_000);
    socket.on('data', (d) => {
      got += d.toString('latin1');
      const end = got.indexOf('\r\n\r\n');
      if (end < 0) return;
      clearTimeout(timer);
      socket.destroy();
      resolve({ status: Number(got.slice(9, 12)), head: got.slice(0, end) });
    });
    socket.on('error', reject);
  });
}

const MIB = 1024 * 1024;

// The first test also sets up this file's database and server.
describe('Durable Streams: authentication before the body', { timeout: 90_000 }, () => {
  test('an anonymous, a cookie-only or a bad-key upload is refused from its headers alone', async ({ server, account, sessionId }) => {
    const big = { 'content-type': 'application/octet-stream', 'content-length': String(15 * MIB) };
    expect((await headOnly(server.url, 'POST', '/ds/v1/stream/x', big)).status).toBe(401);
    expect((await headOnly(server.url, 'PUT', '/ds/v1/stream/x', big)).status).toBe(401);
    expect((await headOnly(server.url, 'POST', '/ds/v1/stream/x', { ...big, authorization: 'Bearer fck_nope' })).status).toBe(401);
    expect((await headOnly(server.url, 'POST', '/ds/v1/stream/x', { ...big, cookie: account.cookie })).status).toBe(401);
    // A session stream is read-only: refused before its body, too.
    expect((await headOnly(server.url, 'POST', `/ds/v1/stream/sessions/${sessionId}`, { ...big, cookie: account.cookie })).status).toBe(405);
    // The owner's key: over 64 KiB is only for writes to generic streams.
    const { key } = await newKey(server.url, account);
    expect((await headOnly(server.url, 'GET', `/ds/v1/stream/sessions/${sessionId}`, { ...big, authorization: `Bearer ${key}` })).status).toBe(413);
    expect((await headOnly(server.url, 'POST', '/ds/v1/stream/x', { ...big, 'content-length': String(17 * MIB), authorization: `Bearer ${key}` })).status).toBe(413);
  });

  test('a key-authenticated write may carry more than 64 KiB; anything else may not', async ({ server, account }) => {
    const { key } = await newKey(server.url, account);
    const body = new Uint8Array(100 * 1024);
    // (The byte quota of this file's server is 4 KiB: the 413 comes first for the oversized GET, and the quota answers the PUT.)
    const put = await raw(server.url, 'PUT', '/ds/v1/stream/large', { body, contentType: 'application/octet-stream', headers: { authorization: `Bearer ${key}` } });
    expect(put.status).toBe(403);
    expect(put.body.error.code).toBe('storage_quota_exceeded');
    const get = await raw(server.url, 'DELETE', '/ds/v1/stream/large', { body, contentType: 'application/octet-stream', headers: { authorization: `Bearer ${key}` } });
    expect(get.status).toBe(413);
    expect(get.body.error.code).toBe('body_too_large');
  });

  test('a stalled key-authenticated upload is cut by the request timeout', async ({ db, account }) => {
    const quick = await startTestServer({ db, config: { httpRequestTimeoutMs: 300 } });
    try {
      const { key } = await newKey(quick.url, account);
      const { hostname, port } = new URL(quick.url);
      const closed = await new Promise<{ ms: number; head: string }>((resolve, reject) => {
        const t0 = performance.now();
        let got = '';
        const socket = net.connect(Number(port), hostname, () => {
          socket.write(`PUT /ds/v1/stream/stalled HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${key}\r\ncontent-type: application/octet-stream\r\ncontent-length: ${MIB}\r\n\r\n`);
          socket.write(Buffer.alloc(1024));
        });
        socket.on('data', (d) => (got += d.toString('latin1')));
        socket.on('close', () => resolve({ ms: performance.now() - t0, head: got.split('\r\n')[0] ?? '' }));
        socket.on('error', reject);
      });
      // Node answers 408 and closes; either way the connection does not live on.
      expect(closed.ms).toBeLessThan(10_000);
      expect(closed.head === '' || closed.head.includes('408')).toBe(true);
      expect(await quick.services.ds.head((await quick.services.apiKeys.resolve(key))!.userId, 'stalled')).toEqual({ kind: 'not_found' });

      // A small append whose key its commit checks, and that is only partly sent, is cut too
      // (only a body already received whole skips the deadline) and appends nothing.
      const owner = (await quick.services.apiKeys.resolve(key))!.userId;
      const put = await fetch(`${quick.url}/ds/v1/stream/stalled-small`, { method: 'PUT', headers: { authorization: `Bearer ${key}`, 'content-type': 'text/plain' } });
      expect(put.status).toBe(201);
      const small = await new Promise<{ ms: number; head: string }>((resolve, reject) => {
        const t0 = performance.now();
        let got = '';
        const socket = net.connect(Number(port), hostname, () => {
          socket.write(`POST /ds/v1/stream/stalled-small HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${key}\r\ncontent-type: text/plain\r\ncontent-length: 100\r\n\r\n`);
          socket.write('only ten b');
        });
        socket.on('data', (d) => (got += d.toString('latin1')));
        socket.on('close', () => resolve({ ms: performance.now() - t0, head: got.split('\r\n')[0] ?? '' }));
        socket.on('error', reject);
      });
      expect(small.ms).toBeLessThan(10_000);
      expect(small.head === '' || small.head.includes('408')).toBe(true);
      const head = await quick.services.ds.head(owner, 'stalled-small');
      expect(head.kind === 'ok' && head.stream.tailSeq).toBe(0);
    } finally {
      await quick.close();
    }
  });
});

describe('out-of-range and unstorable input is a 4xx, never a 500', () => {
  test('events?after= past an integer column', async ({ server, account, sessionId }) => {
    for (const after of ['2147483648', '1e309', '-1', '9'.repeat(30)]) {
      const r = await api(server.url, account, 'GET', `/api/sessions/${sessionId}/events?after=${after}`);
      expect(r.status, after).toBe(400);
      expect(r.body.error.field, after).toBe('after');
    }
  });

  test('WebSocket ?after=9999999999 is 400 before the upgrade', async ({ server, account, sessionId }) => {
    await expect(WsTestClient.connect(server.wsUrl, sessionId, account, { after: 9_999_999_999 })).rejects.toMatchObject({ statusCode: 400 });
    const c = await WsTestClient.connect(server.wsUrl, sessionId, account, { after: 2_147_483_647 });
    await c.waitForFrame('ready');
    await c.close();
  });

  test('Durable Streams offsets beyond the tail, on session and generic streams', async ({ server, account, sessionId }) => {
    const { key } = await newKey(server.url, account);
    const auth = { authorization: `Bearer ${key}` };
    expect((await raw(server.url, 'PUT', '/ds/v1/stream/tail', { headers: auth, body: 'a', contentType: 'text/plain' })).status).toBe(201);
    for (const path of [`sessions/${sessionId}`, 'tail']) {
      for (const offset of [formatOffset(99), formatOffset(2_147_483_647), '9999999999999999_0000000000000000', formatOffset(3_000_000_000)]) {
        for (const live of ['', '&live=long-poll', '&live=sse']) {
          const r = await raw(server.url, 'GET', `/ds/v1/stream/${path}?offset=${offset}${live}`, { headers: auth });
          expect(r.status, `${path} ${offset}${live}`).toBe(400);
        }
      }
    }
  });

  test('DELETE /api/feeds/abc%00def and other malformed feed ids are 404', async ({ server, account }) => {
    for (const id of ['abc%00def', 'abc', '%00', '00000000-0000-0000-0000-00000000000%00']) {
      expect((await api(server.url, account, 'DELETE', `/api/feeds/${id}`)).status, id).toBe(404);
    }
  });

  test('a Durable Streams path with NUL is 400', async ({ server, account }) => {
    const { key } = await newKey(server.url, account);
    for (const method of ['PUT', 'POST', 'GET', 'HEAD', 'DELETE']) {
      const r = await raw(server.url, method, '/ds/v1/stream/a%00b', { headers: { authorization: `Bearer ${key}` } });
      expect(r.status, method).toBe(400);
    }
  });

  test('Stream-Expires-At outside 1970–9999 and oversized fork sub-offsets are 400', async ({ server, account }) => {
    const { key } = await newKey(server.url, account);
    for (const expires of ['0000-01-01T00:00:00Z', '1969-12-31T23:59:59Z', '0001-01-01T00:00:00+14:00']) {
      const r = await raw(server.url, 'PUT', `/ds/v1/stream/exp-${expires.slice(0, 4)}`, { headers: { authorization: `Bearer ${key}`, 'stream-expires-at': expires } });
      expect(r.status, expires).toBe(400);
      expect(r.body.error.code).toBe('invalid_expires_at');
    }
    const ok = await raw(server.url, 'PUT', '/ds/v1/stream/exp-ok', { headers: { authorization: `Bearer ${key}`, 'stream-expires-at': '9999-12-31T23:59:59Z' } });
    expect(ok.status).toBe(201);
    const fork = await raw(server.url, 'PUT', '/ds/v1/stream/fork-big', {
      headers: { authorization: `Bearer ${key}`, 'stream-forked-from': '/v1/stream/exp-ok', 'stream-fork-offset': formatOffset(0), 'stream-fork-sub-offset': '99999999999' },
    });
    expect(fork.status).toBe(400);
  });
});

describe('live Durable Streams reads end when their login or key is revoked', () => {
  /** Opens a live read and resolves when its response ends: `{status, ms}` from the revocation. */
  async function liveRead(url: string, headers: Record<string, string>, mode: 'sse' | 'long-poll') {
    const ac = new AbortController();
    const res = await fetch(`${url}&live=${mode}`, { headers, signal: ac.signal });
    if (mode === 'sse') {
      expect(res.status).toBe(200);
      const reader = res.body!.getReader();
      // Wait for the first control event, so the read is registered.
      let text = '';
      while (!text.includes('event: control')) text += new TextDecoder().decode((await reader.read()).value);
      const ended = (async () => {
        for (;;) if ((await reader.read()).done) return 'ended';
      })();
      return {
        ended,
        abort: () => {
          ended.catch(() => undefined);
          ac.abort();
        },
      };
    }
    return { ended: Promise.resolve(res.status), abort: () => ac.abort() };
  }

  /** A long-poll as a promise of its status; started, then given time to register. */
  function longPoll(url: string, headers: Record<string, string>) {
    return fetch(`${url}&live=long-poll`, { headers }).then(async (r) => ({ status: r.status, body: await r.text() }));
  }

  async function within(ms: number, p: Promise<unknown>) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const t0 = performance.now();
    const v = await Promise.race([p, new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`still open after ${ms} ms`)), ms)))]);
    clearTimeout(timer);
    return { value: v, ms: performance.now() - t0 };
  }

  async function untilRegistered(server: { services: { sockets: { readers: { size: number } } } }, n: number) {
    for (let i = 0; i < 200 && server.services.sockets.readers.size < n; i++) await new Promise((r) => setTimeout(r, 10));
    expect(server.services.sockets.readers.size).toBeGreaterThanOrEqual(n);
  }

  test('logout ends the device’s SSE and long-poll reads of a session within a second', async ({ server, account, sessionId }) => {
    const url = `${server.url}/ds/v1/stream/sessions/${sessionId}?offset=now`;
    const sse = await liveRead(url, { cookie: account.cookie }, 'sse');
    const poll = longPoll(url, { cookie: account.cookie });
    await untilRegistered(server, 2);
    expect((await api(server.url, account, 'POST', '/api/auth/logout')).status).toBe(204);
    expect((await within(1_000, sse.ended)).value).toBe('ended');
    expect(((await within(1_000, poll)).value as { status: number }).status).toBe(401);
    expect(server.services.sockets.readers.size).toBe(0);
  });

  test('revoking a device ends its reads, not the other device’s', async ({ server, account, sessionId }) => {
    const phone = await pairDevice(server.url, account, 'phone');
    const url = `${server.url}/ds/v1/stream/sessions/${sessionId}?offset=now`;
    const phonePoll = longPoll(url, { cookie: phone.cookie });
    const laptop = await liveRead(url, { cookie: account.cookie }, 'sse');
    await untilRegistered(server, 2);
    expect((await api(server.url, account, 'DELETE', `/api/devices/${phone.loginId}`)).status).toBe(204);
    expect(((await within(1_000, phonePoll)).value as { status: number }).status).toBe(401);
    expect(server.services.sockets.readers.size).toBe(1);
    laptop.abort();
  });

  test('revoking an API key ends its SSE and long-poll reads of a generic stream', async ({ server, account }) => {
    const { id, key } = await newKey(server.url, account);
    const auth = { authorization: `Bearer ${key}` };
    expect((await raw(server.url, 'PUT', '/ds/v1/stream/watched', { headers: auth, contentType: 'text/plain' })).status).toBe(201);
    const url = `${server.url}/ds/v1/stream/watched?offset=now`;
    const sse = await liveRead(url, auth, 'sse');
    const poll = longPoll(url, auth);
    await untilRegistered(server, 2);
    expect((await api(server.url, account, 'DELETE', `/api/keys/${id}`)).status).toBe(204);
    expect((await within(1_000, sse.ended)).value).toBe('ended');
    expect(((await within(1_000, poll)).value as { status: number }).status).toBe(401);
  });
});

describe('per-account Durable Streams quotas', () => {
  test('streams: past the quota a clear 403; an existing stream is still idempotent; deleting frees a slot', async ({ server, account }) => {
    const { key } = await newKey(server.url, account);
    const auth = { authorization: `Bearer ${key}` };
    for (const p of ['q1', 'q2', 'q3']) expect((await raw(server.url, 'PUT', `/ds/v1/stream/${p}`, { headers: auth })).status).toBe(201);
    const over = await raw(server.url, 'PUT', '/ds/v1/stream/q4', { headers: auth });
    expect(over.status).toBe(403);
    expect(over.body.error).toMatchObject({ code: 'stream_quota_exceeded', message: expect.stringContaining('3') });
    expect((await raw(server.url, 'PUT', '/ds/v1/stream/q1', { headers: auth })).status).toBe(200);
    expect((await raw(server.url, 'DELETE', '/ds/v1/stream/q3', { headers: auth })).status).toBe(204);
    expect((await raw(server.url, 'PUT', '/ds/v1/stream/q4', { headers: auth })).status).toBe(201);
    // Another account has its own quota.
    const other = await signup(server.url);
    const k2 = await newKey(server.url, other);
    expect((await raw(server.url, 'PUT', '/ds/v1/stream/q1', { headers: { authorization: `Bearer ${k2.key}` } })).status).toBe(201);
  });

  test('bytes: an append that would pass the quota is a clear 403 and stores nothing', async ({ server, account }) => {
    const { key } = await newKey(server.url, account);
    const auth = { authorization: `Bearer ${key}` };
    expect((await raw(server.url, 'PUT', '/ds/v1/stream/bytes', { headers: auth, contentType: 'application/octet-stream' })).status).toBe(201);
    expect((await raw(server.url, 'POST', '/ds/v1/stream/bytes', { headers: auth, body: new Uint8Array(4000), contentType: 'application/octet-stream' })).status).toBe(204);
    const over = await raw(server.url, 'POST', '/ds/v1/stream/bytes', { headers: auth, body: new Uint8Array(100), contentType: 'application/octet-stream' });
    expect(over.status).toBe(403);
    expect(over.body.error.code).toBe('storage_quota_exceeded');
    const head = await raw(server.url, 'HEAD', '/ds/v1/stream/bytes', { headers: auth });
    expect(head.headers.get('stream-next-offset')).toBe(formatOffset(1));
  });
});
