import { eventFrame } from './frames.ts';
import type { SessionEvent } from './types.ts';

/**
 * Committed events of recently read or written sessions, kept in memory so that a client
 * reconnecting to a session replays it without reading every row from the database again
 * (SL20). Committed events never change (the log is append-only; a session is only ever
 * deleted whole), so a cached event is the stored one.
 *
 * Each session holds ONE gap-free run of seqs, `lo … hi`. It only ever grows at its ends by
 * events whose seq continues it exactly, so it can never hide an event: a read is answered
 * from the cache only from `after + 1` up to `hi`, and whatever follows `hi` — including
 * commits of other instances, which the cache never sees directly — is read from the log.
 */
export const DEFAULT_EVENT_CACHE_BYTES = 64 * 1024 * 1024;
/** One session may take at most this share of the cache; its oldest events go first. */
const SESSION_SHARE = 4;
/** Per event beyond its frame's characters: the event object, its strings' headers, the array slot. */
const EVENT_OVERHEAD_BYTES = 200;
/** Per session: the map entry and the run's object, so that many empty runs still count. */
const RUN_OVERHEAD_BYTES = 200;

interface Run {
  lo: number;
  events: SessionEvent[];
  bytes: number;
}

/**
 * Estimated memory of one cached event: its frame text, and as much again for the parsed
 * `data` a stored event keeps once something reads it (a compacted replay does).
 */
function sizeOf(e: SessionEvent): number {
  return 2 * eventFrame(e).length + EVENT_OVERHEAD_BYTES;
}

export class EventCache {
  /** Map order is recency: the first entry is the least recently used. */
  private readonly runs = new Map<string, Run>();
  private bytes = 0;
  private readonly maxSessionBytes: number;
  /** Bumped by every drop and clear, so a read that started before one cannot put its session back. */
  private generation = 0;

  constructor(private readonly maxBytes = DEFAULT_EVENT_CACHE_BYTES) {
    this.maxSessionBytes = Math.floor(maxBytes / SESSION_SHARE);
  }

  /** The cached events with seq > after, at most `limit`, in order: a run starting at after + 1, or empty. */
  get(sessionId: string, after: number, limit: number): SessionEvent[] {
    const run = this.runs.get(sessionId);
    if (!run || limit <= 0) return [];
    const start = after + 1 - run.lo;
    if (start < 0 || start >= run.events.length) return [];
    this.touch(sessionId, run);
    return run.events.slice(start, start + limit);
  }

  /** Pass to `add` with events read after this call: a drop or clear in between discards them. */
  get epoch(): number {
    return this.generation;
  }

  /**
   * Committed events read from the log: exactly those with seq > `after` it returned (SL3),
   * possibly none. They start or extend the session's run where they touch it; a range beyond
   * a hole replaces the run (newer events are what reconnecting clients ask for), an older
   * one beyond a hole is ignored. A read that found nothing still starts an empty run at
   * after + 1, so the commits that follow can extend it.
   */
  add(sessionId: string, after: number, events: readonly SessionEvent[], epoch: number): void {
    if (epoch !== this.generation) return;
    const run = this.runs.get(sessionId);
    const first = after + 1;
    if (!run || first > run.lo + run.events.length) {
      if (run) this.remove(sessionId, run);
      const fresh: Run = { lo: first, events: [], bytes: RUN_OVERHEAD_BYTES };
      this.extend(fresh, events);
      this.runs.set(sessionId, fresh);
      this.bytes += fresh.bytes;
    } else {
      const before = run.bytes;
      this.prepend(run, events);
      this.extend(run, events);
      this.bytes += run.bytes - before;
      this.touch(sessionId, run);
    }
    this.trim(sessionId);
  }

  /** A commit of this instance: extends a session already cached if it continues its run; never starts one. */
  committed(sessionId: string, event: SessionEvent): void {
    // No epoch needed: a drop or clear removed the run, and this never starts one.
    const run = this.runs.get(sessionId);
    if (!run || event.seq !== run.lo + run.events.length) return;
    const before = run.bytes;
    this.extend(run, [event]);
    this.bytes += run.bytes - before;
    this.trim(sessionId);
  }

  /** The session is gone (SL16), or its cached events are in doubt. */
  drop(sessionId: string): void {
    this.generation++;
    const run = this.runs.get(sessionId);
    if (run) this.remove(sessionId, run);
  }

  /** Notifications may have been missed (a lost listener connection): a deletion among them would leave stale runs. */
  clear(): void {
    this.generation++;
    this.runs.clear();
    this.bytes = 0;
  }

  get size(): { sessions: number; bytes: number } {
    return { sessions: this.runs.size, bytes: this.bytes };
  }

  /** Appends the events that continue the run exactly, in order; stops at the first that does not. */
  private extend(run: Run, events: readonly SessionEvent[]): void {
    for (const e of events) {
      const next = run.lo + run.events.length;
      if (e.seq < next) continue;
      if (e.seq > next) break;
      run.events.push(e);
      run.bytes += sizeOf(e);
    }
  }

  /** Puts the events just below the run in front of it, when they reach down from lo - 1 without a hole. */
  private prepend(run: Run, events: readonly SessionEvent[]): void {
    const below = events.filter((e) => e.seq < run.lo);
    if (below.length === 0 || below[below.length - 1]!.seq !== run.lo - 1) return;
    for (let i = 1; i < below.length; i++) if (below[i]!.seq !== below[i - 1]!.seq + 1) return;
    let bytes = 0;
    for (const e of below) bytes += sizeOf(e);
    // A run at its share would trim them off again at once (its oldest go first): a replay
    // from far behind a long session would copy the run for every page and keep nothing.
    if (run.bytes + bytes > this.maxSessionBytes) return;
    run.bytes += bytes;
    run.events = below.concat(run.events);
    run.lo = below[0]!.seq;
  }

  private trim(sessionId: string): void {
    const run = this.runs.get(sessionId);
    if (run && run.bytes > this.maxSessionBytes) {
      // Oldest events go first, down to three quarters of the share, so a live session at
      // its limit does not shift its array on every commit. The run stays gap-free.
      let drop = 0;
      let freed = 0;
      while (drop < run.events.length && run.bytes - freed > (this.maxSessionBytes * 3) / 4) freed += sizeOf(run.events[drop++]!);
      run.events = run.events.slice(drop);
      run.lo += drop;
      run.bytes -= freed;
      this.bytes -= freed;
    }
    for (const [id, oldest] of this.runs) {
      if (this.bytes <= this.maxBytes) break;
      this.remove(id, oldest);
    }
  }

  private touch(sessionId: string, run: Run): void {
    this.runs.delete(sessionId);
    this.runs.set(sessionId, run);
  }

  private remove(sessionId: string, run: Run): void {
    this.runs.delete(sessionId);
    this.bytes -= run.bytes;
  }
}
