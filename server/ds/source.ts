// What the read routes need from "a stream": the generic store streams and the read-only
// session streams both look like this, so catch-up, long-poll and SSE are written once.
import type { SessionHub } from '../session/hub.ts';
import type { SessionLog } from '../session/port.ts';
import { WatchHub } from './live.ts';
import type { DsStore } from './port.ts';
import type { DsChange, DsEntry, HeadOutcome, ReadOutcome } from './types.ts';

export interface PageRequest {
  afterSeq: number | 'tail';
  maxEntries: number;
  maxBytes: number;
  touch: boolean;
}

export interface DsSource {
  read(page: PageRequest): Promise<ReadOutcome>;
  head(): Promise<HeadOutcome>;
  /** Calls back whenever the stream with this id may have moved (with the change, when known). */
  watch(streamId: string, onChange: (change?: DsChange) => void): () => void;
}

/** Generic streams: one store listener per process feeding a hub keyed by stream id. */
export class StoreSources {
  private readonly hub = new WatchHub();
  private readonly off: Array<() => void>;

  constructor(private readonly store: DsStore) {
    this.off = [store.onChange((c) => this.hub.notify(c.streamId, c)), store.onResync(() => this.hub.notify(undefined))];
  }

  source(ownerId: string, path: string): DsSource {
    return {
      read: (page) => this.store.read({ ownerId, path, ...page }),
      head: () => this.store.head(ownerId, path),
      watch: (streamId, onChange) => this.hub.watch(streamId, onChange),
    };
  }

  close(): void {
    for (const o of this.off) o();
  }
}

const encoder = new TextEncoder();
export const SESSION_STREAM_PREFIX = 'sessions/';

/**
 * Session logs as read-only JSON streams: one message per event, offsets map to seq.
 * Woken by the session hub, the same fan-out the WebSocket readers use.
 */
export class SessionSources {
  constructor(
    private readonly log: Pick<SessionLog, 'read' | 'lastSeq'>,
    private readonly hub: Pick<SessionHub, 'watch'>,
  ) {}

  source(sessionId: string): DsSource {
    const info = (tailSeq: number) => ({
      id: `session-${sessionId}`,
      path: `${SESSION_STREAM_PREFIX}${sessionId}`,
      contentType: 'application/json',
      tailSeq,
      closed: false,
      ttlSeconds: null,
      expiresAt: null,
    });
    return {
      head: async () => {
        const last = await this.log.lastSeq(sessionId);
        return typeof last === 'number' ? { kind: 'ok', stream: info(last) } : { kind: 'not_found' };
      },
      read: async (page) => {
        // Tail first: every event up to it is committed, so the page can be cut at it.
        const last = await this.log.lastSeq(sessionId);
        if (typeof last !== 'number') return { kind: 'not_found' };
        if (page.afterSeq === 'tail') return { kind: 'ok', stream: info(last), entries: [] };
        const events = await this.log.read(sessionId, page.afterSeq, page.maxEntries);
        if (!Array.isArray(events)) return { kind: 'not_found' };
        const entries: DsEntry[] = [];
        let bytes = 0;
        for (const e of events) {
          if (e.seq > last || (entries.length > 0 && bytes >= page.maxBytes)) break;
          const data = encoder.encode(JSON.stringify(e));
          entries.push({ seq: e.seq, data, messages: 1 });
          bytes += data.length;
        }
        return { kind: 'ok', stream: info(last), entries };
      },
      watch: (_streamId, onChange) => this.hub.watch(sessionId, () => onChange()),
    };
  }
}
