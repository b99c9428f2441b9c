import { Listeners } from './listeners.ts';
import type { SessionLog } from './port.ts';
import { Subscription, REPLAY_PAGE_SIZE, type SubscriptionSink } from './subscription.ts';
import type { LogNotification } from './types.ts';

/**
 * Per-process fan-out (SL8): one log read per remote commit per session, shared by
 * every local subscriber of that session. Local commits arrive with their data and
 * cost no read at all.
 */
export class SessionHub {
  private readonly subs = new Map<string, Set<Subscription>>();
  /** Highest seq this process has handed to its subscribers, per session. */
  private readonly tails = new Map<string, number>();
  private readonly fetching = new Map<string, { again: boolean }>();
  /** "Session X may have moved" watchers (Durable Streams session readers); no data, they read the log. */
  private readonly watchers = new Map<string, Listeners<void>>();
  private readonly off: () => void;

  constructor(
    private readonly log: SessionLog,
    private readonly onError: (err: unknown) => void = () => {},
    /** Events per log read while replaying; smaller only in tests, to cross page boundaries cheaply. */
    private readonly replayPageSize = REPLAY_PAGE_SIZE,
  ) {
    this.off = log.onNotification((n) => this.onNotification(n));
  }

  /** SL4: register for live events first, then backfill from `afterSeq`. */
  subscribe(sessionId: string, afterSeq: number, sink: SubscriptionSink): Subscription {
    const sub = new Subscription(this.log, sessionId, afterSeq, sink, this.onError, this.replayPageSize);
    let set = this.subs.get(sessionId);
    if (!set) this.subs.set(sessionId, (set = new Set()));
    set.add(sub);
    void sub.start();
    return sub;
  }

  unsubscribe(sub: Subscription): void {
    sub.close();
    const set = this.subs.get(sub.sessionId);
    if (!set) return;
    set.delete(sub);
    if (set.size === 0) {
      this.subs.delete(sub.sessionId);
      this.tails.delete(sub.sessionId);
    }
  }

  subscriberCount(sessionId?: string): number {
    if (sessionId) return this.subs.get(sessionId)?.size ?? 0;
    let n = 0;
    for (const s of this.subs.values()) n += s.size;
    return n;
  }

  sessionCount(): number {
    return this.subs.size;
  }

  /**
   * Calls back whenever the session may have new events (a commit here or elsewhere, or a
   * feed resync). For readers that poll the log themselves, such as Durable Streams reads.
   */
  watch(sessionId: string, onChange: () => void): () => void {
    let set = this.watchers.get(sessionId);
    if (!set) this.watchers.set(sessionId, (set = new Listeners<void>()));
    const off = set.add(onChange);
    return () => {
      off();
      if (set.size === 0 && this.watchers.get(sessionId) === set) this.watchers.delete(sessionId);
    };
  }

  watcherCount(): number {
    return this.watchers.size;
  }

  private onNotification(n: LogNotification) {
    if (n.kind === 'resync') {
      for (const set of this.subs.values()) for (const sub of set) sub.resync();
      for (const w of [...this.watchers.values()]) w.emit();
      return;
    }
    if (n.kind !== 'events') return;
    this.watchers.get(n.sessionId)?.emit();
    const set = this.subs.get(n.sessionId);
    if (!set) return;
    const tail = this.tails.get(n.sessionId) ?? 0;
    if (n.events) {
      for (const sub of set) sub.offer(n.events);
      if (n.seq > tail) this.tails.set(n.sessionId, n.seq);
      return;
    }
    if (n.seq > tail) this.fetch(n.sessionId);
  }

  private fetch(sessionId: string) {
    const inflight = this.fetching.get(sessionId);
    if (inflight) {
      inflight.again = true;
      return;
    }
    const state = { again: false };
    this.fetching.set(sessionId, state);
    const run = async () => {
      do {
        state.again = false;
        const set = this.subs.get(sessionId);
        if (!set) break;
        let after = this.tails.get(sessionId) ?? Math.min(...[...set].map((s) => s.lastSent));
        for (;;) {
          const page = await this.log.read(sessionId, after, this.replayPageSize);
          const last = Array.isArray(page) ? page.at(-1) : undefined;
          if (!Array.isArray(page) || !last) break;
          for (const sub of this.subs.get(sessionId) ?? []) sub.offer(page);
          after = last.seq;
          if (after > (this.tails.get(sessionId) ?? 0) && this.subs.has(sessionId)) this.tails.set(sessionId, after);
          if (page.length < this.replayPageSize) break;
        }
      } while (state.again);
    };
    run()
      .catch(this.onError)
      .finally(() => this.fetching.delete(sessionId));
  }

  close(): void {
    this.off();
    this.watchers.clear();
    for (const set of this.subs.values()) for (const sub of set) sub.close();
    this.subs.clear();
    this.tails.clear();
  }
}
