import { compactDeltas } from '../../../server/session/compaction.ts';
// A scriptable test double of the browser WebSocket, and a tiny scripted session server that
// keeps an event log and replays it to sockets the way the real one is specified to (SL4).

import type { WebSocketLike } from '../../../web/src/session-client/environment.ts';

export class FakeWebSocket implements WebSocketLike {
  static instances: FakeWebSocket[] = [];
  static reset(): void {
    FakeWebSocket.instances = [];
  }
  static get last(): FakeWebSocket {
    const ws = FakeWebSocket.instances.at(-1);
    if (!ws) throw new Error('no socket was created');
    return ws;
  }

  readyState = 0;
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: { code: number; reason: string }) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  readonly sent: string[] = [];
  /** Frames the scripted server sent, as sent. */
  readonly received: unknown[] = [];
  closedByClient: { code: number | undefined; reason: string | undefined } | null = null;

  constructor(readonly url: string) {
    FakeWebSocket.instances.push(this);
  }

  /** The `after` query parameter the client resumed from. */
  get after(): number {
    return Number(new URL(this.url).searchParams.get('after'));
  }

  /** Client frames, parsed. */
  get frames(): Record<string, unknown>[] {
    return this.sent.map((s) => JSON.parse(s) as Record<string, unknown>);
  }

  framesOfType(type: string): Record<string, unknown>[] {
    return this.frames.filter((f) => f.type === type);
  }

  // -- the browser API --
  send(data: string): void {
    if (this.readyState !== 1) throw new Error('InvalidStateError: not open');
    this.sent.push(data);
  }

  close(code?: number, reason?: string): void {
    if (this.readyState >= 2) return;
    this.closedByClient = { code, reason };
    this.readyState = 3;
    const onclose = this.onclose;
    // A browser reports the close asynchronously.
    queueMicrotask(() => onclose?.({ code: 1005, reason: '' }));
  }

  // -- the server side of the script --
  serverOpen(): void {
    this.readyState = 1;
    this.onopen?.({});
  }

  serverSend(frame: unknown): void {
    if (this.readyState === 0) throw new Error('socket is not open yet');
    if (this.readyState !== 1) return; // closed: frames in flight are lost
    this.received.push(frame);
    this.onmessage?.({ data: typeof frame === 'string' ? frame : JSON.stringify(frame) });
  }

  serverClose(code = 1006, reason = ''): void {
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }
}

export interface LoggedEvent {
  seq: number;
  type: string;
  at: string;
  data: Record<string, unknown>;
}

/** An in-memory session log that answers FakeWebSockets like the real server. */
export class ScriptedServer {
  readonly log: LoggedEvent[] = [];
  private readonly seenClientIds = new Set<string>();

  append(type: string, data: Record<string, unknown>): LoggedEvent {
    const ev: LoggedEvent = { seq: this.log.length + 1, type, at: new Date(Date.UTC(2026, 10, 25, 12, 0, this.log.length)).toISOString(), data };
    this.log.push(ev);
    return ev;
  }

  /**
   * Opens the socket, replays events after `from` (default: the socket's `after`, lower to
   * simulate an overlapping replay), then sends ready.
   */
  accept(ws: FakeWebSocket, opts: { from?: number; ready?: boolean; batchSize?: number } = {}): void {
    ws.serverOpen();
    const from = opts.from ?? ws.after;
    const replay = this.log.filter((ev) => ev.seq > from);
    // Like the server: `replay=batch` gets `events` frames, `replay=compact` folded ones (SL18).
    const mode = new URL(ws.url).searchParams.get('replay') ?? 'event';
    if (mode !== 'event') {
      const size = opts.batchSize ?? 2;
      for (let i = 0; i < replay.length; i += size) {
        const batch = replay.slice(i, i + size);
        ws.serverSend({ type: 'events', events: mode === 'compact' ? compactDeltas(batch) : batch });
      }
    } else for (const ev of replay) ws.serverSend(ev);
    if (opts.ready !== false) ws.serverSend({ type: 'ready', lastSeq: this.log.length });
  }

  /** Appends and delivers live to `ws`. */
  push(ws: FakeWebSocket, type: string, data: Record<string, unknown>): LoggedEvent {
    const ev = this.append(type, data);
    ws.serverSend(ev);
    return ev;
  }

  /** SL5: appends user.message frames the socket sent, deduplicated by clientMessageId; delivers them live. */
  ingest(ws: FakeWebSocket, fromIndex = 0): LoggedEvent[] {
    const out: LoggedEvent[] = [];
    for (const f of ws.frames.slice(fromIndex)) {
      if (f.type !== 'user.message') continue;
      const id = f.clientMessageId as string;
      if (this.seenClientIds.has(id)) continue;
      this.seenClientIds.add(id);
      out.push(this.push(ws, 'user.message', { clientMessageId: id, text: f.text }));
    }
    return out;
  }

  userMessages(): LoggedEvent[] {
    return this.log.filter((e) => e.type === 'user.message');
  }
}

/** A Storage double (Map-backed) that can be shared across "page loads". */
export class MemoryStorage {
  readonly map = new Map<string, string>();
  getItem(key: string): string | null {
    return this.map.has(key) ? (this.map.get(key) as string) : null;
  }
  setItem(key: string, value: string): void {
    this.map.set(key, String(value));
  }
  removeItem(key: string): void {
    this.map.delete(key);
  }
}
