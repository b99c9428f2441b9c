import type { FastifyInstance } from 'fastify';
import type { Agent } from '../../server/agent/port.ts';
import { buildApp } from '../../server/app.ts';
import { configFrom, type Config } from '../../server/config.ts';
import { openDatabase, type Database } from '../../server/db/database.ts';
import { MemorySessionLog } from '../../server/session/memory-log.ts';
import type { SessionStore } from '../../server/session/run-store.ts';
import { SqlSessionLog } from '../../server/session/sql-log.ts';
import { withFlushMarkers } from './flush-marker-log.ts';

export type LogKind = 'durable' | 'memory';

export interface BenchApp {
  app: FastifyInstance;
  url: string;
  wsUrl: string;
  cookie: string;
  userId: string;
  db: Database;
  /** Creates sessions over HTTP (and in the memory log when that is the log under test). */
  createSessions(n: number): Promise<string[]>;
  /** Starts a turn in each session (HTTP POST of a user message). */
  startTurns(sessionIds: string[]): Promise<void>;
  close(): Promise<void>;
}

const PARALLEL_REQUESTS = 25;

async function inBatches<T, R>(items: T[], fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += PARALLEL_REQUESTS) out.push(...(await Promise.all(items.slice(i, i + PARALLEL_REQUESTS).map(fn))));
  return out;
}

/** The real server, in this process, over the bench database, with the chosen log and a bench agent. */
export const BENCH_MAX_SOCKETS_PER_USER = 10_000;
export const BENCH_MAX_SESSIONS_PER_USER = 100_000;
/** The same lifted caps for spawned server processes. */
export const BENCH_LIMITS_ENV = { MAX_SOCKETS_PER_USER: String(BENCH_MAX_SOCKETS_PER_USER), MAX_SESSIONS_PER_USER: String(BENCH_MAX_SESSIONS_PER_USER) };

export async function startBenchApp(opts: {
  dbUrl: string;
  log: LogKind;
  /** The bench agent; omit to use the coach chosen by `config` (e.g. the OpenAI coach against a fake server). */
  agent?: Agent;
  poolSize?: number;
  config?: Partial<Config>;
}): Promise<BenchApp> {
  // The pool a deployment gets by default (DB_POOL_SIZE). The bench used 20 before: more
  // backends runnable at once on two cores gave the flush statement a smaller share of CPU
  // while 200 turns started (flush → receipt p99 24.2 / 28.3 / 26.2 ms against 23.2 / 23.7 / 20.0).
  const db = await openDatabase({ databaseUrl: opts.dbUrl, migrate: false, poolSize: opts.poolSize ?? configFrom().dbPoolSize });
  const memory = opts.log === 'memory' ? new MemorySessionLog() : undefined;
  const inner: SessionStore = memory ?? new SqlSessionLog(db);
  const agent = opts.agent;
  // One bench user holds every socket and session: lift the per-user caps meant for people.
  const limits = { ...configFrom().limits, maxSocketsPerUser: BENCH_MAX_SOCKETS_PER_USER, maxSessionsPerUser: BENCH_MAX_SESSIONS_PER_USER };
  const app = await buildApp(configFrom({ port: 0, logLevel: 'silent', serveWeb: false, shutdownGraceMs: 0, limits, ...opts.config }), {
    db,
    log: withFlushMarkers(inner),
    ...(agent ? { agent: () => agent } : {}),
  });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  const res = await fetch(`${url}/api/auth/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: `bench-${Date.now()}@example.test`, password: 'correct horse battery' }),
  });
  if (res.status !== 201) throw new Error(`bench signup failed: ${res.status}`);
  const cookie = res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const userId = ((await res.json()) as { user: { id: string } }).user.id;
  const post = (path: string, body: unknown) =>
    fetch(`${url}${path}`, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: JSON.stringify(body) });

  return {
    app,
    url,
    wsUrl: url.replace(/^http/, 'ws'),
    cookie,
    userId,
    db,
    async createSessions(n) {
      return inBatches(Array.from({ length: n }, (_, i) => i), async (i) => {
        const r = await post('/api/sessions', { title: `bench ${i}` });
        const { id } = (await r.json()) as { id: string };
        await memory?.createSession({ id, userId, title: `bench ${i}` });
        return id;
      });
    },
    async startTurns(sessionIds) {
      await inBatches(sessionIds, async (id) => {
        const r = await post(`/api/sessions/${id}/messages`, { clientMessageId: `go-${Date.now()}-${Math.random()}`, text: 'go' });
        if (r.status !== 202) throw new Error(`start turn failed: ${r.status}`);
      });
    },
    async close() {
      await app.close();
      await db.close();
    },
  };
}
