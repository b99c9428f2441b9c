// Scenario 6 — peers in the same harness: Electric's Durable Streams reference server
// (@durable-streams/server, in memory and file-backed) and Vercel's resumable-stream on Redis.
// (a) delivery: a producer appends T tokens/s to S streams with K readers each (readers in the
//     bench client process, as for our WebSockets); emit → receipt.
// (b) resume: catch-up time of a reader joining a stream of N entries from the start / the middle.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DurableStream, IdempotentProducer } from '@durable-streams/client';
import { createClient } from 'redis';
import { createResumableStreamContext } from 'resumable-stream';
import { startBenchApp } from '../support/app.ts';
import { ClientProcess } from '../support/client-process.ts';
import { nowMs, sleep, summarize, type Summary } from '../support/stats.ts';
import { tokenText } from '../support/ticker-agent.ts';
import { seedSql } from './resume.ts';

export type PeerName = 'ds-memory' | 'ds-file' | 'resumable-stream';

export const PEER_LABELS: Record<PeerName | 'ours', string> = {
  ours: 'Focus Coach durable (PostgreSQL, WebSocket)',
  'ds-memory': 'Durable Streams, in-memory store (HTTP POST / SSE)',
  'ds-file': 'Durable Streams, file store (log files + LMDB, fdatasync per append; HTTP POST / SSE)',
  'resumable-stream': 'resumable-stream (producer memory + Redis pub/sub)',
};

export interface PeerDelivery {
  peer: PeerName;
  emitToReceipt: Summary;
  /** Token receipts counted over all readers, and the number expected (tokens emitted × K). */
  received: number;
  expected: number;
  /** Readers that failed to connect. */
  failed: number;
}

export interface PeerResumeCase {
  events: number;
  from: 'start' | 'middle';
  ours: Summary;
  'ds-memory': Summary;
  'ds-file': Summary;
  'resumable-stream': Summary;
}

export interface DeliveryShape {
  sessions: number;
  subscribersPerSession: number;
  tokensPerSecond: number;
  durationMs: number;
}

const SETTLE_MS = 1_500;
/** After the producers' last token, how long readers may take to catch up; tokens still missing then count as slower than that. */
const DRAIN_LIMIT_MS = 10_000;

/** Collects receipts until every expected token arrived or the drain limit passed; missing tokens count as +∞. */
async function collectUntil(client: ClientProcess, expected: number, emittedDone: Promise<unknown>): Promise<{ emit: number[]; received: number }> {
  const emit: number[] = [];
  await emittedDone;
  const deadline = performance.now() + DRAIN_LIMIT_MS;
  for (;;) {
    await sleep(250);
    const s = await client.request({ cmd: 'collect' }, 'samples');
    for (const x of s.emit) emit.push(x);
    if (emit.length >= expected || performance.now() > deadline) break;
  }
  await sleep(SETTLE_MS);
  for (const x of (await client.request({ cmd: 'collect' }, 'samples')).emit) emit.push(x);
  const received = emit.length;
  for (let i = received; i < expected; i++) emit.push(Infinity);
  return { emit, received };
}
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const SAMPLE_TEXT = 'a typical streamed chunk of text';

/** Calls `emit` T times a second for `durationMs` on a fixed schedule (like the ticker agent). Returns the number emitted. */
async function tick(tokensPerSecond: number, durationMs: number, emit: (text: string) => void): Promise<number> {
  const intervalMs = 1000 / tokensPerSecond;
  const total = Math.max(1, Math.round((durationMs / 1000) * tokensPerSecond));
  const start = nowMs();
  for (let i = 0; i < total; i++) {
    emit(tokenText(nowMs()));
    const wait = start + (i + 1) * intervalMs - nowMs();
    if (wait > 0) await sleep(wait);
  }
  return total;
}

const expectedTokens = (s: DeliveryShape) => Math.max(1, Math.round((s.durationMs / 1000) * s.tokensPerSecond));

const entry = (text: string) => JSON.stringify({ messageId: 'm', text });

const DS_SERVER = fileURLToPath(new URL('../support/ds-server.ts', import.meta.url));

/** The Durable Streams reference server in its own process, like our server and its clients. */
async function startDs(kind: 'ds-memory' | 'ds-file') {
  const dataDir = kind === 'ds-file' ? await mkdtemp(path.join(tmpdir(), 'fc-bench-ds-')) : '';
  const proc = spawn(process.execPath, ['--import', 'tsx', DS_SERVER, dataDir], { stdio: ['ignore', 'pipe', 'ignore'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error('durable streams server did not start')), 30_000);
    proc.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /DS_URL (\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!.replace(/\/$/, ''));
      }
    });
    proc.once('exit', (code) => reject(new Error(`durable streams server exited with ${code}`)));
  });
  proc.stdout!.resume();
  return {
    url,
    pid: proc.pid!,
    async stop() {
      if (proc.exitCode === null) {
        const exited = new Promise((r) => proc.once('exit', r));
        // Measurements are done: a crash-stop, so a file store's write backlog does not run on into the next scenario.
        proc.kill('SIGKILL');
        await exited;
      }
      if (dataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

async function dsDelivery(kind: 'ds-memory' | 'ds-file', s: DeliveryShape): Promise<PeerDelivery> {
  const ds = await startDs(kind);
  const client = ClientProcess.start();
  try {
    const urls = Array.from({ length: s.sessions }, (_, i) => `${ds.url}/bench/d${i}`);
    const handles = await Promise.all(urls.map((url) => DurableStream.create({ url, contentType: 'application/json' })));
    const conn = await client.request({ cmd: 'sse-connect', urls: urls.flatMap((u) => Array.from({ length: s.subscribersPerSession }, () => `${u}?offset=now&live=sse`)) }, 'connected');
    await client.request({ cmd: 'collect' }, 'samples');
    // The Durable Streams client's own producer: batches appends (lingerMs 5, up to 5 batches in flight).
    const producers = handles.map((h, i) => new IdempotentProducer(h, `bench-${i}`, { onError: () => {} }));
    const total = s.sessions * expectedTokens(s);
    const ticking = Promise.all(producers.map((p) => tick(s.tokensPerSecond, s.durationMs, (t) => p.append(entry(t)))));
    const got = await collectUntil(client, total * s.subscribersPerSession, ticking);
    for (const p of producers) void p.flush().catch(() => {});
    return { peer: kind, emitToReceipt: summarize(got.emit), received: got.received, expected: total * s.subscribersPerSession, failed: conn.failed };
  } finally {
    await client.close();
    await ds.stop();
  }
}

async function redisPair() {
  const publisher = createClient({ url: REDIS_URL });
  const subscriber = createClient({ url: REDIS_URL });
  await Promise.all([publisher.connect(), subscriber.connect()]);
  return { publisher, subscriber, close: () => Promise.all([publisher.close(), subscriber.close()]) };
}

/** Reads a ReadableStream to its end in the background (the producer's own response would). */
function drain(stream: ReadableStream<string> | null) {
  if (!stream) throw new Error('resumable-stream: stream already done');
  const reader = stream.getReader();
  void (async () => {
    while (!(await reader.read()).done);
  })().catch(() => {});
}

async function rsDelivery(s: DeliveryShape): Promise<PeerDelivery> {
  const redis = await redisPair();
  const keyPrefix = `fc-bench-${randomUUID()}`;
  const ctx = createResumableStreamContext({ waitUntil: null, keyPrefix, publisher: redis.publisher as any, subscriber: redis.subscriber as any });
  const client = ClientProcess.start();
  try {
    let go!: () => void;
    const gate = new Promise<void>((r) => (go = r));
    const done: Promise<number>[] = [];
    const ids = Array.from({ length: s.sessions }, (_, i) => `d${i}`);
    for (const id of ids) {
      const stream = await ctx.resumableStream(id, () => new ReadableStream<string>({
        start(c) {
          done.push(gate.then(async () => {
            const n = await tick(s.tokensPerSecond, s.durationMs, (t) => c.enqueue(`${entry(t)}\n`));
            c.close();
            return n;
          }));
        },
      }));
      drain(stream);
    }
    const conn = await client.request({ cmd: 'rs-connect', redisUrl: REDIS_URL, keyPrefix, streamIds: ids, perStream: s.subscribersPerSession }, 'connected');
    await client.request({ cmd: 'collect' }, 'samples');
    go();
    const total = s.sessions * expectedTokens(s);
    const got = await collectUntil(client, total * s.subscribersPerSession, Promise.all(done));
    return { peer: 'resumable-stream', emitToReceipt: summarize(got.emit), received: got.received, expected: total * s.subscribersPerSession, failed: conn.failed };
  } finally {
    await client.close();
    await redis.close();
  }
}

export async function runPeerDelivery(s: DeliveryShape, log?: (m: string) => void): Promise<PeerDelivery[]> {
  const out: PeerDelivery[] = [];
  // The file store last: its fdatasync backlog would otherwise slow down whatever runs next.
  log?.(`peers: delivery, ${PEER_LABELS['ds-memory']}`);
  out.push(await dsDelivery('ds-memory', s));
  log?.(`peers: delivery, ${PEER_LABELS['resumable-stream']}`);
  out.push(await rsDelivery(s));
  log?.(`peers: delivery, ${PEER_LABELS['ds-file']}`);
  out.push(await dsDelivery('ds-file', s));
  return out;
}

/** (b) Catch-up of one reader joining a stream of N entries, from the start and from the middle; every system read by the bench client process. */
export async function runPeerResume(p: { dbUrl: string; sizes: number[]; repeats: number; log?: (m: string) => void }): Promise<PeerResumeCase[]> {
  const client = ClientProcess.start();
  const app = await startBenchApp({ dbUrl: p.dbUrl, log: 'durable' });
  const dsMem = await startDs('ds-memory');
  const dsFile = await startDs('ds-file');
  const redis = await redisPair();
  const keyPrefix = `fc-bench-${randomUUID()}`;
  const ctx = createResumableStreamContext({ waitUntil: null, keyPrefix, publisher: redis.publisher as any, subscriber: redis.subscriber as any });
  const closeRs: Array<() => void> = [];
  const out: PeerResumeCase[] = [];
  try {
    for (const n of p.sizes) {
      const half = Math.floor(n / 2);
      const lines = Array.from({ length: n }, (_, i) => entry(`${SAMPLE_TEXT} ${i + 1}`));
      p.log?.(`peers: resume, seeding ${n} entries`);
      const sessionId = await seedSql(p.dbUrl, app.userId, n);
      const dsMid: Record<'ds-memory' | 'ds-file', string> = { 'ds-memory': '', 'ds-file': '' };
      for (const [name, ds] of [['ds-memory', dsMem], ['ds-file', dsFile]] as const) {
        const handle = await DurableStream.create({ url: `${ds.url}/bench/r${n}`, contentType: 'application/json' });
        const producer = new IdempotentProducer(handle, `seed-${n}`, { lingerMs: 20 });
        for (const line of lines.slice(0, half)) producer.append(line);
        await producer.flush();
        dsMid[name] = String(producer.lastSuccessfulOffset);
        for (const line of lines.slice(half)) producer.append(line);
        await producer.flush();
        await producer.detach();
      }
      // resumable-stream only resumes a stream whose producer is still running: keep it open while we measure.
      const rsId = `r${n}`;
      let finish!: () => void;
      drain(await ctx.resumableStream(rsId, () => new ReadableStream<string>({
        start(c) {
          c.enqueue(lines.map((l) => `${l}\n`).join(''));
          finish = () => c.close();
        },
      })));
      closeRs.push(() => finish());
      const skip = lines.slice(0, half).reduce((a, l) => a + l.length + 1, 0);
      const totalChars = lines.reduce((a, l) => a + l.length + 1, 0);

      for (const from of ['start', 'middle'] as const) {
        const after = from === 'start' ? 0 : half;
        const expect = n - after;
        const samples = async (cmd: Parameters<ClientProcess['request']>[0]) => summarize((await client.request(cmd, 'catchup', 600_000)).samples);
        out.push({
          events: n,
          from,
          ours: await samples({ cmd: 'catchup-ws', wsUrl: app.wsUrl, cookie: app.cookie, sessionId, after, expect, repeats: p.repeats }),
          'ds-memory': await samples({ cmd: 'catchup-ds', url: `${dsMem.url}/bench/r${n}`, offset: from === 'start' ? '-1' : dsMid['ds-memory'], expect, repeats: p.repeats }),
          'ds-file': await samples({ cmd: 'catchup-ds', url: `${dsFile.url}/bench/r${n}`, offset: from === 'start' ? '-1' : dsMid['ds-file'], expect, repeats: p.repeats }),
          'resumable-stream': await samples({
            cmd: 'catchup-rs',
            redisUrl: REDIS_URL,
            keyPrefix,
            streamId: rsId,
            skip: from === 'start' ? 0 : skip,
            expectChars: totalChars - (from === 'start' ? 0 : skip),
            expect,
            repeats: p.repeats,
          }),
        });
      }
    }
  } finally {
    for (const f of closeRs) f();
    await client.close();
    await redis.close();
    await dsMem.stop();
    await dsFile.stop();
    await app.close();
  }
  return out;
}
