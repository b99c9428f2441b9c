import type { WebSocket } from 'ws';
import { CLOSE_NOT_FOUND, CLOSE_SIGNED_OUT } from '../contract/close-codes.ts';
import { LiveReaders } from './live-readers.ts';

export const REASON_SIGNED_OUT = 'this device was signed out';
export const REASON_SESSION_DELETED = 'this session was deleted';
/** Found by the heartbeat's revocation check: the sign-out happened on another instance. */
export const REASON_SIGNED_OUT_ELSEWHERE = 'this device was signed out (noticed by heartbeat)';

/** The owner removed this partner from the session: the session is now 404 to them (do not reconnect). */
export const REASON_REMOVED = 'you were removed from this session';

interface Entry {
  socket: WebSocket;
  userId: string;
  loginId: string;
  sessionId: string | undefined;
  /** Cleared when we ping, set again by the pong; still clear at the next tick means the peer is gone. */
  alive: boolean;
}

export interface HeartbeatOptions {
  intervalMs: number;
  /**
   * Of these login ids, which are revoked? Asked once per tick for every login with an
   * open socket, so a device revoked through another instance is signed out here within
   * one heartbeat (the revoking instance closes its own sockets at once).
   */
  revokedLogins?: (loginIds: string[]) => Promise<string[]>;
  /** Of these API key ids, which are revoked? Asked for keys with a live Durable Streams read. */
  revokedKeys?: (keyIds: string[]) => Promise<string[]>;
  onError?: (err: unknown) => void;
}

/**
 * Every open session socket of this instance, by user and by login, so that a revoked
 * device's sockets can be closed at once, per-user connection limits can be counted,
 * and dead peers can be found by the heartbeat.
 */
export class SocketRegistry {
  private readonly entries = new Map<WebSocket, Entry>();
  /** Durable Streams live reads: signed out together with the sockets of the same login. */
  readonly readers = new LiveReaders();
  private timer: ReturnType<typeof setInterval> | undefined;
  private ticking = false;

  add(socket: WebSocket, userId: string, loginId: string, sessionId?: string): void {
    const entry: Entry = { socket, userId, loginId, sessionId, alive: true };
    this.entries.set(socket, entry);
    socket.on('pong', () => {
      entry.alive = true;
    });
  }

  remove(socket: WebSocket): void {
    this.entries.delete(socket);
  }

  countForUser(userId: string): number {
    let n = 0;
    for (const e of this.entries.values()) if (e.userId === userId) n++;
    return n;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Closes every socket, and ends every live read, of these logins; returns how many sockets. */
  closeLogins(loginIds: Iterable<string>, code = CLOSE_SIGNED_OUT, reason = REASON_SIGNED_OUT): number {
    const ids = new Set(loginIds);
    this.readers.endLogins(ids);
    return this.closeWhere((e) => ids.has(e.loginId), code, reason);
  }

  /** Closes one user's sockets on one session (a partner removed by the owner); returns how many. */
  closeSessionUser(sessionId: string, userId: string): number {
    this.readers.endSession(sessionId, userId);
    return this.closeWhere((e) => e.sessionId === sessionId && e.userId === userId, CLOSE_NOT_FOUND, REASON_REMOVED);
  }

  private closeWhere(match: (e: Entry) => boolean, code: number, reason: string): number {
    let n = 0;
    for (const e of [...this.entries.values()]) {
      if (!match(e)) continue;
      this.entries.delete(e.socket);
      e.socket.close(code, reason);
      // A peer that ignores the close handshake must not keep the socket (and its subscription) alive.
      setTimeout(() => e.socket.terminate(), 2_000).unref();
      n++;
    }
    return n;
  }

  /** Closes every socket open on this session (it was deleted); returns how many. */
  closeSession(sessionId: string, code = CLOSE_NOT_FOUND, reason = REASON_SESSION_DELETED): number {
    this.readers.endSession(sessionId);
    let n = 0;
    for (const e of [...this.entries.values()]) {
      if (e.sessionId !== sessionId) continue;
      this.entries.delete(e.socket);
      e.socket.close(code, reason);
      setTimeout(() => e.socket.terminate(), 2_000).unref();
      n++;
    }
    return n;
  }

  startHeartbeat(opts: HeartbeatOptions): void {
    this.stopHeartbeat();
    this.timer = setInterval(() => void this.tick(opts), opts.intervalMs);
    this.timer.unref();
  }

  stopHeartbeat(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private async tick(opts: HeartbeatOptions): Promise<void> {
    for (const e of [...this.entries.values()]) {
      if (!e.alive) {
        // No pong since the last ping: the network is gone without a FIN. Free the socket now.
        this.entries.delete(e.socket);
        e.socket.terminate();
        continue;
      }
      e.alive = false;
      try {
        e.socket.ping();
      } catch {
        this.entries.delete(e.socket);
        e.socket.terminate();
      }
    }
    if (this.ticking || (this.entries.size === 0 && this.readers.size === 0)) return;
    this.ticking = true;
    try {
      const ids = [...new Set([...[...this.entries.values()].map((e) => e.loginId), ...this.readers.loginIds()])];
      const revoked = opts.revokedLogins && ids.length ? await opts.revokedLogins(ids) : [];
      if (revoked.length) this.closeLogins(revoked, CLOSE_SIGNED_OUT, REASON_SIGNED_OUT_ELSEWHERE);
      const keys = this.readers.keyIds();
      const revokedKeys = opts.revokedKeys && keys.length ? await opts.revokedKeys(keys) : [];
      if (revokedKeys.length) this.readers.endKeys(revokedKeys);
    } catch (err) {
      opts.onError?.(err);
    } finally {
      this.ticking = false;
    }
  }
}
