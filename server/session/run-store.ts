import type {
  CancelOutcome,
  CancelledBy,
  ClaimOutcome,
  ClaimRequest,
  DeltaOutcome,
  EndOutcome,
  LogNotification,
  RenewOutcome,
  ReportedEndStatus,
} from './types.ts';

/**
 * The run-store port: who answers a session's turn, and how that answer is stopped and
 * ended. Every write is also an event of the session log (SL9–SL13), so adapters
 * implement it together with SessionLog (see SessionStore). Adapters pass
 * test/contract/run-store.contract.ts.
 */
export interface RunStore {
  /** SL9 + SL11. */
  claimRun(req: ClaimRequest): Promise<ClaimOutcome>;
  /**
   * SL7 group commit: one delta for each of several runs (of different sessions) in one
   * statement. Outcomes are in input order; each run is checked on its own (SL10), against
   * its session: a delta is appended only while its run is the session's active run and
   * no stop was recorded for it.
   */
  appendDeltas(batch: ReadonlyArray<DeltaInput>): Promise<DeltaOutcome[]>;
  /** SL10: records a client's cancel against the active run (a stop, see stop-policy.ts). */
  requestCancel(sessionId: string, by?: CancelledBy): Promise<CancelOutcome>;
  /**
   * SL12. Called by the run's own instance once its deltas are settled (no delta statement
   * of the run in flight or to come: RunBuffer.finish), or by a sweeper with `onlyIfExpired`
   * (SL13), which may race a zombie instance's deltas and must still end with all of them (SL6).
   */
  endRun(runId: string, status: ReportedEndStatus, reason?: string, how?: EndHow): Promise<EndOutcome>;
  /**
   * SL13: renews the leases of several runs in one statement (an instance renews all its
   * runs at once, so renewals cost one commit per LEASE_RENEW_MS, not one per run). Outcomes
   * are in input order.
   */
  renewLeases(runIds: readonly string[], leaseMs: number): Promise<RenewOutcome[]>;
  /** Runs whose lease has expired and that have not ended (SL13). */
  expiredRuns(): Promise<string[]>;
  /** Sessions with an unanswered user message, no active run, older than `olderThanMs`. */
  orphanedTurns(olderThanMs: number): Promise<string[]>;
  /** Stops (`stop`), ends (`run_ended`) and committed events, as on the log. */
  onNotification(listener: (n: LogNotification) => void): () => void;
}

/**
 * How an end learns its text (SL6). The run's own instance saw every delta statement's
 * outcome, so it may pass `text`: the concatenation of the run's appended deltas, in order.
 * The end then records it instead of reading the deltas back (at the end of a long answer,
 * hundreds of rows, while other answers still stream). Without `text` the end reads them.
 * A sweeper (`onlyIfExpired`, SL13) never knows the text: a zombie's deltas may still land.
 */
export type EndHow = { onlyIfExpired: true } | { text: string };

export interface DeltaInput {
  runId: string;
  /**
   * The run's session: the statement checks the stop on its row (SL10), and its readers are
   * told to re-read if the outcome of the statement is unknown.
   */
  sessionId: string;
  /** The run's message (from its `assistant.start`): the delta's `messageId`. */
  messageId: string;
  text: string;
}

/** What the SQL and memory adapters are: one store behind both ports. */
export type SessionStore = import('./port.ts').SessionLog & RunStore;
