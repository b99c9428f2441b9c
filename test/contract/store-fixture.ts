import { randomUUID } from 'node:crypto';
import type { SessionStore } from '../../server/session/run-store.ts';
import type { ClaimOutcome, LogNotification, SessionEvent } from '../../server/session/types.ts';

/** One store behind both ports (SessionLog, RunStore), as every adapter is. */
export interface StoreFixture {
  log: SessionStore;
  /** Creates a session the log can write to and returns its id. */
  newSession(): Promise<string>;
  /** A second handle on the same storage (another server instance), if the adapter has one. */
  peer?: () => Promise<SessionStore>;
  cleanup(): Promise<void>;
}

/** Sessions and messages of the runs claimed through `claim`, for delta inputs. */
const claimedRuns = new Map<string, { sessionId: string; messageId: string }>();

export async function claim(log: SessionStore, sessionId: string, leaseMs = 5_000): Promise<ClaimOutcome> {
  const runId = randomUUID();
  const messageId = randomUUID();
  const r = await log.claimRun({ sessionId, runId, messageId, instanceId: 'test', leaseMs });
  if (r.kind === 'claimed') claimedRuns.set(runId, { sessionId, messageId });
  return r;
}

/** A new session with one user message and a run claimed for it: where most run tests start. */
export async function startedRun(fx: StoreFixture): Promise<{ sessionId: string; runId: string; messageId: string }> {
  const sessionId = await fx.newSession();
  await fx.log.appendUserMessage(sessionId, { clientMessageId: 'a', text: 'hi' });
  const c = await claim(fx.log, sessionId);
  if (c.kind !== 'claimed') throw new Error(c.kind);
  return { sessionId, runId: c.event.data.runId as string, messageId: c.event.data.messageId as string };
}

/** One delta through the group-commit call. */
export async function delta(log: SessionStore, runId: string, text: string) {
  const [out] = await log.appendDeltas([deltaInput(runId, text)]);
  if (!out) throw new Error('appendDeltas returned no outcome');
  return out;
}

export function deltaInput(runId: string, text: string) {
  return { runId, sessionId: '', messageId: '', ...claimedRuns.get(runId), text };
}

export async function readAll(log: SessionStore, sessionId: string): Promise<SessionEvent[]> {
  const r = await log.read(sessionId, 0, 100_000);
  if (!Array.isArray(r)) throw new Error('not found');
  return r;
}

export function waitFor<T>(log: SessionStore, pick: (n: LogNotification) => T | undefined, timeoutMs = 3_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error('timed out waiting for a notification'));
    }, timeoutMs);
    const off = log.onNotification((n) => {
      const v = pick(n);
      if (v !== undefined) {
        clearTimeout(timer);
        off();
        resolve(v);
      }
    });
  });
}
