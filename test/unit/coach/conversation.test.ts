import { describe, expect, it } from 'vitest';
import { readConversation } from '../../../server/coach/conversation.ts';
import { askText, recognizeQuestion } from '../../../server/coach/questions.ts';
import type { SessionEvent } from '../../../server/session/types.ts';

let seq = 0;
const ev = (type: string, data: Record<string, unknown>, at = '2026-11-22T18:00:00.000Z'): SessionEvent => ({ seq: ++seq, type, at, data });

describe('readConversation', () => {
  it('pairs each answer with the question its preceding reply ended with', () => {
    seq = 0;
    const history = [
      ev('user.message', { clientMessageId: 'a', text: 'hi' }, '2026-11-22T18:00:00.000Z'),
      ev('assistant.start', { messageId: 'm1' }),
      ev('assistant.end', { messageId: 'm1', status: 'complete', text: `Hello.\n\n${askText({ id: 'rocks' })}` }),
      ev('user.message', { clientMessageId: 'b', text: 'Pricing page' }),
      ev('assistant.start', { messageId: 'm2' }),
      ev('plan.updated', { weekKey: '2026-W48', plan: {} }),
      ev('assistant.delta', { messageId: 'm2', text: 'Big rocks in.\n\n' }),
      ev('assistant.delta', { messageId: 'm2', text: askText({ id: 'deep_work', rock: 'Pricing page' }) }),
      ev('assistant.end', { messageId: 'm2', status: 'complete', text: `Big rocks in.\n\n${askText({ id: 'deep_work', rock: 'Pricing page' })}` }),
      // Two messages before the coach answered: one answer.
      ev('user.message', { clientMessageId: 'c', text: 'Tue 9-11' }),
      ev('user.message', { clientMessageId: 'd', text: 'and Thu 9-11' }),
      ev('assistant.start', { messageId: 'm3' }),
    ];
    const c = readConversation(history);
    expect(c.startedAt).toBe('2026-11-22T18:00:00.000Z');
    expect(c.firstUserText).toBe('hi');
    expect(c.past).toEqual([
      { question: null, answer: 'hi', seq: 1 },
      { question: { id: 'rocks' }, answer: 'Pricing page', seq: 4 },
    ]);
    // SL14: two messages before the coach answered are both read, in order, the first against the pending question.
    expect(c.pending).toEqual({ id: 'deep_work', rock: 'Pricing page' });
    expect(c.unread.map((u) => u.text)).toEqual(['Tue 9-11', 'and Thu 9-11']);
    expect(c.current).toEqual({ question: { id: 'deep_work', rock: 'Pricing page' }, answer: 'Tue 9-11', seq: 10 });
  });

  it('does not recognise a question cut off by an interrupt', () => {
    expect(recognizeQuestion('Hello.\n\nWhat are your big')).toBeNull();
    expect(recognizeQuestion(`x\n\n${askText({ id: 'review.challenge', rock: 'Write the book' })}`)).toEqual({ id: 'review.challenge', rock: 'Write the book' });
  });

  it('recognises every question it asks', () => {
    const steps = [
      { id: 'vision.work' },
      { id: 'vision.self' },
      { id: 'vision.relationships' },
      { id: 'catchup' },
      { id: 'rocks' },
      { id: 'rocks.more' },
      { id: 'environment' },
      { id: 'deep_work', rock: 'A, b; c' },
      { id: 'recovery' },
      { id: 'review_offer' },
      { id: 'review.rock', rock: 'Ship it' },
      { id: 'review.challenge', rock: 'Ship it' },
      { id: 'review.went_well' },
      { id: 'review.time' },
      { id: 'review.drop' },
    ] as const;
    for (const s of steps) expect(recognizeQuestion(`Lead line.\n\n${askText(s)}`)).toEqual(s);
  });
});
