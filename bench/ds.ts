// Durable Streams benchmark: our /ds endpoint (on PGlite, or PostgreSQL when DATABASE_URL
// is set) against Electric's reference server (@durable-streams/server, in memory), in the
// same process and run. Two more targets put the ratios in context, without entering them:
// the reference server on its durable file store, and a floor (Node's HTTP server answering
// without storing anything), which is what the harness's own client and HTTP cost.
//   tsx bench/ds.ts                    standalone, prints a table
//   runDsBench(opts) from bench/run.ts   as part of `npm run bench`
// Measures: append → long-poll round trip (a reader parked at the tail, the time from
// sending an append until the reader has its bytes) and append throughput (sequential and
// concurrent writers).
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
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
  /** ours; the in-memory reference, which the ratios divide by; or context (not in the ratios). */
  role: TargetRole;
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

export type TargetRole = 'ours' | 'reference' | 'context';

interface Target {
  name: string;
  role: TargetRole;
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
    role: 'ours',
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
  return { name: '@durable-streams/server (memory)', role: 'reference', base, headers: {}, close: () => server.stop() };
}

/** The reference server on its file store, which `fdatasync`s each append's segment before answering. */
async function referenceFileServer(): Promise<Target> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'fc-bench-ds-'));
  const server = new DurableStreamTestServer({ port: 0, host: '127.0.0.1', dataDir });
  // It logs its recovery on start; the bench's output is its own progress lines.
  const info = console.info;
  const log = console.log;
  console.info = console.log = () => {};
  const base = await server.start().finally(() => {
    console.info = info;
    console.log = log;
  });
  return {
    name: '@durable-streams/server (file store)',
    role: 'context',
    base,
    headers: {},
    async close() {
      await server.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * The harness's floor: an HTTP server that answers appends (with a next offset) and parked
 * long-polls (with the append's bytes) and stores nothing. What is left above it is a server's own cost.
 */
async function floorServer(): Promise<Target> {
  let next = 0;
  const parked = new Map<string, Array<(body: string) => void>>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const stream = (req.url ?? '').split('?')[0]!;
      const offset = () => String(next).padStart(16, '0');
      if (req.method === 'GET') {
        const waiting = parked.get(stream) ?? [];
        waiting.push((body) => {
          res.writeHead(200, { 'content-type': 'text/plain', 'stream-next-offset': offset() }).end(body);
        });
        parked.set(stream, waiting);
        return;
      }
      if (req.method === 'POST') {
        next++;
        const body = Buffer.concat(chunks).toString();
        for (const answer of parked.get(stream) ?? []) answer(body);
        parked.delete(stream);
      }
      res.writeHead(req.method === 'PUT' ? 201 : req.method === 'POST' ? 204 : 200, { 'stream-next-offset': offset() }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    name: 'floor: Node HTTP, nothing stored',
    role: 'context',
    base: `http://127.0.0.1:${port}`,
    headers: {},
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
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
    servers.push(await ourServer(opts.databaseUrl), await referenceServer(), await referenceFileServer(), await floorServer());
    const runs = servers.map(() => ({ samples: [] as number[], reps: [] as Array<{ sequentialAppendsPerSec: number; concurrentAppendsPerSec: number }> }));
    for (const t of servers) {
      log(`${t.name}: warming up`);
      await roundTrips(t, Math.min(20, n));
      await throughput(t, Math.min(500, appends), concurrency);
    }
    const repeat = async (order: (rep: number) => number[], what: string) => {
      for (let rep = 0; rep < reps; rep++) {
        log(`${what}, repetition ${rep + 1}/${reps}: ${Math.ceil(n / reps)} round trips, ${appends} sequential appends, ${appends} from ${concurrency} writers, each server in turn`);
        for (const i of order(rep)) runs[i]!.samples.push(...(await roundTripSamples(servers[i]!, Math.ceil(n / reps))));
        const seq = new Map<number, number>();
        for (const i of order(rep)) seq.set(i, await throughput(servers[i]!, appends, 1));
        for (const i of order(rep)) runs[i]!.reps.push({ sequentialAppendsPerSec: seq.get(i)!, concurrentAppendsPerSec: await throughput(servers[i]!, appends, concurrency) });
      }
    };
    // The pair the ratios compare, alternating; then the context targets, after it, so that
    // neither the file store's syncs nor their order touch the pair's measurement.
    await repeat((rep) => (rep % 2 === 0 ? [0, 1] : [1, 0]), 'ours and the reference');
    await repeat(() => [2, 3], 'context');
    const targets = servers.map((t, i) => ({
      name: t.name,
      role: t.role,
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
