import { randomUUID } from 'node:crypto';
import { AgentError, type Agent, type TurnContext } from '../agent/port.ts';
import type { WeekPlan } from '../plan/types.ts';
import type { SessionLog } from '../session/port.ts';
import type { RunStore } from '../session/run-store.ts';
import type { LogNotification, SessionEvent } from '../session/types.ts';
import { AbortRegistry } from './abort-registry.ts';
import { DeltaFlusher } from './delta-flusher.ts';

/** SL13: a lease lasts LEASE_TTL_MS and is renewed every LEASE_RENEW_MS; sweeps every SWEEP_INTERVAL_MS find dead runs in < 5 s. */
export const LEASE_TTL_MS = 3_000;
export const LEASE_RENEW_MS = 1_000;
export const SWEEP_INTERVAL_MS = 1_000;
/** A user message nobody claimed for this long is picked up by any instance's sweeper. */
export const ORPHAN_AFTER_MS = 2_000;

export const REASON_LOST_INSTANCE = 'The coach was interrupted because its server stopped responding. Send a message to continue.';
export const REASON_SHUTDOWN = 'The coach was interrupted because its server restarted. Send a message to continue.';
export const REASON_INTERNAL = 'The coach hit an internal error. Try again.';
export const REASON_STORAGE = 'The coach could not save its answer because the database was unavailable. Try again.';
/** Ending a run is retried this long (database restart, failover) before the lease sweeper is left to do it. */
export const END_RETRY_WINDOW_MS = 20_000;
const END_RETRY_MIN_MS = 100;
const END_RETRY_MAX_MS = 2_000;

/** A pino-compatible logger; `child` adds run and session ids to every line. */
export interface RunLogger {
  error(obj: unknown, msg?: string): void;
  info?(obj: unknown, msg?: string): void;
  warn?(obj: unknown, msg?: string): void;
  child?(bindings: Record<string, unknown>): RunLogger;
}

/** Hooks for metrics; all optional. */
export interface RunObserver {
  deltaFlushed?(ms: number): void;
  runEnded?(status: string): void;
  /**
   * The `assistant.end` this instance wrote: for one of its runs, or for a dead instance's run
   * its sweeper ended (push notifications hang off it).
   */
  answerEnded?(sessionId: string, end: SessionEvent): void;
}

export interface RunManagerOptions {
  /** Runs are claimed, stopped and ended here; the agent's other events and its history go to the log. */
  store: RunStore & Pick<SessionLog, 'append' | 'readHistory'>;
  agent: Agent;
  instanceId: string;
  /** The turn's context, read once per turn (undefined: the session is gone). */
  describeTurn(sessionId: string): Promise<TurnContext | undefined>;
  /**
   * Where an agent's plan.updated goes: the app publishes it (marked as the coach's) to every
   * session of that week, this one included. Without it the event is appended here only.
   */
  publishPlan?(userId: string, sessionId: string, plan: WeekPlan): Promise<void>;
  logger?: RunLogger;
  observer?: RunObserver;
  leaseTtlMs?: number;
  leaseRenewMs?: number;
  sweepIntervalMs?: number;
}

interface ActiveRun {
  runId: string;
  sessionId: string;
  done: Promise<void>;
}

/**
 * Claims turns, runs the agent with an AbortSignal, renews leases, honours stops from
 * any instance, and sweeps dead runs and orphaned turns. One per process. It claims a
 * turn on its own when this instance commits a user message, so nothing that writes
 * messages needs to know about runs.
 */
export class RunManager {
  private readonly aborts = new AbortRegistry();
  private readonly flusher: DeltaFlusher;
  private readonly active = new Map<string, ActiveRun>();
  /** Sessions with a user message waiting for the current run to end. */
  private readonly waiting = new Set<string>();
  /** Counts run_ended notices per session, to catch an end that lands while a claim is in flight. */
  private readonly endNotices = new Map<string, number>();
  private readonly off: () => void;
  private sweeper: NodeJS.Timeout | undefined;
  /** This instance's streaming runs, whose leases are renewed together (SL13). */
  private readonly leased = new Map<string, { stop(): void; logger: RunLogger | undefined }>();
  private renewer: NodeJS.Timeout | undefined;
  private renewing = false;
  private closing = false;
  private readonly leaseTtlMs: number;
  private readonly leaseRenewMs: number;

  constructor(private readonly opts: RunManagerOptions) {
    this.leaseTtlMs = opts.leaseTtlMs ?? LEASE_TTL_MS;
    this.leaseRenewMs = opts.leaseRenewMs ?? LEASE_RENEW_MS;
    this.flusher = new DeltaFlusher(opts.store, undefined, { flushed: (ms) => opts.observer?.deltaFlushed?.(ms) });
    this.off = opts.store.onNotification((n) => this.onNotification(n));
    this.sweeper = setInterval(() => void this.sweep(), opts.sweepIntervalMs ?? SWEEP_INTERVAL_MS);
    this.sweeper.unref();
  }

  get activeRunCount(): number {
    return this.active.size;
  }

  private onNotification(n: LogNotification) {
    if (n.kind === 'events') {
      // Our own user message, turn request (SL15) or hand-back (SL19; local commits carry their
      // events): answer it. Another instance's are answered there, or by the orphan sweep if it died.
      if (n.events?.some((e) => e.type === 'user.message' || e.type === 'turn.requested' || e.type === 'handoff.ended')) {
        this.requestTurn(n.sessionId).catch((err) => this.opts.logger?.error({ err, sessionId: n.sessionId }, 'claiming a turn failed'));
      }
    } else if (n.kind === 'stop') this.aborts.abort(n.runId, 'stopped');
    else if (n.kind === 'run_ended') {
      if (this.endNotices.has(n.sessionId)) this.endNotices.set(n.sessionId, this.endNotices.get(n.sessionId)! + 1);
      // A claim can fail (the database is down): the session stays waiting and the sweeper retries.
      // Uncaught, the rejection would end the process.
      if (this.waiting.has(n.sessionId)) {
        this.requestTurn(n.sessionId).catch((err) => this.opts.logger?.error({ err, sessionId: n.sessionId }, 'claiming a waiting turn failed'));
      }
    }
  }

  /** After a user message: answer it now, or as soon as the current run ends. */
  async requestTurn(sessionId: string): Promise<void> {
    if (this.closing) return;
    const runId = randomUUID();
    const noticesBefore = this.endNotices.get(sessionId) ?? 0;
    this.endNotices.set(sessionId, noticesBefore);
    const claim = await this.opts.store
      .claimRun({ sessionId, runId, messageId: randomUUID(), instanceId: this.opts.instanceId, leaseMs: this.leaseTtlMs })
      .catch((err) => {
        this.endNotices.delete(sessionId);
        throw err;
      });
    const endedMeanwhile = (this.endNotices.get(sessionId) ?? noticesBefore) > noticesBefore;
    this.endNotices.delete(sessionId);
    if (claim.kind === 'busy') {
      this.waiting.add(sessionId);
      // The run may have ended while we were claiming; its notice would then be lost on us.
      if (endedMeanwhile) return this.requestTurn(sessionId);
      return;
    }
    // handed_off: a human answers now; the hand-back calls requestTurn again.
    this.waiting.delete(sessionId);
    if (claim.kind !== 'claimed') return;
    const done = this.execute(sessionId, runId, claim.event).finally(() => this.active.delete(runId));
    this.active.set(runId, { runId, sessionId, done });
  }

  private async execute(sessionId: string, runId: string, start: SessionEvent): Promise<void> {
    const { store, agent, observer } = this.opts;
    const logger = this.opts.logger?.child?.({ runId, sessionId }) ?? this.opts.logger;
    const messageId = String(start.data.messageId);
    const controller = this.aborts.register(runId);
    const signal = controller.signal;
    let failure: string | undefined;
    logger?.info?.({ messageId }, 'run started');
    const batcher = this.flusher.open(
      { runId, sessionId, messageId },
      () => this.aborts.abort(runId, 'stopped'),
      (err) => {
        logger?.error({ err }, 'delta append failed');
        // Nothing of this append was committed (one statement), so SL6 still holds; the user is told why.
        failure ??= REASON_STORAGE;
        this.aborts.abort(runId, 'append failed');
      },
    );
    this.lease(runId, { stop: () => batcher.stop(), logger });
    try {
      const [context, history] = await Promise.all([this.opts.describeTurn(sessionId), store.readHistory(sessionId, start.seq)]);
      if (!context || !Array.isArray(history)) throw new Error(`session ${sessionId} vanished`);
      await agent.respond({
        sessionId,
        userId: context.userId,
        runId,
        messageId,
        context,
        history,
        signal,
        write: (text) => {
          if (!signal.aborted) batcher.write(text);
        },
        // Not refused after a stop: what it records (a plan change, what the coach read) has happened.
        emit: async (type, data) => {
          await batcher.flush();
          const plan = type === 'plan.updated' ? (data.plan as WeekPlan | undefined) : undefined;
          if (plan && this.opts.publishPlan) await this.opts.publishPlan(context.userId, sessionId, plan);
          else await store.append(sessionId, type, data);
        },
      });
    } catch (err) {
      if (!signal.aborted) {
        if (err instanceof AgentError) failure = err.reason;
        else {
          logger?.error({ err }, 'agent failed');
          failure = REASON_INTERNAL;
        }
      }
    } finally {
      this.unlease(runId);
      // After this no delta of the run can commit; the end records what committed (SL6).
      const committedText = await batcher.finish();
      this.aborts.unregister(runId);
      const status = failure ? 'failed' : this.closing && signal.aborted ? 'interrupted' : 'complete';
      const reason = status === 'interrupted' ? REASON_SHUTDOWN : failure;
      const ended = await this.endWithRetry(runId, status, reason, committedText, logger);
      if (ended) {
        observer?.runEnded?.(ended.status);
        observer?.answerEnded?.(sessionId, ended.event);
        logger?.info?.({ status: ended.status }, 'run ended');
      }
    }
  }

  /**
   * Records the end, retrying through a database outage so the user sees a readable reason
   * rather than the sweeper's "server stopped responding". Gives up after END_RETRY_WINDOW_MS:
   * the lease then expires and any instance's sweeper ends the run (SL13).
   */
  private async endWithRetry(
    runId: string,
    status: 'complete' | 'failed' | 'interrupted',
    reason: string | undefined,
    committedText: string | undefined,
    logger: RunLogger | undefined,
  ): Promise<{ status: string; event: SessionEvent } | undefined> {
    const deadline = Date.now() + END_RETRY_WINDOW_MS;
    for (let attempt = 0; ; attempt++) {
      try {
        const r = await this.opts.store.endRun(runId, status, reason, committedText === undefined ? undefined : { text: committedText });
        return r.kind === 'ended' ? { status: r.status, event: r.event } : undefined;
      } catch (err) {
        if (Date.now() >= deadline) {
          logger?.error({ err }, 'ending run failed; leaving it to the lease sweeper');
          return undefined;
        }
        if (attempt === 0) logger?.warn?.({ err }, 'ending run failed; retrying');
        // While retrying, keep the lease alive so no sweeper ends it with a misleading reason.
        void this.opts.store.renewLeases([runId], this.leaseTtlMs).catch(() => {});
        await new Promise((r) => setTimeout(r, Math.min(END_RETRY_MAX_MS, END_RETRY_MIN_MS * 2 ** attempt)));
      }
    }
  }

  private lease(runId: string, run: { stop(): void; logger: RunLogger | undefined }) {
    this.leased.set(runId, run);
    this.renewer ??= setInterval(() => void this.renewLeases(), this.leaseRenewMs);
  }

  private unlease(runId: string) {
    this.leased.delete(runId);
    if (this.leased.size === 0 && this.renewer) {
      clearInterval(this.renewer);
      this.renewer = undefined;
    }
  }

  /**
   * SL13: every run of this instance in one statement per LEASE_RENEW_MS — a commit per
   * instance per second rather than one per streaming answer. Delta statements do not touch
   * run rows, so the renewal seldom finds one locked. A run found stopped or lost stops
   * writing (SL10).
   */
  private async renewLeases() {
    if (this.renewing || this.leased.size === 0) return;
    const ids = [...this.leased.keys()];
    this.renewing = true;
    try {
      const outcomes = await this.opts.store.renewLeases(ids, this.leaseTtlMs);
      ids.forEach((id, i) => {
        const r = outcomes[i];
        if (r && (r.kind === 'lost' || r.stopRequested)) this.leased.get(id)?.stop();
      });
    } catch (err) {
      for (const id of ids) this.leased.get(id)?.logger?.error({ err }, 'lease renewal failed');
    } finally {
      this.renewing = false;
    }
  }

  /** The sweep in progress, if any: the interval skips a tick while one runs. */
  private sweeping: Promise<void> | undefined;
  private sweep(orphanAfterMs = ORPHAN_AFTER_MS): Promise<void> {
    if (this.closing) return Promise.resolve();
    this.sweeping ??= this.sweepOnce(orphanAfterMs).finally(() => (this.sweeping = undefined));
    return this.sweeping;
  }

  /**
   * One sweep now, after any sweep in progress, instead of waiting for the interval (tests
   * synchronize on it rather than sleeping). `orphanAfterMs` replaces ORPHAN_AFTER_MS for this
   * sweep: 0 treats every unanswered turn as orphaned.
   */
  async sweepNow(opts: { orphanAfterMs?: number } = {}): Promise<void> {
    while (this.sweeping) await this.sweeping;
    await this.sweep(opts.orphanAfterMs);
  }

  private async sweepOnce(orphanAfterMs: number): Promise<void> {
    const { store, logger } = this.opts;
    try {
      for (const runId of await store.expiredRuns()) {
        if (this.active.has(runId)) continue;
        const ended = await store.endRun(runId, 'interrupted', REASON_LOST_INSTANCE, { onlyIfExpired: true });
        if (ended.kind === 'ended') {
          this.opts.observer?.runEnded?.(ended.status);
          this.opts.observer?.answerEnded?.(ended.sessionId, ended.event);
        }
      }
      const sessions = new Set([...this.waiting, ...(await store.orphanedTurns(orphanAfterMs))]);
      for (const sessionId of sessions) await this.requestTurn(sessionId);
    } catch (err) {
      logger?.error({ err }, 'run sweep failed');
    }
  }

  /**
   * Graceful stop. Takes no new turns; lets running answers finish for up to `graceMs` (their
   * clients, moved to another instance, keep receiving them through the log); then aborts the
   * rest, which end as interrupted, and waits for those ends to be recorded.
   */
  async close(graceMs = 0): Promise<void> {
    this.closing = true;
    clearInterval(this.sweeper);
    const running = () => Promise.allSettled([...this.active.values()].map((r) => r.done));
    if (graceMs > 0 && this.active.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([running(), new Promise((r) => (timer = setTimeout(r, graceMs)))]);
      clearTimeout(timer);
    }
    // Stops from clients must still reach our runs during the grace period, so unsubscribe only now.
    this.off();
    this.aborts.abortAll('shutdown');
    await running();
  }
}
