// The slice of the browser the session client touches, as injectable interfaces.

/** The part of the browser WebSocket API the client uses. */
export interface WebSocketLike {
  readonly readyState: number;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export type WebSocketCtor = new (url: string) => WebSocketLike;

/** WebSocket.OPEN; the constant is not on every implementation's instances. */
export const WS_OPEN = 1;

export type TimerHandle = unknown;
export type SetTimeoutFn = (fn: () => void, ms: number) => TimerHandle;
export type ClearTimeoutFn = (handle: TimerHandle) => void;

/** Where `online` / `offline` events come from (the window in a browser). */
export interface EventSourceLike {
  addEventListener(type: string, listener: () => void): void;
  removeEventListener(type: string, listener: () => void): void;
}

export type FetchFn = (url: string, init?: RequestInit) => Promise<Response>;

export function defaultWebSocket(): WebSocketCtor | undefined {
  return typeof WebSocket === 'undefined' ? undefined : (WebSocket as unknown as WebSocketCtor);
}

export function defaultStorage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null; // access can throw in sandboxed frames
  }
}

export function defaultEventSource(): EventSourceLike | null {
  return typeof window === 'undefined' ? null : window;
}

export function defaultIsOnline(): boolean {
  return typeof navigator === 'undefined' || navigator.onLine !== false;
}

/** http(s)://host → ws(s)://host; '' or undefined → this page's origin. */
export function toWebSocketBase(httpBase: string): string {
  if (/^https?:\/\//i.test(httpBase)) return httpBase.replace(/^http/i, 'ws').replace(/\/+$/, '');
  if (typeof location !== 'undefined') {
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    return `${scheme}://${location.host}${httpBase.replace(/\/+$/, '')}`;
  }
  return httpBase.replace(/\/+$/, '');
}
