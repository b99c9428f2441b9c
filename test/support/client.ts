import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import type { SessionEvent } from '../../server/session/types.ts';

export interface Account {
  cookie: string;
  userId: string;
  email: string;
}

export async function signup(baseUrl: string, email = `user-${randomBytes(4).toString('hex')}@example.test`): Promise<Account> {
  const res = await fetch(`${baseUrl}/api/auth/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: 'correct horse battery' }),
  });
  if (res.status !== 201) throw new Error(`signup failed: ${res.status} ${await res.text()}`);
  const cookie = res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const body = (await res.json()) as { user: { id: string } };
  return { cookie, userId: body.user.id, email };
}

export async function api<T = any>(baseUrl: string, account: Account | null, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const headers: Record<string, string> = {};
  if (account) headers.cookie = account.cookie;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${baseUrl}${path}`, { method, headers, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await res.text();
  let parsed: any = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON
  }
  return { status: res.status, body: parsed };
}

export async function createSession(baseUrl: string, account: Account, title = 'Week plan'): Promise<string> {
  const r = await api<{ id: string }>(baseUrl, account, 'POST', '/api/sessions', { title });
  if (r.status !== 201) throw new Error(`create session failed: ${r.status}`);
  return r.body.id;
}

export type Frame = SessionEvent | { type: string; [k: string]: unknown };

/** A real WebSocket client that records every frame and can wait for conditions. */
export class WsTestClient {
  readonly frames: Frame[] = [];
  private waiters: Array<() => void> = [];
  closed: { code: number; reason: string } | undefined;
  readonly ws: WebSocket;

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('message', (data) => {
      this.frames.push(JSON.parse(data.toString()));
      this.wake();
    });
    ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      this.wake();
    });
  }

  static connect(wsUrl: string, sessionId: string, account: Account | null, opts: { after?: number; origin?: string } = {}): Promise<WsTestClient> {
    const headers: Record<string, string> = {};
    if (account) headers.cookie = account.cookie;
    if (opts.origin) headers.origin = opts.origin;
    const q = opts.after === undefined ? '' : `?after=${opts.after}`;
    const ws = new WebSocket(`${wsUrl}/api/sessions/${sessionId}/ws${q}`, { headers });
    const client = new WsTestClient(ws);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(client));
      ws.once('unexpected-response', (_req, res) => reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { statusCode: res.statusCode })));
      ws.once('error', reject);
    });
  }

  private wake() {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  get events(): SessionEvent[] {
    return this.frames.filter((f): f is SessionEvent => typeof (f as SessionEvent).seq === 'number');
  }

  get lastSeq(): number {
    return this.events.at(-1)?.seq ?? 0;
  }

  send(frame: unknown) {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  async waitFor<T>(pick: (c: WsTestClient) => T | undefined | false, timeoutMs = 10_000, what = 'condition'): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = pick(this);
      if (v !== undefined && v !== false) return v;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; last frames: ${JSON.stringify(this.frames.slice(-3))}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  waitForEvent(type: string, pred: (e: SessionEvent) => boolean = () => true, timeoutMs?: number) {
    return this.waitFor((c) => c.events.find((e) => e.type === type && pred(e)), timeoutMs, type);
  }

  waitForFrame(type: string, timeoutMs?: number, from = 0) {
    return this.waitFor((c) => c.frames.slice(from).find((f) => f.type === type && (f as SessionEvent).seq === undefined), timeoutMs, `${type} frame`);
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      this.ws.once('close', () => resolve());
      this.ws.close();
    });
  }

  /** Drops the connection abruptly, like a lost network. */
  kill() {
    this.ws.terminate();
  }
}

/** Asserts SL1/SL4 on what a client received: seq 1..n, each once, in order. */
export function seqsOf(events: SessionEvent[]): number[] {
  return events.map((e) => e.seq);
}

export function textOf(events: SessionEvent[], messageId: string): string {
  return events
    .filter((e) => e.type === 'assistant.delta' && e.data.messageId === messageId)
    .map((e) => e.data.text)
    .join('');
}
