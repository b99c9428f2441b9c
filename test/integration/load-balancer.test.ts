// The shipped deployment, for real: the repo's deploy/nginx.conf (only upstreams and listen
// address rewritten) run by the system's nginx, in front of two server processes on one
// PostgreSQL. The client knows only the load balancer's URL and sends a browser's Origin.
// The replicas run as docker-compose.yml runs them (TRUST_PROXY=1), but without PUBLIC_URL:
// that is the case where origins and links come from the Host header that nginx forwards.
// Chromium itself through the same nginx (sign up, plan, pair a phone): test/e2e/load-balancer.test.ts.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { SessionEvent } from '../../server/session/types.ts';
import { WsTestClient, type Account } from '../support/client.ts';
import { createPostgresDatabase, POSTGRES_URL } from '../support/db.ts';
import { findNginx, freePort, NO_NGINX_MESSAGE, startNginx, type NginxProcess } from '../support/nginx.ts';
import { nth } from '../support/nth.ts';
import { spawnServer, type ServerProcess } from '../support/process.ts';

// Found, or installed as root on Debian, by globalSetup (test/support/nginx-setup.ts). On
// PostgreSQL the test fails without one, as the browser tests do without Chromium.
const NGINX = inject('nginxPath') || findNginx();
const SKIP_REASON = !POSTGRES_URL ? 'DATABASE_URL is unset (two replicas need one PostgreSQL)' : null;
if (SKIP_REASON) console.warn(`load-balancer.test.ts skipped: ${SKIP_REASON}`);

/** Enough words at this pace that a signal lands mid-answer, short enough to finish within the grace period. */
const PACE_MS = '40';
const SHUTDOWN_GRACE_MS = '20000';

interface Replica {
  id: string;
  port: number;
  proc: ServerProcess;
}

describe.skipIf(SKIP_REASON !== null)('deploy/nginx.conf in front of two replicas on PostgreSQL', () => {
  let dbUrl: string;
  let drop: () => Promise<void>;
  const replicas = new Map<string, Replica>();
  let lb: NginxProcess;
  let origin: string;
  let wsOrigin: string;
  let alice: Account;

  const env = (id: string, port = 0) => ({
    DATABASE_URL: dbUrl,
    COACH: 'demo',
    COACH_PACE_MS: PACE_MS,
    TRUST_PROXY: '1',
    SHUTDOWN_GRACE_MS,
    INSTANCE_ID: id,
    PORT: String(port),
  });

  async function startReplica(id: string, port = 0): Promise<Replica> {
    const proc = await spawnServer(env(id, port));
    const r = { id, port: Number(new URL(proc.url).port), proc };
    replicas.set(id, r);
    return r;
  }

  /** fetch through the load balancer, as the web app in a browser would. */
  async function viaLb(method: string, path: string, opts: { cookie?: string; body?: unknown; origin?: string; headers?: Record<string, string> } = {}) {
    const headers: Record<string, string> = { ...opts.headers, origin: opts.origin ?? origin };
    if (opts.cookie) headers.cookie = opts.cookie;
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${origin}${path}`, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
    const text = await res.text();
    const cookie = res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    return { status: res.status, body: text ? JSON.parse(text) : undefined, cookie };
  }

  const connect = (sessionId: string, after?: number) => WsTestClient.connect(wsOrigin, sessionId, alice, { after, origin });

  /**
   * Reconnects as the web client does: a 502/503 from the proxy (every replica briefly marked
   * down after a failure, or one draining) is retried after a short pause.
   */
  async function reconnect(sessionId: string, after: number, deadline: number): Promise<WsTestClient> {
    for (;;) {
      try {
        return await connect(sessionId, after);
      } catch (err) {
        const status = (err as { statusCode?: number }).statusCode;
        if ((status !== 502 && status !== 503) || Date.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  async function runOwner(runId: string): Promise<Replica> {
    const c = new pg.Client({ connectionString: dbUrl });
    await c.connect();
    try {
      const r = await c.query<{ instanceId: string }>('SELECT "instanceId" FROM "Run" WHERE id = $1', [runId]);
      const owner = replicas.get(nth(r.rows, 0).instanceId);
      if (!owner) throw new Error(`run ${runId} is on an unknown instance`);
      return owner;
    } finally {
      await c.end();
    }
  }

  /**
   * Follows one reader of a session through the load balancer until the answer ends,
   * reconnecting with its last seq whenever its socket closes (as the web client does).
   */
  async function followToEnd(first: WsTestClient, sessionId: string, messageId: string, timeoutMs: number) {
    const connections = [first];
    const closes: number[] = [];
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const current = nth(connections, -1);
      const stitched = () => connections.flatMap((c) => c.events);
      const end = await current.waitFor(
        (c) => stitched().find((e) => e.type === 'assistant.end' && e.data.messageId === messageId) ?? (c.closed ? 'closed' : undefined),
        Math.max(1, deadline - Date.now()),
        'the answer to end',
      );
      if (end !== 'closed') return { events: stitched(), end, closes, connections };
      closes.push(current.closed!.code);
      connections.push(await reconnect(sessionId, stitched().at(-1)?.seq ?? 0, deadline));
    }
  }

  const seqs = (events: SessionEvent[]) => events.map((e) => e.seq);

  async function storedEvents(sessionId: string): Promise<SessionEvent[]> {
    const r = await viaLb('GET', `/api/sessions/${sessionId}/events?limit=1000`, { cookie: alice.cookie });
    expect(r.status).toBe(200);
    return r.body.events;
  }

  beforeAll(async () => {
    if (!NGINX) throw new Error(NO_NGINX_MESSAGE);
    ({ url: dbUrl, drop } = await createPostgresDatabase());
    await Promise.all([startReplica('app1'), startReplica('app2')]);
    const port = await freePort();
    lb = await startNginx(NGINX!, { upstreams: [...replicas.values()].map((r) => `127.0.0.1:${r.port}`), port });
    origin = lb.url;
    wsOrigin = origin.replace(/^http/, 'ws');
  }, 90_000);

  afterAll(async () => {
    await lb?.stop();
    await Promise.all([...replicas.values()].map((r) => r.proc.stop()));
    await drop?.();
  });

  it('runs the repo file with only the upstreams and the listen address changed', () => {
    expect(lb.siteConf).toMatch(/proxy_set_header Host \$http_host;/);
    expect(lb.siteConf).toMatch(/proxy_set_header X-Forwarded-Proto \$scheme;/);
    expect(lb.siteConf).toMatch(/proxy_set_header X-Forwarded-Host \$http_host;/);
    expect(lb.siteConf.match(/server 127\.0\.0\.1:\d+ max_fails/g)).toHaveLength(2);
  });

  it('a client with a browser’s Origin signs up, opens a session and pairs a phone; links carry the public origin', async () => {
    const email = `lb-${Date.now()}@example.test`;
    const up = await viaLb('POST', '/api/auth/signup', { body: { email, password: 'correct horse battery' } });
    expect(up.status, JSON.stringify(up.body)).toBe(201);
    alice = { cookie: up.cookie, userId: up.body.user.id, email };

    const session = await viaLb('POST', '/api/sessions', { cookie: alice.cookie, body: { title: 'Week plan' } });
    expect(session.status).toBe(201);
    // A foreign page is still refused through the proxy.
    expect((await viaLb('POST', '/api/sessions', { cookie: alice.cookie, body: {}, origin: 'http://evil.example' })).status).toBe(403);

    const pairing = await viaLb('POST', '/api/pairing', { cookie: alice.cookie, body: { sessionId: session.body.id } });
    expect(pairing.status).toBe(201);
    expect(pairing.body.url).toBe(`${origin}/pair/${pairing.body.code}`);
    // TRUST_PROXY=1 trusts nginx, not what a client sends through it: a forged X-Forwarded-Host
    // (nginx passes a client's header on unless it sets that header itself) neither makes a
    // foreign Origin ours nor moves the links.
    const forgedHost = { 'x-forwarded-host': 'evil.example' };
    expect((await viaLb('POST', '/api/sessions', { cookie: alice.cookie, body: {}, origin: 'http://evil.example', headers: forgedHost })).status).toBe(403);
    const steered = await viaLb('POST', '/api/pairing', { cookie: alice.cookie, body: { sessionId: session.body.id }, headers: forgedHost });
    expect(steered.status).toBe(201);
    expect(steered.body.url).toBe(`${origin}/pair/${steered.body.code}`);

    const phone = await viaLb('POST', '/api/pairing/redeem', { body: { code: pairing.body.code, deviceName: 'phone' } });
    expect(phone.status).toBe(200);
    expect((await viaLb('GET', `/api/sessions/${session.body.id}`, { cookie: phone.cookie })).status).toBe(200);

    const feed = await viaLb('POST', '/api/feeds', { cookie: alice.cookie });
    expect(feed.status).toBe(201);
    expect(feed.body.url).toMatch(new RegExp(`^${origin.replace(/[.]/g, '\\.')}/api/feeds/[A-Za-z0-9_-]+\\.ics$`));
    expect((await fetch(feed.body.url)).status).toBe(200);
  });

  it('live streaming to three clients survives a rolling restart (SIGTERM mid-answer): same gap-free transcript', async () => {
    const sessionId = (await viaLb('POST', '/api/sessions', { cookie: alice.cookie, body: { title: 'Rolling' } })).body.id as string;
    const clients = [await connect(sessionId), await connect(sessionId), await connect(sessionId)];
    await Promise.all(clients.map((c) => c.waitForFrame('ready')));
    const sender = nth(clients, 0);
    sender.send({ type: 'user.message', clientMessageId: 'rolling-1', text: 'a long answer, please' });
    const start = await sender.waitForEvent('assistant.start', undefined, 15_000);
    await sender.waitFor((c) => c.events.filter((e) => e.type === 'assistant.delta').length >= 10, 15_000, 'ten deltas');

    // Restart the replica that is writing the answer: it must finish it while its clients move over.
    const owner = await runOwner(String(start.data.runId));
    const exited = owner.proc.stop();
    // Readiness fails at once, long before the process is gone.
    let readyStatus: number | 'refused' = 200;
    const readyDeadline = Date.now() + 1_000;
    while (readyStatus === 200 && Date.now() < readyDeadline) {
      readyStatus = await fetch(`${owner.proc.url}/readyz`).then((r) => r.status, () => 'refused' as const);
      if (readyStatus === 200) await new Promise((r) => setTimeout(r, 20));
    }
    expect(readyStatus).not.toBe(200);
    expect(owner.proc.proc.exitCode).toBeNull();

    const messageId = String(start.data.messageId);
    const followed = await Promise.all(clients.map((c) => followToEnd(c, sessionId, messageId, 30_000)));
    await exited;
    // Some of the three sockets were on the restarted replica: told to reconnect (1012), they resumed via nginx.
    expect(followed.flatMap((f) => f.closes)).toContain(1012);
    expect(followed.flatMap((f) => f.closes).every((code) => code === 1012)).toBe(true);

    const stored = await storedEvents(sessionId);
    expect(nth(followed, 0).end.data.status).toBe('complete');
    for (const f of followed) {
      expect(seqs(f.events)).toEqual(f.events.map((_, i) => i + 1));
      expect(f.events).toEqual(stored);
    }
    for (const f of followed) for (const c of f.connections) await c.close();

    // The rolling restart's second half: the replica comes back on its port. nginx re-admits a
    // replica it saw fail once a request to it completes (a WebSocket completes only when it
    // closes), so, like the compose lb's /readyz health check, send short requests until one
    // reaches it (its request log shows it).
    const back = await startReplica(owner.id, owner.port);
    const backDeadline = Date.now() + 15_000;
    while (!back.proc.output.join('').includes('"url":"/readyz"')) {
      expect(Date.now(), 'nginx sends nothing to the restarted replica').toBeLessThan(backDeadline);
      expect((await viaLb('GET', '/readyz')).status).toBe(200);
      await new Promise((r) => setTimeout(r, 200));
    }
  }, 90_000);

  it('SIGKILL of the replica running an answer ends it interrupted within 5 s', async () => {
    const sessionId = (await viaLb('POST', '/api/sessions', { cookie: alice.cookie, body: { title: 'Kill' } })).body.id as string;
    const clients = [await connect(sessionId), await connect(sessionId), await connect(sessionId)];
    await Promise.all(clients.map((c) => c.waitForFrame('ready')));
    const sender = nth(clients, 0);
    sender.send({ type: 'user.message', clientMessageId: 'kill-1', text: 'another long answer' });
    const start = await sender.waitForEvent('assistant.start', undefined, 15_000);
    await sender.waitFor((c) => c.events.filter((e) => e.type === 'assistant.delta').length >= 5, 15_000, 'five deltas');

    const owner = await runOwner(String(start.data.runId));
    owner.proc.kill();
    const killedAt = Date.now();
    const messageId = String(start.data.messageId);
    const followed = await Promise.all(clients.map((c) => followToEnd(c, sessionId, messageId, 10_000)));
    const stored = await storedEvents(sessionId);
    const end = stored.find((e) => e.type === 'assistant.end' && e.data.messageId === messageId)!;
    // The surviving replica's sweep ends the orphaned answer: committed within 5 s of the kill.
    expect(Date.parse(end.at) - killedAt).toBeLessThan(5_000);
    for (const f of followed) {
      expect(f.end.data.status).toBe('interrupted');
      expect(seqs(f.events)).toEqual(f.events.map((_, i) => i + 1));
      expect(f.events).toEqual(stored);
    }
    for (const f of followed) for (const c of f.connections) await c.close();
    replicas.delete(owner.id);
  }, 60_000);
});
