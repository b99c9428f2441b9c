import { describe, expect, it } from 'vitest';
import {
  buildContext,
  CHARS_PER_TOKEN,
  conversationFromLog,
  CUT_OFF_BY_FAILURE,
  CUT_OFF_BY_INTERRUPT,
  CUT_OFF_BY_USER,
  describePlan,
  estimateMessageTokens,
  summarizeDropped,
} from '../../../server/coach/context.ts';
import { FOCUS_SYSTEM_PROMPT, KIND_GUIDANCE } from '../../../server/coach/prompt.ts';
import type { WeekPlan } from '../../../server/plan/types.ts';
import type { SessionEvent } from '../../../server/session/types.ts';
import { nth } from '../../support/nth.ts';

/** Builds a log with consecutive seqs from compact steps. */
function log(...steps: [string, Record<string, unknown>][]): SessionEvent[] {
  return steps.map(([type, data], i) => ({ seq: i + 1, type, at: new Date(Date.UTC(2026, 10, 25, 9, 0, i)).toISOString(), data }));
}
const user = (text: string, id = text): [string, Record<string, unknown>] => ['user.message', { clientMessageId: id, text }];
const start = (messageId: string): [string, Record<string, unknown>] => ['assistant.start', { messageId, runId: `run-${messageId}` }];
const delta = (messageId: string, text: string): [string, Record<string, unknown>] => ['assistant.delta', { messageId, text }];
const end = (messageId: string, status: string, text: string, reason?: string): [string, Record<string, unknown>] => [
  'assistant.end',
  { messageId, status, text, ...(reason ? { reason } : {}) },
];

const plan: WeekPlan = {
  weekKey: '2026-W48',
  timeZone: 'Europe/Berlin',
  vision: { work: 'Launched v2', self: 'Ran a half marathon', relationships: 'Weekly dinner with Sam' },
  rocks: [
    { id: 'r2', title: 'Train 3x', status: 'planned', position: 2, carryCount: 0, carriedFromId: null },
    { id: 'r1', title: 'Ship billing page', status: 'planned', position: 1, carryCount: 2, carriedFromId: 'old' },
  ],
  blocks: [
    { id: 'b1', kind: 'deep_work', title: 'Billing', start: '2026-11-24T08:00:00.000Z', end: '2026-11-24T09:30:00.000Z', rockId: 'r1' },
  ],
  environment: [{ id: 'e1', text: 'Phone in the hallway' }],
  reflections: [],
};

describe('conversationFromLog', () => {
  it('rebuilds user and assistant turns; end text wins over deltas; the open current run is left out', () => {
    const msgs = conversationFromLog(
      log(
        user('Hi, plan my week'),
        start('m1'),
        delta('m1', 'What are '),
        delta('m1', 'your rocks?'),
        end('m1', 'complete', 'What are your rocks?'),
        ['plan.updated', { weekKey: '2026-W48', plan }],
        user('Ship billing'),
        start('m2'),
      ),
    );
    expect(msgs).toEqual([
      { role: 'user', content: 'Hi, plan my week' },
      { role: 'assistant', content: 'What are your rocks?' },
      { role: 'user', content: 'Ship billing' },
    ]);
  });

  it('marks a cancelled answer with its partial text', () => {
    const msgs = conversationFromLog(
      log(user('q'), start('m1'), delta('m1', 'Let us look at'), ['cancel.requested', { messageId: 'm1', runId: 'run-m1' }], end('m1', 'cancelled', 'Let us look at'), user('next')),
    );
    expect(msgs[1]).toEqual({ role: 'assistant', content: `Let us look at ${CUT_OFF_BY_USER}` });
    expect(CUT_OFF_BY_USER).toBe('[cut off: the user stopped this answer]');
  });

  it('places an interrupted answer before the interrupting message, even though its end comes later', () => {
    const msgs = conversationFromLog(
      log(user('first'), start('m1'), delta('m1', 'Partial'), user('actually, wait'), end('m1', 'interrupted', 'Partial'), start('m2')),
    );
    expect(msgs).toEqual([
      { role: 'user', content: 'first' },
      { role: 'assistant', content: `Partial ${CUT_OFF_BY_INTERRUPT}` },
      { role: 'user', content: 'actually, wait' },
    ]);
  });

  it('omits a failed answer without text and marks one with partial text', () => {
    const msgs = conversationFromLog(
      log(
        user('a'),
        start('m1'),
        end('m1', 'failed', '', 'HTTP 500'),
        user('b'),
        start('m2'),
        delta('m2', 'Half'),
        end('m2', 'failed', 'Half', 'timeout'),
      ),
    );
    expect(msgs).toEqual([
      { role: 'user', content: 'a' },
      { role: 'user', content: 'b' },
      { role: 'assistant', content: `Half ${CUT_OFF_BY_FAILURE}` },
    ]);
  });

  it('a cancelled answer with no text still leaves a marker', () => {
    const msgs = conversationFromLog(log(user('a'), start('m1'), end('m1', 'cancelled', '')));
    expect(msgs[1]).toEqual({ role: 'assistant', content: CUT_OFF_BY_USER });
  });

  it('orders by seq even if the history arrives unordered', () => {
    const events = log(user('one'), start('m1'), end('m1', 'complete', 'two'), user('three'));
    expect(conversationFromLog([...events].reverse()).map((m) => m.content)).toEqual(['one', 'two', 'three']);
  });
});

describe('describePlan', () => {
  it('lists rocks in position order, block minutes and carry counts as JSON', () => {
    const text = describePlan(plan, new Date('2026-11-25T13:05:00Z'));
    expect(text).toContain('Now: Wednesday, 25/11/2026, 14:05 (Europe/Berlin).');
    const json = JSON.parse(text.slice(text.indexOf('{')));
    expect(json.rocks.map((r: { title: string }) => r.title)).toEqual(['Ship billing page', 'Train 3x']);
    expect(json.rocks[0].carriedWeeks).toBe(2);
    expect(json.blocks[0]).toMatchObject({ id: 'b1', kind: 'deep_work', minutes: 90, rockId: 'r1' });
    expect(json.environment).toEqual(['Phone in the hallway']);
    expect(json.vision.work).toBe('Launched v2');
  });

  it('says so when there is no plan', () => {
    expect(describePlan(null)).toBe('Saved plan: none yet for this week.');
  });
});

describe('buildContext', () => {
  it('starts with the FOCUS prompt plus kind guidance, then the plan, then the conversation', () => {
    const msgs = buildContext({ history: log(user('hello'), start('m1')), plan, kind: 'review', tokenBudget: 100_000 });
    expect(msgs).toHaveLength(3);
    expect(nth(msgs, 0).role).toBe('system');
    expect(nth(msgs, 0).content.startsWith(FOCUS_SYSTEM_PROMPT)).toBe(true);
    expect(nth(msgs, 0).content).toContain(KIND_GUIDANCE.review);
    for (const rule of ['one question at a time', 'at least 45 minutes', 'Friday', 'Never claim', 'tool call']) {
      expect(nth(msgs, 0).content).toContain(rule);
    }
    expect(msgs[1]).toMatchObject({ role: 'system' });
    expect(nth(msgs, 1).content).toContain('Ship billing page');
    expect(msgs[2]).toEqual({ role: 'user', content: 'hello' });
  });

  it('uses a custom system prompt and a generic line for an unknown kind', () => {
    const msgs = buildContext({ history: [], plan: null, kind: 'mystery', systemPrompt: 'Custom.', tokenBudget: 1000 });
    expect(nth(msgs, 0).content).toBe('Custom.\n\nThis session is of kind "mystery". Coach with FOCUS as usual.');
  });

  it('within budget keeps the newest turns and summarises the dropped ones', () => {
    const steps: [string, Record<string, unknown>][] = [];
    for (let i = 1; i <= 30; i++) {
      steps.push(user(`Topic number ${i}: ${'detail '.repeat(40)}`, `c${i}`), start(`m${i}`), end(`m${i}`, 'complete', `Answer ${i} ${'words '.repeat(40)}`));
    }
    steps.push(user('What now?', 'last'), start('current'));
    const history = log(...steps);
    const budget = 3_000;
    const msgs = buildContext({ history, plan, kind: 'plan', tokenBudget: budget });

    const used = msgs.reduce((n, m) => n + estimateMessageTokens(m), 0);
    expect(used).toBeLessThanOrEqual(budget);
    // System prompt and plan first, the summary line next, the newest message last.
    expect(nth(msgs, 0).content.startsWith(FOCUS_SYSTEM_PROMPT)).toBe(true);
    expect(nth(msgs, 1).content).toContain('2026-W48');
    expect(nth(msgs, 2).role).toBe('system');
    expect(msgs[msgs.length - 1]).toEqual({ role: 'user', content: 'What now?' });
    // The kept part starts with a user message and is the newest contiguous stretch.
    const kept = msgs.slice(3);
    expect(nth(kept, 0).role).toBe('user');
    const all = conversationFromLog(history);
    const omitted = all.length - kept.length;
    expect(kept).toEqual(all.slice(omitted));
    expect(omitted).toBeGreaterThan(0);
    expect(nth(msgs, 2).content).toMatch(new RegExp(`^Earlier: ${omitted} messages omitted; topics: `));
    // The newest omitted question is named among the topics.
    const newestOmittedUser = all.slice(0, omitted).filter((m) => m.role === 'user').at(-1)!;
    expect(nth(msgs, 2).content).toContain(newestOmittedUser.content.slice(0, 16));
  });

  it('keeps the newest user message even when it alone exceeds the budget', () => {
    const huge = 'x'.repeat(10_000 * CHARS_PER_TOKEN);
    const msgs = buildContext({ history: log(user('old'), start('m1'), end('m1', 'complete', 'ok'), user(huge)), plan: null, kind: 'plan', tokenBudget: 2_000 });
    expect(msgs.at(-1)).toEqual({ role: 'user', content: huge });
    expect(nth(msgs, 2).content).toBe('Earlier: 2 messages omitted; topics: "old"');
  });

  it('is pure: the same input gives the same output and the history is not modified', () => {
    const history = log(user('b'), start('m1'), end('m1', 'complete', 'c'));
    const copy = structuredClone(history);
    const a = buildContext({ history, plan, kind: 'plan', tokenBudget: 5_000, now: new Date(0) });
    const b = buildContext({ history, plan, kind: 'plan', tokenBudget: 5_000, now: new Date(0) });
    expect(a).toEqual(b);
    expect(history).toEqual(copy);
  });
});

describe('summarizeDropped', () => {
  it('names at most four newest user topics in order, shortened', () => {
    const dropped = ['alpha', 'beta', 'gamma', 'delta', 'epsilon ' + 'long '.repeat(20)].flatMap((t) => [
      { role: 'user' as const, content: t },
      { role: 'assistant' as const, content: 'ok' },
    ]);
    const line = summarizeDropped(dropped);
    expect(line.startsWith('Earlier: 10 messages omitted; topics: "beta", "gamma", "delta", "epsilon long')).toBe(true);
    expect(line).not.toContain('alpha');
    expect(line).toContain('…"');
  });
});
