// Pings every HEARTBEAT_INTERVAL_MS; if a ping's pong has not come within PONG_TIMEOUT_MS the
// connection is taken for dead (a half-open TCP connection can stay "open" for minutes).

import type { ClearTimeoutFn, SetTimeoutFn, TimerHandle } from './environment.ts';

export const HEARTBEAT_INTERVAL_MS = 20_000;
export const PONG_TIMEOUT_MS = 10_000;

export interface HeartbeatOptions {
  intervalMs?: number;
  pongTimeoutMs?: number;
  setTimeout: SetTimeoutFn;
  clearTimeout: ClearTimeoutFn;
  sendPing: () => void;
  onDead: () => void;
}

export class Heartbeat {
  private pingTimer: TimerHandle | null = null;
  private pongTimer: TimerHandle | null = null;
  private readonly intervalMs: number;
  private readonly pongTimeoutMs: number;

  constructor(private readonly opts: HeartbeatOptions) {
    this.intervalMs = opts.intervalMs ?? HEARTBEAT_INTERVAL_MS;
    this.pongTimeoutMs = opts.pongTimeoutMs ?? PONG_TIMEOUT_MS;
  }

  start(): void {
    this.stop();
    this.schedulePing();
  }

  stop(): void {
    if (this.pingTimer !== null) this.opts.clearTimeout(this.pingTimer);
    if (this.pongTimer !== null) this.opts.clearTimeout(this.pongTimer);
    this.pingTimer = null;
    this.pongTimer = null;
  }

  /** A pong arrived: the connection is alive. */
  pong(): void {
    if (this.pongTimer !== null) this.opts.clearTimeout(this.pongTimer);
    this.pongTimer = null;
  }

  private schedulePing(): void {
    this.pingTimer = this.opts.setTimeout(() => {
      this.pingTimer = null;
      this.opts.sendPing();
      if (this.pongTimer === null) {
        this.pongTimer = this.opts.setTimeout(() => {
          this.pongTimer = null;
          this.stop();
          this.opts.onDead();
        }, this.pongTimeoutMs);
      }
      this.schedulePing();
    }, this.intervalMs);
  }
}
