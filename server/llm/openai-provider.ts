// The LlmProvider adapter for OpenAI-compatible Chat Completions, using the official `openai` SDK.
// All wire-shape decisions live in openai-mapping.ts; this file only drives the stream and its timers.

import OpenAI from 'openai';
import { LlmError, type LlmProvider, type LlmRequest, type LlmStreamPart } from './port.ts';
import { formatSeconds, mapFinishReason, toLlmError, toOpenAiMessages, toOpenAiTools, ToolCallAccumulator } from './openai-mapping.ts';

/** Time to wait for the response headers (the SDK's own timeout, per attempt). */
export const DEFAULT_TIMEOUT_MS = 30_000;
/**
 * One retry covers a blip; more would keep a user staring at a spinner while the run's lease ticks.
 * The SDK only retries before the stream starts (connection errors, 408/409/429/5xx).
 */
export const DEFAULT_MAX_RETRIES = 1;

export interface OpenAiProviderOptions {
  apiKey: string;
  /** e.g. "https://api.openai.com/v1" or a compatible server; undefined = OpenAI. */
  baseUrl?: string;
  model: string;
  timeoutMs?: number;
  maxRetries?: number;
  /**
   * Longest silence allowed between two stream chunks once the answer has started. The SDK's
   * timeout stops at the response headers, so without this a stalled stream would hang the run.
   * Defaults to timeoutMs.
   */
  idleTimeoutMs?: number;
}

export function createOpenAiProvider(opts: OpenAiProviderOptions): LlmProvider {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const idleTimeoutMs = opts.idleTimeoutMs ?? timeoutMs;
  const client = new OpenAI({
    apiKey: opts.apiKey,
    baseURL: opts.baseUrl,
    timeout: timeoutMs,
    maxRetries: opts.maxRetries ?? DEFAULT_MAX_RETRIES,
    // The SDK logs unparsable chunks verbatim to the console; errors are reported through LlmError instead.
    logLevel: 'off',
  });
  const mapping = { secrets: [opts.apiKey], timeoutMs };

  return {
    async *stream(req: LlmRequest): AsyncGenerator<LlmStreamPart> {
      const { signal } = req;
      if (signal.aborted) throw toLlmError(new OpenAI.APIUserAbortError());

      // Our own controller joins the caller's signal and the idle timer; aborting it closes the HTTP connection.
      const controller = new AbortController();
      const onAbort = () => controller.abort(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      let idleTimer: ReturnType<typeof setTimeout> | undefined;
      let idleExpired = false;
      const armIdleTimer = () => {
        clearTimeout(idleTimer);
        idleTimer = setTimeout(() => {
          idleExpired = true;
          controller.abort();
        }, idleTimeoutMs);
      };
      const idleError = () =>
        new LlmError('timeout', `The coach's model service stopped sending its answer (no data for ${formatSeconds(idleTimeoutMs)}). Try again in a moment.`);
      const abortedError = () => new LlmError('aborted', "The request to the coach's model service was stopped.");
      let finished = false;

      try {
        const stream = await client.chat.completions.create(
          {
            model: opts.model,
            stream: true,
            messages: toOpenAiMessages(req.messages),
            // An empty tools array is rejected by the API; omit it instead.
            ...(req.tools.length > 0 ? { tools: toOpenAiTools(req.tools) } : {}),
          },
          { signal: controller.signal },
        );
        armIdleTimer();
        const calls = new ToolCallAccumulator();
        let finish: ReturnType<typeof mapFinishReason> = null;
        for await (const chunk of stream) {
          armIdleTimer();
          // Usage-only chunks (stream_options.include_usage) carry no choices.
          const choice = chunk.choices?.[0];
          if (!choice) continue;
          const text = choice.delta?.content;
          if (text) yield { type: 'text', text };
          calls.add(choice.delta?.tool_calls);
          finish = mapFinishReason(choice.finish_reason) ?? finish;
        }
        clearTimeout(idleTimer);
        // The SDK ends the iteration quietly when its request is aborted, so find out why it ended.
        if (idleExpired) throw idleError();
        if (signal.aborted) throw abortedError();
        if (finish === null) {
          throw new LlmError('connection', "The coach's model service ended its answer before it was finished. Try again in a moment.");
        }
        if (calls.size > 0) yield { type: 'tool_calls', calls: calls.finish() };
        finished = true;
        yield { type: 'finish', reason: finish };
      } catch (err) {
        if (idleExpired) throw idleError();
        if (signal.aborted) throw abortedError();
        throw toLlmError(err, mapping);
      } finally {
        clearTimeout(idleTimer);
        signal.removeEventListener('abort', onAbort);
        // A consumer that stops iterating early must not leave the HTTP stream open.
        if (!finished) controller.abort();
      }
    },
  };
}
