import { describe, expect } from 'vitest';
import pg from 'pg';
import { api, createSession, textOf, WsTestClient, type Account } from '../support/client.ts';
import { POSTGRES_URL } from '../support/db.ts';
import { nth } from '../support/nth.ts';
import { twoInstanceTest } from '../support/two-instances.ts';

// Two real server processes on one PostgreSQL. PGlite is single-process by nature, so
// this file only runs when the suite runs against PostgreSQL (CI does both).
const it = twoInstanceTest({ database: 'shared', names: ['instance-a', 'instance-b'], env: { COACH_PACE_MS: '15' } });

describe.skipIf(!POSTGRES_URL)('two server instances on one PostgreSQL', () => {
  let url: string;
  let a: { url: string; wsUrl: string };
  let b: { url: string; wsUrl: string; kill(): void };
  let alice: Account;

  // The fixtures are file-scoped: every test sees the same two instances and account.
  it.beforeEach(({ instances, alice: account, databaseUrl }) => {
    url = databaseUrl;
    a = { url: instances.url(0), wsUrl: instances.wsUrl(0) };
    b = { url: instances.url(1), wsUrl: instances.wsUrl(1), kill: () => instances.kill(1) };
    alice = account;
  });

  async function runOwner(runId: string): Promise<string> {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    const r = await c.query('SELECT "instanceId" FROM "Run" WHERE id = $1', [runId]);
    await c.end();
    return r.rows[0]?.instanceId;
  }

  it('SL8: a client on instance A sees a run on instance B live, gap-free', async () => {
    const sessionId = await createSession(a.url, alice);
    const onA = await WsTestClient.connect(a.wsUrl, sessionId, alice);
    await onA.waitForFrame('ready');
    const received = new Map<number, number>();
    onA.ws.on('message', (d) => {
      const f = JSON.parse(d.toString());
      if (f.seq) received.set(f.seq, Date.now());
    });
    expect((await api(b.url, alice, 'POST', `/api/sessions/${sessionId}/messages`, { clientMessageId: 'x', text: 'hello from B' })).status).toBe(202);
    const end = await onA.waitForEvent('assistant.end', undefined, 20_000);
    const start = onA.events.find((e) => e.type === 'assistant.start')!;
    expect(await runOwner(String(start.data.runId))).toBe('instance-b');
    expect(onA.events.map((e) => e.seq)).toEqual(onA.events.map((_, i) => i + 1));
    expect(textOf(onA.events, String(start.data.messageId))).toBe(end.data.text);
    // Live, not replayed at the end: the first delta reached A well before B committed the end.
    const firstDelta = onA.events.find((e) => e.type === 'assistant.delta')!;
    expect(received.get(firstDelta.seq)!).toBeLessThan(Date.parse(end.at) - 500);
    await onA.close();
  });

  /** A client on A watches a long answer that instance B is streaming. */
  async function answerOnBWatchedFromA() {
    const sessionId = await createSession(a.url, alice);
    const onA = await WsTestClient.connect(a.wsUrl, sessionId, alice);
    await onA.waitForFrame('ready');
    await api(b.url, alice, 'POST', `/api/sessions/${sessionId}/messages`, { clientMessageId: 'x', text: 'long answer please' });
    await onA.waitFor((c) => c.events.filter((e) => e.type === 'assistant.delta').length >= 3, 20_000, 'deltas');
    const start = onA.events.find((e) => e.type === 'assistant.start')!;
    expect(await runOwner(String(start.data.runId))).toBe('instance-b');
    return { onA, start };
  }

  it('SL10: a cancel sent to A stops the run on B', async () => {
    const { onA } = await answerOnBWatchedFromA();
    onA.send({ type: 'cancel' });
    const end = await onA.waitForEvent('assistant.end', undefined, 5_000);
    expect(end.data.status).toBe('cancelled');
    const cancelSeq = onA.events.find((e) => e.type === 'cancel.requested')!.seq;
    expect(onA.events.filter((e) => e.type === 'assistant.delta' && e.seq > cancelSeq)).toEqual([]);
    expect(String(end.data.text)).not.toContain('word119');
    await onA.close();
  });

  it('presence crosses instances: a device on A and a device on B see each other', async () => {
    const sessionId = await createSession(a.url, alice);
    const phone = await signupCookieForSameUser();
    const onA = await WsTestClient.connect(a.wsUrl, sessionId, alice);
    const onB = await WsTestClient.connect(b.wsUrl, sessionId, phone);
    const two = (c: WsTestClient) => c.frames.find((f) => f.type === 'presence' && ((f as { devices?: unknown[] }).devices ?? []).length === 2);
    await onA.waitFor(two, 8_000, 'A sees two devices');
    await onB.waitFor(two, 8_000, 'B sees two devices');
    await onB.close();
    await onA.waitFor((c) => {
      const p = c.frames.filter((f) => f.type === 'presence').at(-1);
      return p && ((p as { devices?: unknown[] }).devices ?? []).length === 1;
    }, 8_000, 'B left');
    await onA.close();
  });

  async function signupCookieForSameUser(): Promise<Account> {
    const res = await fetch(`${b.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: alice.email, password: 'correct horse battery', deviceName: 'phone' }),
    });
    return { ...alice, cookie: nth(res.headers.getSetCookie(), 0).split(';')[0]! };
  }

  it('SL13: SIGKILL of B mid-answer ends the message as interrupted within 5 s, seen on A', async () => {
    const { onA, start } = await answerOnBWatchedFromA();
    b.kill();
    const killedAt = Date.now();
    const end = await onA.waitForEvent('assistant.end', undefined, 8_000);
    expect(Date.now() - killedAt).toBeLessThan(5_000);
    expect(end.data.status).toBe('interrupted');
    expect(String(end.data.reason)).toMatch(/stopped responding/);
    expect(textOf(onA.events, String(start.data.messageId))).toBe(end.data.text);
    expect(onA.events.map((e) => e.seq)).toEqual(onA.events.map((_, i) => i + 1));
    // The session stays usable on the surviving instance.
    onA.send({ type: 'user.message', clientMessageId: 'after', text: 'are you there?' });
    const next = await onA.waitFor((c) => c.events.filter((e) => e.type === 'assistant.end').length === 2 && c.events.at(-1), 20_000, 'second answer');
    expect(next.data.status).toBe('complete');
    await onA.close();
  });
});
