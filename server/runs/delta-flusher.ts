import type { DeltaInput, RunStore } from '../session/run-store.ts';
import type { DeltaOutcome } from '../session/types.ts';

/**
 * SL7: each run's streamed text is appended at most once per FLUSH_INTERVAL_MS. All runs
 * on this instance share one flush: one statement per interval carries a delta for
 * every run with new text (group commit), so database load grows with instances, not
 * with the number of answers being streamed.
 */
export const FLUSH_INTERVAL_MS = 20;
/** Tokens written in the same burst are worth one statement: wait this long after an idle period. */
const LEADING_EDGE_DELAY_MS = 1;
/**
 * Flush statements in flight at once. The next interval's statement is built and sent while
 * the previous one commits, so a slow commit does not hold back text that was not in it.
 * Each run (and each session) is in at most one statement in flight: two statements on two
 * pool connections may reach Postgres in either order, and one run's deltas must commit in
 * the order they were written (SL6); disjoint rows also mean two statements cannot deadlock.
 */
export const MAX_INFLIGHT_FLUSHES = 2;

interface RunBufferState {
  runId: string;
  sessionId: string;
  messageId: string;
  text: string;
  /** Stopped (SL10) or failed: nothing more is written for this run. */
  halted: boolean;
  /** Finishing: later writes are refused, what was written before still goes out. */
  finishing: boolean;
  /** Its text is in a statement that has not completed. */
  inflight: boolean;
  /** The texts of its appended deltas, in order: what the log holds for it (SL6). */
  committed: string[];
  /** False once a statement carrying it failed: that statement may have committed after all. */
  committedKnown: boolean;
  onStopped: () => void;
  onError: (err: unknown) => void;
  /** Resolved when the text buffered before the call is committed (or dropped by a stop). */
  waiters: Array<() => void>;
}

/** One run's view of the shared flusher. */
export interface RunBuffer {
  write(text: string): void;
  /** Resolves once everything written so far is committed (or was dropped by a stop or a failure). */
  flush(): Promise<void>;
  /** The run was stopped (SL10): drop what is buffered, write nothing more. */
  stop(): void;
  /** Stopped, or a statement carrying its text failed: it writes nothing more. */
  readonly isStopped: boolean;
  /**
   * Refuses later writes, then resolves once everything written before is committed (or
   * dropped by a stop or a failure) and no statement carrying this run is in flight: after
   * it, no delta of the run can commit, so its end may read them all (SL6). Resolves to the
   * run's committed text — every appended delta's, in order — or to undefined when a failed
   * statement leaves it unknown (a connection lost after COMMIT).
   */
  finish(): Promise<string | undefined>;
}

export interface FlusherObserver {
  flushed?(ms: number, deltas: number): void;
}

export class DeltaFlusher {
  private readonly runs = new Map<string, RunBufferState>();
  private timer: NodeJS.Timeout | undefined;
  private inflight = 0;
  private lastFlushAt = -Infinity;
  /** Sessions with a delta in a statement in flight (their counter row is in it). */
  private readonly inflightSessions = new Set<string>();

  constructor(
    private readonly log: Pick<RunStore, 'appendDeltas'>,
    private readonly intervalMs = FLUSH_INTERVAL_MS,
    private readonly observer: FlusherObserver = {},
    private readonly maxInflight = MAX_INFLIGHT_FLUSHES,
  ) {}

  open(run: { runId: string; sessionId: string; messageId: string }, onStopped: () => void, onError: (err: unknown) => void): RunBuffer {
    const { runId } = run;
    const state: RunBufferState = {
      ...run,
      text: '',
      halted: false,
      finishing: false,
      inflight: false,
      committed: [],
      committedKnown: true,
      onStopped,
      onError,
      waiters: [],
    };
    this.runs.set(runId, state);
    const flush = () => {
      if (state.text === '' && !state.inflight) return Promise.resolve();
      return new Promise<void>((resolve) => {
        state.waiters.push(resolve);
        this.schedule();
      });
    };
    return {
      write: (text) => {
        if (state.halted || state.finishing || text === '') return;
        state.text += text;
        this.schedule();
      },
      flush,
      stop: () => {
        if (this.halt(state)) state.onStopped();
      },
      get isStopped() {
        return state.halted;
      },
      finish: async () => {
        state.finishing = true;
        await flush();
        this.release(state);
        this.runs.delete(runId);
        return state.committedKnown ? state.committed.join('') : undefined;
      },
    };
  }

  /** Drops the run's buffer and refuses more text; false if it was already halted. */
  private halt(state: RunBufferState): boolean {
    if (state.halted) return false;
    state.halted = true;
    state.text = '';
    this.release(state);
    return true;
  }

  private release(state: RunBufferState) {
    if (state.inflight) return; // released when its statement completes
    const w = state.waiters;
    state.waiters = [];
    for (const resolve of w) resolve();
  }

  /** Whether a pass has work: new text or waiters (of runs not in flight, with `flushable`). */
  private pending(flushable = false): boolean {
    for (const s of this.runs.values()) if ((s.text !== '' || s.waiters.length > 0) && !(flushable && s.inflight)) return true;
    return false;
  }

  private schedule() {
    if (this.timer || this.inflight >= this.maxInflight) return;
    const wait = Math.max(LEADING_EDGE_DELAY_MS, this.lastFlushAt + this.intervalMs - performance.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flushNow();
    }, wait);
  }

  private flushNow(): void {
    const batch: RunBufferState[] = [];
    const deltas: DeltaInput[] = [];
    for (const state of this.runs.values()) {
      // In flight: its new text waits for that statement (SL6 order); it is rescheduled then.
      if (state.inflight) continue;
      if (state.halted || state.text === '') {
        // Nothing new; anyone waiting on it is already up to date.
        this.release(state);
        continue;
      }
      // One delta per session per statement (the counter bump is per session row), and a
      // session in one statement in flight at a time.
      if (this.inflightSessions.has(state.sessionId)) continue;
      this.inflightSessions.add(state.sessionId);
      batch.push(state);
      deltas.push({ runId: state.runId, sessionId: state.sessionId, messageId: state.messageId, text: state.text });
      state.text = '';
      state.inflight = true;
    }
    // A pass that found only runs in flight does not count as the interval's statement.
    if (batch.length === 0) return;
    this.lastFlushAt = performance.now();
    this.inflight++;
    void this.commit(batch, deltas).finally(() => {
      this.inflight--;
      if (this.pending()) this.schedule();
    });
    // The next interval's statement may go out while this one commits.
    if (this.pending(true)) this.schedule();
  }

  private async commit(batch: RunBufferState[], deltas: DeltaInput[]): Promise<void> {
    // Waiters that arrive while the statement runs are released by a later pass.
    const waiters = batch.map((s) => {
      const w = s.waiters;
      s.waiters = [];
      return w;
    });
    const t0 = performance.now();
    let outcomes: DeltaOutcome[] | undefined;
    let failure: { err: unknown } | undefined;
    try {
      outcomes = await this.log.appendDeltas(deltas);
      this.observer.flushed?.(performance.now() - t0, batch.length);
    } catch (err) {
      failure = { err };
    }
    batch.forEach((s, i) => {
      s.inflight = false;
      this.inflightSessions.delete(s.sessionId);
      if (failure) {
        // Nothing of the statement was committed (one statement), unless the connection was
        // lost after COMMIT. Writing the run's later text would leave a hole inside its
        // answer, so the run writes nothing more (SL6).
        s.committedKnown = false;
        if (this.halt(s)) s.onError(failure.err);
      } else if (outcomes?.[i]?.kind === 'run_stopped') {
        // One outcome per delta, in order.
        if (this.halt(s)) s.onStopped();
      } else if (outcomes?.[i]?.kind === 'appended') s.committed.push(deltas[i]!.text);
    });
    for (const w of waiters) for (const resolve of w) resolve();
  }

  get activeRuns(): number {
    return this.runs.size;
  }
}
