import type { AppendOutcome, LogNotification, NotFound, SessionEvent, UserMessageOutcome } from './types.ts';

/**
 * The session-log port: append, read, subscribe. Runs (claim, renew, stop, end, sweep)
 * are the RunStore port (run-store.ts); the SQL and memory adapters implement both so
 * that a write and its run check stay one statement. Adapters: memory, PGlite, Postgres —
 * all pass test/contract/session-log.contract.ts. Rule IDs refer to SPEC.md.
 */
export interface SessionLog {
  /** Creates the log head for a session row that already exists (memory adapter) or is created by the caller. */
  createSession(input: { id: string; userId: string; title: string; kind?: string }): Promise<void>;
  /** SL5 + SL10: append a user message, stopping the active run (interrupt, see stop-policy.ts). */
  appendUserMessage(sessionId: string, input: { clientMessageId: string; text: string }): Promise<UserMessageOutcome>;
  /** Appends any other event (e.g. plan.updated). */
  append(sessionId: string, type: string, data: Record<string, unknown>): Promise<AppendOutcome>;
  /** SL3. */
  read(sessionId: string, afterSeq: number, limit: number): Promise<SessionEvent[] | NotFound>;
  /** SL17: events up to `uptoSeq` without the deltas of messages that ended by then. */
  readHistory(sessionId: string, uptoSeq: number): Promise<SessionEvent[] | NotFound>;
  lastSeq(sessionId: string): Promise<number | NotFound>;
  /** SL8: live notifications, local (with data) and remote (pointers). */
  onNotification(listener: (n: LogNotification) => void): () => void;
  close(): Promise<void>;
}
