// Several app instances (separate OS processes) on one PostgreSQL, for the two-instance tests,
// the fault tests and the soak. Each instance keeps its name (INSTANCE_ID) across restarts; its
// URL changes, because a restarted process listens on a new port, so callers ask `url(i)` or a
// `route(i)` each time they connect, like a load balancer that knows which backends are up.

import { spawnServer, type ServerProcess } from './process.ts';

/** How long to keep retrying a restart (the database may be down at that moment). */
const RESTART_RETRY_MS = 500;

export interface InstanceSetOptions {
  databaseUrl: string;
  /** Instance names, also their INSTANCE_ID: ['a', 'b'] by default. */
  names?: string[];
  /** Extra environment for every instance (COACH, COACH_PACE_MS, …). */
  env?: Record<string, string>;
}

export class InstanceSet {
  readonly names: string[];
  private readonly procs: (ServerProcess | undefined)[];
  private readonly lastUrls: string[];
  private stopped = false;

  private constructor(private readonly opts: InstanceSetOptions) {
    this.names = opts.names ?? ['a', 'b'];
    this.procs = this.names.map(() => undefined);
    this.lastUrls = this.names.map(() => '');
  }

  /** Starts every instance and resolves when all listen. */
  static async start(opts: InstanceSetOptions): Promise<InstanceSet> {
    const set = new InstanceSet(opts);
    try {
      await Promise.all(set.names.map((_, i) => set.spawn(i)));
    } catch (err) {
      await set.stopAll();
      throw err;
    }
    return set;
  }

  get count(): number {
    return this.names.length;
  }

  /** The running process of instance i (undefined while it is down). */
  proc(i: number): ServerProcess | undefined {
    return this.procs[i];
  }

  /** The instance's current (or, while down, last) http base URL. */
  url(i: number): string {
    return this.procs[i]?.url ?? this.lastUrls[i]!;
  }

  wsUrl(i: number): string {
    return this.url(i).replace(/^http/, 'ws');
  }

  isUp(i: number): boolean {
    const p = this.procs[i];
    return p !== undefined && p.proc.exitCode === null && p.proc.signalCode === null;
  }

  /** Instance i if it is up, else the next one that is, else i's last address (which fails and is retried). */
  pick(i: number): string {
    for (let k = 0; k < this.count; k++) {
      const j = (i + k) % this.count;
      if (this.isUp(j)) return this.url(j);
    }
    return this.url(i);
  }

  /** A router for clients that prefer instance i: `() => pick(i)`. */
  route(i: number): () => string {
    return () => this.pick(i);
  }

  /** SIGKILL: the instance dies without any cleanup, like a crashed machine. */
  kill(i: number): void {
    const p = this.procs[i];
    this.procs[i] = undefined;
    p?.kill();
  }

  /** SIGTERM and wait for the exit (graceful shutdown: sockets closed with 1012, runs finish or end). */
  async terminate(i: number): Promise<void> {
    const p = this.procs[i];
    this.procs[i] = undefined;
    await p?.stop();
  }

  /** Starts instance i again (it must be down), retrying until it listens or `timeoutMs` passes. */
  async revive(i: number, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.stopped) return;
      try {
        await this.spawn(i);
        return;
      } catch (err) {
        if (Date.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, RESTART_RETRY_MS));
      }
    }
  }

  async stopAll(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.procs.map((p, i) => (this.procs[i] = undefined, p?.stop())));
  }

  private async spawn(i: number): Promise<void> {
    if (this.procs[i]) throw new Error(`instance ${this.names[i]} is already running`);
    const p = await spawnServer({ COACH: 'demo', ...this.opts.env, DATABASE_URL: this.opts.databaseUrl, INSTANCE_ID: this.names[i]! });
    if (this.stopped) {
      await p.stop();
      return;
    }
    this.procs[i] = p;
    this.lastUrls[i] = p.url;
  }
}
