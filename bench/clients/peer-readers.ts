// Readers for the peer systems of scenario 6, run inside the bench client process:
// Durable Streams (HTTP: SSE live reads, GET catch-up) and resumable-stream (Redis pub/sub).
import http from 'node:http';
import { createClient } from 'redis';
import { createResumableStreamContext, type ResumableStreamContext } from 'resumable-stream';
import WebSocket from 'ws';
import { nowMs } from '../support/stats.ts';

export type CatchUpCommand =
  /**
   * Our server: open a session socket with ?after=&replay=batch and time until `ready` (every
   * missing event parsed, batched as the web client receives them; no compaction, so every
   * event is on the wire as with the peers).
   */
  | { cmd: 'catchup-ws'; wsUrl: string; cookie: string; sessionId: string; after: number; expect: number; repeats: number }
  /** Durable Streams: GET from `offset` until Stream-Up-To-Date, body parsed. */
  | { cmd: 'catchup-ds'; url: string; offset: string; expect: number; repeats: number }
  /** resumable-stream: resumeExistingStream(id, skip) until `expectChars` arrived, lines parsed. */
  | { cmd: 'catchup-rs'; redisUrl: string; keyPrefix: string; streamId: string; skip: number; expectChars: number; expect: number; repeats: number };

export interface TokenSink {
  token(receivedAt: number, text: string): void;
}

const sseRequests = new Set<http.ClientRequest>();
const rsReaders = new Set<ReadableStreamDefaultReader<string>>();
let rs: { key: string; ctx: ResumableStreamContext; clients: Array<{ close(): Promise<void> }> } | undefined;

async function rsContext(redisUrl: string, keyPrefix: string): Promise<ResumableStreamContext> {
  const key = `${redisUrl}|${keyPrefix}`;
  if (rs?.key === key) return rs.ctx;
  const publisher = createClient({ url: redisUrl });
  const subscriber = createClient({ url: redisUrl });
  await Promise.all([publisher.connect(), subscriber.connect()]);
  const ctx = createResumableStreamContext({ waitUntil: null, keyPrefix, publisher: publisher as any, subscriber: subscriber as any });
  rs = { key, ctx, clients: [publisher, subscriber] };
  return ctx;
}

/** One Durable Streams SSE reader; resolves true once the first control event (caught up) arrived. */
export function openSseReader(url: string, sink: TokenSink): Promise<boolean> {
  return new Promise((resolve) => {
    let ready = false;
    const req = http.get(url, { agent: false }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        return resolve(false);
      }
      res.setEncoding('utf8');
      let buf = '';
      res.on('data', (chunk: string) => {
        const t = nowMs();
        buf += chunk;
        const cut = buf.lastIndexOf('\n\n');
        if (cut < 0) return;
        const complete = buf.slice(0, cut);
        buf = buf.slice(cut + 2);
        if (!ready) {
          if (complete.includes('event: control')) {
            ready = true;
            resolve(true);
          }
          return;
        }
        sink.token(t, complete);
      });
      res.on('close', () => {
        sseRequests.delete(req);
        if (!ready) resolve(false);
      });
    });
    req.on('error', () => {
      sseRequests.delete(req);
      if (!ready) resolve(false);
    });
    sseRequests.add(req);
  });
}

/** One resumable-stream reader of a live stream; resolves true once the producer acknowledged it. */
export async function openRsReader(redisUrl: string, keyPrefix: string, streamId: string, sink: TokenSink): Promise<boolean> {
  const ctx = await rsContext(redisUrl, keyPrefix);
  const stream = await ctx.resumeExistingStream(streamId).catch(() => undefined);
  if (!stream) return false;
  const reader = stream.getReader();
  rsReaders.add(reader);
  void (async () => {
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        sink.token(nowMs(), value);
      }
    } catch {
      // cancelled on disconnect
    } finally {
      rsReaders.delete(reader);
    }
  })();
  return true;
}

export async function closePeers(): Promise<void> {
  for (const r of sseRequests) r.destroy();
  sseRequests.clear();
  await Promise.all([...rsReaders].map((r) => r.cancel().catch(() => {})));
  rsReaders.clear();
  if (rs) {
    const clients = rs.clients;
    rs = undefined;
    await Promise.all(clients.map((c) => c.close().catch(() => {})));
  }
}

export function catchUpWs(c: Extract<CatchUpCommand, { cmd: 'catchup-ws' }>): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = nowMs();
    let got = 0;
    const ws = new WebSocket(`${c.wsUrl}/api/sessions/${c.sessionId}/ws?after=${c.after}&replay=batch`, { headers: { cookie: c.cookie }, perMessageDeflate: false });
    ws.on('message', (data) => {
      const f = JSON.parse(data.toString());
      if (typeof f.seq === 'number') got++;
      else if (f.type === 'events' && Array.isArray(f.events)) got += f.events.length;
      else if (f.type === 'ready') {
        const t = nowMs() - t0;
        ws.terminate();
        if (got !== c.expect) reject(new Error(`ws catch-up delivered ${got}, expected ${c.expect}`));
        else resolve(t);
      }
    });
    ws.on('error', reject);
  });
}

export function catchUpDs(c: Extract<CatchUpCommand, { cmd: 'catchup-ds' }>): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = nowMs();
    http
      .get(`${c.url}?offset=${encodeURIComponent(c.offset)}`, { agent: false }, (res) => {
        const parts: Buffer[] = [];
        res.on('data', (b: Buffer) => parts.push(b));
        res.on('end', () => {
          const items = JSON.parse(Buffer.concat(parts).toString('utf8')) as unknown[];
          const t = nowMs() - t0;
          if (res.headers['stream-up-to-date'] !== 'true') return reject(new Error('ds catch-up: not up to date after one GET'));
          if (items.length !== c.expect) return reject(new Error(`ds catch-up delivered ${items.length}, expected ${c.expect}`));
          resolve(t);
        });
      })
      .on('error', reject);
  });
}

export async function catchUpRs(c: Extract<CatchUpCommand, { cmd: 'catchup-rs' }>): Promise<number> {
  const ctx = await rsContext(c.redisUrl, c.keyPrefix);
  const t0 = nowMs();
  const stream = await ctx.resumeExistingStream(c.streamId, c.skip);
  if (!stream) throw new Error('rs catch-up: stream not live');
  const reader = stream.getReader();
  let text = '';
  while (text.length < c.expectChars) {
    const { done, value } = await reader.read();
    if (done) break;
    text += value;
  }
  // A client has to split and parse what it got, as the other readers do.
  const lines = text.split('\n').filter(Boolean).map((l) => JSON.parse(l));
  const t = nowMs() - t0;
  await reader.cancel();
  if (lines.length !== c.expect) throw new Error(`rs catch-up delivered ${lines.length} lines, expected ${c.expect}`);
  return t;
}
