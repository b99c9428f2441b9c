// The real `openai` SDK provider against a real local HTTP server speaking the Chat Completions SSE protocol.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createOpenAiProvider, type OpenAiProviderOptions } from '../../../server/llm/openai-provider.ts';
import { LlmError, type LlmStreamPart } from '../../../server/llm/port.ts';
import { startFakeOpenAi, type FakeOpenAi } from '../../support/fake-openai.ts';
import { nth } from '../../support/nth.ts';

const API_KEY = 'sk-test-DO-NOT-LEAK-0123456789';

let server: FakeOpenAi;
beforeEach(async () => {
  server = await startFakeOpenAi();
});
afterEach(async () => {
  await server.close();
});

function provider(overrides: Partial<OpenAiProviderOptions> = {}) {
  return createOpenAiProvider({ apiKey: API_KEY, baseUrl: server.url, model: 'fake-gpt', timeoutMs: 2_000, maxRetries: 0, ...overrides });
}

const TOOL = { name: 'add_rock', description: 'Add a big rock', parameters: { type: 'object', properties: { title: { type: 'string' } } } };

async function collect(iter: AsyncIterable<LlmStreamPart>): Promise<{ parts: LlmStreamPart[]; atMs: number[] }> {
  const parts: LlmStreamPart[] = [];
  const atMs: number[] = [];
  for await (const p of iter) {
    parts.push(p);
    atMs.push(Date.now());
  }
  return { parts, atMs };
}

async function failure(iter: AsyncIterable<LlmStreamPart>): Promise<{ error: LlmError; parts: LlmStreamPart[] }> {
  const parts: LlmStreamPart[] = [];
  try {
    for await (const p of iter) parts.push(p);
  } catch (e) {
    expect(e).toBeInstanceOf(LlmError);
    return { error: e as LlmError, parts };
  }
  throw new Error(`expected the stream to fail, got ${JSON.stringify(parts)}`);
}

describe('OpenAI provider (real SDK, fake server)', () => {
  it('streams text parts in order as they arrive, then finish; sends model, messages, tools and the key', async () => {
    const DELAY_MS = 60;
    server.enqueue({ kind: 'text', chunks: ['Rocks ', 'first, ', 'then ', 'sand.'], delayMs: DELAY_MS, usageChunk: true });
    const { parts, atMs } = await collect(
      provider().stream({
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'What goes first?' },
        ],
        tools: [TOOL],
        signal: new AbortController().signal,
      }),
    );
    expect(parts).toEqual([
      { type: 'text', text: 'Rocks ' },
      { type: 'text', text: 'first, ' },
      { type: 'text', text: 'then ' },
      { type: 'text', text: 'sand.' },
      { type: 'finish', reason: 'stop' },
    ]);
    // Streamed, not buffered: the first part came well before the last one.
    expect(nth(atMs, 3) - nth(atMs, 0)).toBeGreaterThanOrEqual(DELAY_MS * 2);

    const req = nth(server.requests, 0);
    expect(req.path).toBe('/v1/chat/completions');
    expect(req.authorization).toBe(`Bearer ${API_KEY}`);
    expect(req.body).toMatchObject({
      model: 'fake-gpt',
      stream: true,
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'What goes first?' },
      ],
      tools: [{ type: 'function', function: TOOL }],
    });
  });

  it('omits tools when there are none', async () => {
    server.enqueue({ kind: 'text', chunks: ['ok'] });
    await collect(provider().stream({ messages: [{ role: 'user', content: 'hi' }], tools: [], signal: new AbortController().signal }));
    expect(nth(server.requests, 0).body).not.toHaveProperty('tools');
  });

  it('assembles tool calls whose arguments are split over chunks and yields them once, before finish', async () => {
    const args1 = JSON.stringify({ title: 'Ship the billing page' });
    const args2 = JSON.stringify({ kind: 'deep_work', start: '2026-11-24T08:00:00Z', end: '2026-11-24T09:30:00Z' });
    server.enqueue({
      kind: 'tool_calls',
      text: ['Adding ', 'that.'],
      calls: [
        { id: 'call_1', name: 'add_rock', arguments: args1 },
        { id: 'call_2', name: 'add_block', arguments: args2 },
      ],
      argumentPieces: 5,
      delayMs: 5,
    });
    const { parts } = await collect(provider().stream({ messages: [{ role: 'user', content: 'x' }], tools: [TOOL], signal: new AbortController().signal }));
    expect(parts).toEqual([
      { type: 'text', text: 'Adding ' },
      { type: 'text', text: 'that.' },
      {
        type: 'tool_calls',
        calls: [
          { id: 'call_1', name: 'add_rock', arguments: args1 },
          { id: 'call_2', name: 'add_block', arguments: args2 },
        ],
      },
      { type: 'finish', reason: 'tool_calls' },
    ]);
    // The script really did split the arguments.
    expect(nth(server.requests, 0).eventsSent).toBeGreaterThan(10);
  });

  it('abort mid-stream closes the HTTP connection and ends with LlmError("aborted")', async () => {
    server.enqueue({ kind: 'infinite', delayMs: 20 });
    const controller = new AbortController();
    const parts: LlmStreamPart[] = [];
    let error: unknown;
    try {
      for await (const p of provider().stream({ messages: [{ role: 'user', content: 'x' }], tools: [], signal: controller.signal })) {
        parts.push(p);
        if (parts.length === 3) controller.abort();
      }
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(LlmError);
    expect((error as LlmError).code).toBe('aborted');
    expect(parts.map((p) => (p.type === 'text' ? p.text : p.type))).toEqual(['word0 ', 'word1 ', 'word2 ']);
    const closed = await server.waitForClientClose(0);
    expect(closed.clientClosedEarly).toBe(true);
    expect(closed.completed).toBe(false);
  });

  it('a consumer that stops iterating early also closes the connection', async () => {
    server.enqueue({ kind: 'infinite', delayMs: 20 });
    for await (const p of provider().stream({ messages: [{ role: 'user', content: 'x' }], tools: [], signal: new AbortController().signal })) {
      if (p.type === 'text') break;
    }
    const closed = await server.waitForClientClose(0);
    expect(closed.clientClosedEarly).toBe(true);
  });

  it('an already-aborted signal sends no request', async () => {
    const controller = new AbortController();
    controller.abort();
    const { error } = await failure(provider().stream({ messages: [{ role: 'user', content: 'x' }], tools: [], signal: controller.signal }));
    expect(error.code).toBe('aborted');
    expect(server.requests).toHaveLength(0);
  });

  it('HTTP 500 → upstream_http with a readable reason', async () => {
    server.enqueue({ kind: 'http_error', status: 500, body: { error: { message: 'The server had an error', type: 'server_error' } } });
    const { error } = await failure(provider().stream({ messages: [{ role: 'user', content: 'x' }], tools: [], signal: new AbortController().signal }));
    expect(error.code).toBe('upstream_http');
    expect(error.reason).toBe("The coach's model service returned an error (HTTP 500). Try again in a moment.");
    expect(server.requests).toHaveLength(1);
  });

  it('with maxRetries 1 a 503 is retried once and the retry succeeds', async () => {
    server.enqueue({ kind: 'http_error', status: 503, headers: { 'retry-after-ms': '10' } }, { kind: 'text', chunks: ['Back.'] });
    const { parts } = await collect(
      provider({ maxRetries: 1 }).stream({ messages: [{ role: 'user', content: 'x' }], tools: [], signal: new AbortController().signal }),
    );
    expect(parts).toEqual([
      { type: 'text', text: 'Back.' },
      { type: 'finish', reason: 'stop' },
    ]);
    expect(server.requests.map((r) => r.script)).toEqual(['http_error', 'text']);
  });

  it('HTTP 429 with error JSON → rate_limited naming retry-after', async () => {
    server.enqueue({
      kind: 'http_error',
      status: 429,
      headers: { 'retry-after': '7' },
      body: { error: { message: 'Rate limit reached for gpt-4o-mini', type: 'requests', code: 'rate_limit_exceeded' } },
    });
    const { error } = await failure(provider().stream({ messages: [{ role: 'user', content: 'x' }], tools: [], signal: new AbortController().signal }));
    expect(error.code).toBe('rate_limited');
    expect(error.reason).toBe("The coach's model service is busy right now (HTTP 429, rate limited). Try again in 7 s.");
  });

  it('a retry-after longer than MAX_RETRY_WAIT_MS is not slept on: one request, immediate rate_limited', async () => {
    server.enqueue({ kind: 'http_error', status: 429, headers: { 'retry-after': '3600' } }, { kind: 'text', chunks: ['too late'] });
    const started = Date.now();
    const { error } = await failure(
      provider({ maxRetries: 2 }).stream({ messages: [{ role: 'user', content: 'x' }], tools: [], signal: new AbortController().signal }),
    );
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(error.code).toBe('rate_limited');
    expect(error.reason).toContain('Try again in 60 min.');
    expect(server.requests).toHaveLength(1);
  });

  it('an abort during the retry back-off ends the stream at once', async () => {
    server.enqueue({ kind: 'http_error', status: 503, headers: { 'retry-after': '4' } }, { kind: 'text', chunks: ['late'] });
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 150);
    const { error } = await failure(provider({ maxRetries: 1 }).stream({ messages: [{ role: 'user', content: 'x' }], tools: [], signal: controller.signal }));
    expect(error.code).toBe('aborted');
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(server.requests).toHaveLength(1);
  });

  it('a server that never answers → timeout after timeoutMs, and the connection is closed', async () => {
    server.enqueue({ kind: 'hang' });
    const started = Date.now();
    const { error } = await failure(
      provider({ timeoutMs: 300 }).stream({ messages: [{ role: 'user', content: 'x' }], tools: [], signal: new AbortController().signal }),
    );
    const tookMs = Date.now() - started;
    expect(error.code).toBe('timeout');
    expect(error.reason).toBe("The coach's model service did not answer within 0.3 s. Try again in a moment.");
    expect(tookMs).toBeGreaterThanOrEqual(280);
    expect(tookMs).toBeLessThan(2_000);
    expect((await server.waitForClientClose(0)).clientClosedEarly).toBe(true);
  });

  it('a stream that stalls after starting → timeout after idleTimeoutMs', async () => {
    server.enqueue({ kind: 'raw', delayMs: 1_500, events: [{ id: 'c', object: 'chat.completion.chunk', created: 0, model: 'm', choices: [{ index: 0, delta: { content: 'Hel' }, finish_reason: null }] }, { id: 'c', object: 'chat.completion.chunk', created: 0, model: 'm', choices: [{ index: 0, delta: { content: 'lo' }, finish_reason: 'stop' }] }] });
    const { error, parts } = await failure(
      provider({ timeoutMs: 2_000, idleTimeoutMs: 250 }).stream({ messages: [{ role: 'user', content: 'x' }], tools: [], signal: new AbortController().signal }),
    );
    expect(parts).toEqual([{ type: 'text', text: 'Hel' }]);
    expect(error.code).toBe('timeout');
    expect(error.reason).toBe("The coach's model service stopped sending its answer (no data for 0.25 s). Try again in a moment.");
    expect((await server.waitForClientClose(0)).clientClosedEarly).toBe(true);
  });

  it('a malformed chunk → malformed, after the good text before it', async () => {
    server.enqueue({ kind: 'malformed', before: ['Good ', 'start'] });
    const { error, parts } = await failure(provider().stream({ messages: [{ role: 'user', content: 'x' }], tools: [], signal: new AbortController().signal }));
    expect(parts).toEqual([
      { type: 'text', text: 'Good ' },
      { type: 'text', text: 'start' },
    ]);
    expect(error.code).toBe('malformed');
    expect(error.reason).toBe("The coach's model service sent a malformed response. Try again in a moment.");
  });

  it('a stream that ends without finish_reason is not mistaken for a complete answer', async () => {
    server.enqueue({ kind: 'truncated', chunks: ['Half an'] });
    const { error, parts } = await failure(provider().stream({ messages: [{ role: 'user', content: 'x' }], tools: [], signal: new AbortController().signal }));
    expect(parts).toEqual([{ type: 'text', text: 'Half an' }]);
    expect(error.code).toBe('connection');
    expect(error.reason).toMatch(/ended its answer before it was finished/);
  });

  it('an error object inside the stream → upstream_http with its message', async () => {
    server.enqueue({ kind: 'raw', events: [{ error: { message: 'overloaded', type: 'server_error' } }] });
    const { error } = await failure(provider().stream({ messages: [{ role: 'user', content: 'x' }], tools: [], signal: new AbortController().signal }));
    expect(error.code).toBe('upstream_http');
    expect(error.reason).toBe("The coach's model service reported an error mid-answer (overloaded). Try again in a moment.");
  });

  it('a 401 echoing the key never leaks it into the reason', async () => {
    server.enqueue({ kind: 'http_error', status: 401, body: { error: { message: `Incorrect API key provided: ${API_KEY}.`, type: 'invalid_request_error' } } });
    const { error } = await failure(provider().stream({ messages: [{ role: 'user', content: 'x' }], tools: [], signal: new AbortController().signal }));
    expect(error.reason).toContain('HTTP 401');
    expect(error.reason).not.toContain(API_KEY);
    expect(error.message).not.toContain(API_KEY);
  });

  it('an unreachable server → connection', async () => {
    const url = server.url;
    await server.close();
    const p = createOpenAiProvider({ apiKey: API_KEY, baseUrl: url, model: 'm', timeoutMs: 1_000, maxRetries: 0 });
    const { error } = await failure(p.stream({ messages: [{ role: 'user', content: 'x' }], tools: [], signal: new AbortController().signal }));
    expect(error.code).toBe('connection');
    expect(error.reason).toBe("Could not reach the coach's model service. Check the network and try again.");
    server = await startFakeOpenAi(); // for afterEach
  });
});
