// Scenario 4 — live control: a client's cancel → the upstream LLM request is closed (seen at the
// fake OpenAI server) and → `assistant.end` reaches the client; same instance and cross-instance.
import { BENCH_LIMITS_ENV } from '../support/app.ts';
import { randomUUID } from 'node:crypto';
import { startFakeOpenAi, type FakeOpenAi } from '../../test/support/fake-openai.ts';
import { spawnServer, type ServerProcess } from '../../test/support/process.ts';
import { api, createSession, signup, WsTestClient, type Account } from '../../test/support/client.ts';
import { startBenchApp } from '../support/app.ts';
import { query } from '../support/pg.ts';
import { nowMs, summarize, type Summary } from '../support/stats.ts';

export type ControlTopology = 'in-process' | 'spawned-same' | 'cross-instance';

export interface ControlCase {
  topology: ControlTopology;
  /** Client sent `cancel` → the fake OpenAI server saw the request's connection close. */
  cancelToUpstreamClose: Summary;
  /** Client sent `cancel` → `assistant.end` arrived at the client. */
  cancelToEnd: Summary;
  /** `assistant.delta` events committed after `cancel.requested`, summed over all repetitions (SL10: must be 0). */
  deltasAfterCancel: number;
  /** Ends with a status other than `cancelled`. */
  wrongStatus: number;
  repetitions: number;
}

const FAKE_CHUNK_MS = 10;
const DELTAS_BEFORE_CANCEL = 3;
const STEP_TIMEOUT_MS = 15_000;

interface Target {
  /** Where the client's socket (and its cancel) goes. */
  wsUrl: string;
  /** Where the user message is posted (which instance claims the run). */
  runUrl: string;
  url: string;
  account: Account;
}

async function oneCancel(t: Target, fake: FakeOpenAi, dbUrl: string): Promise<{ upstream: number; end: number; deltasAfter: number; status: string }> {
  const sessionId = await createSession(t.url, t.account, 'control');
  const ws = await WsTestClient.connect(t.wsUrl, sessionId, t.account);
  try {
    await ws.waitForFrame('ready');
    fake.enqueue({ kind: 'infinite', delayMs: FAKE_CHUNK_MS });
    const index = fake.requests.length;
    const r = await api(t.runUrl, t.account, 'POST', `/api/sessions/${sessionId}/messages`, { clientMessageId: randomUUID(), text: 'tell me a long story' });
    if (r.status !== 202) throw new Error(`control: post message ${r.status}`);
    await ws.waitFor((c) => c.events.filter((e) => e.type === 'assistant.delta').length >= DELTAS_BEFORE_CANCEL, STEP_TIMEOUT_MS, 'deltas');
    let upstreamAt = NaN;
    const closed = fake.waitForClientClose(index, STEP_TIMEOUT_MS).then(() => (upstreamAt = nowMs()));
    const t0 = nowMs();
    ws.send({ type: 'cancel' });
    const end = await ws.waitForEvent('assistant.end', undefined, STEP_TIMEOUT_MS);
    const endAt = nowMs();
    await closed;
    const [row] = await query<{ n: string }>(
      dbUrl,
      `SELECT count(*)::text AS n FROM "Event" WHERE "sessionId" = $1 AND type = 'assistant.delta'
         AND seq > (SELECT min(seq) FROM "Event" WHERE "sessionId" = $1 AND type = 'cancel.requested')`,
      [sessionId],
    );
    if (!row) throw new Error('count(*) returned no row');
    return { upstream: upstreamAt - t0, end: endAt - t0, deltasAfter: Number(row.n), status: String(end.data.status) };
  } finally {
    await ws.close();
  }
}

async function measure(topology: ControlTopology, t: Target, fake: FakeOpenAi, dbUrl: string, repetitions: number): Promise<ControlCase> {
  // One warm-up: the first request pays for the SDK's connection and JIT.
  await oneCancel(t, fake, dbUrl);
  const up: number[] = [];
  const end: number[] = [];
  let deltasAfterCancel = 0;
  let wrongStatus = 0;
  for (let i = 0; i < repetitions; i++) {
    const r = await oneCancel(t, fake, dbUrl);
    up.push(r.upstream);
    end.push(r.end);
    deltasAfterCancel += r.deltasAfter;
    if (r.status !== 'cancelled') wrongStatus++;
  }
  return { topology, cancelToUpstreamClose: summarize(up), cancelToEnd: summarize(end), deltasAfterCancel, wrongStatus, repetitions };
}

export async function runControl(p: { dbUrl: string; repetitions: number; log?: (m: string) => void }): Promise<ControlCase[]> {
  const fake = await startFakeOpenAi();
  const openai = { apiKey: 'bench-key', baseUrl: fake.url, model: 'fake-gpt', timeoutMs: 30_000 };
  const out: ControlCase[] = [];
  try {
    p.log?.('control: in-process server (same instance)');
    const app = await startBenchApp({ dbUrl: p.dbUrl, log: 'durable', config: { coach: 'openai', openai } });
    try {
      const account: Account = { cookie: app.cookie, userId: app.userId, email: '' };
      out.push(await measure('in-process', { url: app.url, wsUrl: app.wsUrl, runUrl: app.url, account }, fake, p.dbUrl, p.repetitions));
    } finally {
      await app.close();
    }

    p.log?.('control: two server processes');
    const env = (id: string) => ({
      DATABASE_URL: p.dbUrl,
      COACH: 'openai',
      OPENAI_BASE_URL: fake.url,
      OPENAI_API_KEY: 'bench-key',
      OPENAI_MODEL: 'fake-gpt',
      INSTANCE_ID: id,
      SHUTDOWN_GRACE_MS: '0',
      ...BENCH_LIMITS_ENV,
    });
    let a: ServerProcess | undefined;
    let b: ServerProcess | undefined;
    try {
      [a, b] = await Promise.all([spawnServer(env('bench-a'), 60_000), spawnServer(env('bench-b'), 60_000)]);
      const account = await signup(a.url);
      out.push(await measure('spawned-same', { url: a.url, wsUrl: a.wsUrl, runUrl: a.url, account }, fake, p.dbUrl, p.repetitions));
      out.push(await measure('cross-instance', { url: a.url, wsUrl: a.wsUrl, runUrl: b.url, account }, fake, p.dbUrl, p.repetitions));
    } finally {
      await Promise.all([a?.stop(), b?.stop()]);
    }
  } finally {
    await fake.close();
  }
  return out;
}
