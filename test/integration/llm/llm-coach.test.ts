// The LLM coach end to end: real openai SDK provider → fake OpenAI server, an in-test PlanToolbox double.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AgentError, type AgentTurn } from '../../../server/agent/port.ts';
import { CUT_OFF_BY_USER } from '../../../server/coach/context.ts';
import { CONTINUE_INSTRUCTION, createLlmCoach, STEP_LIMIT_NOTE, type LlmCoachDeps } from '../../../server/coach/llm-coach.ts';
import { createOpenAiProvider } from '../../../server/llm/openai-provider.ts';
import type { LlmToolDef } from '../../../server/llm/port.ts';
import type { PlanToolbox, ToolContext, ToolOutcome } from '../../../server/plan/toolbox.ts';
import type { WeekPlan } from '../../../server/plan/types.ts';
import type { SessionEvent } from '../../../server/session/types.ts';
import { startFakeOpenAi, type FakeOpenAi } from '../../support/fake-openai.ts';
import { nth } from '../../support/nth.ts';

const WEEK = { weekKey: '2026-W48', timeZone: 'Europe/Berlin' };
const MIN_DEEP_WORK_MINUTES = 45;

function emptyPlan(): WeekPlan {
  return { ...WEEK, version: 0, review: null, vision: null, rocks: [], blocks: [], environment: [], reflections: [] };
}

/** A small toolbox double: records calls, adds rocks, validates deep-work block length. */
class RecordingToolbox implements PlanToolbox {
  calls: { name: string; rawArgs: string; ctx: ToolContext }[] = [];
  plan = emptyPlan();
  /** Runs inside execute, e.g. to abort the turn while a tool is working. */
  onExecute?: () => void;

  definitions(): LlmToolDef[] {
    return [
      { name: 'add_rock', description: 'Add a big rock for the week', parameters: { type: 'object', properties: { title: { type: 'string' } }, required: ['title'] } },
      {
        name: 'add_block',
        description: 'Schedule a time block',
        parameters: { type: 'object', properties: { kind: { type: 'string' }, title: { type: 'string' }, start: { type: 'string' }, end: { type: 'string' } }, required: ['kind', 'start', 'end'] },
      },
    ];
  }

  async execute(name: string, rawArgs: string, ctx: ToolContext): Promise<ToolOutcome> {
    this.calls.push({ name, rawArgs, ctx });
    this.onExecute?.();
    let args: Record<string, string>;
    try {
      args = JSON.parse(rawArgs);
    } catch {
      return { ok: false, message: 'Rejected: the arguments are not valid JSON.' };
    }
    if (name === 'add_rock') {
      const rock = { id: `r${this.plan.rocks.length + 1}`, title: args.title ?? '', status: 'planned' as const, position: this.plan.rocks.length + 1, carryCount: 0, carriedFromId: null };
      this.plan = { ...this.plan, rocks: [...this.plan.rocks, rock] };
      return { ok: true, message: `Saved rock "${args.title}" (${rock.id}).`, plan: this.plan };
    }
    if (name === 'add_block') {
      const minutes = (Date.parse(args.end ?? '') - Date.parse(args.start ?? '')) / 60_000;
      if (args.kind === 'deep_work' && minutes < MIN_DEEP_WORK_MINUTES) {
        return { ok: false, message: `Rejected: a deep-work block must be at least ${MIN_DEEP_WORK_MINUTES} minutes; this one is ${minutes} minutes. Nothing was saved.` };
      }
      return { ok: false, message: 'Rejected: not supported by this double.' };
    }
    return { ok: false, message: `Rejected: unknown tool "${name}".` };
  }
}

let server: FakeOpenAi;
let toolbox: RecordingToolbox;
beforeEach(async () => {
  server = await startFakeOpenAi();
  toolbox = new RecordingToolbox();
});
afterEach(async () => {
  await server.close();
});

function coach(overrides: Partial<LlmCoachDeps> = {}, providerTimeoutMs = 2_000) {
  return createLlmCoach({
    provider: createOpenAiProvider({ apiKey: 'sk-test-key', baseUrl: server.url, model: 'fake-gpt', timeoutMs: providerTimeoutMs, maxRetries: 0 }),
    tools: toolbox,
    weekFor: () => WEEK,
    loadPlan: async () => toolbox.plan,
    now: () => new Date('2026-11-25T09:00:00Z'),
    ...overrides,
  });
}

let seq = 0;
function ev(type: string, data: Record<string, unknown>): SessionEvent {
  return { seq: ++seq, type, at: new Date(Date.UTC(2026, 10, 25, 9, 0, seq)).toISOString(), data };
}

/** History for a new turn: the user's message and this run's assistant.start. */
function historyFor(text: string, messageId = 'm-now', before: SessionEvent[] = []): SessionEvent[] {
  return [...before, ev('user.message', { clientMessageId: `c-${seq}`, text }), ev('assistant.start', { messageId, runId: `run-${messageId}` })];
}

function makeTurn(history: SessionEvent[], messageId = 'm-now') {
  const controller = new AbortController();
  const writes: string[] = [];
  const emits: { type: string; data: Record<string, unknown>; requestsSoFar: number }[] = [];
  const turn: AgentTurn = {
    sessionId: 's1',
    userId: 'u1',
    runId: `run-${messageId}`,
    messageId,
    history,
    signal: controller.signal,
    write: (t) => writes.push(t),
    emit: async (type, data) => {
      emits.push({ type, data, requestsSoFar: server.requests.length });
    },
  };
  return { turn, controller, writes, emits };
}

async function agentError(p: Promise<void>): Promise<AgentError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(AgentError);
    return e as AgentError;
  }
  throw new Error('expected respond() to throw an AgentError');
}

describe('LLM coach: the turn context', () => {
  it('uses the context the runner read once per turn: no session or user reads of its own', async () => {
    server.enqueue({ kind: 'text', chunks: ['Hello.'] });
    const reads: string[] = [];
    const loaded: string[] = [];
    const c = coach({
      weekFor: () => {
        reads.push('weekFor');
        return WEEK;
      },
      kindFor: () => {
        reads.push('kindFor');
        return 'plan';
      },
      loadPlan: async (_userId, weekKey, timeZone) => {
        loaded.push(`${weekKey} ${timeZone}`);
        return toolbox.plan;
      },
    });
    const { turn, writes } = makeTurn(historyFor('How did my week go?'));
    turn.context = { userId: 'u1', sessionId: 's1', kind: 'review', weekKey: '2026-W47', timeZone: 'Asia/Tokyo' };
    await c.respond(turn);
    expect(writes.join('')).toBe('Hello.');
    expect(reads).toEqual([]);
    expect(loaded).toEqual(['2026-W47 Asia/Tokyo']);

    // Without a context (an agent driven outside the runner) it asks for the week and kind itself.
    server.enqueue({ kind: 'text', chunks: ['Hi.'] });
    await c.respond(makeTurn(historyFor('Plan my week')).turn);
    expect(reads).toEqual(['weekFor', 'kindFor']);
    expect(loaded.at(-1)).toBe('2026-W48 Europe/Berlin');
  });
});

describe('LLM coach: turns without a user message (SL15)', () => {
  it('SL15: a retry sends the conversation without the retried answer; the user message is the last word', async () => {
    server.enqueue({ kind: 'text', chunks: ['A better answer.'] });
    const history = [
      ev('user.message', { clientMessageId: 'c1', text: 'Help me plan my week' }),
      ev('assistant.start', { messageId: 'm1', runId: 'r1' }),
      ev('assistant.delta', { messageId: 'm1', text: 'A weak answer.' }),
      ev('assistant.end', { messageId: 'm1', status: 'complete', text: 'A weak answer.' }),
      ev('turn.requested', { requestId: 'q1', mode: 'retry', messageId: 'm1' }),
      ev('assistant.start', { messageId: 'm2', runId: 'run-m2' }),
    ];
    const { turn, writes } = makeTurn(history, 'm2');
    await coach().respond(turn);
    expect(writes.join('')).toBe('A better answer.');
    const { messages } = nth(server.requests, 0).body;
    expect(JSON.stringify(messages)).not.toContain('A weak answer.');
    expect(messages.at(-1)).toEqual({ role: 'user', content: 'Help me plan my week' });
    expect(messages.filter((m: { role: string }) => m.role === 'user')).toHaveLength(1);
  });

  it('SL15: a continue keeps the cut-off answer and tells the model to go on from there', async () => {
    server.enqueue({ kind: 'text', chunks: ['most this week?'] });
    const history = [
      ev('user.message', { clientMessageId: 'c1', text: 'Help me plan my week' }),
      ev('assistant.start', { messageId: 'm1', runId: 'r1' }),
      ev('assistant.delta', { messageId: 'm1', text: 'What matters ' }),
      ev('cancel.requested', { messageId: 'm1', runId: 'r1' }),
      ev('assistant.end', { messageId: 'm1', status: 'cancelled', text: 'What matters ' }),
      ev('turn.requested', { requestId: 'q1', mode: 'continue', messageId: 'm1' }),
      ev('assistant.start', { messageId: 'm2', runId: 'run-m2' }),
    ];
    const { turn, writes } = makeTurn(history, 'm2');
    await coach().respond(turn);
    expect(writes.join('')).toBe('most this week?');
    const { messages } = nth(server.requests, 0).body;
    expect(messages.at(-2)).toEqual({ role: 'assistant', content: `What matters ${CUT_OFF_BY_USER}` });
    expect(messages.at(-1)).toEqual({ role: 'system', content: CONTINUE_INSTRUCTION });
    expect(messages.filter((m: { role: string }) => m.role === 'user')).toHaveLength(1);
  });
});

describe('LLM coach with the real provider', () => {
  it('streams the model text to turn.write in order and sends prompt, plan and the question upstream', async () => {
    server.enqueue({ kind: 'text', chunks: ['What are ', 'your 3–5 ', 'rocks this week?'], delayMs: 15 });
    const { turn, writes, emits } = makeTurn(historyFor('Help me plan my week'));
    await coach().respond(turn);
    expect(writes).toEqual(['What are ', 'your 3–5 ', 'rocks this week?']);
    expect(emits).toEqual([]);

    const { messages, tools } = nth(server.requests, 0).body;
    expect(messages[0].role).toBe('system');
    expect(messages[0].content).toContain('FOCUS');
    expect(messages[1].content).toContain('Saved plan for week 2026-W48');
    expect(messages.at(-1)).toEqual({ role: 'user', content: 'Help me plan my week' });
    expect(tools.map((t: { function: { name: string } }) => t.function.name)).toEqual(['add_rock', 'add_block']);
  });

  it('executes a tool call split over chunks, reports the rejection to the model, and streams its follow-up', async () => {
    const args = JSON.stringify({ kind: 'deep_work', title: 'Billing', start: '2026-11-24T08:00:00Z', end: '2026-11-24T08:30:00Z' });
    server.enqueue(
      { kind: 'tool_calls', text: ['Booking it.'], calls: [{ id: 'call_block_1', name: 'add_block', arguments: args }], argumentPieces: 6 },
      { kind: 'text', chunks: ['That slot is only 30 minutes — ', 'can we make it 45?'] },
    );
    const { turn, writes, emits } = makeTurn(historyFor('Put billing on Tuesday 9:00–9:30'));
    await coach().respond(turn);

    expect(toolbox.calls).toEqual([{ name: 'add_block', rawArgs: args, ctx: { userId: 'u1', ...WEEK } }]);
    expect(emits).toEqual([]); // nothing was saved, so no plan.updated
    expect(writes.join('')).toBe('Booking it.\n\nThat slot is only 30 minutes — can we make it 45?');

    expect(server.requests).toHaveLength(2);
    const second = nth(server.requests, 1).body.messages;
    expect(second.at(-2)).toEqual({
      role: 'assistant',
      content: 'Booking it.',
      tool_calls: [{ id: 'call_block_1', type: 'function', function: { name: 'add_block', arguments: args } }],
    });
    expect(second.at(-1)).toEqual({
      role: 'tool',
      tool_call_id: 'call_block_1',
      content: 'Rejected: a deep-work block must be at least 45 minutes; this one is 30 minutes. Nothing was saved.',
    });
  });

  it('emits plan.updated after each successful change, before asking the model again', async () => {
    server.enqueue(
      {
        kind: 'tool_calls',
        calls: [
          { id: 'c1', name: 'add_rock', arguments: '{"title":"Ship billing"}' },
          { id: 'c2', name: 'add_rock', arguments: '{"title":"Run 3x"}' },
        ],
      },
      { kind: 'text', chunks: ['Saved both rocks.'] },
    );
    const { turn, emits, writes } = makeTurn(historyFor('My rocks: ship billing, run 3x'));
    await coach().respond(turn);

    expect(emits.map((e) => e.type)).toEqual(['plan.updated', 'plan.updated']);
    const [first, second] = emits.map((e) => e.data);
    expect(first?.weekKey).toBe('2026-W48');
    expect((first?.plan as WeekPlan).rocks.map((r) => r.title)).toEqual(['Ship billing']);
    expect((second?.plan as WeekPlan).rocks.map((r) => r.title)).toEqual(['Ship billing', 'Run 3x']);
    expect(emits.map((e) => e.requestsSoFar)).toEqual([1, 1]);
    expect(writes.join('')).toBe('Saved both rocks.');
    const toolMessages = nth(server.requests, 1).body.messages.filter((m: { role: string }) => m.role === 'tool');
    expect(toolMessages).toEqual([
      { role: 'tool', tool_call_id: 'c1', content: 'Saved rock "Ship billing" (r1).' },
      { role: 'tool', tool_call_id: 'c2', content: 'Saved rock "Run 3x" (r2).' },
    ]);
  });

  it('cancel mid-stream: respond returns quietly, writes stop, and the server sees the connection close', async () => {
    server.enqueue({ kind: 'infinite', delayMs: 20, text: 'rock' });
    const { turn, controller, writes, emits } = makeTurn(historyFor('Talk to me'));
    const origWrite = turn.write;
    let writesAtAbort = -1;
    turn.write = (t) => {
      origWrite(t);
      if (writes.length === 4) {
        controller.abort();
        writesAtAbort = writes.length;
      }
    };
    await expect(coach().respond(turn)).resolves.toBeUndefined();
    const closed = await server.waitForClientClose(0);
    expect(closed.clientClosedEarly).toBe(true);
    expect(writesAtAbort).toBe(4);
    expect(writes).toHaveLength(4);
    expect(writes.join('')).toBe('rock0 rock1 rock2 rock3 ');
    expect(emits).toEqual([]);
    expect(server.requests).toHaveLength(1);
  });

  it('a stop while a tool runs: the saved change is still announced, but no further model call is made', async () => {
    server.enqueue({
      kind: 'tool_calls',
      calls: [
        { id: 'c1', name: 'add_rock', arguments: '{"title":"A"}' },
        { id: 'c2', name: 'add_rock', arguments: '{"title":"B"}' },
      ],
    });
    const { turn, controller, emits, writes } = makeTurn(historyFor('add A and B'));
    toolbox.onExecute = () => controller.abort();
    await coach().respond(turn);
    expect(toolbox.calls.map((c) => c.rawArgs)).toEqual(['{"title":"A"}']);
    expect(emits.map((e) => (e.data.plan as WeekPlan).rocks.length)).toEqual([1]);
    expect(writes).toEqual([]);
    expect(server.requests).toHaveLength(1);
  });

  it('after a cancelled answer the next request carries the partial text with the cut-off marker', async () => {
    // Turn 1: cancelled after three chunks.
    server.enqueue({ kind: 'infinite', delayMs: 20, text: 'part' });
    const first = makeTurn(historyFor('Plan Monday', 'm1'), 'm1');
    const origWrite = first.turn.write;
    first.turn.write = (t) => {
      origWrite(t);
      if (first.writes.length === 3) first.controller.abort();
    };
    await coach().respond(first.turn);
    const partial = first.writes.join('');
    expect(partial).toBe('part0 part1 part2 ');

    // What the runner would have logged for turn 1, then turn 2.
    const log = [
      ...first.turn.history,
      ev('assistant.delta', { messageId: 'm1', text: partial }),
      ev('cancel.requested', { messageId: 'm1', runId: 'run-m1' }),
      ev('assistant.end', { messageId: 'm1', status: 'cancelled', text: partial }),
    ];
    server.enqueue({ kind: 'text', chunks: ['Sure.'] });
    const second = makeTurn(historyFor('Shorter please', 'm2', log), 'm2');
    await coach().respond(second.turn);

    const sent = nth(server.requests, 1).body.messages;
    expect(sent.slice(-3)).toEqual([
      { role: 'user', content: 'Plan Monday' },
      { role: 'assistant', content: `part0 part1 part2 ${CUT_OFF_BY_USER}` },
      { role: 'user', content: 'Shorter please' },
    ]);
    expect(sent[sent.length - 2].content).toContain('[cut off: the user stopped this answer]');
  });

  it('stops after maxSteps model calls and says so', async () => {
    server.enqueue(
      { kind: 'tool_calls', calls: [{ id: 'c1', name: 'add_rock', arguments: '{"title":"A"}' }] },
      { kind: 'tool_calls', calls: [{ id: 'c2', name: 'add_rock', arguments: '{"title":"B"}' }] },
      { kind: 'text', chunks: ['never requested'] },
    );
    const { turn, writes, emits } = makeTurn(historyFor('add rocks'));
    await coach({ maxSteps: 2 }).respond(turn);
    expect(server.requests).toHaveLength(2);
    expect(emits).toHaveLength(2);
    expect(writes.join('')).toBe(STEP_LIMIT_NOTE);
  });

  it('a toolbox that throws is reported to the model as "nothing was saved"', async () => {
    server.enqueue({ kind: 'tool_calls', calls: [{ id: 'c1', name: 'add_rock', arguments: '{"title":"A"}' }] }, { kind: 'text', chunks: ['Sorry, that did not save.'] });
    toolbox.onExecute = () => {
      throw new Error('db down: password=hunter2');
    };
    const { turn, emits } = makeTurn(historyFor('add A'));
    const logged: { obj: object; msg: string }[] = [];
    await coach({ logger: { error: (obj, msg) => logged.push({ obj, msg }) } }).respond(turn);
    expect(emits).toEqual([]);
    expect(logged).toHaveLength(1);
    expect(nth(logged, 0).msg).toBe('coach tool failed unexpectedly');
    expect(nth(logged, 0).obj).toMatchObject({ tool: 'add_rock', userId: 'u1', weekKey: '2026-W48' });
    const tool = nth(server.requests, 1).body.messages.at(-1);
    expect(tool.role).toBe('tool');
    expect(tool.content).toContain('nothing was saved');
    expect(tool.content).not.toContain('hunter2');
  });

  describe('upstream failures become AgentErrors with readable reasons', () => {
    it('HTTP 500', async () => {
      server.enqueue({ kind: 'http_error', status: 500 });
      const err = await agentError(coach().respond(makeTurn(historyFor('hi')).turn));
      expect(err.code).toBe('upstream_failed');
      expect(err.reason).toBe("The coach's model service returned an error (HTTP 500). Try again in a moment.");
    });

    it('HTTP 429', async () => {
      server.enqueue({ kind: 'http_error', status: 429, body: { error: { message: 'Rate limit reached', type: 'requests' } } });
      const err = await agentError(coach().respond(makeTurn(historyFor('hi')).turn));
      expect(err.code).toBe('rate_limited');
      expect(err.reason).toBe("The coach's model service is busy right now (HTTP 429, rate limited). Try again in a minute.");
    });

    it('timeout', async () => {
      server.enqueue({ kind: 'hang' });
      const err = await agentError(coach({}, 250).respond(makeTurn(historyFor('hi')).turn));
      expect(err.code).toBe('timeout');
      expect(err.reason).toBe("The coach's model service did not answer within 0.25 s. Try again in a moment.");
    });

    it('malformed chunk, after partial text was written', async () => {
      server.enqueue({ kind: 'malformed', before: ['Let me '] });
      const { turn, writes } = makeTurn(historyFor('hi'));
      const err = await agentError(coach().respond(turn));
      expect(writes).toEqual(['Let me ']);
      expect(err.code).toBe('malformed_response');
      expect(err.reason).toBe("The coach's model service sent a malformed response. Try again in a moment.");
    });

    it('a failure in the second step (after a tool call) is still an AgentError', async () => {
      server.enqueue({ kind: 'tool_calls', calls: [{ id: 'c1', name: 'add_rock', arguments: '{"title":"A"}' }] }, { kind: 'http_error', status: 502 });
      const { turn, emits } = makeTurn(historyFor('add A'));
      const err = await agentError(coach().respond(turn));
      expect(err.reason).toContain('HTTP 502');
      expect(emits).toHaveLength(1);
    });
  });
});
