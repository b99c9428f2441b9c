// Carries out the planned faults against the running system. Faults run concurrently, so they
// overlap: an instance killed during a database outage, a listener cut while another instance
// restarts. A kill or SIGTERM whose instance is already down or restarting goes to the next
// instance that is up, unless that would leave none up (so a short run does not lose its only
// SIGTERM to a kill just before it); a listener cut waits for the database and a LISTEN connection
// to be back; any other fault whose target is busy (the database already restarting, the socket
// not open) is skipped and counted as such. The schedule itself never depends on timing.

import pg from 'pg';
import type { InstanceSet } from '../../support/instances.ts';
import type { NodeSessionClient } from '../../support/node-session-client.ts';
import type { PrivateCluster } from '../../support/private-postgres.ts';
import type { Counters } from './counters.ts';
import type { FaultKind, PlannedFault } from './schedule.ts';

/** A SIGKILL or SIGTERM of an instance, for the "kill → cut answers ended" figures. */
export interface InstanceStop {
  kind: 'kill' | 'sigterm';
  instance: string;
  at: number;
}

export interface FaultTargets {
  cluster: PrivateCluster;
  databaseUrl: string;
  instances: InstanceSet;
  clients: readonly NodeSessionClient[];
  counters: Counters;
  log: (line: string) => void;
}

/** A restarted instance may meet a database outage; it keeps trying this long. */
const REVIVE_TIMEOUT_MS = 120_000;
/** A listener cut that finds the database down or no LISTEN connection yet waits this long for one. */
const LISTEN_CUT_WAIT_MS = 20_000;
const LISTEN_CUT_POLL_MS = 250;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Which instance a planned kill or SIGTERM stops: the planned one if it is up (`free`), else the
 * next free one in index order as long as another stays up, so a moved fault never takes the
 * last instance down; undefined when there is none.
 */
export function instanceToStop(target: number, count: number, free: (i: number) => boolean): number | undefined {
  if (free(target)) return target;
  const others = Array.from({ length: count - 1 }, (_, k) => (target + 1 + k) % count).filter(free);
  return others.length >= 2 ? others[0] : undefined;
}

export class FaultRunner {
  readonly stops: InstanceStop[] = [];
  private readonly busyInstances = new Set<number>();
  private databaseBusy = false;
  private readonly stalled = new Set<number>();
  private readonly inflight = new Set<Promise<void>>();
  private stopped = false;
  private failure: unknown;

  constructor(private readonly t: FaultTargets) {}

  /** Runs the plan from `startedAt` (epoch ms) until it is done or stop() is called. */
  async run(plan: readonly PlannedFault[], startedAt: number): Promise<void> {
    for (const f of plan) {
      const wait = startedAt + f.atMs - Date.now();
      if (wait > 0) await sleep(wait);
      if (this.stopped) break;
      const p = this.apply(f).catch((err) => {
        this.failure ??= err;
        this.t.log(`fault ${f.kind} at ${f.atMs} ms failed: ${String(err)}`);
      });
      this.inflight.add(p);
      void p.finally(() => this.inflight.delete(p));
    }
  }

  stop(): void {
    this.stopped = true;
  }

  /** Waits for faults in progress (restarts included) to finish; rethrows one that broke the harness. */
  async settle(): Promise<void> {
    while (this.inflight.size > 0) await Promise.all([...this.inflight]);
    if (this.failure) throw this.failure;
  }

  private get disturbed(): boolean {
    return this.busyInstances.size > 0 || this.databaseBusy || this.stalled.size > 0;
  }

  private count(kind: FaultKind, applied: boolean): void {
    if (!applied) {
      this.t.counters.skipped[kind]++;
      return;
    }
    this.t.counters.faults[kind]++;
  }

  private async apply(f: PlannedFault): Promise<void> {
    const { instances, cluster, clients, counters } = this.t;
    switch (f.kind) {
      case 'kill':
      case 'sigterm': {
        const i = this.upInstanceFrom(f.target);
        if (i === undefined) return this.count(f.kind, false);
        if (i !== f.target) counters.retargeted[f.kind]++;
        if (this.disturbed) counters.overlapping++;
        this.count(f.kind, true);
        this.busyInstances.add(i);
        try {
          this.stops.push({ kind: f.kind, instance: instances.names[i]!, at: Date.now() });
          if (f.kind === 'kill') {
            instances.kill(i);
            await sleep(f.durationMs);
          } else {
            await instances.terminate(i);
          }
          await instances.revive(i, REVIVE_TIMEOUT_MS);
        } finally {
          this.busyInstances.delete(i);
        }
        return;
      }
      case 'pg-restart': {
        if (this.databaseBusy) return this.count(f.kind, false);
        if (this.disturbed) counters.overlapping++;
        this.count(f.kind, true);
        this.databaseBusy = true;
        try {
          await cluster.restart(f.durationMs);
        } finally {
          this.databaseBusy = false;
        }
        return;
      }
      case 'listen-cut': {
        // Some are planned just as the database comes back (schedule.ts): the database may still be
        // restarting, or the instances' listeners not yet reconnected. Wait for a listener to cut.
        const deadline = Date.now() + LISTEN_CUT_WAIT_MS;
        for (;;) {
          if (!this.databaseBusy && cluster.running && (await this.cutListener(f.target))) {
            if (this.disturbed) counters.overlapping++;
            return this.count(f.kind, true);
          }
          if (this.stopped || Date.now() > deadline) return this.count(f.kind, false);
          await sleep(LISTEN_CUT_POLL_MS);
        }
      }
      case 'socket-drop': {
        const ok = clients[f.target]!.dropSocket();
        if (ok && this.disturbed) counters.overlapping++;
        return this.count(f.kind, ok);
      }
      case 'slow-client': {
        if (this.stalled.has(f.target)) return this.count(f.kind, false);
        const ok = clients[f.target]!.pauseReading(f.durationMs);
        if (!ok) return this.count(f.kind, false);
        if (this.disturbed) counters.overlapping++;
        this.count(f.kind, true);
        this.stalled.add(f.target);
        await sleep(f.durationMs);
        this.stalled.delete(f.target);
        return;
      }
    }
  }

  private upInstanceFrom(target: number): number | undefined {
    const { instances } = this.t;
    return instanceToStop(target, instances.count, (i) => !this.busyInstances.has(i) && instances.isUp(i));
  }

  /**
   * Cuts one instance's LISTEN connection: a backend of this database whose last statement was
   * LISTEN (the listener runs nothing else). The instance must reconnect and re-read (SL8).
   */
  private async cutListener(which: number): Promise<boolean> {
    const c = new pg.Client({ connectionString: this.t.databaseUrl });
    try {
      await c.connect();
      const r = await c.query<{ pid: number }>(
        `SELECT pid FROM pg_stat_activity
          WHERE datname = current_database() AND pid <> pg_backend_pid() AND query ILIKE 'LISTEN%'
          ORDER BY pid`,
      );
      const pid = r.rows[which % Math.max(1, r.rows.length)]?.pid;
      if (pid === undefined) return false;
      await c.query('SELECT pg_terminate_backend($1)', [pid]);
      return true;
    } catch {
      return false; // the database went down under us: counted as skipped
    } finally {
      await c.end().catch(() => {});
    }
  }
}
