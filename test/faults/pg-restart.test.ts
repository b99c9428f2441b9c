import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionEvent } from '../../server/session/types.ts';
import { api, createSession, signup, textOf, WsTestClient, type Account } from '../support/client.ts';
import { createPostgresDatabase, POSTGRES_URL } from '../support/db.ts';
import { spawnServer, type ServerProcess } from '../support/process.ts';

// Restarts the local cluster (CI's, at 127.0.0.1:5432). Only meaningful on a machine where
// the suite owns that PostgreSQL: it is skipped without DATABASE_URL or pg_ctlcluster.
const CLUSTER_VERSION = (() => {
  try {
    return readdirSync('/etc/postgresql')[0];
  } catch {
    return undefined;
  }
})();

function pgctl(action: 'stop' | 'start') {
  execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', CLUSTER_VERSION!, 'main', action], { stdio: 'ignore' });
}

async function waitForPostgres(timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const c = new pg.Client({ connectionString: POSTGRES_URL });
    try {
      await c.connect();
      await c.end();
      return;
    } catch {
      if (Date.now() > deadline) throw new Error('PostgreSQL did not come back');
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/** A client that reconnects (with ?after=its last seq) whenever its socket closes, like the web app. */
class ResilientClient {
  kept: SessionEvent[] = [];
  errors: string[] = [];
  current!: WsTestClient;
  private stopped = false;
  constructor(private readonly wsUrl: string, private readonly sessionId: string, private readonly account: Account) {}

  async start() {
    await this.connect();
  }

  private async connect(): Promise<void> {
    for (;;) {
      try {
        const after = this.kept.at(-1)?.seq ?? 0;
        const c = await WsTestClient.connect(this.wsUrl, this.sessionId, this.account, { after });
        this.current = c;
        c.ws.on('message', (d) => {
          const f = JSON.parse(d.toString());
          if (typeof f.seq === 'number') this.kept.push(f);
          else if (f.type === 'error') this.errors.push(f.code);
        });
        c.ws.on('close', () => {
          if (!this.stopped) setTimeout(() => void this.connect(), 200);
        });
        return;
      } catch {
        await new Promise((r) => setTimeout(r, 300));
      }
    }
  }

  waitFor(pred: (events: SessionEvent[]) => boolean, timeoutMs: number, what: string) {
    const deadline = Date.now() + timeoutMs;
    return new Promise<void>((resolve, reject) => {
      const tick = () => {
        if (pred(this.kept)) return resolve();
        if (Date.now() > deadline) return reject(new Error(`timed out waiting for ${what}; last: ${JSON.stringify(this.kept.slice(-2))}`));
        setTimeout(tick, 50);
      };
      tick();
    });
  }

  stop() {
    this.stopped = true;
    this.current?.kill();
  }
}

const ends = (n: number) => (ev: SessionEvent[]) => ev.filter((e) => e.type === 'assistant.end').length >= n;

describe.skipIf(!POSTGRES_URL || !CLUSTER_VERSION)('fault: PostgreSQL restarts mid-answer', () => {
  let url: string;
  let drop: () => Promise<void>;
  let a: ServerProcess;
  let b: ServerProcess;
  let alice: Account;

  beforeAll(async () => {
    ({ url, drop } = await createPostgresDatabase());
    const env = { DATABASE_URL: url, COACH: 'demo', COACH_PACE_MS: '15' };
    [a, b] = await Promise.all([spawnServer({ ...env, INSTANCE_ID: 'a' }), spawnServer({ ...env, INSTANCE_ID: 'b' })]);
    alice = await signup(a.url);
  });
  afterAll(async () => {
    await waitForPostgres().catch(() => pgctl('start'));
    await Promise.all([a?.stop(), b?.stop()]);
    await drop?.();
  });

  it('instances reconnect; no committed event is lost; seq stays gap-free; writes during the outage fail with a readable error', async () => {
    const sessionId = await createSession(a.url, alice);
    const onA = new ResilientClient(a.wsUrl, sessionId, alice);
    const onB = new ResilientClient(b.wsUrl, sessionId, alice);
    await Promise.all([onA.start(), onB.start()]);
    onA.current.send({ type: 'user.message', clientMessageId: 'before', text: 'long answer please' });
    await onB.waitFor((ev) => ev.filter((e) => e.type === 'assistant.delta').length >= 3, 20_000, 'deltas on B');

    pgctl('stop');
    try {
      // A write during the outage is answered with an error frame, not left hanging.
      const errorsBefore = onA.errors.length;
      onA.current.send({ type: 'user.message', clientMessageId: 'during', text: 'are you there?' });
      const deadline = Date.now() + 15_000;
      while (onA.errors.length === errorsBefore && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(onA.errors.slice(errorsBefore)).toContain('internal');
    } finally {
      pgctl('start');
    }
    await waitForPostgres();

    // The interrupted answer ends with a readable reason (or completes if no write hit the outage).
    await Promise.all([onA.waitFor(ends(1), 40_000, 'end on A'), onB.waitFor(ends(1), 40_000, 'end on B')]);
    const end = onA.kept.find((e) => e.type === 'assistant.end')!;
    expect(['failed', 'complete', 'interrupted']).toContain(end.data.status);
    if (end.data.status === 'failed') expect(String(end.data.reason)).toMatch(/database/);
    expect(textOf(onA.kept, String(end.data.messageId))).toBe(end.data.text);

    // Both instances are back: a new message on A is answered and seen live on B (LISTEN reconnected).
    const retry = async () => {
      for (let i = 0; i < 20; i++) {
        const r = await api(a.url, alice, 'POST', `/api/sessions/${sessionId}/messages`, { clientMessageId: 'after', text: 'and now?' });
        if (r.status === 202) return;
        await new Promise((res) => setTimeout(res, 500));
      }
      throw new Error('posting after the restart kept failing');
    };
    await retry();
    await onB.waitFor((ev) => ev.filter((e) => e.type === 'assistant.end').length >= 2, 40_000, 'second end on B');

    const server = await api(a.url, alice, 'GET', `/api/sessions/${sessionId}/events?limit=1000`);
    const committed: SessionEvent[] = server.body.events;
    expect(committed.map((e) => e.seq)).toEqual(committed.map((_, i) => i + 1));
    for (const c of [onA, onB]) expect(c.kept).toEqual(committed.slice(0, c.kept.length));
    expect(onB.kept.length).toBe(committed.length);
    onA.stop();
    onB.stop();
  });
});
