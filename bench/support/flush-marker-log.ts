import type { DeltaInput, EndHow, SessionStore } from '../../server/session/run-store.ts';
import type { ReportedEndStatus } from '../../server/session/types.ts';
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
  // An end given its run's text (EndHow) gets the marked text the log holds, so SL6 holds here too.
  const marked = new Map<string, string[]>();
  return new Proxy(inner, {
    get(target, prop, receiver) {
      if (typeof prop === 'string' && WRITES.has(prop)) writeCounter.count++;
      if (prop === 'appendDeltas') {
        return async (batch: DeltaInput[]) => {
          const mark = `|f:${nowMs().toFixed(3)}|`;
          const sent = batch.map((d) => ({ ...d, text: `${d.text}${mark}` }));
          const outcomes = await target.appendDeltas(sent);
          outcomes.forEach((o, i) => {
            const d = sent[i]!;
            if (o.kind !== 'appended') return;
            const texts = marked.get(d.runId);
            if (texts) texts.push(d.text);
            else marked.set(d.runId, [d.text]);
          });
          return outcomes;
        };
      }
      if (prop === 'endRun') {
        return (runId: string, status: ReportedEndStatus, reason?: string, how?: EndHow) => {
          const text = (marked.get(runId) ?? []).join('');
          marked.delete(runId);
          return target.endRun(runId, status, reason, how && 'text' in how ? { text } : how);
        };
      }
      const v = Reflect.get(target, prop, receiver);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}
