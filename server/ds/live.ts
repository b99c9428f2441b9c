import { Listeners } from '../session/listeners.ts';
import type { DsChange } from './types.ts';
// Wake-ups for live readers (long-poll and SSE): "stream X moved", and then they read the
// store, exactly like the session hub (SL8). A change committed by this process may carry
// its entries (DsChange.committed), which a reader right below them uses instead of a read.

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
  private readonly watchers = new Map<string, Listeners<DsChange | undefined>>();

  /** Call for every change of `key`; `undefined` means "everything may have changed" (feed resync). */
  notify(key: string | undefined, change?: DsChange): void {
    if (key !== undefined) this.watchers.get(key)?.emit(change);
    else for (const w of [...this.watchers.values()]) w.emit(undefined);
  }

  watch(key: string, onChange: (change: DsChange | undefined) => void): () => void {
    let set = this.watchers.get(key);
    if (!set) this.watchers.set(key, (set = new Listeners<DsChange | undefined>()));
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
