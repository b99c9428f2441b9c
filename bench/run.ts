// npm run bench [-- --quick] [--db postgresql://…]  — writes docs/performance.md.
// Scenarios: 1 delivery, 2 throughput, 3 resume, 4 live control, 5 idle-socket memory, 6 peers (Durable Streams, resumable-stream), 7 our Durable Streams endpoint.
import { readFile, writeFile } from 'node:fs/promises';
import { runDsBench, type Result as DsResult } from './ds.ts';
import { fileURLToPath } from 'node:url';
import { renderReport } from './report.ts';
import { runControl } from './scenarios/control.ts';
import { runDelivery, type DeliveryResult } from './scenarios/delivery.ts';
import { runPeerDelivery, runPeerResume } from './scenarios/peers.ts';
import { runResume } from './scenarios/resume.ts';
import { runScale } from './scenarios/scale.ts';
import { machineInfo } from './support/machine.ts';
import { freshDatabase, postgresVersion } from './support/pg.ts';

const DEFAULT_ADMIN_URL = 'postgresql://postgres@127.0.0.1:5432/test';
const REPORT_PATH = fileURLToPath(new URL('../docs/performance.md', import.meta.url));
/** The analysis ("What limits the rest"), written by hand from a run; appended to every report. Update it when the numbers move. */
const LIMITS_PATH = fileURLToPath(new URL('./limits.md', import.meta.url));

function parseArgs(argv: string[]) {
  const quick = argv.includes('--quick');
  const i = argv.indexOf('--db');
  if (i < 0) return { quick, adminUrl: DEFAULT_ADMIN_URL };
  const adminUrl = argv[i + 1];
  if (!adminUrl) throw new Error('--db needs a PostgreSQL admin URL');
  return { quick, adminUrl };
}


/** Section 7: the Durable Streams endpoint against Electric's reference server, same run. */
function renderDs(r: DsResult): string {
  const ref = r.targets.find((t) => /reference/i.test(t.name)) ?? r.targets.at(-1);
  if (!ref) throw new Error('Durable Streams results hold no target');
  const rows = r.targets.map(
    (t) =>
      `| ${t.name} | ${t.roundTripMs.p50.toFixed(1)} / ${t.roundTripMs.p95.toFixed(1)} / ${t.roundTripMs.p99.toFixed(1)} | ${(t.roundTripMs.p50 / ref.roundTripMs.p50).toFixed(2)}× | ${t.sequentialAppendsPerSec.toFixed(0)} | ${t.concurrentAppendsPerSec.toFixed(0)} |`,
  );
  return [
    '## 7. Durable Streams endpoint',
    '',
    `Append → long-poll round trip (a reader parked on \`live=long-poll\` sees an append) and append throughput (one writer back to back; 8 concurrent writers), our \`/ds/v1/stream/*\` on ${r.database} against \`@durable-streams/server\` (in-memory) in the same run. Ratio: p50 against the reference server.`,
    '',
    '| target | round trip p50 / p95 / p99 ms | ratio p50 | appends/s, 1 writer | appends/s, 8 writers |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
    '',
    'Every one of our appends is a committed PostgreSQL transaction (one statement, with its pg_notify); the reference server keeps its streams in memory.',
    '',
  ].join('\n');
}

const args = parseArgs(process.argv.slice(2));
const plan = args.quick
  ? { sessions: 50, durationMs: 3_000, ramp: [25, 50], rampRate: 250, sizes: [1_000, 10_000], fractions: [0.01, 0.5, 1], repeats: 3, cancels: 20, sockets: 2_000, socketSessions: 100, peerSizes: [1_000, 10_000], peerRepeats: 3 }
  : { sessions: 200, durationMs: 10_000, ramp: [50, 100, 200, 300], rampRate: 250, sizes: [1_000, 10_000, 100_000], fractions: [0.01, 0.5, 1], repeats: 7, cancels: 50, sockets: 10_000, socketSessions: 250, peerSizes: [1_000, 10_000, 100_000], peerRepeats: 5 };

const db = await freshDatabase(args.adminUrl);
try {
  const machine = machineInfo(await postgresVersion(db.url));
  const log = (msg: string) => console.log(`[bench] ${msg}`);
  const base = { dbUrl: db.url, dbName: db.name, subscribersPerSession: 2, tokensPerSecond: 50, sessions: plan.sessions, durationMs: plan.durationMs };
  log(`delivery: ${plan.sessions} sessions × 2 × 50 tokens/s, in-memory baseline`);
  const memory = await runDelivery({ ...base, log: 'memory' });
  log('delivery: durable');
  const durable = await runDelivery({ ...base, log: 'durable' });
  const throughput: DeliveryResult[] = [];
  for (const sessions of plan.ramp) {
    log(`throughput: ${sessions} sessions × ${plan.rampRate} tokens/s`);
    throughput.push(await runDelivery({ ...base, log: 'durable', sessions, subscribersPerSession: 1, tokensPerSecond: plan.rampRate }));
  }
  log('resume');
  const resume = await runResume({ dbUrl: db.url, sizes: plan.sizes, fractions: plan.fractions, repeats: plan.repeats });
  log(`live control: ${plan.cancels} cancels per topology`);
  const control = await runControl({ dbUrl: db.url, repetitions: plan.cancels, log });
  log(`scale: ${plan.sockets} idle sockets`);
  const scale = await runScale({ dbUrl: db.url, sockets: plan.sockets, sessions: plan.socketSessions, log });
  const shape = { sessions: plan.sessions, subscribersPerSession: 2, tokensPerSecond: 50, durationMs: plan.durationMs };
  const peerDelivery = await runPeerDelivery(shape, log);
  const peerResume = await runPeerResume({ dbUrl: db.url, sizes: plan.peerSizes, repeats: plan.peerRepeats, log });
  log('durable streams: append → long-poll round trip and append throughput, ours vs the reference server');
  const ds = await runDsBench({ databaseUrl: db.url, roundTrips: args.quick ? 50 : 200, appends: args.quick ? 500 : 2_000, log });
  const report = renderReport({ machine, quick: args.quick, delivery: { durable, memory }, throughput, resume, control, scale, peers: { delivery: peerDelivery, resume: peerResume } });
  await writeFile(REPORT_PATH, `${report}\n${renderDs(ds)}\n${await readFile(LIMITS_PATH, 'utf8')}`);
  log(`wrote ${REPORT_PATH}`);
} finally {
  await db.drop();
}

