import { startBenchApp, type LogKind } from '../support/app.ts';
import { ClientProcess } from '../support/client-process.ts';
import { writeCounter } from '../support/flush-marker-log.ts';
import { xactCommits } from '../support/pg.ts';
import { sleep, summarize, type Summary } from '../support/stats.ts';
import { createTickerAgent } from '../support/ticker-agent.ts';

export interface DeliveryParams {
  dbUrl: string;
  dbName: string;
  log: LogKind;
  sessions: number;
  subscribersPerSession: number;
  tokensPerSecond: number;
  durationMs: number;
}

export interface DeliveryResult {
  params: Omit<DeliveryParams, 'dbUrl' | 'dbName'>;
  /** Token emitted by the agent → received by a subscriber (includes the SL7 batching wait). */
  emitToReceipt: Summary;
  /** Delta left the batcher → received (append, commit, notify, fan-out, socket). */
  flushToReceipt: Summary;
  tokensDeliveredPerSecond: number;
  tokensEmittedPerSecond: number;
  logWritesPerSecond: number;
  /** pg_stat_database xact_commit delta per second (durable runs only). */
  pgCommitsPerSecond: number | undefined;
  /** CPU time (user + system) of the server process per token delivered to a subscriber, µs. */
  serverCpuUsPerToken: number;
  ends: number;
  expectedEnds: number;
  closedEarly: number;
}

const RUN_DRAIN_TIMEOUT_MS = 60_000;
/** Time for the last frames to reach the client and for Postgres to publish its stats. */
const SETTLE_MS = 1_200;

/** S sessions × K subscribers, each session's run streaming T tokens/s; real sockets from another process. */
export async function runDelivery(p: DeliveryParams): Promise<DeliveryResult> {
  const agent = createTickerAgent({ tokensPerSecond: p.tokensPerSecond, durationMs: p.durationMs });
  const app = await startBenchApp({ dbUrl: p.dbUrl, log: p.log, agent });
  const client = ClientProcess.start();
  try {
    const sessions = await app.createSessions(p.sessions);
    const conn = await client.request(
      { cmd: 'connect', wsUrl: app.wsUrl, cookie: app.cookie, sessions, perSession: p.subscribersPerSession, measure: true },
      'connected',
    );
    if (conn.failed > 0) throw new Error(`${conn.failed} sockets failed to connect`);
    await client.request({ cmd: 'collect' }, 'samples'); // discard setup frames
    const commits0 = p.log === 'durable' ? await xactCommits(p.dbUrl, p.dbName) : 0;
    const writes0 = writeCounter.count;
    // The clients run in another process: this process's CPU is the server's (and its agent's).
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await app.startTurns(sessions);
    await sleep(200);
    const deadline = Date.now() + p.durationMs + RUN_DRAIN_TIMEOUT_MS;
    while (app.app.services.runs.activeRunCount > 0 && Date.now() < deadline) await sleep(50);
    const elapsedS = (performance.now() - t0) / 1000;
    const writes = writeCounter.count - writes0;
    await sleep(SETTLE_MS);
    // Up to here, so that the last frames' sends are counted too.
    const cpu = process.cpuUsage(cpu0);
    const commits1 = p.log === 'durable' ? await xactCommits(p.dbUrl, p.dbName) : 0;
    const s = await client.request({ cmd: 'collect' }, 'samples');
    const { dbUrl: _u, dbName: _n, ...params } = p;
    return {
      params,
      emitToReceipt: summarize(s.emit),
      flushToReceipt: summarize(s.flush),
      tokensDeliveredPerSecond: s.emit.length / elapsedS,
      tokensEmittedPerSecond: s.emit.length / p.subscribersPerSession / elapsedS,
      logWritesPerSecond: writes / elapsedS,
      pgCommitsPerSecond: p.log === 'durable' ? (commits1 - commits0) / (elapsedS + SETTLE_MS / 1000) : undefined,
      serverCpuUsPerToken: s.emit.length > 0 ? (cpu.user + cpu.system) / s.emit.length : 0,
      ends: s.ends,
      expectedEnds: p.sessions * p.subscribersPerSession,
      closedEarly: s.closedEarly,
    };
  } finally {
    await client.close();
    await app.close();
  }
}
