// Secrets never reach the logs: passwords, login cookies, pairing codes (in bodies and in
// /pair/<code> URLs), feed tokens in /api/feeds/<token>.ics, API keys. The server logs at
// trace level into a captured stream while we sign up, log in, pair, redeem and fail.
import { createDemoAgent } from '../../server/agent/demo-agent.ts';
import { createSession, WsTestClient, type Account } from '../support/client.ts';
import { DB_KIND } from '../support/db.ts';
import { describe, expect, test as base } from '../support/fixtures.ts';
import { captureLogs, json, raw } from '../support/security.ts';
import { nth } from '../support/nth.ts';

const PASSWORD = 'hunter2-correct-horse';
const API_KEY = 'sk-test-DO-NOT-LOG-0123456789';
const FEED_TOKEN = 'feedTokenDoNotLog0123456789abcdefghij';

const logs = captureLogs();
const test = base.override('serverOptions', {
  agent: () => createDemoAgent({ paceMs: 1, words: 5 }),
  config: { logLevel: 'trace', openai: { apiKey: API_KEY, baseUrl: undefined, model: 'x', timeoutMs: 1_000 } },
  overrides: { logStream: logs.stream },
});

describe(`no secrets in logs (${DB_KIND})`, () => {
  test('signup, login, pairing, redeem, WebSocket and errors log requests but no secret', async ({ server }) => {
    const secrets: string[] = [PASSWORD, API_KEY, FEED_TOKEN];
    const email = `logs-${Date.now()}@example.test`;
    const headers = { authorization: `Bearer ${API_KEY}` };

    const up = await raw(server.url, 'POST', '/api/auth/signup', { body: json({ email, password: PASSWORD }), headers });
    expect(up.status).toBe(201);
    const login = await raw(server.url, 'POST', '/api/auth/login', { body: json({ email, password: PASSWORD }) });
    expect(login.status).toBe(200);
    await raw(server.url, 'POST', '/api/auth/login', { body: json({ email, password: `${PASSWORD}-wrong` }) });
    const alice: Account = { cookie: login.cookie, userId: up.body.user.id, email };
    secrets.push(nth(up.cookie.split('='), 1), nth(login.cookie.split('='), 1));

    const sessionId = await createSession(server.url, alice);
    const pairing = await raw(server.url, 'POST', '/api/pairing', { cookie: alice.cookie, body: json({ sessionId }) });
    expect(pairing.status).toBe(201);
    const code: string = pairing.body.code;
    secrets.push(code);
    // The link is opened (the web app's route), then the code redeemed.
    await raw(server.url, 'GET', `/pair/${code}`);
    await raw(server.url, 'GET', `/pair/${code.toLowerCase()}?from=qr`);
    const redeemed = await raw(server.url, 'POST', '/api/pairing/redeem', { body: json({ code, deviceName: 'phone' }) });
    expect(redeemed.status).toBe(200);
    secrets.push(nth(redeemed.cookie.split('='), 1));
    await raw(server.url, 'POST', '/api/pairing/redeem', { body: json({ code }) }); // reused: 410

    // Feed URLs (the route comes later; the redaction is already in place).
    await raw(server.url, 'GET', `/api/feeds/${FEED_TOKEN}.ics`);
    await raw(server.url, 'GET', `/api/sessions/${sessionId}/events?token=${FEED_TOKEN}`, { cookie: alice.cookie });

    const ws = await WsTestClient.connect(server.wsUrl, sessionId, alice);
    ws.send({ type: 'user.message', clientMessageId: 'l1', text: 'hello' });
    await ws.waitForEvent('assistant.end');
    await ws.close();

    // A forced internal error is logged with its error, still without secrets.
    const original = server.services.sessions.list;
    server.services.sessions.list = async () => {
      throw new Error('database exploded');
    };
    try {
      expect((await raw(server.url, 'GET', '/api/sessions', { cookie: alice.cookie })).status).toBe(500);
    } finally {
      server.services.sessions.list = original;
    }
    await raw(server.url, 'POST', '/api/auth/logout', { cookie: alice.cookie });

    const text = logs.text();
    // The test is only meaningful if the requests were logged at all.
    expect(logs.lines.length).toBeGreaterThan(20);
    expect(text).toContain('/api/auth/signup');
    expect(text).toContain('/pair/[redacted]');
    expect(text).toContain('/api/feeds/[redacted].ics');
    expect(text).toContain('token=[redacted]');
    expect(text).toContain('database exploded');
    for (const secret of secrets) {
      expect(secret.length).toBeGreaterThan(8);
      expect(text, 'a secret appears in the logs').not.toContain(secret);
      expect(text.toLowerCase()).not.toContain(secret.toLowerCase());
    }
    // The code in grouped form, too.
    expect(text).not.toContain(`${code.slice(0, 5)}-${code.slice(5)}`);
    for (const line of logs.lines) expect(() => JSON.parse(line)).not.toThrow();
  });
});
