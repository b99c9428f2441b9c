import type { SessionLog } from '../session/port.ts';

/**
 * SL7: each run's streamed text is appended at most once per FLUSH_INTERVAL_MS. All runs
 * on this instance share one flush: one statement per interval carries a delta for
 * every run with new text (group commit), so database load grows with instances, not
 * with the number of answers being streamed.
 */
export const FLUSH_INTERVAL_MS = 20;
/** Tokens written in the same burst are worth one statement: wait this long after an idle period. */
const LEADING_EDGE_DELAY_MS = 1;

interface RunBufferState {
  runId: string;
  sessionId: string;
  text: string;
  stopped: boolean;
  onStopped: () => void;
  onError: (err: unknown) => void;
  /** Resolved when the text buffered before the call is committed (or dropped by a stop). */
  waiters: Array<() => void>;
}

/** One run's view of the shared flusher. */
export interface RunBuffer {
  write(text: string): void;
  /** Resolves once everything written so far is committed (or was dropped by a stop). */
  flush(): Promise<void>;
  /** The run was stopped (SL10): drop what is buffered, write nothing more. */
  stop(): void;
  readonly isStopped: boolean;
  close(): void;
}

export interface FlusherObserver {
  flushed?(ms: number, deltas: number): void;
}

export class DeltaFlusher {
  private readonly runs = new Map<string, RunBufferState>();
  private timer: NodeJS.Timeout | undefined;
  private inflight: Promise<void> | undefined;
  private lastFlushAt = -Infinity;
  /** Runs whose text is in the statement being executed. */
  private readonly inflightSet = new Set<RunBufferState>();

  constructor(
    private readonly log: Pick<SessionLog, 'appendDeltas'>,
    private readonly intervalMs = FLUSH_INTERVAL_MS,
    private readonly observer: FlusherObserver = {},
  ) {}

  open(runId: string, sessionId: string, onStopped: () => void, onError: (err: unknown) => void): RunBuffer {
    const state: RunBufferState = { runId, sessionId, text: '', stopped: false, onStopped, onError, waiters: [] };
    this.runs.set(runId, state);
    return {
      write: (text) => {
        if (state.stopped || text === '') return;
        state.text += text;
        this.schedule();
      },
      flush: () => {
        if (state.text === '' && !this.inflightHas(state)) return Promise.resolve();
        return new Promise<void>((resolve) => {
          state.waiters.push(resolve);
          this.schedule();
        });
      },
      stop: () => this.stopRun(state),
      get isStopped() {
        return state.stopped;
      },
      close: () => {
        this.release(state);
        this.runs.delete(runId);
      },
    };
  }

  private inflightHas(state: RunBufferState) {
    return this.inflightSet.has(state);
  }

  private stopRun(state: RunBufferState) {
    if (state.stopped) return;
    state.stopped = true;
    state.text = '';
    this.release(state);
    state.onStopped();
  }

  private release(state: RunBufferState) {
    if (this.inflightSet.has(state)) return; // released when its statement completes
    const w = state.waiters;
    state.waiters = [];
    for (const resolve of w) resolve();
  }

  private schedule() {
    if (this.timer || this.inflight) return;
    const now = performance.now();
    const wait = Math.max(LEADING_EDGE_DELAY_MS, this.lastFlushAt + this.intervalMs - now);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.inflight = this.flushNow().finally(() => {
        this.inflight = undefined;
        if ([...this.runs.values()].some((s) => s.text !== '' || s.waiters.length > 0)) this.schedule();
      });
    }, wait);
  }

  private async flushNow(): Promise<void> {
    this.lastFlushAt = performance.now();
    const batch: RunBufferState[] = [];
    const sessions = new Set<string>();
    const deltas: { runId: string; text: string }[] = [];
    for (const state of this.runs.values()) {
      if (state.stopped || state.text === '') {
        // Nothing new; anyone waiting on it is already up to date.
        this.release(state);
        continue;
      }
      // One delta per session per statement: the counter bump is per session row.
      if (sessions.has(state.sessionId)) continue;
      sessions.add(state.sessionId);
      batch.push(state);
      deltas.push({ runId: state.runId, text: state.text });
      state.text = '';
    }
    if (batch.length === 0) return;
    for (const s of batch) this.inflightSet.add(s);
    const waiters = batch.map((s) => {
      const w = s.waiters;
      s.waiters = [];
      return w;
    });
    const t0 = performance.now();
    try {
      const outcomes = await this.log.appendDeltas(deltas);
      this.observer.flushed?.(performance.now() - t0, batch.length);
      // One outcome per delta, in order.
      batch.forEach((s, i) => {
        this.inflightSet.delete(s);
        if (outcomes[i]?.kind === 'run_stopped') this.stopRun(s);
      });
    } catch (err) {
      // Nothing of the statement was committed (one statement), so SL6 still holds.
      for (const s of batch) {
        this.inflightSet.delete(s);
        s.onError(err);
      }
    } finally {
      // Waiters that arrived while the statement ran are released by the next pass.
      for (const s of batch) this.inflightSet.delete(s);
      for (const w of waiters) for (const resolve of w) resolve();
    }
  }

  get activeRuns(): number {
    return this.runs.size;
  }
}
