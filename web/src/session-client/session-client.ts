// A durable-session client: one WebSocket to /api/sessions/:id/ws, resumed from the last applied
// seq after every disconnect, so each event (and so each token) is seen exactly once.
//
// - Events are applied to a pure Transcript; replay overlap is dropped by seq, a gap forces a resync.
// - User messages go through a persisted Outbox and are (re)sent after each "ready" until the log
//   has them; their clientMessageId never changes, so the server deduplicates retries (SL5).
// - Reconnects use capped exponential backoff with full jitter; 4401/4404 stop retrying.
// - A heartbeat detects half-open connections; window online/offline events pause and resume.

import { Backoff, backoffDelayMs, type BackoffOptions } from './backoff.ts';
import {
  defaultEventSource,
  defaultIsOnline,
  defaultStorage,
  defaultWebSocket,
  toWebSocketBase,
  WS_OPEN,
  type ClearTimeoutFn,
  type EventSourceLike,
  type FetchFn,
  type SetTimeoutFn,
  type TimerHandle,
  type WebSocketCtor,
  type WebSocketLike,
} from './environment.ts';
import { Heartbeat } from './heartbeat.ts';
import { Outbox, type StorageLike } from './outbox.ts';
import {
  CLOSE_CLIENT_RESYNC,
  CLOSE_NORMAL,
  encodeClientFrame,
  parseServerFrame,
  TERMINAL_CLOSE_CODES,
  type ClientFrame,
  type TurnRequestMode,
  type SessionEvent,
} from './protocol.ts';
import {
  addPending,
  applyEvent,
  createTranscript,
  type Transcript,
  type TranscriptMessage,
} from './transcript.ts';

/** Consecutive failed connects after which the client reports "offline" (it keeps retrying). */
export const MAX_FAILURES_BEFORE_OFFLINE = 5;
/** A socket that has not opened by then is abandoned and retried. */
export const CONNECT_TIMEOUT_MS = 10_000;
/**
 * An `internal` error frame means the server could not store a command (its database was down,
 * say) while the socket stayed open. The frame does not say which message failed, and without a
 * reconnect nothing would send the outbox again, so it is resent after a backoff from this base
 * (retries are safe: the clientMessageId deduplicates them, SL5).
 */
export const RESEND_AFTER_ERROR_BASE_MS = 1_000;
export const RESEND_AFTER_ERROR_MAX_MS = 15_000;

export type ConnectionState =
  /** Constructed, connect() not called yet. */
  | { status: 'idle' }
  /** First connection attempt. */
  | { status: 'connecting' }
  /** Replay done ("ready" received); sends go straight out. */
  | { status: 'live' }
  /** Lost the connection; `attempt` consecutive failures; `retryAt` (epoch ms) while waiting, null while a socket opens. */
  | { status: 'reconnecting'; attempt: number; retryAt: number | null }
  /**
   * The browser says offline (waits for "online"), or more than MAX_FAILURES_BEFORE_OFFLINE connects
   * failed in a row (still retrying; `retryAt` as for reconnecting).
   */
  | { status: 'offline'; reason: 'network'; attempt: number }
  | { status: 'offline'; reason: 'unreachable'; attempt: number; retryAt: number | null }
  /** dispose() was called. */
  | { status: 'closed' }
  /** The server closed with 4401/4404: not retried. */
  | { status: 'denied'; code: number; reason: string };

export interface SessionSnapshot {
  readonly connection: ConnectionState;
  readonly transcript: Transcript;
  /** User messages not yet seen in the log. */
  readonly queued: number;
  /** The last ephemeral error frame. */
  readonly lastError: { code: string; message: string } | null;
  /** The last presence frame, raw (shape not fixed yet). */
  readonly presence: Record<string, unknown> | null;
  /** lastSeq from the last "ready". */
  readonly serverLastSeq: number | null;
}

export interface SessionClientOptions {
  sessionId: string;
  /** http(s) origin of the API; default: this page's origin. */
  baseUrl?: string;
  WebSocketImpl?: WebSocketCtor;
  /** Outbox persistence; default localStorage; null keeps it in memory. */
  storage?: StorageLike | null;
  random?: () => number;
  now?: () => number;
  uuid?: () => string;
  setTimeout?: SetTimeoutFn;
  clearTimeout?: ClearTimeoutFn;
  /** Source of online/offline events; default window; null: none. */
  eventSource?: EventSourceLike | null;
  isOnline?: () => boolean;
  /** Used for cancel while not live. */
  fetch?: FetchFn;
  heartbeatIntervalMs?: number;
  pongTimeoutMs?: number;
  connectTimeoutMs?: number;
  backoff?: Omit<BackoffOptions, 'random'>;
  maxFailuresBeforeOffline?: number;
  /**
   * How the server frames the replay (docs/protocol.md): `batch` (default) sends `events`
   * frames of every event; `compact` also folds each run of consecutive deltas of one
   * message into one event (SPEC SL18), so opening a long session costs O(messages).
   */
  replay?: 'batch' | 'compact';
}

export type CancelRoute = 'ws' | 'http' | 'unavailable';

type Listener = () => void;

export class SessionClient {
  readonly sessionId: string;
  private readonly replayMode: 'batch' | 'compact';
  private readonly httpBase: string;
  private readonly wsBase: string;
  private readonly WS: WebSocketCtor | undefined;
  private readonly setTimer: SetTimeoutFn;
  private readonly clearTimer: ClearTimeoutFn;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly fetchImpl: FetchFn | undefined;
  private readonly eventSource: EventSourceLike | null;
  private readonly connectTimeoutMs: number;
  private readonly maxFailures: number;
  private readonly backoffOpts: BackoffOptions;
  private readonly backoff: Backoff;
  private readonly outbox: Outbox;
  private readonly heartbeat: Heartbeat;
  private readonly uuid: () => string;

  private snapshot: SessionSnapshot;
  private readonly listeners = new Set<Listener>();
  private readonly messageListeners = new Map<string, Set<Listener>>();

  private ws: WebSocketLike | null = null;
  private reconnectTimer: TimerHandle | null = null;
  private connectTimer: TimerHandle | null = null;
  private resendTimer: TimerHandle | null = null;
  /** `internal` errors in a row with messages still queued; 0 once a queued message is confirmed. */
  private resendStreak = 0;
  private started = false;
  private disposed = false;
  private networkOnline: boolean;
  /** Resyncs in a row forced by a gap at the same lastSeq; 0 once the log moves past it. */
  private gapStreak = 0;
  private gapAtSeq = -1;

  constructor(opts: SessionClientOptions) {
    this.sessionId = opts.sessionId;
    this.replayMode = opts.replay ?? 'batch';
    this.httpBase = (opts.baseUrl ?? '').replace(/\/+$/, '');
    this.wsBase = toWebSocketBase(this.httpBase);
    this.WS = opts.WebSocketImpl ?? defaultWebSocket();
    this.setTimer = opts.setTimeout ?? ((fn, ms) => globalThis.setTimeout(fn, ms));
    this.clearTimer = opts.clearTimeout ?? ((h) => globalThis.clearTimeout(h as ReturnType<typeof setTimeout>));
    this.now = opts.now ?? Date.now;
    this.random = opts.random ?? Math.random;
    this.fetchImpl = opts.fetch ?? (typeof fetch === 'undefined' ? undefined : (u, i) => fetch(u, i));
    this.eventSource = opts.eventSource === undefined ? defaultEventSource() : opts.eventSource;
    this.connectTimeoutMs = opts.connectTimeoutMs ?? CONNECT_TIMEOUT_MS;
    this.maxFailures = opts.maxFailuresBeforeOffline ?? MAX_FAILURES_BEFORE_OFFLINE;
    this.backoffOpts = { ...opts.backoff, random: this.random };
    this.backoff = new Backoff(this.backoffOpts);
    this.networkOnline = (opts.isOnline ?? defaultIsOnline)();
    this.uuid = opts.uuid ?? (() => crypto.randomUUID());
    this.outbox = new Outbox({
      sessionId: opts.sessionId,
      storage: opts.storage === undefined ? defaultStorage() : opts.storage,
      uuid: opts.uuid,
      now: this.now,
    });
    this.heartbeat = new Heartbeat({
      intervalMs: opts.heartbeatIntervalMs,
      pongTimeoutMs: opts.pongTimeoutMs,
      setTimeout: this.setTimer,
      clearTimeout: this.clearTimer,
      sendPing: () => this.sendFrame({ type: 'ping' }),
      onDead: () => this.abandonSocket('heartbeat timeout'),
    });

    let transcript = createTranscript();
    for (const e of this.outbox.list()) transcript = addPending(transcript, e.clientMessageId, e.text);
    this.snapshot = {
      connection: { status: 'idle' },
      transcript,
      queued: this.outbox.size,
      lastError: null,
      presence: null,
      serverLastSeq: null,
    };
    this.eventSource?.addEventListener('online', this.onOnline);
    this.eventSource?.addEventListener('offline', this.onOffline);
  }

  // ---- public API -------------------------------------------------------------------------

  getSnapshot = (): SessionSnapshot => this.snapshot;

  /** For useSyncExternalStore: called after every change of the snapshot. */
  subscribe = (listener: Listener): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getMessage(id: string): TranscriptMessage | undefined {
    return this.snapshot.transcript.byId.get(id);
  }

  /** Called only when the message with this id changes (e.g. a delta extends its text). */
  subscribeMessage(id: string, listener: Listener): () => void {
    let set = this.messageListeners.get(id);
    if (!set) this.messageListeners.set(id, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.messageListeners.get(id) === set) this.messageListeners.delete(id);
    };
  }

  /** Opens the connection (idempotent). Resumes from the last applied seq. */
  connect(): void {
    if (this.disposed || this.isDenied()) return;
    this.started = true;
    if (this.ws || this.reconnectTimer !== null) return;
    if (!this.networkOnline) {
      this.setConnection({ status: 'offline', reason: 'network', attempt: this.backoff.attempt });
      return;
    }
    this.open();
  }

  /** Skips the wait of a pending retry (a "Retry now" button). */
  reconnectNow(): void {
    if (this.disposed || this.isDenied() || this.ws) return;
    this.clearReconnectTimer();
    this.started = true;
    this.open();
  }

  /**
   * Queues a user message and sends it if live; otherwise it goes out after the next "ready".
   * Returns its clientMessageId, or null if the text is blank or the client cannot send.
   */
  send(text: string): string | null {
    if (this.disposed || this.isDenied() || text.trim() === '') return null;
    const entry = this.outbox.enqueue(text);
    this.update({
      transcript: addPending(this.snapshot.transcript, entry.clientMessageId, entry.text),
      queued: this.outbox.size,
    });
    if (this.snapshot.connection.status === 'live') {
      this.sendFrame({ type: 'user.message', clientMessageId: entry.clientMessageId, text: entry.text });
    }
    return entry.clientMessageId;
  }

  /**
   * SL15: asks the coach to retry or continue an answer (by its transcript id), or to open an
   * empty conversation. Adds no user message. Only while live (a request is not queued: by
   * the time the connection is back the conversation may have moved on). Returns the
   * requestId sent, or null.
   */
  requestTurn(mode: TurnRequestMode, messageId?: string): string | null {
    if (this.disposed || this.snapshot.connection.status !== 'live') return null;
    const t = this.snapshot.transcript;
    let target: string | undefined;
    if (mode !== 'open') {
      const m = messageId === undefined ? undefined : t.byId.get(messageId);
      if (!m || m.kind !== 'assistant' || m.status === 'streaming') return null;
      target = m.serverId;
    }
    const requestId = this.uuid();
    const frame: ClientFrame = target === undefined ? { type: 'turn.request', requestId, mode } : { type: 'turn.request', requestId, mode, messageId: target };
    return this.sendFrame(frame) ? requestId : null;
  }

  /** Asks the server to stop the active run: over the socket when live, else over HTTP. */
  cancel(): CancelRoute {
    if (this.disposed || this.isDenied()) return 'unavailable';
    if (this.snapshot.connection.status === 'live' && this.sendFrame({ type: 'cancel' })) return 'ws';
    if (!this.fetchImpl) return 'unavailable';
    const url = `${this.httpBase}/api/sessions/${encodeURIComponent(this.sessionId)}/cancel`;
    this.fetchImpl(url, { method: 'POST', credentials: 'same-origin' }).catch(() => {
      // Offline: nothing to stop that the server will not end by itself; the UI still shows the stream.
    });
    return 'http';
  }

  /** Closes the socket, stops all timers and listeners. The snapshot stays readable. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.clearReconnectTimer();
    this.clearConnectTimer();
    if (this.resendTimer !== null) this.clearTimer(this.resendTimer);
    this.resendTimer = null;
    this.heartbeat.stop();
    const ws = this.ws;
    this.ws = null;
    if (ws) closeQuietly(ws, CLOSE_NORMAL, 'client disposed');
    this.eventSource?.removeEventListener('online', this.onOnline);
    this.eventSource?.removeEventListener('offline', this.onOffline);
    this.setConnection({ status: 'closed' });
  }

  // ---- connection lifecycle ---------------------------------------------------------------

  private open(): void {
    this.clearReconnectTimer();
    const attempt = this.backoff.attempt;
    if (attempt === 0) {
      if (this.snapshot.connection.status !== 'reconnecting') this.setConnection({ status: 'connecting' });
    } else if (attempt <= this.maxFailures) {
      this.setConnection({ status: 'reconnecting', attempt, retryAt: null });
    } else {
      this.setConnection({ status: 'offline', reason: 'unreachable', attempt, retryAt: null });
    }
    const url =
      `${this.wsBase}/api/sessions/${encodeURIComponent(this.sessionId)}/ws` +
      `?after=${this.snapshot.transcript.lastSeq}&replay=${this.replayMode}`;
    let ws: WebSocketLike;
    try {
      if (!this.WS) throw new Error('no WebSocket implementation');
      ws = new this.WS(url);
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.ws = ws;
    this.connectTimer = this.setTimer(() => {
      this.connectTimer = null;
      if (this.ws === ws && ws.readyState !== WS_OPEN) this.abandonSocket('connect timeout');
    }, this.connectTimeoutMs);
    ws.onopen = () => {
      if (this.ws !== ws) return;
      this.clearConnectTimer();
      this.heartbeat.start();
    };
    ws.onmessage = (ev) => {
      if (this.ws !== ws) return;
      this.onFrame(ev.data);
    };
    ws.onerror = () => {
      // A close event always follows; it decides.
    };
    ws.onclose = (ev) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.clearConnectTimer();
      this.heartbeat.stop();
      if (this.disposed) return;
      if (TERMINAL_CLOSE_CODES.includes(ev.code)) {
        this.clearReconnectTimer();
        this.setConnection({ status: 'denied', code: ev.code, reason: ev.reason });
        return;
      }
      // 4008 (slow consumer) and everything else: resume from lastSeq after a backoff.
      this.scheduleReconnect();
    };
  }

  /** Gives up on the current socket (dead, stuck, or out of sync) and reconnects. */
  private abandonSocket(reason: string, delayMs?: number): void {
    const ws = this.ws;
    this.ws = null;
    this.clearConnectTimer();
    this.heartbeat.stop();
    if (ws) closeQuietly(ws, CLOSE_CLIENT_RESYNC, reason);
    this.scheduleReconnect(delayMs);
  }

  private scheduleReconnect(delayMs?: number): void {
    if (this.disposed || this.isDenied()) return;
    this.clearReconnectTimer();
    if (!this.networkOnline) {
      this.setConnection({ status: 'offline', reason: 'network', attempt: this.backoff.attempt });
      return;
    }
    const backoffDelay = this.backoff.next();
    const delay = delayMs ?? backoffDelay;
    const attempt = this.backoff.attempt;
    this.setConnection(
      attempt > this.maxFailures
        ? { status: 'offline', reason: 'unreachable', attempt, retryAt: this.now() + delay }
        : { status: 'reconnecting', attempt, retryAt: this.now() + delay },
    );
    this.reconnectTimer = this.setTimer(() => {
      this.reconnectTimer = null;
      this.open();
    }, delay);
  }

  private onOnline = (): void => {
    this.networkOnline = true;
    if (!this.started || this.disposed || this.isDenied() || this.ws) return;
    this.backoff.reset();
    this.clearReconnectTimer();
    this.open();
  };

  private onOffline = (): void => {
    this.networkOnline = false;
    if (!this.started || this.disposed || this.isDenied()) return;
    this.clearReconnectTimer();
    this.clearConnectTimer();
    this.heartbeat.stop();
    const ws = this.ws;
    this.ws = null;
    if (ws) closeQuietly(ws, CLOSE_NORMAL, 'browser offline');
    this.setConnection({ status: 'offline', reason: 'network', attempt: this.backoff.attempt });
  };

  // ---- frames -----------------------------------------------------------------------------

  private onFrame(raw: unknown): void {
    const frame = parseServerFrame(raw);
    switch (frame.kind) {
      case 'event':
        this.onEvent(frame.event);
        return;
      case 'events':
        for (const event of frame.events) {
          // A gap inside the batch starts a resync (a new socket); the rest is stale.
          if (!this.onEvent(event)) return;
        }
        return;
      case 'ready':
        this.onReady(frame.lastSeq);
        return;
      case 'pong':
        this.heartbeat.pong();
        return;
      case 'error':
        this.update({ lastError: { code: frame.code, message: frame.message } });
        if (frame.code === 'internal') this.scheduleResend();
        return;
      case 'presence':
        this.update({ presence: frame.raw });
        return;
      case 'ignored':
      case 'invalid':
        return;
    }
  }

  /** Applies one event; false when it revealed a gap (a resync has started). */
  private onEvent(ev: SessionEvent): boolean {
    const before = this.snapshot.transcript;
    const { transcript, outcome } = applyEvent(before, ev);
    if (outcome === 'duplicate') return true;
    if (outcome === 'gap') {
      this.update({ transcript });
      this.resyncAfterGap();
      return false;
    }
    if (transcript.lastSeq > this.gapAtSeq) this.gapStreak = 0;
    let queued = this.snapshot.queued;
    if (ev.type === 'user.message' && this.outbox.remove(ev.data.clientMessageId)) {
      queued = this.outbox.size;
      this.resendStreak = 0;
    }
    this.update({ transcript, queued });
    return true;
  }

  private onReady(serverLastSeq: number): void {
    const t = this.snapshot.transcript;
    this.update({ serverLastSeq });
    if (serverLastSeq > t.lastSeq) {
      // The replay stopped short of what the server says it has: never paper over it.
      this.update({ transcript: { ...t, gap: { afterSeq: t.lastSeq, receivedSeq: serverLastSeq } } });
      this.resyncAfterGap();
      return;
    }
    // Everything the server has is applied: any earlier gap is resolved.
    if (t.gap !== null) this.update({ transcript: { ...t, gap: null } });
    this.gapStreak = 0;
    this.backoff.reset();
    this.setConnection({ status: 'live' });
    this.flushOutbox();
  }

  /** A gap means events are missing: reconnect from lastSeq. Repeats at the same seq back off. */
  private resyncAfterGap(): void {
    const lastSeq = this.snapshot.transcript.lastSeq;
    this.gapStreak = this.gapAtSeq === lastSeq ? this.gapStreak + 1 : 1;
    this.gapAtSeq = lastSeq;
    if (this.gapStreak === 1) {
      this.abandonSocket('gap', 0);
    } else {
      this.abandonSocket('gap', backoffDelayMs(this.gapStreak - 1, this.backoffOpts));
    }
  }

  /** Resends the outbox on this socket after a backoff (see RESEND_AFTER_ERROR_BASE_MS). */
  private scheduleResend(): void {
    if (this.resendTimer !== null || this.outbox.size === 0) return;
    this.resendStreak += 1;
    const delay = backoffDelayMs(this.resendStreak, {
      baseMs: RESEND_AFTER_ERROR_BASE_MS,
      maxMs: RESEND_AFTER_ERROR_MAX_MS,
      random: this.random,
    });
    this.resendTimer = this.setTimer(() => {
      this.resendTimer = null;
      // Not live: the next "ready" flushes the outbox anyway.
      if (this.snapshot.connection.status === 'live') this.flushOutbox();
    }, delay);
  }

  private flushOutbox(): void {
    let transcript = this.snapshot.transcript;
    for (const e of this.outbox.reload()) {
      const known = transcript.byId.get(`user:${e.clientMessageId}`);
      if (known && known.kind === 'user' && known.status === 'confirmed') {
        this.outbox.remove(e.clientMessageId); // another tab's entry the log already has
        continue;
      }
      transcript = addPending(transcript, e.clientMessageId, e.text);
    }
    this.update({ transcript, queued: this.outbox.size });
    for (const e of this.outbox.list()) {
      if (!this.sendFrame({ type: 'user.message', clientMessageId: e.clientMessageId, text: e.text })) break;
    }
  }

  private sendFrame(frame: ClientFrame): boolean {
    const ws = this.ws;
    if (!ws || ws.readyState !== WS_OPEN) return false;
    try {
      ws.send(encodeClientFrame(frame));
      return true;
    } catch {
      return false;
    }
  }

  // ---- state ------------------------------------------------------------------------------

  private isDenied(): boolean {
    return this.snapshot.connection.status === 'denied';
  }

  private setConnection(connection: ConnectionState): void {
    if (sameConnection(this.snapshot.connection, connection)) return;
    this.update({ connection });
  }

  private update(patch: Partial<SessionSnapshot>): void {
    const prev = this.snapshot;
    let changed = false;
    for (const k of Object.keys(patch) as (keyof SessionSnapshot)[]) {
      if (patch[k] !== prev[k]) changed = true;
    }
    if (!changed) return;
    const next: SessionSnapshot = { ...prev, ...patch };
    this.snapshot = next;
    if (next.transcript !== prev.transcript && this.messageListeners.size > 0) {
      for (const [id, set] of this.messageListeners) {
        if (prev.transcript.byId.get(id) !== next.transcript.byId.get(id)) for (const l of [...set]) l();
      }
    }
    for (const l of [...this.listeners]) l();
  }

  private clearReconnectTimer(): void {
    if (this.reconnectTimer !== null) this.clearTimer(this.reconnectTimer);
    this.reconnectTimer = null;
  }

  private clearConnectTimer(): void {
    if (this.connectTimer !== null) this.clearTimer(this.connectTimer);
    this.connectTimer = null;
  }
}

function sameConnection(a: ConnectionState, b: ConnectionState): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function closeQuietly(ws: WebSocketLike, code: number, reason: string): void {
  ws.onopen = null;
  ws.onmessage = null;
  ws.onerror = null;
  ws.onclose = null;
  try {
    ws.close(code, reason);
  } catch {
    // already closing
  }
}
