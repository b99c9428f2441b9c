import { Listeners } from '../session/listeners.ts';
// Wake-ups for live readers (long-poll and SSE). Readers never receive data from here —
// only "stream X moved" — and then read the store, exactly like the session hub (SL8).

/** A latch a reader re-arms before each read; a change between arm and wait is never lost. */
export class ChangeSignal {
  private fired = false;
  private wake: (() => void) | undefined;

  fire(): void {
    this.fired = true;
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  /** Call right before reading the store. */
  arm(): void {
    this.fired = false;
  }

  /** Resolves true on a change since arm(), false after timeoutMs or on abort. */
  wait(timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    if (this.fired) return Promise.resolve(true);
    if (signal?.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const done = (v: boolean) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.wake = undefined;
        resolve(v);
      };
      const onAbort = () => done(false);
      const timer = setTimeout(() => done(false), timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.wake = () => done(true);
    });
  }
}

/** Per-process fan-out of change pointers to the readers of each stream (one store listener in total). */
export class WatchHub {
  private readonly watchers = new Map<string, Listeners<void>>();

  /** Call for every change of `key`; `undefined` means "everything may have changed" (feed resync). */
  notify(key: string | undefined): void {
    if (key !== undefined) this.watchers.get(key)?.emit();
    else for (const w of [...this.watchers.values()]) w.emit();
  }

  watch(key: string, onChange: () => void): () => void {
    let set = this.watchers.get(key);
    if (!set) this.watchers.set(key, (set = new Listeners<void>()));
    const off = set.add(onChange);
    return () => {
      off();
      if (set.size === 0 && this.watchers.get(key) === set) this.watchers.delete(key);
    };
  }

  get size(): number {
    return this.watchers.size;
  }
}
