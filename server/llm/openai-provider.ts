// The LlmProvider adapter for OpenAI-compatible Chat Completions, using the official `openai` SDK.
// All wire-shape decisions live in openai-mapping.ts; this file only drives the stream and its timers.

import OpenAI from 'openai';
import { LlmError, type LlmProvider, type LlmRequest, type LlmStreamPart } from './port.ts';
import { formatSeconds, mapFinishReason, retryAfterMs, toLlmError, toOpenAiMessages, toOpenAiTools, ToolCallAccumulator } from './openai-mapping.ts';

/** Time to wait for the response headers (the SDK's own timeout, per attempt). */
export const DEFAULT_TIMEOUT_MS = 30_000;
/**
 * One retry covers a blip; more would keep a user staring at a spinner while the run's lease ticks.
 * The SDK only retries before the stream starts (connection errors, 408/409/429/5xx).
 */
export const DEFAULT_MAX_RETRIES = 1;
/**
 * The SDK sleeps for whatever retry-after a server sends (even an hour) before retrying. A wait
 * longer than this is not retried: the user gets the rate-limit reason at once instead.
 */
export const MAX_RETRY_WAIT_MS = 5_000;

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
    fetch: refuseLongRetryWaits,
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
        const created = client.chat.completions.create(
          {
            model: opts.model,
            stream: true,
            messages: toOpenAiMessages(req.messages),
            // An empty tools array is rejected by the API; omit it instead.
            ...(req.tools.length > 0 ? { tools: toOpenAiTools(req.tools) } : {}),
          },
          { signal: controller.signal },
        );
        // The SDK notices an abort during its retry back-off only after sleeping; do not wait for that.
        const stream = await untilAborted(created, controller.signal);
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

/** Marks error responses whose retry-after exceeds MAX_RETRY_WAIT_MS as not retryable (SDK header). */
async function refuseLongRetryWaits(input: string | URL | Request, init?: RequestInit): Promise<Response> {
  const res = await fetch(input, init);
  if (res.ok) return res;
  const waitMs = retryAfterMs(res.headers);
  if (waitMs === undefined || waitMs <= MAX_RETRY_WAIT_MS) return res;
  const headers = new Headers(res.headers);
  headers.set('x-should-retry', 'false');
  return new Response(res.body, { status: res.status, statusText: res.statusText, headers });
}

function untilAborted<T extends { controller: AbortController }>(pending: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new OpenAI.APIUserAbortError());
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    pending.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        // Lost the race to an abort: close the stream nobody will read.
        if (signal.aborted) value.controller.abort();
        resolve(value);
      },
      (err) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}
