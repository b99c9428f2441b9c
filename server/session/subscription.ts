import { REPLAY_BATCH_EVENTS } from '../contract/limits.ts';
import type { SessionLog } from './port.ts';
import type { NotFound, SessionEvent } from './types.ts';

/** Events per read while replaying; large enough to resume 10k events in a few round trips. */
export const REPLAY_PAGE_SIZE = 2_500;
/**
 * Live events held for one reader while it waits on a log read. Past this the held events
 * are dropped and the reader re-reads from the log instead: the log has them, so memory per
 * subscriber stays bounded however long a read (or a burst) lasts.
 */
export const MAX_PENDING_EVENTS = 2_000;

export interface SubscriptionSink {
  /** Delivers one event. Returning false means the sink is gone; the subscription stops. */
  event(e: SessionEvent): boolean;
  /**
   * Delivers several consecutive events of the replay at once (the `events` frame). When
   * absent, the replay goes through `event` one by one. Live events always use `event`.
   */
  eventBatch?(events: SessionEvent[]): boolean;
  /** Replay is done: everything up to lastSeq was delivered (the `ready` frame). */
  ready(lastSeq: number): void;
  /** Reading the log failed; the subscription is closed. */
  error?(err: unknown): void;
  /**
   * Replay backpressure: a promise while the consumer's buffer is too full, else undefined.
   * Replaying a long backlog waits on it, so a resume paces itself to the network instead of
   * tripping the slow-consumer limit meant for readers that stopped reading.
   */
  backpressure?(): Promise<void> | undefined;
}

/**
 * One reader of one session from an offset (SL4). Live events are offered by the hub at
 * any time; all work runs on one promise chain so replay and live hand over in order,
 * and anything at or below `lastSent` is dropped.
 */
export class Subscription {
  private chain: Promise<void> = Promise.resolve();
  private closed = false;
  /** Live events offered but not yet applied; one drain at a time is queued on the chain. */
  private pending: SessionEvent[] = [];
  private drainQueued = false;
  private overflowed = false;
  lastSent: number;

  constructor(
    private readonly log: SessionLog,
    readonly sessionId: string,
    afterSeq: number,
    private readonly sink: SubscriptionSink,
    private readonly onError: (err: unknown) => void = () => {},
    private readonly pageSize = REPLAY_PAGE_SIZE,
  ) {
    this.lastSent = afterSeq;
  }

  /** Backfills from the log, then signals ready. Call after registering for live events. */
  start(): Promise<void> {
    return this.enqueue(async () => {
      await this.catchUp();
      if (!this.closed) this.sink.ready(this.lastSent);
    });
  }

  offer(events: SessionEvent[]): void {
    if (this.closed) return;
    // Fast path: nothing new for this reader.
    const last = events.at(-1);
    if (!last || last.seq <= this.lastSent) return;
    if (!this.overflowed) {
      if (this.pending.length + events.length > MAX_PENDING_EVENTS) {
        this.overflowed = true;
        this.pending = [];
      } else {
        for (const e of events) this.pending.push(e);
      }
    }
    if (this.drainQueued) return;
    this.drainQueued = true;
    void this.enqueue(() => this.drain());
  }

  /** Applies everything offered so far, or re-reads the log if too much piled up. */
  private async drain(): Promise<void> {
    this.drainQueued = false;
    const events = this.pending;
    const overflowed = this.overflowed;
    this.pending = [];
    this.overflowed = false;
    if (overflowed) await this.catchUp();
    else await this.apply(events);
  }

  /** Events held for this reader right now (bounded by MAX_PENDING_EVENTS). */
  get pendingCount(): number {
    return this.pending.length;
  }

  /** Re-reads the log after a possibly missed notification (listener reconnect). */
  resync(): void {
    if (!this.closed) void this.enqueue(() => this.catchUp());
  }

  close(): void {
    this.closed = true;
    this.pending = [];
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private enqueue(work: () => Promise<void>): Promise<void> {
    this.chain = this.chain.then(work).catch((err) => {
      this.closed = true;
      this.sink.error?.(err);
      this.onError(err);
    });
    return this.chain;
  }

  private async apply(events: SessionEvent[]): Promise<void> {
    for (const e of events) {
      if (this.closed) return;
      if (e.seq <= this.lastSent) continue;
      if (e.seq > this.lastSent + 1) {
        // A gap: an earlier commit's notification is late or was lost. The log has it.
        await this.catchUp();
        continue;
      }
      this.send(e);
    }
  }

  /**
   * Replays from the log page by page. The next page is read while the current one is
   * being delivered, so a long resume waits on the database once, not once per page.
   */
  private async catchUp(): Promise<void> {
    if (this.closed) return;
    let next: Promise<SessionEvent[] | NotFound> | undefined = this.log.read(this.sessionId, this.lastSent, this.pageSize);
    while (next) {
      const page = await next;
      next = undefined;
      if (this.closed) return;
      if (!Array.isArray(page)) {
        this.closed = true;
        return;
      }
      const last = page[page.length - 1];
      // Pages are contiguous (SL1, SL3): the next one starts after this one's last seq.
      if (page.length === this.pageSize && last) {
        next = this.log.read(this.sessionId, last.seq, this.pageSize);
        next.catch(() => {}); // handled when awaited; a closed reader never awaits it
      }
      await this.deliver(page);
    }
  }

  private async deliver(page: SessionEvent[]): Promise<void> {
    const batch = this.sink.eventBatch?.bind(this.sink);
    let i = 0;
    while (i < page.length) {
      if (this.closed) return;
      const wait = this.sink.backpressure?.();
      if (wait) await wait;
      if (this.closed) return;
      if (!batch) {
        const e = page[i++]!;
        if (e.seq === this.lastSent + 1) this.send(e);
        continue;
      }
      // The consecutive run of events starting at lastSent + 1, up to one batch.
      const run: SessionEvent[] = [];
      for (; i < page.length && run.length < REPLAY_BATCH_EVENTS; i++) {
        const e = page[i]!;
        const expected = this.lastSent + 1 + run.length;
        if (e.seq < expected) continue;
        if (e.seq > expected) break;
        run.push(e);
      }
      if (run.length === 0) {
        i++;
        continue;
      }
      this.lastSent = run[run.length - 1]!.seq;
      if (!batch(run)) this.closed = true;
    }
  }

  private send(e: SessionEvent) {
    this.lastSent = e.seq;
    if (!this.sink.event(e)) this.closed = true;
  }
}
