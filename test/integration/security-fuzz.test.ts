// Fuzz: over 10,000 random and malformed WebSocket frames and HTTP requests (random JSON,
// wrong types, huge strings, odd unicode, lone surrogates and NUL, invalid UTF-8,
// prototype-pollution keys, binary frames, oversized frames) thrown at a running server
// while another user's session streams coach answers. The server must stay up, never
// answer 5xx (or an `internal` error frame), and the other session's transcript must be
// intact: gap-free seqs and deltas that concatenate to each end's text.
//
// The generator is seeded, so a failure is reproducible: change SEED locally to explore.
import WebSocket from 'ws';
import { createDemoAgent } from '../../server/agent/demo-agent.ts';
import { DEFAULT_LIMITS, DEFAULT_RATE_LIMITS, type RateLimits } from '../../server/config.ts';
import { MAX_FRAME_BYTES } from '../../server/contract/index.ts';
import type { SessionEvent } from '../../server/session/types.ts';
import { createSession, signup, textOf, WsTestClient } from '../support/client.ts';
import { DB_KIND } from '../support/db.ts';
import { describe, expect, test as base } from '../support/fixtures.ts';
import { captureLogs, raw } from '../support/security.ts';

const SEED = 0x5eed_f0c5;
// Frames are cheap for the server (~1 ms), requests dearer (~10 ms, mostly database), and
// this machine is small and shared: most of the 10,000+ inputs are frames.
const WS_FRAMES = 9_000;
const HTTP_REQUESTS = 1_200;
const FUZZ_SOCKETS = 4;
const HTTP_WORKERS = 6;
/** Frames sent before the fuzzer waits for the server to catch up (a ping round trip). */
const WS_BATCH = 100;
/** Close codes the server may use on a client that sent invalid UTF-8 (1007) or a frame far over the limit (1009). */
const PROTOCOL_CLOSE_CODES = new Set([1007, 1009]);
/** ws closes the connection (1009) above this; between MAX_FRAME_BYTES and it the server answers frame_too_large. */
const WS_MAX_PAYLOAD_BYTES = MAX_FRAME_BYTES * 4;

// --- seeded randomness ---------------------------------------------------------------

function mulberry32(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `violates`: breaks the WebSocket protocol itself, so the server may close the connection. */
type WsPayload = { data: string | Buffer; binary?: boolean; violates?: boolean };

interface HttpCase {
  method: string;
  path: string;
  body?: string | Uint8Array;
  contentType?: string;
  cookie?: string;
}

/**
 * All generators draw from their own seeded stream, so each fuzz worker (frames or
 * requests) produces the same sequence on every run however the workers interleave.
 */
function makeGenerator(seed: number) {
  const rnd = mulberry32(seed);
  const int = (n: number) => Math.floor(rnd() * n);
  // Not nth(): some lists hold `undefined` on purpose (no cookie), which nth() treats as missing.
  const pick = <T,>(xs: readonly T[]): T => xs[int(xs.length)] as T;
  const chance = (p: number) => rnd() < p;

  const WEIRD_STRINGS = [
    '',
    ' ',
    '\u0000',
    'nul\u0000inside',
    '\uD800',
    'lone low \uDC00',
    '\uDBFF\uDBFF',
    '😀🎉👩‍👩‍👧‍👦',
    '\u202Eright-to-left',
    'zero\u200Bwidth',
    '\uFEFFbom',
    '\uFFFF\uFFFE',
    'null',
    'undefined',
    '__proto__',
    'constructor',
    '../../../../etc/passwd',
    "'; DROP TABLE \"Event\"; --",
    '<script>alert(1)</script>',
    '%00%2e%2e%2f',
    '\\u0000',
    '"',
    '\\',
    'ﾟ･✿ヾ╲(｡◕‿◕｡)╱✿･ﾟ',
    'Z̷̡̛̖͇̮a̶̛̖l̷̢̛g̵o̴',
    '1e309',
    '-0',
    'NaN',
    '${jndi:ldap://x}',
    '{{7*7}}',
  ];

  function randomCodePoint(): string {
    switch (int(6)) {
      case 0:
        return String.fromCharCode(0xd800 + int(0x800)); // a surrogate, maybe lone
      case 1:
        return String.fromCodePoint(0x10000 + int(0xfffff)); // astral
      case 2:
        return String.fromCharCode(int(0x20)); // control
      default:
        return String.fromCharCode(0x20 + int(0x2fe0));
    }
  }

  function randomString(): string {
    const r = rnd();
    if (r < 0.4) return pick(WEIRD_STRINGS);
    if (r < 0.97) return Array.from({ length: int(40) }, randomCodePoint).join('');
    return pick(['x', '😀', '\u0000', 'ab']).repeat(1_000 + int(20_000));
  }

  function randomValue(depth = 0): unknown {
    const r = rnd();
    if (depth > 4 || r < 0.25) return randomString();
    if (r < 0.4) return pick([0, -1, 1.5, 1e308, -1e308, 2 ** 53 + 1, Number.MAX_SAFE_INTEGER, 8001, -0]);
    if (r < 0.5) return pick([true, false, null]);
    if (r < 0.7) return Array.from({ length: int(5) }, () => randomValue(depth + 1));
    const o: Record<string, unknown> = {};
    for (let i = int(5); i > 0; i--) o[chance(0.3) ? pick(['type', 'text', 'clientMessageId', 'email', 'password', 'code', 'sessionId', 'title', 'kind']) : randomString().slice(0, 30)] = randomValue(depth + 1);
    return o;
  }

  /** JSON text with keys that would pollute a prototype if anything merged it naively. */
  function pollutingJson(): string {
    return pick([
      '{"__proto__":{"polluted":true},"type":"user.message","clientMessageId":"p","text":"x"}',
      '{"constructor":{"prototype":{"polluted":true}},"type":"ping"}',
      '{"type":"user.message","__proto__":{"text":"from proto"},"clientMessageId":"p2"}',
      '{"type":{"__proto__":{"toString":"x"}}}',
      '{"__proto__":null}',
      '{"email":"a@b.co","password":"longenough","__proto__":{"isAdmin":true}}',
    ]);
  }

  const invalidUtf8 = () => Buffer.from(pick([[0xc3, 0x28], [0xa0, 0xa1], [0xe2, 0x28, 0xa1], [0xf0, 0x28, 0x8c, 0xbc], [0xff, 0xfe, 0xfd], [0x7b, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x7d]]));


  function randomFrame(): WsPayload {
    const r = rnd();
    if (r < 0.28) return { data: JSON.stringify(randomValue()) };
    if (r < 0.58) {
      const f: Record<string, unknown> = { type: chance(0.8) ? pick(['user.message', 'cancel', 'ping', 'pong', 'ready', 'error', 'assistant.delta']) : randomValue() };
      if (chance(0.7)) f.clientMessageId = chance(0.5) ? randomString().slice(0, 120) : randomValue();
      if (chance(0.7)) f.text = chance(0.6) ? randomString() : randomValue();
      if (chance(0.2)) f.seq = randomValue();
      return { data: JSON.stringify(f) };
    }
    // The NUL and surrogates are the point: this message must be storable.
    // eslint-disable-next-line no-control-regex
    if (r < 0.59) return { data: JSON.stringify({ type: 'user.message', clientMessageId: `ok-${int(1e9)}`, text: `${pick(WEIRD_STRINGS.filter((s) => !/[\u0000\uD800-\uDFFF]/.test(s)))} plan ${int(100)}` }) };
    if (r < 0.68) return { data: randomString() };
    if (r < 0.73) return { data: pollutingJson() };
    if (r < 0.76) return { data: pick(['['.repeat(30_000), '{"a":'.repeat(5_000), '[1,2', '{"type":"ping"', '\u0000', '  ', 'true', '1e999999']) };
    if (r < 0.81) return { data: Buffer.from(Array.from({ length: int(200) }, () => int(256))), binary: true };
    if (r < 0.825) return { data: invalidUtf8(), violates: true };
    if (r < 0.835) return { data: JSON.stringify({ type: 'user.message', clientMessageId: 'big', text: 'y'.repeat(70_000 + int(100_000)) }) };
    if (r < 0.837) return { data: 'z'.repeat(300_000), violates: true };
    return { data: JSON.stringify(pick([{ type: 'ping' }, { type: 'cancel' }])) };
  }



  function randomBody(route: string): { body?: string | Uint8Array; contentType?: string } {
    const r = rnd();
    if (r < 0.35) return { body: JSON.stringify(randomValue()) };
    if (r < 0.5) {
      // Right keys, wrong or odd values.
      const keys: Record<string, string[]> = {
        '/api/auth/signup': ['email', 'password', 'deviceName'],
        '/api/auth/login': ['email', 'password', 'deviceName'],
        '/api/sessions': ['title', 'kind', 'weekKey'],
        '/api/sessions/:id/messages': ['clientMessageId', 'text'],
        '/api/pairing': ['sessionId'],
        '/api/pairing/redeem': ['code', 'deviceName'],
      };
      const o: Record<string, unknown> = {};
      for (const k of keys[route] ?? ['x']) if (chance(0.8)) o[k] = chance(0.5) ? randomString() : randomValue(3);
      return { body: JSON.stringify(o) };
    }
    if (r < 0.6) return { body: pollutingJson() };
    if (r < 0.7) return { body: randomString() };
    if (r < 0.75) return { body: invalidUtf8() };
    if (r < 0.78) return { body: JSON.stringify({ text: 'h'.repeat(70_000) }) };
    if (r < 0.86) return { body: JSON.stringify(randomValue()), contentType: pick(['text/plain', 'application/xml', 'multipart/form-data; boundary=x', 'application/json; charset=latin1', 'application/x-www-form-urlencoded', '', 'application/json\u0000']) };
    if (r < 0.9) return { body: '', contentType: 'application/json' };
    return {};
  }

  /** encodeURIComponent, but a lone surrogate (which it refuses) becomes its raw, invalid UTF-8 percent-encoding. */
  function enc(s: string): string {
    try {
      return encodeURIComponent(s);
    } catch {
      return '%ED%A0%80';
    }
  }

  function randomPath(template: string, ids: { alienSession: string; ownSession: string }): string {
    let p = template.replace(':id', () => pick([ids.alienSession, ids.ownSession, crypto.randomUUID(), enc(randomString().slice(0, 40)), '%', '..', '0']));
    if (chance(0.3)) {
      const q = pick(['after', 'limit', 'token', '__proto__', 'constructor[prototype]', enc(randomString().slice(0, 10))]);
      p += `?${q}=${pick(['-1', '0', '1e9', '99999999999999999999', 'abc', '', enc(randomString().slice(0, 20)), '%zz'])}`;
    }
    return p;
  }

  return { pick, chance, randomString, randomFrame, randomBody, randomPath, enc };
}

// --- the test ------------------------------------------------------------------------

const generous = { burst: 1_000_000, refillPerMinute: 1_000_000 };
const noRateLimits: RateLimits = Object.fromEntries(Object.keys(DEFAULT_RATE_LIMITS).map((k) => [k, generous])) as unknown as RateLimits;

/** Alice's session gets long answers; the fuzzer's valid messages get short ones, so the machine's time goes to fuzzing. */
let streamingSession = '';
const errorLogs = captureLogs();
const test = base.override('serverOptions', {
  agent: () => {
    const long = createDemoAgent({ paceMs: 5, words: 200 });
    const short = createDemoAgent({ paceMs: 5, words: 3 });
    return { respond: (turn) => (turn.sessionId === streamingSession ? long : short).respond(turn) };
  },
  // Rate limits are tested elsewhere; here they would only stop the fuzzer early.
  // Any error the server logs while being fuzzed is a finding, even if no client saw it.
  overrides: { logStream: errorLogs.stream },
  config: { logLevel: 'error', limits: { ...DEFAULT_LIMITS, wsMessagesPerSecond: 1_000_000, wsMessageBurst: 1_000_000, maxSocketsPerUser: 100 }, rateLimits: noRateLimits },
});

describe(`fuzz (${DB_KIND})`, () => {
  test(`survives ${WS_FRAMES + HTTP_REQUESTS} random frames and requests while another session streams intact`, { timeout: 180_000 }, async ({ server }) => {
    const started = Date.now();
    const alice = await signup(server.url);
    const mallory = await signup(server.url);
    const aliceSession = await createSession(server.url, alice, 'streams while the fuzzer runs');
    streamingSession = aliceSession;
    const fuzzSession = await createSession(server.url, mallory, 'fuzz target');

    // Alice's coach answers, one after the other, for as long as the fuzzer runs.
    const watcher = await WsTestClient.connect(server.wsUrl, aliceSession, alice);
    await watcher.waitForFrame('ready');
    let fuzzing = true;
    let answers = 0;
    const streaming = (async () => {
      while (fuzzing || answers === 0) {
        watcher.send({ type: 'user.message', clientMessageId: `alice-${answers}`, text: `question ${answers}` });
        answers++;
        await watcher.waitFor((c) => c.events.filter((e) => e.type === 'assistant.end').length >= answers, 60_000, `answer ${answers}`);
      }
    })();

    // --- WebSocket fuzzers
    const problems: string[] = [];
    const closeCodes = new Map<number, number>();
    let framesSent = 0;
    const fuzzSocket = async (share: number, worker: number) => {
      const { randomFrame } = makeGenerator(SEED + worker);
      let sent = 0;
      while (sent < share) {
        const ws = new WebSocket(`${server.wsUrl}/api/sessions/${fuzzSession}/ws`, { headers: { cookie: mallory.cookie } });
        let pongs = 0;
        let closed = false;
        let closingOurselves = false;
        let violated = false;
        let wake: () => void = () => {};
        ws.on('message', (data) => {
          let f: { type?: string; code?: string };
          try {
            f = JSON.parse(data.toString());
          } catch {
            problems.push(`server sent non-JSON: ${data.toString().slice(0, 80)}`);
            return;
          }
          if (f.type === 'pong') pongs++;
          if (f.type === 'error' && f.code === 'internal') problems.push('internal error frame');
          wake();
        });
        ws.on('close', (code) => {
          closed = true;
          closeCodes.set(code, (closeCodes.get(code) ?? 0) + 1);
          // After a protocol violation the server stops reading and closes; if the client is still
          // writing, TCP may reset before the close frame is read, which the client sees as 1006.
          const expected = closingOurselves || (violated && (PROTOCOL_CLOSE_CODES.has(code) || code === 1006));
          if (!expected) problems.push(`unexpected close ${code}${violated ? ' after a protocol violation' : ''}`);
          wake();
        });
        ws.on('error', () => {});
        await new Promise<void>((resolve, reject) => {
          ws.once('open', () => resolve());
          ws.once('unexpected-response', (_q, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
        });
        while (!closed && sent < share) {
          for (let i = 0; i < WS_BATCH && sent < share && ws.readyState === ws.OPEN; i++) {
            const f = randomFrame();
            // Random values can add up past the server's hard limit too.
            if (f.violates || Buffer.byteLength(f.data) > WS_MAX_PAYLOAD_BYTES) violated = true;
            ws.send(f.data, { binary: f.binary ?? false });
            sent++;
            framesSent++;
          }
          if (ws.readyState !== ws.OPEN) break;
          // Let the server catch up: everything before this ping has been handled when its pong arrives.
          const want = pongs + 1;
          ws.send('{"type":"ping"}');
          const deadline = Date.now() + 30_000;
          while (!closed && pongs < want) {
            if (Date.now() > deadline) throw new Error('server stopped answering a fuzz socket');
            await new Promise<void>((resolve) => {
              wake = resolve;
              setTimeout(resolve, 500);
            });
          }
        }
        if (!closed) {
          closingOurselves = true;
          ws.close();
        }
      }
    };

    // --- HTTP fuzzers
    // The week's event stream never ends by itself (security-authz reads its first event instead).
    const routes = server.app.registeredRoutes.filter((r) => r.method !== 'HEAD' && !r.websocket && !r.url.endsWith('/live'));
    const garbageCookie = 'fc_session=' + 'A'.repeat(43);
    let requestsSent = 0;
    const statusCounts = new Map<number, number>();
    const fuzzHttp = async (share: number, worker: number) => {
      const { pick, chance, randomString, randomBody, randomPath, enc } = makeGenerator(SEED + 1_000 + worker);
      for (let sent = 0; sent < share; ) {
        const route = pick(routes);
        // Mallory must not log herself out mid-run; others may "log out" all they like.
        const cookie = route.url === '/api/auth/logout' ? pick([undefined, garbageCookie]) : pick([mallory.cookie, mallory.cookie, undefined, garbageCookie, `fc_session=${enc(randomString().slice(0, 50))}`]);
        const method = chance(0.95) ? route.method : pick(['PUT', 'PATCH', 'OPTIONS', 'DELETE']);
        // fetch cannot send a body with GET (and Fastify would not read one).
        const body = method === 'GET' ? {} : randomBody(route.url);
        const c: HttpCase = { method, path: randomPath(route.url, { alienSession: aliceSession, ownSession: fuzzSession }), cookie, ...body };
        // Deleting the fuzzed session (Mallory may) would end the run early; session-manage.test.ts covers DELETE.
        if (c.method === 'DELETE' && c.path.split('?')[0]?.replace(/\/$/, '') === `/api/sessions/${fuzzSession}`) continue;
        let status: number;
        let text: string;
        try {
          const r = await raw(server.url, c.method, c.path, { cookie: c.cookie, body: c.body, contentType: c.contentType });
          status = r.status;
          text = r.text;
        } catch (err) {
          // An invalid header value (e.g. a NUL in a cookie) is refused by fetch itself; that is not the server.
          if (String((err as Error).message).includes('Headers') || (err as { cause?: { code?: string } }).cause?.code === 'ERR_INVALID_CHAR') continue;
          throw err;
        }
        sent++;
        requestsSent++;
        statusCounts.set(status, (statusCounts.get(status) ?? 0) + 1);
        if (status >= 500) problems.push(`${status} for ${c.method} ${c.path.slice(0, 80)} body=${String(c.body).slice(0, 80)}: ${text.slice(0, 120)}`);
        // Under fuzz, too, Alice's session is nobody else's.
        if (c.path.includes(aliceSession) && status < 300) problems.push(`${status} on Alice's session: ${c.method} ${c.path}`);
      }
    };

    await Promise.all([
      ...Array.from({ length: FUZZ_SOCKETS }, (_, i) => fuzzSocket(WS_FRAMES / FUZZ_SOCKETS, i)),
      ...Array.from({ length: HTTP_WORKERS }, (_, i) => fuzzHttp(Math.ceil(HTTP_REQUESTS / HTTP_WORKERS), i)),
    ]);
    fuzzing = false;
    await streaming;
    const fuzzMs = Date.now() - started;

    // For whoever tunes this test: what was thrown and how long it took.
    console.info(
      `fuzz seed=${SEED}: ${framesSent} frames, ${requestsSent} requests in ${(fuzzMs / 1000).toFixed(1)} s; ` +
        `${answers} answers streamed; closes ${JSON.stringify(Object.fromEntries(closeCodes))}; statuses ${JSON.stringify(Object.fromEntries(statusCounts))}`,
    );

    // --- the verdict
    expect(problems, `seed ${SEED}`).toEqual([]);
    expect(errorLogs.lines, 'errors logged by the server').toEqual([]);
    expect(framesSent).toBeGreaterThanOrEqual(WS_FRAMES);
    expect(framesSent + requestsSent).toBeGreaterThanOrEqual(10_000);
    expect((await raw(server.url, 'GET', '/healthz')).status).toBe(200);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();

    // Alice's transcript, live and replayed, is whole.
    const live = watcher.events;
    const replay = await WsTestClient.connect(server.wsUrl, aliceSession, alice);
    await replay.waitForFrame('ready');
    expect(replay.events).toEqual(live);
    expect(live.map((e) => e.seq)).toEqual(live.map((_, i) => i + 1));
    const ends = live.filter((e) => e.type === 'assistant.end');
    expect(ends).toHaveLength(answers);
    for (const end of ends) {
      expect(end.data.status).toBe('complete');
      expect(textOf(live, String(end.data.messageId))).toBe(end.data.text);
      expect(String(end.data.text)).toContain('word199');
    }
    // The fuzzed session's log is consistent too.
    const fuzzLog = await raw(server.url, 'GET', `/api/sessions/${fuzzSession}/events?limit=1000`, { cookie: mallory.cookie });
    const fuzzEvents = fuzzLog.body.events as SessionEvent[];
    expect(fuzzEvents.map((e) => e.seq)).toEqual(fuzzEvents.map((_, i) => i + 1));
    await Promise.all([watcher.close(), replay.close()]);

  });
});
