// Shared shapes of the session log. See SPEC.md for the rules they obey.

import type { Author } from '../contract/events.ts';
import type { EndStatus, EventType, TurnRequestMode } from '../contract/kinds.ts';

export type { Author, EndStatus, EventType, TurnRequestMode };
/** What a run (or the sweeper) reports; `cancelled` only ever comes from a recorded stop. */
export type ReportedEndStatus = Exclude<EndStatus, 'cancelled'>;

export interface SessionEvent {
  seq: number;
  type: EventType | (string & {});
  /** ISO-8601 commit time (SL2). */
  at: string;
  data: Record<string, unknown>;
}

export type NotFound = { kind: 'not_found' };

export type UserMessageOutcome =
  | { kind: 'appended'; event: SessionEvent; stoppedRunId: string | null }
  | { kind: 'duplicate'; seq: number }
  | NotFound;

/** SL15: a turn without a user message (see TurnRequestMode in the contract). */
export interface TurnRequestInput {
  /** Client-chosen, unique per session like a clientMessageId (SL5): a resend is a duplicate. */
  requestId: string;
  mode: TurnRequestMode;
  /** The answer to retry or continue; absent for `open`. */
  messageId?: string;
}

export type TurnRequestOutcome =
  | { kind: 'appended'; event: SessionEvent }
  | { kind: 'duplicate'; seq: number }
  /** SL15: the target is not the latest ended answer, a turn is pending or running, or the session has begun (open). */
  | { kind: 'not_allowed' }
  | NotFound;

/** Who pressed Stop, recorded in cancel.requested so other devices can say "Stopped from <label>". */
export interface CancelledBy {
  deviceId: string;
  label: string;
}

export type AppendOutcome = { kind: 'appended'; event: SessionEvent } | NotFound;

export type DeltaOutcome = { kind: 'appended'; event: SessionEvent } | { kind: 'run_stopped' };

export type ClaimOutcome =
  | { kind: 'claimed'; event: SessionEvent; triggerSeq: number }
  | { kind: 'busy'; activeRunId: string }
  /** A human has taken over (handoff): the coach waits until it is handed back. */
  | { kind: 'handed_off' }
  | { kind: 'nothing_to_answer' }
  | NotFound;

export type CancelOutcome = { kind: 'cancel_recorded'; runId: string; event: SessionEvent } | { kind: 'no_active_run' } | NotFound;

export type EndOutcome = { kind: 'ended'; sessionId: string; event: SessionEvent; status: EndStatus } | { kind: 'already_ended' };

export type RenewOutcome = { kind: 'renewed'; stopRequested: boolean } | { kind: 'lost' };

/** What a log tells its listeners. Pointers only for remote commits (SL8). */
export type LogNotification =
  | { kind: 'events'; sessionId: string; seq: number; events?: SessionEvent[] }
  | { kind: 'stop'; runId: string }
  | { kind: 'run_ended'; sessionId: string }
  /** The session and its log were deleted; its sockets are closed on every instance. */
  | { kind: 'session_deleted'; sessionId: string }
  | { kind: 'resync' };

export interface ClaimRequest {
  sessionId: string;
  runId: string;
  messageId: string;
  instanceId: string;
  leaseMs: number;
}

export interface UserMessageInput {
  clientMessageId: string;
  text: string;
  /** Stored as `data.author`; absent for messages written without an account (tests, tools). */
  author?: Author;
}

export type HandoffOutcome =
  | { kind: 'changed'; event: SessionEvent }
  /** Takeover: already held (by `holder`). Handback: nobody holds it. */
  | { kind: 'unchanged'; holder: string | null }
  | NotFound;
