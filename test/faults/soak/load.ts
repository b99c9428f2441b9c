// The load on one session: messages over the socket (the SessionClient's outbox) and over HTTP
// (retried with the same clientMessageId until acknowledged), cancels from either client, and
// steering messages sent while an answer streams. Decisions come from the session's own seeded
// stream; what they meet depends on timing.

import type { InstanceSet } from '../../support/instances.ts';
import type { NodeSessionClient } from '../../support/node-session-client.ts';
import type { Counters } from './counters.ts';
import { between, pick, randInt, weighted, type Rng } from './random.ts';

/** An HTTP attempt that has not answered by then counts as an error and is retried. */
const HTTP_TIMEOUT_MS = 15_000;
const RETRY_BASE_MS = 200;
const RETRY_MAX_MS = 4_000;
const THINK_MS = { min: 300, max: 3_000 };
/** How long a steering or cancelling step waits for an answer to be streaming. */
const WAIT_FOR_ANSWER_MS = 4_000;
/** Share of messages whose answer the session waits out before its next step. */
const READS_TO_THE_END = 0.6;
/** The longest wait for an answer to end (the demo coach takes ~4 s; a fault can stretch it). */
const WAIT_FOR_IDLE_MS = 15_000;

export interface SessionLoadOptions {
  sessionId: string;
  label: string;
  rng: Rng;
  clients: readonly NodeSessionClient[];
  /** Cookie of each client's device, same order. */
  cookies: readonly string[];
  instances: InstanceSet;
  counters: Counters;
}

type Action = 'socket-message' | 'http-message' | 'repeat-post' | 'cancel' | 'steer';
const ACTION_WEIGHTS: Record<Action, number> = { 'socket-message': 30, 'http-message': 25, 'repeat-post': 5, cancel: 15, steer: 25 };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class SessionLoad {
  /** clientMessageId → every seq a 202 carried. */
  readonly httpAcks = new Map<string, number[]>();
  /** clientMessageId → text, for everything sent. */
  readonly sent = new Map<string, string>();
  readonly viaSocket = new Set<string>();
  private stopping = false;
  private stopHttpAt = Number.POSITIVE_INFINITY;
  private n = 0;

  constructor(private readonly o: SessionLoadOptions) {}

  /** Runs steps until stop(); resolves when the current step (and its HTTP retries) finished. */
  async run(): Promise<void> {
    while (!this.stopping) {
      const action = weighted(this.o.rng, ACTION_WEIGHTS);
      await this.step(action);
      // Like a person, usually read the answer to the end before writing again.
      if ((action === 'socket-message' || action === 'http-message') && this.o.rng() < READS_TO_THE_END) await this.waitForIdle();
      await sleep(between(this.o.rng, THINK_MS.min, THINK_MS.max));
    }
  }

  /** No new steps; HTTP retries in progress go on until `retryUntil` (epoch ms). */
  stop(retryUntil: number): void {
    this.stopping = true;
    this.stopHttpAt = retryUntil;
  }

  private text(kind: string): string {
    return `${this.o.label} ${kind} ${++this.n}`;
  }

  private async step(action: Action): Promise<void> {
    const { rng, counters } = this.o;
    const who = randInt(rng, 0, this.o.clients.length - 1);
    switch (action) {
      case 'socket-message':
        this.sendOverSocket(who, this.text('socket'));
        return;
      case 'http-message':
        await this.post(who, `${this.o.label}-h${this.n + 1}`, this.text('http'));
        return;
      case 'repeat-post': {
        const acked = [...this.httpAcks.keys()];
        if (acked.length === 0) return;
        const cmid = pick(rng, acked);
        counters.repeatedPosts++;
        await this.post(who, cmid, this.sent.get(cmid)!);
        return;
      }
      case 'cancel': {
        await this.waitForAnswer(who);
        const overHttp = rng() < 0.3;
        if (overHttp) {
          await this.cancelOverHttp(who);
        } else {
          const route = this.o.clients[who]!.client.cancel();
          if (route === 'ws') counters.cancelsOverSocket++;
          else if (route === 'http') counters.cancelsOverClientHttp++;
        }
        return;
      }
      case 'steer': {
        if (!(await this.waitForAnswer(who))) return;
        counters.steering++;
        if (rng() < 0.5) this.sendOverSocket(who, this.text('steer'));
        else await this.post(who, `${this.o.label}-h${this.n + 1}`, this.text('steer'));
        return;
      }
    }
  }

  private sendOverSocket(who: number, text: string): void {
    const cmid = this.o.clients[who]!.client.send(text);
    if (cmid === null) return;
    this.sent.set(cmid, text);
    this.viaSocket.add(cmid);
    this.o.counters.messagesOverSocket++;
  }

  /** True once the client sees an answer streaming with some text (false after WAIT_FOR_ANSWER_MS). */
  private async waitForAnswer(who: number): Promise<boolean> {
    const c = this.o.clients[who]!.client;
    const streaming = () => {
      const t = c.getSnapshot().transcript;
      const m = t.activeMessageId === null ? undefined : t.byId.get(t.activeMessageId);
      return m !== undefined && m.text.length > 0;
    };
    const deadline = Date.now() + WAIT_FOR_ANSWER_MS;
    while (!streaming()) {
      if (this.stopping || Date.now() > deadline) return false;
      await sleep(50);
    }
    return true;
  }

  /** Waits until the first client has seen its latest message answered (or WAIT_FOR_IDLE_MS passes). */
  private async waitForIdle(): Promise<void> {
    const c = this.o.clients[0]!.client;
    const idle = () => {
      const s = c.getSnapshot();
      const t = s.transcript;
      const last = t.messages[t.messages.length - 1];
      return s.queued === 0 && t.activeMessageId === null && last !== undefined && last.kind === 'assistant';
    };
    const deadline = Date.now() + WAIT_FOR_IDLE_MS;
    await sleep(200);
    while (!idle() && !this.stopping && Date.now() < deadline) await sleep(100);
  }

  private base(): string {
    return this.o.instances.pick(randInt(this.o.rng, 0, this.o.instances.count - 1));
  }

  /** POST /messages until a 202, with the same clientMessageId on every attempt (SL5). */
  private async post(who: number, cmid: string, text: string): Promise<void> {
    const { counters } = this.o;
    const first = !this.sent.has(cmid);
    this.sent.set(cmid, text);
    if (first) counters.messagesOverHttp++;
    for (let attempt = 0; ; attempt++) {
      if (attempt > 0) {
        if (Date.now() > this.stopHttpAt) {
          counters.unexpected.push(`${cmid}: gave up after ${attempt} attempts`);
          return;
        }
        counters.httpRetries++;
        await sleep(Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** attempt) * between(this.o.rng, 0.5, 1));
      }
      let status: string;
      try {
        const res = await fetch(`${this.base()}/api/sessions/${this.o.sessionId}/messages`, {
          method: 'POST',
          headers: { cookie: this.o.cookies[who]!, 'content-type': 'application/json' },
          body: JSON.stringify({ clientMessageId: cmid, text }),
          signal: AbortSignal.timeout(HTTP_TIMEOUT_MS),
        });
        const body = (await res.json().catch(() => null)) as { seq?: number; duplicate?: boolean } | null;
        if (res.status === 202 && typeof body?.seq === 'number') {
          this.httpAcks.set(cmid, [...(this.httpAcks.get(cmid) ?? []), body.seq]);
          if (body.duplicate) counters.duplicateAcks++;
          return;
        }
        status = String(res.status);
        if (res.status < 500 && res.status !== 429) {
          counters.unexpected.push(`${cmid}: POST /messages answered ${res.status} ${JSON.stringify(body)}`);
          return;
        }
      } catch {
        status = 'network';
      }
      counters.httpErrors[status] = (counters.httpErrors[status] ?? 0) + 1;
    }
  }

  private async cancelOverHttp(who: number): Promise<void> {
    const { counters } = this.o;
    try {
      const res = await fetch(`${this.base()}/api/sessions/${this.o.sessionId}/cancel`, {
        method: 'POST',
        headers: { cookie: this.o.cookies[who]! },
        signal: AbortSignal.timeout(HTTP_TIMEOUT_MS),
      });
      const body = (await res.json().catch(() => null)) as { result?: string } | null;
      if (res.status === 202) {
        counters.cancelsOverHttp++;
        if (body?.result === 'no_active_run') counters.cancelsWithoutRun++;
      } else if (res.status < 500 && res.status !== 429) {
        counters.unexpected.push(`POST /cancel answered ${res.status} ${JSON.stringify(body)}`);
      }
    } catch {
      // An instance went down under it: a lost cancel is a user pressing Stop again, not a broken promise.
    }
  }
}
