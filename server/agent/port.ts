import type { SessionEvent } from '../session/types.ts';

/** Who and what a turn is about: read once per turn by the runner, before the agent starts. */
export interface TurnContext {
  userId: string;
  sessionId: string;
  /** The session's kind as the coach understands it (plan, review). */
  kind: string;
  /** The week the session works on (pinned on the session row). */
  weekKey: string;
  /** The user's IANA time zone. */
  timeZone: string;
}

/** Everything an agent may use while answering one turn. */
export interface AgentTurn {
  sessionId: string;
  userId: string;
  runId: string;
  messageId: string;
  /**
   * Read once per turn by the runner. Optional only so that agents built before it keep
   * compiling; the runner always sets it.
   */
  context?: TurnContext;
  /**
   * The session log up to and including the claim (assistant.start of this run), without
   * the deltas of answers that ended (their assistant.end carries the whole text; SL17).
   */
  history: SessionEvent[];
  /** Aborted on cancel, interrupt, lost lease or shutdown. Pass it to every network call. */
  signal: AbortSignal;
  /** Streams assistant text; batched into assistant.delta events (SL7). */
  write(text: string): void;
  /**
   * Appends a non-text event (e.g. plan.updated) to the session log — also after the signal
   * aborted, since it records something that already happened.
   */
  emit(type: string, data: Record<string, unknown>): Promise<void>;
}

/** Thrown by an agent for an expected failure; `reason` is shown to the user. */
export class AgentError extends Error {
  constructor(
    readonly code: 'upstream_failed' | 'rate_limited' | 'timeout' | 'malformed_response' | 'invalid_request',
    readonly reason: string,
  ) {
    super(reason);
  }
}

/** The agent port: the FOCUS coach (offline or LLM-backed) implements it. */
export interface Agent {
  respond(turn: AgentTurn): Promise<void>;
}
