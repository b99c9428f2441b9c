import type { SessionEvent } from '../session/types.ts';

/** Everything an agent may use while answering one turn. */
export interface AgentTurn {
  sessionId: string;
  userId: string;
  runId: string;
  messageId: string;
  /** The session log up to and including the claim (assistant.start of this run). */
  history: SessionEvent[];
  /** Aborted on cancel, interrupt, lost lease or shutdown. Pass it to every network call. */
  signal: AbortSignal;
  /** Streams assistant text; batched into assistant.delta events (SL7). */
  write(text: string): void;
  /** Appends a non-text event (e.g. plan.updated) to the session log. */
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
