// The chaos soak (issue 16): several app instances on a private PostgreSQL, every session watched
// by web SessionClients on different instances, load over HTTP and the socket, and faults at
// random and overlapping. At the end every session's log and every client are checked
// (verify.ts). See README.md next to this file.

import pg from 'pg';
import { signup, type Account } from '../../support/client.ts';
import { readLogs } from '../../support/event-log.ts';
import { InstanceSet } from '../../support/instances.ts';
import { NodeSessionClient, type WireEvent } from '../../support/node-session-client.ts';
import { startPrivateCluster } from '../../support/private-postgres.ts';
import { newCounters } from './counters.ts';
import { FaultRunner, type InstanceStop } from './faults.ts';
import { SessionLoad } from './load.ts';
import { deriveRng } from './random.ts';
import { formatReport, type StopOutcome } from './report.ts';
import { describePlan, planFaults } from './schedule.ts';
import { verifySession, type Violation } from './verify.ts';

export interface SoakSettings {
  seed: number;
  seconds: number;
  sessions: number;
  instances: number;
}

export interface SoakOutcome {
  violations: Violation[];
  report: string;
}

const INSTANCE_NAMES = ['a', 'b', 'c', 'd', 'e'];
const CLIENTS_PER_SESSION = 2;
const SESSIONS_PER_ACCOUNT = 5;
/** After the load stops: time for restarts, retries and the last answers to finish. */
const DRAIN_MS = 180_000;
const SETTLE_POLL_MS = 1_000;
const PASSWORD = 'correct horse battery';
const CRASH_OUTPUT_SHOWN = 4_000;

/** Every instance: the paced demo coach (120 words, ~4 s an answer), short heartbeats and grace. */
const INSTANCE_ENV = {
  COACH: 'demo',
  COACH_PACE_MS: '30',
  SHUTDOWN_GRACE_MS: '1500',
  WS_HEARTBEAT_MS: '5000',
  MAX_SOCKETS_PER_USER: '1000',
  MAX_SESSIONS_PER_USER: '1000',
};

/** The web client as the app uses it, with shorter timers so a stalled socket is noticed within the run. */
const CLIENT_OPTIONS = { backoff: { baseMs: 250, maxMs: 4_000 }, heartbeatIntervalMs: 5_000, pongTimeoutMs: 5_000, connectTimeoutMs: 5_000 };

async function login(baseUrl: string, email: string): Promise<string> {
  const res = await fetch(`${baseUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: PASSWORD, deviceName: 'second device' }),
  });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${await res.text()}`);
  return res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
}

async function createSession(baseUrl: string, cookie: string, title: string): Promise<string> {
  const res = await fetch(`${baseUrl}/api/sessions`, {
    method: 'POST',
    headers: { cookie, 'content-type': 'application/json' },
    body: JSON.stringify({ title }),
  });
  if (res.status !== 201) throw new Error(`create session failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { id: string }).id;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runSoak(settings: SoakSettings, log: (line: string) => void): Promise<SoakOutcome> {
  const { seed } = settings;
  const cluster = await startPrivateCluster();
  const clients: NodeSessionClient[] = [];
  let instances: InstanceSet | undefined;
  try {
    const { url: databaseUrl } = await cluster.createDatabase();
    instances = await InstanceSet.start({ databaseUrl, names: INSTANCE_NAMES.slice(0, settings.instances), env: INSTANCE_ENV, reviveCrashed: true });
    const n = instances.count;

    // Accounts with two signed-in devices each; sessions spread over them.
    const accounts: { account: Account; cookies: string[] }[] = [];
    for (let k = 0; k * SESSIONS_PER_ACCOUNT < settings.sessions; k++) {
      const account = await signup(instances.url(k % n));
      accounts.push({ account, cookies: [account.cookie, await login(instances.url((k + 1) % n), account.email)] });
    }
    const sessions: { id: string; label: string; cookies: string[]; clients: NodeSessionClient[] }[] = [];
    for (let i = 0; i < settings.sessions; i++) {
      const owner = accounts[Math.floor(i / SESSIONS_PER_ACCOUNT)]!;
      const id = await createSession(instances.url(i % n), owner.cookies[0]!, `soak ${i}`);
      // Client j of session i prefers instance (i + j) mod n: the clients of a session sit on different instances.
      const own = Array.from({ length: CLIENTS_PER_SESSION }, (_, j) =>
        new NodeSessionClient({
          sessionId: id,
          cookie: owner.cookies[j % owner.cookies.length]!,
          route: instances!.route((i + j) % n),
          client: { ...CLIENT_OPTIONS, random: deriveRng(seed, `client ${i}.${j}`) },
        }).connect(),
      );
      clients.push(...own);
      sessions.push({ id, label: `s${i}`, cookies: owner.cookies, clients: own });
    }
    await Promise.all(clients.map((c) => c.waitFor((x) => x.live, 60_000, 'live before the soak')));

    const durationMs = settings.seconds * 1000;
    const plan = planFaults({ seed, durationMs, instances: n, clients: clients.length });
    log(`soak seed=${seed}: ${settings.seconds} s, ${settings.sessions} sessions on ${n} instances, ${clients.length} web clients; planned faults: ${describePlan(plan)}`);

    const counters = newCounters();
    const loads = sessions.map(
      (s, i) =>
        new SessionLoad({ sessionId: s.id, label: s.label, rng: deriveRng(seed, `load ${i}`), clients: s.clients, cookies: s.cookies, instances: instances!, counters }),
    );
    const faults = new FaultRunner({ cluster, databaseUrl, instances, clients, counters, log });
    const startedAt = Date.now();
    const running = loads.map((l) => l.run());
    const faulting = faults.run(plan, startedAt);

    await sleep(durationMs);
    const stoppedAt = Date.now();
    faults.stop();
    for (const l of loads) l.stop(stoppedAt + DRAIN_MS / 2);
    await faulting;
    await faults.settle();
    if (!cluster.running) await cluster.start();
    for (let i = 0; i < n; i++) await instances.revive(i);
    await Promise.all(running);

    // Settled: every answer ended and every client live, caught up, with an empty outbox.
    const ids = sessions.map((s) => s.id);
    let logs = new Map<string, WireEvent[]>();
    let unsettled: string[] = [];
    for (const deadline = stoppedAt + DRAIN_MS; ; ) {
      logs = await readLogs(databaseUrl, ids);
      unsettled = sessions.filter((s) => {
        const events = logs.get(s.id)!;
        const starts = events.filter((e) => e.type === 'assistant.start').length;
        const ends = events.filter((e) => e.type === 'assistant.end').length;
        return starts !== ends || s.clients.some((c) => !c.live || c.client.getSnapshot().queued > 0 || c.lastSeq !== events.length);
      }).map((s) => s.label);
      if (unsettled.length === 0 || Date.now() > deadline) break;
      await sleep(SETTLE_POLL_MS);
    }
    const drainMs = Date.now() - stoppedAt;

    const violations: Violation[] = [];
    if (unsettled.length) violations.push({ session: unsettled.slice(0, 10).join(','), rule: 'settled', detail: `${unsettled.length} sessions not at rest ${DRAIN_MS} ms after the load stopped` });
    for (const u of counters.unexpected) violations.push({ session: '-', rule: 'http-unexpected', detail: u });
    // An instance that died by itself under the faults is a bug even if every client recovered.
    for (const c of instances.crashes) {
      violations.push({ session: '-', rule: 'instance-crashed', detail: `${c.instance} exited by itself at +${c.at - startedAt} ms (code ${c.code}, signal ${c.signal}); its last output:\n${c.output.slice(-CRASH_OUTPUT_SHOWN)}` });
    }
    sessions.forEach((s, i) => {
      violations.push(
        ...verifySession(logs.get(s.id)!, {
          sessionId: s.id,
          label: s.label,
          httpAcks: loads[i]!.httpAcks,
          sent: loads[i]!.sent,
          viaSocket: loads[i]!.viaSocket,
          clients: s.clients.map((c, j) => {
            const snap = c.client.getSnapshot();
            return { name: `${s.label}.c${j}`, applied: c.applied, queued: snap.queued, transcript: snap.transcript };
          }),
        }),
      );
    });

    const closeCodes: Record<string, number> = {};
    for (const c of clients) for (const code of c.closeCodes) closeCodes[code] = (closeCodes[code] ?? 0) + 1;
    const stops = await stopOutcomes(databaseUrl, faults.stops, logs, startedAt);
    const report = formatReport({
      settings: { seed, seconds: settings.seconds, sessions: settings.sessions, instances: n, clients: clients.length },
      counters,
      logs,
      stops,
      socketsOpened: clients.reduce((k, c) => k + c.socketsOpened, 0),
      socketResends: socketResends(clients),
      closeCodes,
      drainMs,
      crashes: instances.crashes.length,
      violations: violations.length,
    });
    return { violations, report };
  } finally {
    for (const c of clients) c.dispose();
    await instances?.stopAll();
    await cluster.destroy();
  }
}

/** Messages the clients' outboxes sent more than once (after a reconnect or an `internal` error), and the extra frames. */
function socketResends(clients: readonly NodeSessionClient[]): { messages: number; frames: number } {
  let messages = 0;
  let frames = 0;
  for (const c of clients) {
    for (const n of c.messageFrames.values()) {
      if (n > 1) messages++;
      frames += n - 1;
    }
  }
  return { messages, frames };
}

/**
 * For each kill or SIGTERM: the answers its instance was running at that moment (runs that
 * instance had claimed and not ended) and how long after the stop each one's end was committed.
 * The run table is read only for this figure; if its shape changes the figure says "unknown".
 */
async function stopOutcomes(databaseUrl: string, stops: readonly InstanceStop[], logs: ReadonlyMap<string, readonly WireEvent[]>, startedAt: number): Promise<StopOutcome[]> {
  const endAt = new Map<string, number>();
  for (const events of logs.values()) for (const e of events) if (e.type === 'assistant.end') endAt.set(String(e.data.messageId), Date.parse(e.at));
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    const out: StopOutcome[] = [];
    for (const s of stops) {
      let cut: number[] | 'unknown';
      try {
        const r = await c.query<{ messageId: string }>(
          `SELECT "messageId" FROM "Run" WHERE "instanceId" = $1 AND "createdAt" <= $2 AND ("endedAt" IS NULL OR "endedAt" > $2)`,
          [s.instance, new Date(s.at)],
        );
        cut = r.rows.map((row) => (endAt.get(row.messageId) ?? Number.NaN) - s.at);
      } catch {
        cut = 'unknown';
      }
      out.push({ ...s, at: s.at - startedAt, cutAnswersEndedAfterMs: cut });
    }
    return out;
  } finally {
    await c.end();
  }
}
