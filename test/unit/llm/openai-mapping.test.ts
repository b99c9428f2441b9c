import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
  InternalServerError,
  RateLimitError,
} from 'openai';
import { describe, expect, it } from 'vitest';
import {
  mapFinishReason,
  redactSecrets,
  retryAfterMs,
  toLlmError,
  toOpenAiMessages,
  toOpenAiTools,
  ToolCallAccumulator,
} from '../../../server/llm/openai-mapping.ts';
import { LlmError } from '../../../server/llm/port.ts';
import { nth } from '../../support/nth.ts';

describe('toOpenAiMessages', () => {
  it('maps every role, tool calls and tool results', () => {
    const out = toOpenAiMessages([
      { role: 'system', content: 'be brief' },
      { role: 'user', content: 'plan my week' },
      { role: 'assistant', content: '', toolCalls: [{ id: 'c1', name: 'add_rock', arguments: '{"title":"Ship v2"}' }] },
      { role: 'tool', toolCallId: 'c1', content: 'Added rock "Ship v2".' },
      { role: 'assistant', content: 'Done.' },
    ]);
    expect(out).toEqual([
      { role: 'system', content: 'be brief' },
      { role: 'user', content: 'plan my week' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'c1', type: 'function', function: { name: 'add_rock', arguments: '{"title":"Ship v2"}' } }],
      },
      { role: 'tool', tool_call_id: 'c1', content: 'Added rock "Ship v2".' },
      { role: 'assistant', content: 'Done.' },
    ]);
  });

  it('keeps assistant text that came with tool calls', () => {
    const [m] = toOpenAiMessages([{ role: 'assistant', content: 'Adding it.', toolCalls: [{ id: 'x', name: 'n', arguments: '{}' }] }]);
    expect(m).toMatchObject({ role: 'assistant', content: 'Adding it.' });
  });
});

describe('toOpenAiTools', () => {
  it('wraps definitions as function tools', () => {
    const params = { type: 'object', properties: { title: { type: 'string' } }, required: ['title'] };
    expect(toOpenAiTools([{ name: 'add_rock', description: 'Add a big rock', parameters: params }])).toEqual([
      { type: 'function', function: { name: 'add_rock', description: 'Add a big rock', parameters: params } },
    ]);
  });
});

describe('mapFinishReason', () => {
  it.each([
    [null, null],
    [undefined, null],
    ['stop', 'stop'],
    ['tool_calls', 'tool_calls'],
    ['function_call', 'tool_calls'],
    ['length', 'length'],
    ['content_filter', 'other'],
    ['eos_token', 'other'],
  ] as const)('%s → %s', (input, expected) => {
    expect(mapFinishReason(input)).toBe(expected);
  });
});

describe('ToolCallAccumulator', () => {
  it('assembles interleaved fragments of parallel calls in index order', () => {
    const acc = new ToolCallAccumulator();
    acc.add([{ index: 0, id: 'call_a', type: 'function', function: { name: 'add_rock', arguments: '' } }]);
    acc.add([{ index: 0, function: { arguments: '{"ti' } }]);
    acc.add([{ index: 1, id: 'call_b', type: 'function', function: { name: 'add_block', arguments: '{"kind":' } }]);
    acc.add([{ index: 0, function: { arguments: 'tle":"Ship v2"}' } }]);
    acc.add([{ index: 1, function: { arguments: '"deep_work"}' } }]);
    expect(acc.size).toBe(2);
    expect(acc.finish()).toEqual([
      { id: 'call_a', name: 'add_rock', arguments: '{"title":"Ship v2"}' },
      { id: 'call_b', name: 'add_block', arguments: '{"kind":"deep_work"}' },
    ]);
  });

  it('joins a name split across fragments but not a name repeated in each fragment', () => {
    const split = new ToolCallAccumulator();
    split.add([{ index: 0, id: 'c', function: { name: 'add_' } }]);
    split.add([{ index: 0, function: { name: 'rock', arguments: '{}' } }]);
    expect(nth(split.finish(), 0).name).toBe('add_rock');

    const repeated = new ToolCallAccumulator();
    repeated.add([{ index: 0, id: 'c', function: { name: 'add_rock', arguments: '{"a":' } }]);
    repeated.add([{ index: 0, id: 'c', function: { name: 'add_rock', arguments: '1}' } }]);
    expect(repeated.finish()).toEqual([{ id: 'c', name: 'add_rock', arguments: '{"a":1}' }]);
  });

  it('synthesises a missing id, turns empty arguments into {} and handles missing indexes', () => {
    const acc = new ToolCallAccumulator();
    acc.add([{ id: 'first', function: { name: 'a', arguments: '' } } as never]);
    acc.add([{ id: 'second', function: { name: 'b', arguments: '{"x"' } } as never]);
    acc.add([{ function: { arguments: ':1}' } } as never]);
    acc.add([{ index: 5, function: { name: 'c', arguments: '{}' } }]);
    expect(acc.finish()).toEqual([
      { id: 'first', name: 'a', arguments: '{}' },
      { id: 'second', name: 'b', arguments: '{"x":1}' },
      { id: 'call_5', name: 'c', arguments: '{}' },
    ]);
  });

  it('rejects a call that never got a name', () => {
    const acc = new ToolCallAccumulator();
    acc.add([{ index: 0, id: 'c', function: { arguments: '{}' } }]);
    expect(() => acc.finish()).toThrowError(LlmError);
    try {
      acc.finish();
    } catch (e) {
      expect((e as LlmError).code).toBe('malformed');
    }
  });
});

describe('toLlmError', () => {
  const headers = (h: Record<string, string> = {}) => new Headers(h);
  const KEY = 'sk-test-SECRETSECRETSECRET1234';

  it('HTTP 500 → upstream_http with the status and no upstream text', () => {
    const e = toLlmError(new InternalServerError(500, { message: 'boom at node 7' }, undefined, headers()));
    expect(e.code).toBe('upstream_http');
    expect(e.reason).toBe("The coach's model service returned an error (HTTP 500). Try again in a moment.");
  });

  it.each([502, 503])('HTTP %i → upstream_http naming the status', (status) => {
    const e = toLlmError(APIError.generate(status, { error: { message: 'bad gateway' } }, undefined, headers()));
    expect(e.code).toBe('upstream_http');
    expect(e.reason).toContain(`HTTP ${status}`);
  });

  it('429 → rate_limited, using retry-after when given', () => {
    const e = toLlmError(new RateLimitError(429, { message: 'Rate limit reached' }, undefined, headers({ 'retry-after': '20' })));
    expect(e.code).toBe('rate_limited');
    expect(e.reason).toBe("The coach's model service is busy right now (HTTP 429, rate limited). Try again in 20 s.");
    const noHeader = toLlmError(new RateLimitError(429, undefined, undefined, headers()));
    expect(noHeader.reason).toContain('Try again in a minute.');
  });

  it('timeout → timeout with the configured time', () => {
    const e = toLlmError(new APIConnectionTimeoutError(), { timeoutMs: 1500 });
    expect(e.code).toBe('timeout');
    expect(e.reason).toBe("The coach's model service did not answer within 1.5 s. Try again in a moment.");
  });

  it('connection error → connection', () => {
    const e = toLlmError(new APIConnectionError({ message: 'Connection error.', cause: new Error('ECONNREFUSED') }));
    expect(e.code).toBe('connection');
    expect(e.reason).toMatch(/Could not reach/);
  });

  it('user abort → aborted', () => {
    expect(toLlmError(new APIUserAbortError()).code).toBe('aborted');
  });

  it('malformed JSON chunk (SyntaxError) → malformed', () => {
    let err: unknown;
    try {
      JSON.parse('{not json');
    } catch (e) {
      err = e;
    }
    const mapped = toLlmError(err);
    expect(mapped.code).toBe('malformed');
    expect(mapped.reason).toBe("The coach's model service sent a malformed response. Try again in a moment.");
  });

  it('401 names the configuration to check but never the key', () => {
    const body = { message: `Incorrect API key provided: ${KEY}. You can find your API key at https://platform.openai.com.` };
    const e = toLlmError(APIError.generate(401, { error: body }, undefined, headers()), { secrets: [KEY] });
    expect(e.reason).toContain('HTTP 401');
    expect(e.reason).toContain('OPENAI_API_KEY');
    expect(e.reason).not.toContain('SECRET');
  });

  it('400 includes the upstream message, redacted and shortened', () => {
    const long = `This model's maximum context length is 8192 tokens. Key ${KEY} ` + 'x'.repeat(500);
    const e = toLlmError(APIError.generate(400, { error: { message: long } }, undefined, headers()), { secrets: [KEY] });
    expect(e.code).toBe('upstream_http');
    expect(e.reason).toContain('HTTP 400');
    expect(e.reason).toContain('maximum context length');
    expect(e.reason).not.toContain('SECRET');
    expect(e.reason.length).toBeLessThan(300);
  });

  it('an unknown error is wrapped with its message redacted', () => {
    const e = toLlmError(new Error(`weird failure Bearer ${KEY}`), { secrets: [KEY] });
    expect(e.code).toBe('connection');
    expect(e.reason).toContain('weird failure');
    expect(e.reason).not.toContain('SECRET');
  });

  it('passes an LlmError through unchanged', () => {
    const orig = new LlmError('timeout', 'x');
    expect(toLlmError(orig)).toBe(orig);
  });
});

describe('redactSecrets', () => {
  it('removes given secrets, sk- keys and bearer tokens', () => {
    expect(redactSecrets('key=abcd1234efgh', ['abcd1234efgh'])).toBe('key=***');
    expect(redactSecrets('use sk-proj-AbC_123-xyz now')).toBe('use sk-*** now');
    expect(redactSecrets('Authorization: Bearer abc.def')).toBe('Authorization: Bearer ***');
  });
});

describe('retryAfterMs', () => {
  const NOW = Date.parse('2026-11-25T10:00:00Z');
  it('reads retry-after-ms, retry-after seconds and an HTTP date', () => {
    expect(retryAfterMs(new Headers({ 'retry-after-ms': '250' }), NOW)).toBe(250);
    expect(retryAfterMs(new Headers({ 'retry-after': '7' }), NOW)).toBe(7_000);
    expect(retryAfterMs(new Headers({ 'retry-after': 'Wed, 25 Nov 2026 10:02:00 GMT' }), NOW)).toBe(120_000);
    expect(retryAfterMs(new Headers({ 'retry-after': 'soon' }), NOW)).toBeUndefined();
    expect(retryAfterMs(new Headers(), NOW)).toBeUndefined();
  });

  it('a long wait is named in minutes in the rate-limit reason', () => {
    const e = toLlmError(new RateLimitError(429, undefined, undefined, new Headers({ 'retry-after': '3600' })));
    expect(e.reason).toBe("The coach's model service is busy right now (HTTP 429, rate limited). Try again in 60 min.");
  });
});
