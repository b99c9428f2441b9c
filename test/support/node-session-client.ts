// The web app's SessionClient (web/src/session-client/) running in Node over the `ws` package,
// for tests that need a real reconnecting client: fault tests and the soak.
//
// The adapter plays the browser's part: it sends the login cookie, and it picks which server
// instance each new socket goes to (`route`), like a load balancer in front of several instances.
// It also records every event the client *applied* (each one moved transcript.lastSeq by one), so
// a test can compare a client's view with the log event for event, and it can drop the socket or
// stop reading from it to inject faults.

import type { Socket } from 'node:net';
import WebSocket from 'ws';
import type { WebSocketLike } from '../../web/src/session-client/environment.ts';
import { SessionClient, type SessionClientOptions } from '../../web/src/session-client/session-client.ts';

const WAIT_POLL_MS = 25;

/** An event as it came over the wire (the server's shape, not the client's parsed one). */
export interface WireEvent {
  seq: number;
  type: string;
  at: string;
  data: Record<string, unknown>;
}

export interface NodeSessionClientOptions {
  sessionId: string;
  /** `Cookie` header of a signed-in device. */
  cookie: string;
  /** The http(s) base URL of the instance the next socket (or HTTP cancel) should go to. */
  route: () => string;
  /** Anything else SessionClient takes: backoff, heartbeat, random, … */
  client?: Omit<SessionClientOptions, 'sessionId' | 'baseUrl' | 'WebSocketImpl' | 'fetch' | 'storage' | 'eventSource'>;
}

/** A SessionClient plus the hooks a fault test needs. */
export class NodeSessionClient {
  readonly client: SessionClient;
  /** Every event the client applied, in the order it applied them. */
  readonly applied: WireEvent[] = [];
  /** Close codes of the sockets this client lost, in order. */
  readonly closeCodes: number[] = [];
  /** clientMessageId → how many `user.message` frames carried it (more than one: the outbox resent it). */
  readonly messageFrames = new Map<string, number>();
  socketsOpened = 0;
  private resume: (() => void) | undefined;
  private current: NodeSocket | undefined;

  constructor(opts: NodeSessionClientOptions) {
    const NodeSocket = nodeSocketClass({
      route: opts.route,
      cookie: opts.cookie,
      lastSeq: () => this.client.getSnapshot().transcript.lastSeq,
      opened: (s) => {
        this.current = s;
        this.socketsOpened++;
      },
      applied: (e) => this.applied.push(e),
      sentMessage: (cmid) => this.messageFrames.set(cmid, (this.messageFrames.get(cmid) ?? 0) + 1),
      closed: (s, code) => {
        this.closeCodes.push(code);
        if (this.current === s) this.current = undefined;
      },
    });

    this.client = new SessionClient({
      ...opts.client,
      sessionId: opts.sessionId,
      baseUrl: opts.route(),
      WebSocketImpl: NodeSocket,
      storage: null,
      eventSource: null,
      isOnline: () => true,
      // The client's HTTP fallback (cancel while not live) goes through the same router, with the cookie.
      fetch: (url, init) => fetch(retarget(url, opts.route()), { ...init, headers: { ...(init?.headers as Record<string, string>), cookie: opts.cookie } }),
    });
  }

  connect(): this {
    this.client.connect();
    return this;
  }

  get lastSeq(): number {
    return this.client.getSnapshot().transcript.lastSeq;
  }

  get live(): boolean {
    return this.client.getSnapshot().connection.status === 'live';
  }

  /** Drops the connection abruptly, like a lost network; the client notices and resumes. */
  dropSocket(): boolean {
    const s = this.current;
    if (!s || s.ws.readyState !== WebSocket.OPEN) return false;
    s.ws.terminate();
    return true;
  }

  /**
   * Stops reading from the socket for `ms` (a frozen phone): the server's send buffer fills. The
   * server may close it as a slow consumer, or the client's heartbeat may give up on it; either
   * way it resumes.
   */
  pauseReading(ms: number): boolean {
    const s = this.current;
    const raw = s?.rawSocket;
    if (!s || !raw || s.ws.readyState !== WebSocket.OPEN) return false;
    this.resumeReading();
    raw.pause();
    const timer = setTimeout(() => this.resumeReading(), ms);
    timer.unref();
    this.resume = () => {
      clearTimeout(timer);
      raw.resume();
    };
    return true;
  }

  /** Ends a pauseReading() early. */
  resumeReading(): void {
    const r = this.resume;
    this.resume = undefined;
    r?.();
  }

  /** Resolves when `pred` holds (polled: `applied` grows after the client's own listeners ran). */
  waitFor(pred: (c: NodeSessionClient) => boolean, timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    return new Promise((resolve, reject) => {
      const tick = () => {
        if (pred(this)) return resolve();
        if (Date.now() > deadline) {
          const s = this.client.getSnapshot();
          return reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; connection ${JSON.stringify(s.connection)}, lastSeq ${s.transcript.lastSeq}, queued ${s.queued}`));
        }
        setTimeout(tick, WAIT_POLL_MS);
      };
      tick();
    });
  }

  dispose(): void {
    this.resumeReading();
    this.client.dispose();
  }
}

interface NodeSocket extends WebSocketLike {
  readonly ws: WebSocket;
  readonly rawSocket: Socket | undefined;
}

/** What a socket reports to its NodeSessionClient. */
interface SocketHost {
  route(): string;
  cookie: string;
  lastSeq(): number;
  opened(s: NodeSocket): void;
  applied(e: WireEvent): void;
  /** A `user.message` frame went out on a socket. */
  sentMessage(clientMessageId: string): void;
  closed(s: NodeSocket, code: number): void;
}

/** A browser-like WebSocket class over `ws`, constructed by the SessionClient with just a URL. */
function nodeSocketClass(host: SocketHost): new (url: string) => NodeSocket {
  return class implements NodeSocket {
    onopen: ((ev: unknown) => void) | null = null;
    onmessage: ((ev: { data: unknown }) => void) | null = null;
    onclose: ((ev: { code: number; reason: string }) => void) | null = null;
    onerror: ((ev: unknown) => void) | null = null;
    readonly ws: WebSocket;
    constructor(url: string) {
      this.ws = new WebSocket(retarget(url, host.route()), { headers: { cookie: host.cookie } });
      host.opened(this);
      this.ws.on('open', () => this.onopen?.({}));
      this.ws.on('message', (data: Buffer, isBinary: boolean) => {
        const text = isBinary ? data : data.toString();
        const before = host.lastSeq();
        this.onmessage?.({ data: text });
        // Applied (not a replay duplicate, not past a gap): the events that moved lastSeq, one
        // by one; a replay `events` frame (replay=batch) carries several.
        const after = host.lastSeq();
        if (typeof text === 'string' && after > before) {
          const frame = JSON.parse(text) as WireEvent | { type: 'events'; events: WireEvent[] };
          const events = 'events' in frame && frame.type === 'events' ? frame.events : [frame as WireEvent];
          for (const e of events) if (e.seq > before && e.seq <= after) host.applied(e);
        }
      });
      // ws emits 'error' as an EventEmitter event: it must always have a listener.
      this.ws.on('error', (err) => this.onerror?.(err));
      this.ws.on('close', (code: number, reason: Buffer) => {
        host.closed(this, code);
        this.onclose?.({ code, reason: reason.toString() });
      });
    }
    get readyState(): number {
      return this.ws.readyState;
    }
    send(data: string): void {
      this.ws.send(data);
      const frame = JSON.parse(data) as { type?: unknown; clientMessageId?: unknown };
      if (frame.type === 'user.message' && typeof frame.clientMessageId === 'string') host.sentMessage(frame.clientMessageId);
    }
    close(code?: number, reason?: string): void {
      this.ws.close(code, reason);
    }
    get rawSocket(): Socket | undefined {
      return (this.ws as unknown as { _socket?: Socket })._socket;
    }
  };
}

/** The same path and query on another instance. */
function retarget(url: string, base: string): string {
  const u = new URL(url);
  const b = new URL(base);
  u.host = b.host;
  if (u.protocol === 'ws:' || u.protocol === 'wss:') u.protocol = b.protocol === 'https:' ? 'wss:' : 'ws:';
  else u.protocol = b.protocol;
  return u.toString();
}
