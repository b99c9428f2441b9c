// Bench client process: opens many real WebSockets to a server and measures what arrives.
// Runs in its own process so its CPU and memory are not the server's. Driven over IPC.
import WebSocket from 'ws';
import { FLUSH_RE } from '../support/flush-marker-log.ts';
import { nowMs } from '../support/stats.ts';
import { catchUpDs, catchUpRs, catchUpWs, closePeers, openRsReader, openSseReader, type CatchUpCommand } from './peer-readers.ts';

export type ClientCommand =
  | { cmd: 'connect'; wsUrl: string; cookie: string; sessions: string[]; perSession: number; measure: boolean }
  /** Durable Streams readers: one SSE request (live=sse, offset=now) per URL. */
  | { cmd: 'sse-connect'; urls: string[] }
  /** resumable-stream readers: `perStream` resumeExistingStream readers per stream id, over one Redis context. */
  | { cmd: 'rs-connect'; redisUrl: string; keyPrefix: string; streamIds: string[]; perStream: number }
  | CatchUpCommand
  | { cmd: 'collect' }
  /** Closes every socket and reader but keeps the process. */
  | { cmd: 'disconnect' }
  | { cmd: 'close' };

export type ClientReply =
  | { type: 'connected'; sockets: number; failed: number }
  | { type: 'samples'; emit: number[]; flush: number[]; ends: number; frames: number; closedEarly: number }
  | { type: 'catchup'; samples: number[] }
  | { type: 'disconnected' }
  | { type: 'closed' };

const TOKEN_RE = /<e:([\d.]+)>/g;
const CONNECT_BATCH = 200;

const sockets: WebSocket[] = [];
let emit: number[] = [];
let flush: number[] = [];
let ends = 0;
let frames = 0;
let closedEarly = 0;

/** Peer readers: every token in a received chunk counts as one receipt. */
function onPeerText(t: number, text: string) {
  frames++;
  for (const m of text.matchAll(TOKEN_RE)) emit.push(t - Number(m[1]));
}

function reply(r: ClientReply) {
  process.send!(r);
}

function open(url: string, cookie: string, measure: boolean): Promise<boolean> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers: { cookie }, perMessageDeflate: false });
    let ready = false;
    ws.on('message', (data) => {
      const t = nowMs();
      frames++;
      const text = data.toString();
      if (!ready) {
        if (text.includes('"type":"ready"')) {
          ready = true;
          resolve(true);
        }
        return;
      }
      if (!measure) return;
      if (text.includes('"assistant.delta"')) {
        const f = FLUSH_RE.exec(text);
        if (f) flush.push(t - Number(f[1]));
        for (const m of text.matchAll(TOKEN_RE)) emit.push(t - Number(m[1]));
      } else if (text.includes('"assistant.end"')) ends++;
    });
    ws.on('error', () => resolve(false));
    ws.on('close', () => {
      if (!ready) resolve(false);
      else closedEarly++;
    });
    sockets.push(ws);
  });
}

process.on('message', async (c: ClientCommand) => {
  if (c.cmd === 'connect') {
    const urls: string[] = [];
    for (const id of c.sessions) for (let k = 0; k < c.perSession; k++) urls.push(`${c.wsUrl}/api/sessions/${id}/ws`);
    let failed = 0;
    for (let i = 0; i < urls.length; i += CONNECT_BATCH) {
      const oks = await Promise.all(urls.slice(i, i + CONNECT_BATCH).map((u) => open(u, c.cookie, c.measure)));
      failed += oks.filter((ok) => !ok).length;
    }
    reply({ type: 'connected', sockets: urls.length - failed, failed });
  } else if (c.cmd === 'sse-connect' || c.cmd === 'rs-connect') {
    const sink = { token: (t: number, text: string) => onPeerText(t, text) };
    const opens =
      c.cmd === 'sse-connect'
        ? c.urls.map((u) => () => openSseReader(u, sink))
        : c.streamIds.flatMap((id) => Array.from({ length: c.perStream }, () => () => openRsReader(c.redisUrl, c.keyPrefix, id, sink)));
    let failed = 0;
    for (let i = 0; i < opens.length; i += CONNECT_BATCH) {
      const oks = await Promise.all(opens.slice(i, i + CONNECT_BATCH).map((f) => f()));
      failed += oks.filter((ok) => !ok).length;
    }
    reply({ type: 'connected', sockets: opens.length - failed, failed });
  } else if (c.cmd === 'catchup-ws' || c.cmd === 'catchup-ds' || c.cmd === 'catchup-rs') {
    const run = c.cmd === 'catchup-ws' ? () => catchUpWs(c) : c.cmd === 'catchup-ds' ? () => catchUpDs(c) : () => catchUpRs(c);
    await run(); // warm-up: first connection and JIT are not what a catch-up costs
    const samples: number[] = [];
    for (let i = 0; i < c.repeats; i++) samples.push(await run());
    reply({ type: 'catchup', samples });
  } else if (c.cmd === 'disconnect') {
    for (const ws of sockets) {
      ws.removeAllListeners('close');
      ws.terminate();
    }
    sockets.length = 0;
    await closePeers();
    reply({ type: 'disconnected' });
  } else if (c.cmd === 'collect') {
    reply({ type: 'samples', emit, flush, ends, frames, closedEarly });
    emit = [];
    flush = [];
    ends = 0;
    frames = 0;
  } else if (c.cmd === 'close') {
    for (const ws of sockets) {
      ws.removeAllListeners('close');
      ws.terminate();
    }
    sockets.length = 0;
    await closePeers();
    reply({ type: 'closed' });
    setTimeout(() => process.exit(0), 50);
  }
});
