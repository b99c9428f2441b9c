// Pure translation between the LLM port (port.ts) and the OpenAI Chat Completions wire shapes.
// No network here: the adapter (openai-provider.ts) feeds these functions, tests call them directly.

import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
  AuthenticationError,
  PermissionDeniedError,
  RateLimitError,
} from 'openai';
import type {
  ChatCompletionChunk,
  ChatCompletionFunctionTool,
  ChatCompletionMessageParam,
} from 'openai/resources/chat/completions';
import { LlmError, type LlmMessage, type LlmStreamPart, type LlmToolCall, type LlmToolDef } from './port.ts';

/** Upstream error text is shown to users inside a reason; keep it to one readable line. */
export const MAX_UPSTREAM_DETAIL_CHARS = 200;

export function toOpenAiMessages(messages: LlmMessage[]): ChatCompletionMessageParam[] {
  return messages.map((m): ChatCompletionMessageParam => {
    switch (m.role) {
      case 'system':
        return { role: 'system', content: m.content };
      case 'user':
        return { role: 'user', content: m.content };
      case 'assistant':
        if (m.toolCalls && m.toolCalls.length > 0) {
          return {
            role: 'assistant',
            // The API wants null rather than "" when the turn was only tool calls.
            content: m.content === '' ? null : m.content,
            tool_calls: m.toolCalls.map((c) => ({
              id: c.id,
              type: 'function' as const,
              function: { name: c.name, arguments: c.arguments },
            })),
          };
        }
        return { role: 'assistant', content: m.content };
      case 'tool':
        return { role: 'tool', tool_call_id: m.toolCallId, content: m.content };
    }
  });
}

export function toOpenAiTools(tools: LlmToolDef[]): ChatCompletionFunctionTool[] {
  return tools.map((t) => ({
    type: 'function',
    function: { name: t.name, description: t.description, parameters: t.parameters },
  }));
}

type FinishReason = ChatCompletionChunk.Choice['finish_reason'];

/** null means "not finished yet" (a mid-stream chunk). */
export function mapFinishReason(reason: FinishReason | string | undefined): Extract<LlmStreamPart, { type: 'finish' }>['reason'] | null {
  switch (reason) {
    case null:
    case undefined:
      return null;
    case 'stop':
      return 'stop';
    case 'tool_calls':
    case 'function_call':
      return 'tool_calls';
    case 'length':
      return 'length';
    default:
      // content_filter and vendor-specific reasons of compatible servers.
      return 'other';
  }
}

type ToolCallDelta = ChatCompletionChunk.Choice.Delta.ToolCall;

interface PartialCall {
  index: number;
  id: string;
  name: string;
  arguments: string;
}

/**
 * Assembles streamed `delta.tool_calls` fragments into complete calls.
 * OpenAI sends id and name in the first fragment of each index and the arguments JSON in pieces;
 * compatible servers vary (names split, ids repeated, index missing), so each field is merged leniently.
 */
export class ToolCallAccumulator {
  private readonly calls = new Map<number, PartialCall>();
  private lastIndex = -1;

  add(deltas: ToolCallDelta[] | undefined | null): void {
    if (!deltas) return;
    for (const d of deltas) {
      const index = this.indexFor(d);
      let call = this.calls.get(index);
      if (!call) {
        call = { index, id: '', name: '', arguments: '' };
        this.calls.set(index, call);
      }
      this.lastIndex = index;
      if (d.id && !call.id) call.id = d.id;
      const name = d.function?.name;
      // Some servers repeat the whole name in every fragment; OpenAI may split it. Append unless repeated.
      if (name && name !== call.name) call.name += name;
      if (d.function?.arguments) call.arguments += d.function.arguments;
    }
  }

  get size(): number {
    return this.calls.size;
  }

  /** The complete calls in index order. Throws LlmError('malformed') for a call without a name. */
  finish(): LlmToolCall[] {
    return [...this.calls.values()]
      .sort((a, b) => a.index - b.index)
      .map((c) => {
        if (!c.name) {
          throw new LlmError('malformed', "The coach's model service sent a tool call without a name.");
        }
        return {
          // The id pairs the call with its tool result message; synthesise one if the server sent none.
          id: c.id || `call_${c.index}`,
          name: c.name,
          // An empty arguments string is what some servers send for "no arguments".
          arguments: c.arguments === '' ? '{}' : c.arguments,
        };
      });
  }

  private indexFor(d: ToolCallDelta): number {
    if (typeof d.index === 'number') return d.index;
    // No index: a new id starts a new call, otherwise the fragment continues the latest one.
    if (d.id) {
      for (const c of this.calls.values()) if (c.id === d.id) return c.index;
      return this.lastIndex + 1;
    }
    return Math.max(this.lastIndex, 0);
  }
}

/** Removes anything that looks like a credential before text reaches a log or a user. */
export function redactSecrets(text: string, secrets: (string | undefined)[] = []): string {
  let out = text;
  for (const s of secrets) {
    if (s && s.length >= 4) out = out.split(s).join('***');
  }
  return out
    .replace(/\b(sk|rk|pk)-[A-Za-z0-9_*-]{4,}/g, '$1-***')
    .replace(/Bearer\s+[^\s"',]+/gi, 'Bearer ***');
}

function upstreamDetail(err: APIError, secrets: (string | undefined)[]): string {
  const raw = (err.error as { message?: unknown } | undefined)?.message;
  if (typeof raw !== 'string' || raw.trim() === '') return '';
  const oneLine = redactSecrets(raw, secrets).replace(/\s+/g, ' ').trim();
  const short = oneLine.length > MAX_UPSTREAM_DETAIL_CHARS ? `${oneLine.slice(0, MAX_UPSTREAM_DETAIL_CHARS - 1)}…` : oneLine;
  return ` (${short})`;
}

export interface ErrorMappingOptions {
  /** Strings that must never appear in a reason (the API key). */
  secrets?: (string | undefined)[];
  /** For the timeout reason. */
  timeoutMs?: number;
}

/**
 * Maps anything the SDK or the stream can throw to an LlmError whose reason a user can read.
 * Order matters: the SDK's error classes inherit from each other (timeout ⊂ connection ⊂ APIError).
 */
export function toLlmError(err: unknown, opts: ErrorMappingOptions = {}): LlmError {
  const secrets = opts.secrets ?? [];
  if (err instanceof LlmError) return err;
  if (err instanceof APIUserAbortError || (err instanceof Error && err.name === 'AbortError')) {
    return new LlmError('aborted', 'The request to the coach\'s model service was stopped.');
  }
  if (err instanceof APIConnectionTimeoutError) {
    const after = opts.timeoutMs ? ` within ${formatSeconds(opts.timeoutMs)}` : '';
    return new LlmError('timeout', `The coach's model service did not answer${after}. Try again in a moment.`);
  }
  if (err instanceof APIConnectionError) {
    return new LlmError('connection', "Could not reach the coach's model service. Check the network and try again.");
  }
  if (err instanceof RateLimitError) {
    const waitMs = err.headers ? retryAfterMs(err.headers) : undefined;
    const wait = waitMs === undefined ? 'in a minute' : waitMs < 90_000 ? `in ${Math.ceil(waitMs / 1000)} s` : `in ${Math.ceil(waitMs / 60_000)} min`;
    return new LlmError(
      'rate_limited',
      `The coach's model service is busy right now (HTTP 429, rate limited). Try again ${wait}.`,
    );
  }
  if (err instanceof AuthenticationError || err instanceof PermissionDeniedError) {
    return new LlmError(
      'upstream_http',
      `The coach's model service refused the configured API key (HTTP ${err.status}). Ask the administrator to check OPENAI_API_KEY.`,
    );
  }
  if (err instanceof APIError) {
    if (err.status === undefined) {
      // An error object sent inside the stream (`data: {"error": …}`).
      return new LlmError('upstream_http', `The coach's model service reported an error mid-answer${upstreamDetail(err, secrets)}. Try again in a moment.`);
    }
    if (err.status >= 500) {
      return new LlmError('upstream_http', `The coach's model service returned an error (HTTP ${err.status}). Try again in a moment.`);
    }
    return new LlmError('upstream_http', `The coach's model service rejected the request (HTTP ${err.status})${upstreamDetail(err, secrets)}.`);
  }
  if (err instanceof SyntaxError) {
    return new LlmError('malformed', "The coach's model service sent a malformed response. Try again in a moment.");
  }
  if (err instanceof TypeError && /terminated|fetch failed|socket|ECONNRESET/i.test(`${err.message} ${String(err.cause ?? '')}`)) {
    // undici reports a connection dropped mid-body as TypeError("terminated").
    return new LlmError('connection', "The connection to the coach's model service broke off. Try again in a moment.");
  }
  const message = err instanceof Error ? err.message : String(err);
  return new LlmError('connection', `Unexpected failure talking to the coach's model service: ${redactSecrets(message, secrets).slice(0, MAX_UPSTREAM_DETAIL_CHARS)}`);
}

/**
 * How long the server asks us to wait before retrying (retry-after-ms, or retry-after in seconds
 * or as an HTTP date), or undefined if it does not say.
 */
export function retryAfterMs(headers: Headers, nowMs: number = Date.now()): number | undefined {
  const ms = headers.get('retry-after-ms');
  if (ms !== null && ms.trim() !== '' && !Number.isNaN(Number(ms))) return Math.max(0, Number(ms));
  const after = headers.get('retry-after');
  if (after === null || after.trim() === '') return undefined;
  if (!Number.isNaN(Number(after))) return Math.max(0, Number(after) * 1000);
  const at = Date.parse(after);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/** "30 s", "1.5 s", "0.25 s": durations as a person reads them. */
export function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(2))} s`;
}
