import type { SessionLog } from './port.ts';
import type { SessionEvent } from './types.ts';

/** Events per read while replaying; large enough to resume 10k events in a few round trips. */
export const REPLAY_PAGE_SIZE = 1_000;

export interface SubscriptionSink {
  /** Delivers one event. Returning false means the sink is gone; the subscription stops. */
  event(e: SessionEvent): boolean;
  /** Replay is done: everything up to lastSeq was delivered (the `ready` frame). */
  ready(lastSeq: number): void;
  /** Reading the log failed; the subscription is closed. */
  error?(err: unknown): void;
}

/**
 * One reader of one session from an offset (SL4). Live events are offered by the hub at
 * any time; all work runs on one promise chain so replay and live hand over in order,
 * and anything at or below `lastSent` is dropped.
 */
export class Subscription {
  private chain: Promise<void> = Promise.resolve();
  private closed = false;
  lastSent: number;

  constructor(
    private readonly log: SessionLog,
    readonly sessionId: string,
    afterSeq: number,
    private readonly sink: SubscriptionSink,
    private readonly onError: (err: unknown) => void = () => {},
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
    if (events.length === 0 || events[events.length - 1].seq <= this.lastSent) return;
    void this.enqueue(() => this.apply(events));
  }

  /** Re-reads the log after a possibly missed notification (listener reconnect). */
  resync(): void {
    if (!this.closed) void this.enqueue(() => this.catchUp());
  }

  close(): void {
    this.closed = true;
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

  private async catchUp(): Promise<void> {
    for (;;) {
      if (this.closed) return;
      const page = await this.log.read(this.sessionId, this.lastSent, REPLAY_PAGE_SIZE);
      if (!Array.isArray(page)) {
        this.closed = true;
        return;
      }
      for (const e of page) {
        if (this.closed) return;
        if (e.seq === this.lastSent + 1) this.send(e);
      }
      if (page.length < REPLAY_PAGE_SIZE) return;
    }
  }

  private send(e: SessionEvent) {
    this.lastSent = e.seq;
    if (!this.sink.event(e)) this.closed = true;
  }
}
