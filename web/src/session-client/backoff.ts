// Exponential backoff with full jitter: delay = random() × min(MAX, BASE × 2^(attempt − 1)).
// Full jitter spreads a crowd of clients that lost the same server over the whole window.

export const BASE_BACKOFF_MS = 500;
export const MAX_BACKOFF_MS = 30_000;

export interface BackoffOptions {
  baseMs?: number;
  maxMs?: number;
  /** Uniform in [0, 1); injectable for tests. */
  random?: () => number;
}

/** The upper bound of the delay before retry number `attempt` (1-based). */
export function backoffCeilingMs(attempt: number, baseMs = BASE_BACKOFF_MS, maxMs = MAX_BACKOFF_MS): number {
  const n = Math.max(1, Math.floor(attempt));
  // 2^(n-1) overflows to Infinity for huge n; min() still caps it.
  return Math.min(maxMs, baseMs * 2 ** (n - 1));
}

export function backoffDelayMs(attempt: number, opts: BackoffOptions = {}): number {
  const ceiling = backoffCeilingMs(attempt, opts.baseMs, opts.maxMs);
  const r = (opts.random ?? Math.random)();
  const unit = Number.isFinite(r) ? Math.min(Math.max(r, 0), 1) : 0;
  return Math.floor(unit * ceiling);
}

/** Counts consecutive failures; `next()` records one and returns the delay before the next try. */
export class Backoff {
  private failures = 0;
  constructor(private readonly opts: BackoffOptions = {}) {}

  /** Consecutive failures so far (0 after reset). */
  get attempt(): number {
    return this.failures;
  }

  next(): number {
    this.failures += 1;
    return backoffDelayMs(this.failures, this.opts);
  }

  reset(): void {
    this.failures = 0;
  }
}
