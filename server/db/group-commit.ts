/**
 * Group commit: callers submit work and wait; one commit runs at a time and carries
 * everything submitted before it started, so N concurrent writers cost one transaction
 * (one fsync, one NOTIFY) instead of N. The same idea as the session log's delta flusher
 * (server/runs/delta-flusher.ts), for writes whose callers each need their own answer.
 *
 * Durable before visible: a caller's promise settles only after `commit` returned, i.e.
 * after COMMIT. If `commit` throws, nothing of the batch was committed and every caller in
 * it gets that error; none is answered as a success.
 */
export interface GroupCommitLimits<I> {
  /** Items per commit. */
  maxItems: number;
  /** Total size per commit (in whatever unit `sizeOf` counts); one oversized item still goes alone. */
  maxSize: number;
  sizeOf(item: I): number;
}

interface Waiter<I, O> {
  item: I;
  resolve: (out: O) => void;
  reject: (err: unknown) => void;
}

export class GroupCommit<I, O> {
  private queue: Array<Waiter<I, O>> = [];
  private running = false;

  /** `commit` returns one output per item, in order. */
  constructor(
    private readonly commit: (items: I[]) => Promise<O[]>,
    private readonly limits: GroupCommitLimits<I>,
  ) {}

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.kick();
    });
  }

  /** Items waiting for a commit (not counting the one running). */
  get pending(): number {
    return this.queue.length;
  }

  private kick(): void {
    if (this.running || this.queue.length === 0) return;
    this.running = true;
    // Leading edge: callers that arrive in this turn of the event loop (requests parsed
    // from the same socket reads) join the first commit instead of queueing behind it.
    setImmediate(() => void this.run());
  }

  /** After a commit: whoever queued while it ran goes now, without waiting for another turn. */
  private next(): void {
    if (this.queue.length === 0) this.running = false;
    else void this.run();
  }

  private take(): Array<Waiter<I, O>> {
    let size = 0;
    let n = 0;
    while (n < this.queue.length && n < this.limits.maxItems) {
      const s = this.limits.sizeOf(this.queue[n]!.item);
      if (n > 0 && size + s > this.limits.maxSize) break;
      size += s;
      n++;
    }
    return this.queue.splice(0, n);
  }

  private async run(): Promise<void> {
    const batch = this.take();
    try {
      const out = await this.commit(batch.map((w) => w.item));
      batch.forEach((w, i) => w.resolve(out[i] as O));
    } catch (err) {
      for (const w of batch) w.reject(err);
    } finally {
      this.next();
    }
  }
}
