// Scenario 5 — scale: resident memory of a server process holding many idle session WebSockets.
import { BENCH_LIMITS_ENV } from '../support/app.ts';
import { readFile } from 'node:fs/promises';
import { createSession, signup } from '../../test/support/client.ts';
import { spawnServer, type ServerProcess } from '../../test/support/process.ts';
import { ClientProcess } from '../support/client-process.ts';
import { sleep } from '../support/stats.ts';

export interface ScaleResult {
  sockets: number;
  sessions: number;
  failed: number;
  /** Server RSS with the sessions created and 0 sockets (baseline). */
  rssBeforeBytes: number;
  /** Server RSS with every socket open and idle. */
  rssAfterBytes: number;
  /** Peak RSS (VmHWM) of the server over the whole scenario. */
  rssPeakBytes: number;
  bytesPerSocket: number;
  connectSeconds: number;
  /** Server RSS after the client closed every socket. */
  rssAfterCloseBytes: number;
}

const PARALLEL = 25;
const SETTLE_MS = 3_000;

async function memOf(pid: number): Promise<{ rss: number; hwm: number }> {
  const s = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(s)?.[1] ?? NaN) * 1024;
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}

/** The median of a few RSS samples a second apart (the GC moves RSS around a little). */
async function settledRss(pid: number): Promise<number> {
  const xs: number[] = [];
  for (let i = 0; i < 3; i++) {
    await sleep(1_000);
    xs.push((await memOf(pid)).rss);
  }
  return xs.sort((a, b) => a - b)[1]!; // the median of the three samples above
}

export async function runScale(p: { dbUrl: string; sockets: number; sessions: number; log?: (m: string) => void; serverEnv?: Record<string, string> }): Promise<ScaleResult> {
  let server: ServerProcess | undefined;
  const client = ClientProcess.start();
  try {
    server = await spawnServer({ DATABASE_URL: p.dbUrl, COACH: 'demo', LOG_LEVEL: 'info', ...BENCH_LIMITS_ENV, ...p.serverEnv }, 60_000);
    const pid = server.proc.pid!;
    const account = await signup(server.url);
    const ids: string[] = [];
    for (let i = 0; i < p.sessions; i += PARALLEL) {
      const n = Math.min(PARALLEL, p.sessions - i);
      ids.push(...(await Promise.all(Array.from({ length: n }, (_, k) => createSession(server!.url, account, `scale ${i + k}`)))));
    }
    await sleep(SETTLE_MS);
    const rssBeforeBytes = await settledRss(pid);
    const perSession = Math.ceil(p.sockets / p.sessions);
    p.log?.(`scale: opening ${p.sessions * perSession} sockets (${p.sessions} sessions × ${perSession}) to pid ${pid}`);
    const t0 = performance.now();
    const conn = await client.request(
      { cmd: 'connect', wsUrl: server.wsUrl, cookie: account.cookie, sessions: ids, perSession, measure: false },
      'connected',
      600_000,
    );
    const connectSeconds = (performance.now() - t0) / 1000;
    await sleep(SETTLE_MS);
    const rssAfterBytes = await settledRss(pid);
    await client.request({ cmd: 'disconnect' }, 'disconnected');
    await sleep(SETTLE_MS);
    const rssAfterCloseBytes = await settledRss(pid);
    const { hwm } = await memOf(pid);
    return {
      sockets: conn.sockets,
      sessions: p.sessions,
      failed: conn.failed,
      rssBeforeBytes,
      rssAfterBytes,
      rssPeakBytes: hwm,
      bytesPerSocket: conn.sockets > 0 ? (rssAfterBytes - rssBeforeBytes) / conn.sockets : NaN,
      connectSeconds,
      rssAfterCloseBytes,
    };
  } finally {
    await client.close();
    await server?.stop();
  }
}
