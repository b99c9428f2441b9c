// The LLM port: a small surface the coach uses; the openai adapter implements it.

export interface LlmToolDef {
  name: string;
  description: string;
  /** JSON Schema for the arguments object. */
  parameters: Record<string, unknown>;
}

export interface LlmToolCall {
  id: string;
  name: string;
  /** Raw JSON text as produced by the model. */
  arguments: string;
}

export type LlmMessage =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string }
  | { role: 'assistant'; content: string; toolCalls?: LlmToolCall[] }
  | { role: 'tool'; toolCallId: string; content: string };

export type LlmStreamPart =
  | { type: 'text'; text: string }
  | { type: 'tool_calls'; calls: LlmToolCall[] }
  | { type: 'finish'; reason: 'stop' | 'tool_calls' | 'length' | 'other' };

export interface LlmRequest {
  messages: LlmMessage[];
  tools: LlmToolDef[];
  signal: AbortSignal;
}

/** Expected upstream failures carry a code and a sentence a user can read. */
export class LlmError extends Error {
  constructor(
    readonly code: 'upstream_http' | 'rate_limited' | 'timeout' | 'malformed' | 'aborted' | 'connection',
    readonly reason: string,
  ) {
    super(reason);
  }
}

export interface LlmProvider {
  /** Streams one completion. Throws LlmError for upstream failures; honours `signal`. */
  stream(req: LlmRequest): AsyncIterable<LlmStreamPart>;
}
