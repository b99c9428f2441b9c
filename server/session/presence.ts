import { MAX_PRESENCE_LABEL_CHARS, type PresenceDevice as WirePresenceDevice } from '../contract/index.ts';
import type { Database } from '../db/database.ts';
import { decodeNotice, encodePresence } from '../db/notify-registry.ts';

/** How often an instance re-announces its devices, and when silent announcements expire. */
export const PRESENCE_REFRESH_MS = 10_000;
export const PRESENCE_TTL_MS = 25_000;
/** Keeps one announcement far below Postgres's 8000-byte NOTIFY limit. */
const MAX_DEVICES_PER_ANNOUNCEMENT = 20;

/** The contract's presence device; the server always knows whose device it is, their name and role. */
export type PresenceDevice = Required<WirePresenceDevice>;

export type LocalConnection = Omit<PresenceDevice, 'connections'>;

/**
 * Which devices have a session open, across instances. Ephemeral: announced with
 * pg_notify on the shared channel (`p:` payloads), never stored, expiring with their
 * instance. Each instance announces only its own connections.
 */
export class PresenceTracker {
  private readonly local = new Map<string, Map<symbol, LocalConnection>>();
  private readonly remote = new Map<string, Map<string, { devices: LocalConnection[]; expiresAt: number }>>();
  private readonly listeners = new Map<string, Set<(devices: PresenceDevice[]) => void>>();
  /** Each session's announcements, one after the other (see announce). */
  private readonly sending = new Map<string, Promise<void>>();
  private readonly off: () => void;
  private readonly timer: NodeJS.Timeout;
  /** After close, nothing is announced: sockets closing during shutdown would write to a closed pool. */
  private closed = false;

  constructor(
    private readonly db: Pick<Database, 'feed' | 'notify'>,
    private readonly instanceId: string,
    private readonly onError: (err: unknown) => void = () => {},
  ) {
    this.off = db.feed.onPayload((p) => this.onPayload(p));
    this.timer = setInterval(() => this.refresh(), PRESENCE_REFRESH_MS);
    this.timer.unref();
  }

  /** Registers a connection; returns the function that removes it. */
  join(sessionId: string, conn: LocalConnection, listener: (devices: PresenceDevice[]) => void): () => void {
    const key = Symbol('connection');
    let conns = this.local.get(sessionId);
    if (!conns) this.local.set(sessionId, (conns = new Map()));
    conns.set(key, { ...conn, label: conn.label.slice(0, MAX_PRESENCE_LABEL_CHARS), name: conn.name.slice(0, MAX_PRESENCE_LABEL_CHARS) });
    let ls = this.listeners.get(sessionId);
    if (!ls) this.listeners.set(sessionId, (ls = new Set()));
    ls.add(listener);
    this.changed(sessionId, true);
    return () => {
      conns!.delete(key);
      ls!.delete(listener);
      if (conns!.size === 0) this.local.delete(sessionId);
      if (ls!.size === 0) this.listeners.delete(sessionId);
      this.changed(sessionId, true);
    };
  }

  devices(sessionId: string): PresenceDevice[] {
    const now = Date.now();
    const byDevice = new Map<string, PresenceDevice>();
    const add = (c: LocalConnection) => {
      const d = byDevice.get(c.deviceId) ?? { deviceId: c.deviceId, label: c.label, connections: 0, userId: c.userId, name: c.name, role: c.role };
      d.connections++;
      byDevice.set(c.deviceId, d);
    };
    for (const c of this.local.get(sessionId)?.values() ?? []) add(c);
    for (const [, r] of this.remote.get(sessionId) ?? []) if (r.expiresAt > now) r.devices.forEach(add);
    return [...byDevice.values()].sort((a, b) => a.deviceId.localeCompare(b.deviceId));
  }

  private changed(sessionId: string, announce: boolean) {
    const devices = this.devices(sessionId);
    for (const l of this.listeners.get(sessionId) ?? []) l(devices);
    if (announce) this.announce(sessionId);
  }

  /**
   * Each announcement replaces the last one this instance made for the session, so they must
   * arrive in order. Two NOTIFYs sent at once may go out on two pool connections and commit
   * in either order: a tab opened and closed at once could be announced "closed", then
   * "open", and be taken as open (no "answer ready" push) until it expires. So each waits
   * for the one before it.
   */
  private announce(sessionId: string) {
    if (this.closed) return;
    const devices = [...(this.local.get(sessionId)?.values() ?? [])].slice(0, MAX_DEVICES_PER_ANNOUNCEMENT);
    const payload = encodePresence({ i: this.instanceId, s: sessionId, d: devices });
    const sent = (this.sending.get(sessionId) ?? Promise.resolve())
      .then(() => (this.closed ? undefined : this.db.notify(payload)))
      .catch(this.onError);
    this.sending.set(sessionId, sent);
    void sent.then(() => {
      if (this.sending.get(sessionId) === sent) this.sending.delete(sessionId);
    });
  }

  private onPayload(payload: string) {
    const notice = decodeNotice(payload);
    if (notice?.kind !== 'presence') return;
    let msg: { i: string; s: string; d: LocalConnection[] };
    try {
      msg = JSON.parse(notice.body);
    } catch {
      return;
    }
    if (msg.i === this.instanceId || typeof msg.s !== 'string' || !Array.isArray(msg.d)) return;
    // Remembered even with nobody watching here: "is the owner looking at this session?"
    // decides whether an answer that ends on this instance is pushed to their phone.
    let byInstance = this.remote.get(msg.s);
    if (!byInstance) this.remote.set(msg.s, (byInstance = new Map()));
    const before = JSON.stringify(byInstance.get(msg.i)?.devices ?? []);
    if (msg.d.length === 0) byInstance.delete(msg.i);
    else byInstance.set(msg.i, { devices: msg.d, expiresAt: Date.now() + PRESENCE_TTL_MS });
    const joinedHere = before === '[]' && msg.d.length > 0;
    if (before !== JSON.stringify(msg.d)) this.changed(msg.s, false);
    // A newcomer elsewhere has not heard our announcement yet: repeat it.
    if (joinedHere && this.local.has(msg.s)) this.announce(msg.s);
  }

  private refresh() {
    const now = Date.now();
    for (const [sessionId, byInstance] of this.remote) {
      let expired = false;
      for (const [i, r] of byInstance) {
        if (r.expiresAt > now) continue;
        byInstance.delete(i);
        expired = true;
      }
      if (byInstance.size === 0) this.remote.delete(sessionId);
      if (expired) this.changed(sessionId, false);
    }
    for (const sessionId of this.local.keys()) this.announce(sessionId);
  }

  /** Whether any device of this user has the session open, on any instance (as far as announcements tell). */
  userPresent(sessionId: string, userId: string): boolean {
    return this.devices(sessionId).some((d) => d.userId === userId);
  }

  close() {
    this.closed = true;
    clearInterval(this.timer);
    this.off();
  }
}

/** A readable device label when the login has no name: "Chrome on Android". */
export function labelFromUserAgent(ua: string | undefined): string {
  if (!ua) return 'Device';
  const browser = /Edg\//.test(ua) ? 'Edge' : /Firefox\//.test(ua) ? 'Firefox' : /Chrome\//.test(ua) ? 'Chrome' : /Safari\//.test(ua) ? 'Safari' : 'Browser';
  const os = /Android/.test(ua) ? 'Android' : /iPhone|iPad/.test(ua) ? 'iOS' : /Mac OS X/.test(ua) ? 'macOS' : /Windows/.test(ua) ? 'Windows' : /Linux/.test(ua) ? 'Linux' : '';
  return os ? `${browser} on ${os}` : browser;
}
