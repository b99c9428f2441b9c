// Durable Streams benchmark: our /ds endpoint (on PGlite, or PostgreSQL when DATABASE_URL
// is set) against Electric's reference server (@durable-streams/server, in memory), in the
// same process and run.
//   tsx bench/ds.ts                    standalone, prints a table
//   runDsBench(opts) from bench/run.ts   as part of `npm run bench`
// Measures: append → long-poll round trip (a reader parked at the tail, the time from
// sending an append until the reader has its bytes) and append throughput (sequential and
// concurrent writers).
import { pathToFileURL } from 'node:url';
import { DurableStreamTestServer } from '@durable-streams/server';
import { buildApp } from '../server/app.ts';
import { configFrom, loadConfig } from '../server/config.ts';
import { openDatabase } from '../server/db/database.ts';

export interface DsBenchOptions {
  /** Round trips measured per target (default 200). */
  roundTrips?: number;
  /** Appends per throughput phase (default 2000). */
  appends?: number;
  /** Writers in the concurrent phase (default 8). */
  concurrency?: number;
  /**
   * Repetitions of every phase (default 3). The two servers take turns within each one, in
   * alternating order, so neither always runs on the warmer JIT or the quieter second; round
   * trips pool their samples, throughputs report the median repetition.
   */
  repetitions?: number;
  /** PostgreSQL for our server; unset = in-memory PGlite. */
  databaseUrl?: string;
  log?: (line: string) => void;
}

export interface LatencyMs {
  p50: number;
  p95: number;
  p99: number;
  mean: number;
}

export interface DsBenchTarget {
  name: string;
  /** The in-memory reference server, which the ratios divide by. */
  reference: boolean;
  roundTripMs: LatencyMs;
  sequentialAppendsPerSec: number;
  concurrentAppendsPerSec: number;
  /** Each repetition's throughputs, in run order (the medians above come from these). */
  repetitions: Array<{ sequentialAppendsPerSec: number; concurrentAppendsPerSec: number }>;
}

export interface Result {
  name: 'durable-streams';
  database: 'pglite' | 'postgres';
  targets: DsBenchTarget[];
}

/** How long the reader gets to park its long-poll before the append is sent. */
const PARK_DELAY_MS = 15;

interface Target {
  name: string;
  reference: boolean;
  /** Base URL that `/v1/stream/<name>` is appended to. */
  base: string;
  headers: Record<string, string>;
  close(): Promise<void>;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function latency(samples: number[]): LatencyMs {
  const s = [...samples].sort((a, b) => a - b);
  const round = (n: number) => Math.round(n * 100) / 100;
  return { p50: round(percentile(s, 50)), p95: round(percentile(s, 95)), p99: round(percentile(s, 99)), mean: round(s.reduce((a, b) => a + b, 0) / s.length) };
}

async function ok(res: Response, what: string): Promise<Response> {
  if (res.status >= 300 && res.status !== 304) throw new Error(`${what}: HTTP ${res.status} ${await res.text()}`);
  return res;
}

async function createStream(t: Target, name: string): Promise<string> {
  const url = `${t.base}/v1/stream/${name}`;
  await ok(await fetch(url, { method: 'PUT', headers: { ...t.headers, 'content-type': 'text/plain' } }), 'create');
  return url;
}

async function append(t: Target, url: string, body: string): Promise<string> {
  const res = await ok(await fetch(url, { method: 'POST', headers: { ...t.headers, 'content-type': 'text/plain' }, body }), 'append');
  return res.headers.get('stream-next-offset')!;
}

async function roundTrips(t: Target, n: number): Promise<LatencyMs> {
  return latency(await roundTripSamples(t, n));
}

async function roundTripSamples(t: Target, n: number): Promise<number[]> {
  const url = await createStream(t, `bench-rt-${Date.now()}`);
  let offset = (await ok(await fetch(url, { method: 'HEAD', headers: t.headers }), 'head')).headers.get('stream-next-offset')!;
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const poll = fetch(`${url}?offset=${encodeURIComponent(offset)}&live=long-poll`, { headers: t.headers });
    await new Promise((r) => setTimeout(r, PARK_DELAY_MS));
    const started = performance.now();
    const appended = append(t, url, `m${i}`);
    const res = await ok(await poll, 'long-poll');
    const body = await res.text();
    samples.push(performance.now() - started);
    if (body !== `m${i}`) throw new Error(`long-poll returned ${JSON.stringify(body)}, expected m${i}`);
    offset = res.headers.get('stream-next-offset')!;
    await appended;
  }
  return samples;
}

async function throughput(t: Target, total: number, writers: number): Promise<number> {
  const url = await createStream(t, `bench-tp-${writers}-${Date.now()}`);
  const per = Math.ceil(total / writers);
  const started = performance.now();
  await Promise.all(
    Array.from({ length: writers }, async (_, w) => {
      for (let i = 0; i < per; i++) await append(t, url, `w${w}-${i};`);
    }),
  );
  return Math.round((per * writers) / ((performance.now() - started) / 1000));
}

async function ourServer(databaseUrl: string | undefined): Promise<Target> {
  const db = await openDatabase({ databaseUrl, migrate: true });
  const app = await buildApp(configFrom({ port: 0, logLevel: 'silent', serveWeb: false, databaseUrl }), { db });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  const user = await db.prisma.user.create({ data: { email: `bench-${Date.now()}@example.test`, passwordHash: 'x' } });
  const key = await app.services.apiKeys.create(user.id);
  if (key.kind !== 'created') throw new Error('could not create an API key');
  return {
    name: `focus-coach /ds (${db.kind})`,
    reference: false,
    base: `${address}/ds`,
    headers: { authorization: `Bearer ${key.key}` },
    async close() {
      await db.prisma.user.delete({ where: { id: user.id } }).catch(() => {});
      await app.close();
      await db.close();
    },
  };
}

async function referenceServer(): Promise<Target> {
  const server = new DurableStreamTestServer({ port: 0, host: '127.0.0.1' });
  const base = await server.start();
  return { name: '@durable-streams/server (memory)', reference: true, base, headers: {}, close: () => server.stop() };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function runDsBench(opts: DsBenchOptions = {}): Promise<Result> {
  const n = opts.roundTrips ?? 200;
  const appends = opts.appends ?? 2_000;
  const concurrency = opts.concurrency ?? 8;
  const reps = opts.repetitions ?? 3;
  const log = opts.log ?? (() => {});
  const servers: Target[] = [];
  try {
    servers.push(await ourServer(opts.databaseUrl), await referenceServer());
    const runs = servers.map(() => ({ samples: [] as number[], reps: [] as Array<{ sequentialAppendsPerSec: number; concurrentAppendsPerSec: number }> }));
    for (const t of servers) {
      log(`${t.name}: warming up`);
      await roundTrips(t, Math.min(20, n));
      await throughput(t, Math.min(500, appends), concurrency);
    }
    for (let rep = 0; rep < reps; rep++) {
      const order = rep % 2 === 0 ? [0, 1] : [1, 0];
      log(`repetition ${rep + 1}/${reps}: ${Math.ceil(n / reps)} round trips, ${appends} sequential appends, ${appends} from ${concurrency} writers, each server in turn`);
      for (const i of order) runs[i]!.samples.push(...(await roundTripSamples(servers[i]!, Math.ceil(n / reps))));
      const seq = new Map<number, number>();
      for (const i of order) seq.set(i, await throughput(servers[i]!, appends, 1));
      for (const i of order) runs[i]!.reps.push({ sequentialAppendsPerSec: seq.get(i)!, concurrentAppendsPerSec: await throughput(servers[i]!, appends, concurrency) });
    }
    const targets = servers.map((t, i) => ({
      name: t.name,
      reference: t.reference,
      roundTripMs: latency(runs[i]!.samples),
      sequentialAppendsPerSec: median(runs[i]!.reps.map((r) => r.sequentialAppendsPerSec)),
      concurrentAppendsPerSec: median(runs[i]!.reps.map((r) => r.concurrentAppendsPerSec)),
      repetitions: runs[i]!.reps,
    }));
    return { name: 'durable-streams', database: opts.databaseUrl ? 'postgres' : 'pglite', targets };
  } finally {
    for (const t of servers) await t.close();
  }
}

function printTable(r: Result) {
  console.log(`\nDurable Streams (${r.database})`);
  console.log('target'.padEnd(40), 'RTT p50', ' p95', '  p99', '  seq appends/s', ' concurrent appends/s');
  for (const t of r.targets) {
    console.log(
      t.name.padEnd(40),
      `${t.roundTripMs.p50}`.padStart(7),
      `${t.roundTripMs.p95}`.padStart(5),
      `${t.roundTripMs.p99}`.padStart(5),
      `${t.sequentialAppendsPerSec}`.padStart(15),
      `${t.concurrentAppendsPerSec}`.padStart(21),
    );
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await runDsBench({ databaseUrl: loadConfig().databaseUrl, log: (l) => console.error(l) });
  printTable(result);
}
