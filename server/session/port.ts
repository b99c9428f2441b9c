import type {
  AppendOutcome,
  Author,
  HandoffOutcome,
  LogNotification,
  NotFound,
  SessionEvent,
  TurnRequestInput,
  TurnRequestOutcome,
  UserMessageInput,
  UserMessageOutcome,
} from './types.ts';

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
  appendUserMessage(sessionId: string, input: UserMessageInput): Promise<UserMessageOutcome>;
  /** SL15: a turn without a user message (retry, continue, open), counted as a user turn for SL11. */
  appendTurnRequest(sessionId: string, input: TurnRequestInput): Promise<TurnRequestOutcome>;
  /** SL16: deletes the session with its events and runs; tells every instance. False if it did not exist. */
  deleteSession(sessionId: string): Promise<boolean>;
  /** Appends any other event (e.g. plan.updated). */
  append(sessionId: string, type: string, data: Record<string, unknown>): Promise<AppendOutcome>;
  /** SL3. */
  read(sessionId: string, afterSeq: number, limit: number): Promise<SessionEvent[] | NotFound>;
  /** SL17: events up to `uptoSeq` without the deltas of messages that ended by then. */
  readHistory(sessionId: string, uptoSeq: number): Promise<SessionEvent[] | NotFound>;
  lastSeq(sessionId: string): Promise<number | NotFound>;
  /**
   * SL19: a human takes the session over (`release` false: appends `handoff.started {by}`
   * unless someone already holds it) or hands it back (`release` true: appends
   * `handoff.ended {by}` if someone holds it). While held no run is claimed (RunStore).
   */
  setHandoff(sessionId: string, by: Author, release: boolean): Promise<HandoffOutcome>;
  /** SL8: live notifications, local (with data) and remote (pointers). */
  onNotification(listener: (n: LogNotification) => void): () => void;
  close(): Promise<void>;
}
