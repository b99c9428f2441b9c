// Shared shapes of the session log. See SPEC.md for the rules they obey.

import type { EndStatus, EventType } from '../contract/kinds.ts';

export type { EndStatus, EventType };

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

export type EndOutcome = { kind: 'ended'; event: SessionEvent; status: EndStatus } | { kind: 'already_ended' };

export type RenewOutcome = { kind: 'renewed'; stopRequested: boolean } | { kind: 'lost' };

/** What a log tells its listeners. Pointers only for remote commits (SL8). */
export type LogNotification =
  | { kind: 'events'; sessionId: string; seq: number; events?: SessionEvent[] }
  | { kind: 'stop'; runId: string }
  | { kind: 'run_ended'; sessionId: string }
  | { kind: 'resync' };

export interface ClaimRequest {
  sessionId: string;
  runId: string;
  messageId: string;
  instanceId: string;
  leaseMs: number;
}

/** Who wrote a user message or took a session over. */
export interface Author {
  userId: string;
  displayName: string;
  role: 'owner' | 'partner';
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
