import type { DeltaInput, SessionStore } from '../../server/session/run-store.ts';
import { nowMs } from './stats.ts';

export const FLUSH_RE = /\|f:([\d.]+)\|/;

/**
 * Wraps a session log so every assistant.delta carries the moment the batch left the
 * delta flusher (`|f:<ms>|`). Subscribers subtract it from their receipt time to get the
 * pipeline latency (append + commit + notify + fan-out + socket), without the SL7 batching wait.
 */
/** Log methods that write (each is one SQL statement, one transaction, on the SQL log). */
const WRITES = new Set(['appendUserMessage', 'append', 'claimRun', 'appendDeltas', 'requestCancel', 'endRun', 'renewLeases']);

/** Writes issued through wrapped logs since start; the throughput scenario reads deltas of it. */
export const writeCounter = { count: 0 };

export function withFlushMarkers(inner: SessionStore): SessionStore {
  return new Proxy(inner, {
    get(target, prop, receiver) {
      if (typeof prop === 'string' && WRITES.has(prop)) writeCounter.count++;
      if (prop === 'appendDeltas') {
        return (batch: DeltaInput[]) => {
          const mark = `|f:${nowMs().toFixed(3)}|`;
          return target.appendDeltas(batch.map((d) => ({ ...d, text: `${d.text}${mark}` })));
        };
      }
      const v = Reflect.get(target, prop, receiver);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}
