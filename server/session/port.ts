import type {
  AppendOutcome,
  Author,
  CancelOutcome,
  ClaimOutcome,
  ClaimRequest,
  DeltaOutcome,
  EndOutcome,
  EndStatus,
  HandoffOutcome,
  LogNotification,
  NotFound,
  RenewOutcome,
  SessionEvent,
  UserMessageInput,
  UserMessageOutcome,
} from './types.ts';

/**
 * The session-log port. Adapters: memory, PGlite, Postgres — all pass
 * test/contract/session-log.contract.ts. Rule IDs refer to SPEC.md.
 */
export interface SessionLog {
  /** Creates the log head for a session row that already exists (memory adapter) or is created by the caller. */
  createSession(input: { id: string; userId: string; title: string; kind?: string }): Promise<void>;
  /** SL5 + SL10: append a user message, stopping the active run (interrupt). */
  appendUserMessage(sessionId: string, input: UserMessageInput): Promise<UserMessageOutcome>;
  /** Appends any other event (e.g. plan.updated). */
  append(sessionId: string, type: string, data: Record<string, unknown>): Promise<AppendOutcome>;
  /** SL3. */
  read(sessionId: string, afterSeq: number, limit: number): Promise<SessionEvent[] | NotFound>;
  lastSeq(sessionId: string): Promise<number | NotFound>;

  /**
   * SL14: a human takes the session over (`by` set: appends `handoff.started {by}` unless
   * someone already holds it) or hands it back (`by` with `release`: appends `handoff.ended
   * {by}` if someone holds it). While held no run is claimed.
   */
  setHandoff(sessionId: string, by: Author, release: boolean): Promise<HandoffOutcome>;
  /** SL9 + SL11. */
  claimRun(req: ClaimRequest): Promise<ClaimOutcome>;
  /** SL10: rejected once a stop is recorded or the run ended. */
  appendDelta(runId: string, text: string): Promise<DeltaOutcome>;
  /**
   * SL7 group commit: one delta for each of several runs (of different sessions) in one
   * statement. Outcomes are in input order; each run is checked on its own (SL10).
   */
  appendDeltas(batch: ReadonlyArray<{ runId: string; text: string }>): Promise<DeltaOutcome[]>;
  /** SL10: records a client's cancel against the active run. */
  requestCancel(sessionId: string): Promise<CancelOutcome>;
  /** SL12. `onlyIfExpired` is the sweeper's guard (SL13). */
  endRun(runId: string, status: Exclude<EndStatus, 'cancelled' | 'interrupted'> | 'interrupted', reason?: string, onlyIfExpired?: boolean): Promise<EndOutcome>;
  renewLease(runId: string, leaseMs: number): Promise<RenewOutcome>;
  /** Runs whose lease has expired and that have not ended (SL13). */
  expiredRuns(): Promise<string[]>;
  /** Sessions with an unanswered user message, no active run, older than `olderThanMs`. */
  orphanedTurns(olderThanMs: number): Promise<string[]>;

  /** SL8: live notifications, local (with data) and remote (pointers). */
  onNotification(listener: (n: LogNotification) => void): () => void;
  close(): Promise<void>;
}
