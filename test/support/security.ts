// Helpers for the security tests: raw HTTP with full control over headers, cookies from
// responses, and pairing a second device.
import { Writable } from 'node:stream';
import type { Account } from './client.ts';

export interface RawResponse {
  status: number;
  headers: Headers;
  text: string;
  body: any;
  /** `name=value` pairs from Set-Cookie, joined for a Cookie header. */
  cookie: string;
}

export async function raw(
  baseUrl: string,
  method: string,
  path: string,
  opts: { cookie?: string; body?: string | Uint8Array; contentType?: string; headers?: Record<string, string> } = {},
): Promise<RawResponse> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.cookie) headers.cookie = opts.cookie;
  if (opts.body !== undefined) headers['content-type'] = opts.contentType ?? 'application/json';
  const res = await fetch(`${baseUrl}${path}`, { method, headers, body: opts.body as BodyInit | undefined });
  const text = await res.text();
  let body: any = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON
  }
  return { status: res.status, headers: res.headers, text, body, cookie: res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ') };
}

export const json = (value: unknown) => JSON.stringify(value);

export interface Pairing {
  code: string;
  url: string;
  expiresAt: string;
  qrSvg: string;
}

export async function createPairing(baseUrl: string, account: Account, sessionId?: string): Promise<Pairing> {
  const r = await raw(baseUrl, 'POST', '/api/pairing', { cookie: account.cookie, body: json(sessionId ? { sessionId } : {}) });
  if (r.status !== 201) throw new Error(`pairing failed: ${r.status} ${r.text}`);
  return r.body;
}

/** Signs a second device into `account` through a pairing code; returns that device's account handle. */
export async function pairDevice(baseUrl: string, account: Account, deviceName = 'second device'): Promise<Account & { loginId: string }> {
  const p = await createPairing(baseUrl, account);
  const r = await raw(baseUrl, 'POST', '/api/pairing/redeem', { body: json({ code: p.code, deviceName }) });
  if (r.status !== 200) throw new Error(`redeem failed: ${r.status} ${r.text}`);
  const devices = await raw(baseUrl, 'GET', '/api/devices', { cookie: r.cookie });
  const current = devices.body.devices.find((d: { current: boolean }) => d.current);
  return { ...account, cookie: r.cookie, loginId: current.id };
}

export async function currentLoginId(baseUrl: string, account: Account): Promise<string> {
  const devices = await raw(baseUrl, 'GET', '/api/devices', { cookie: account.cookie });
  return devices.body.devices.find((d: { current: boolean }) => d.current).id;
}

/** A pino destination that keeps every line in memory. */
export function captureLogs(): { stream: Writable; lines: string[]; text: () => string } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  return { stream, lines, text: () => lines.join('\n') };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
