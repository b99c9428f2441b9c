import pg from 'pg';
import type { NotificationFeed } from './database.ts';

const RECONNECT_MIN_MS = 100;
const RECONNECT_MAX_MS = 5_000;

/**
 * A dedicated LISTEN connection that reconnects with backoff. After every reconnect
 * it fires `resync`, because notifications sent while it was down are gone (SL8).
 */
export class PgListener implements NotificationFeed {
  private client: pg.Client | undefined;
  private stopped = false;
  private attempt = 0;
  private readonly payloadHandlers = new Set<(p: string) => void>();
  private readonly resyncHandlers = new Set<() => void>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly url: string,
    private readonly channel: string,
    private readonly log?: (msg: string, err?: unknown) => void,
  ) {}

  /** Backend pid of the LISTEN connection (tests use it to cut the connection). */
  get backendPid(): number | undefined {
    return (this.client as unknown as { processID?: number } | undefined)?.processID;
  }

  async start(): Promise<void> {
    await this.connect();
  }

  onPayload(h: (p: string) => void) {
    this.payloadHandlers.add(h);
    return () => this.payloadHandlers.delete(h);
  }

  onResync(h: () => void) {
    this.resyncHandlers.add(h);
    return () => this.resyncHandlers.delete(h);
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url });
    client.on('notification', (msg) => {
      if (msg.channel !== this.channel || msg.payload === undefined) return;
      for (const h of this.payloadHandlers) h(msg.payload);
    });
    client.on('error', (err) => {
      this.log?.('LISTEN connection error', err);
      this.scheduleReconnect(client);
    });
    client.on('end', () => this.scheduleReconnect(client));
    await client.connect();
    await client.query(`LISTEN "${this.channel}"`);
    this.client = client;
    this.attempt = 0;
  }

  private scheduleReconnect(dead: pg.Client) {
    if (this.stopped || this.client !== dead) return;
    this.client = undefined;
    dead.removeAllListeners('end');
    dead.end().catch(() => {});
    const delay = Math.min(RECONNECT_MAX_MS, RECONNECT_MIN_MS * 2 ** this.attempt++);
    this.timer = setTimeout(() => {
      this.connect().then(
        () => {
          for (const h of this.resyncHandlers) h();
        },
        (err) => {
          this.log?.('LISTEN reconnect failed', err);
          this.client = dead;
          this.scheduleReconnect(dead);
        },
      );
    }, delay);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    const c = this.client;
    this.client = undefined;
    await c?.end().catch(() => {});
  }
}
