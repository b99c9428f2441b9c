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
  it('keeps the changes "undo" puts back: the newest answer that changed the plan and was not undone', () => {
    seq = 0;
    const note = (messageId: string, read: number, changes: unknown[], undid = false) =>
      ev('assistant.meta', { messageId, quickReplies: [], coach: { asked: null, read: [{ seq: read, question: null }], changes, misses: 0, ...(undid ? { undid } : {}) } });
    const drop = { kind: 'rock_removed', id: 'r1', title: 'Write the budget', status: 'planned', place: 2 };
    const rename = { kind: 'rock_title', id: 'r2', before: 'Finish the deck' };
    const history = [
      ev('user.message', { text: 'drop the budget' }),
      note('m1', 1, [drop]),
      ev('user.message', { text: 'rename the deck to Ship it' }),
      note('m2', 3, [rename]),
      ev('user.message', { text: 'what is deep work?' }),
      note('m3', 5, []),
    ];
    // A question in between does not hide the rename.
    expect(readConversation(history).undoable).toEqual([rename]);
    history.push(ev('user.message', { text: 'undo' }), note('m4', 7, [], true));
    // Undone once: the next "undo" reaches the drop.
    expect(readConversation(history).undoable).toEqual([drop]);
    history.push(ev('user.message', { text: 'undo' }), note('m5', 9, [], true));
    expect(readConversation(history).undoable).toEqual([]);
  });

  it('lists the rocks this session created, so rocks from an earlier session can be told apart', () => {
    seq = 0;
    const note = (messageId: string, read: number, changes: unknown[]) => ev('assistant.meta', { messageId, quickReplies: [], coach: { asked: null, read: [{ seq: read, question: null }], changes, misses: 0 } });
    const history = [
      ev('user.message', { text: 'rocks are ship v2, write the docs' }),
      note('m1', 1, [
        { kind: 'rock', id: 'r1' },
        { kind: 'rock', id: 'r2' },
        { kind: 'environment', id: 'e1' },
      ]),
      ev('user.message', { text: 'rename the docs one to Docs v2' }),
      note('m2', 3, [{ kind: 'rock_title', id: 'r3', before: 'Old title' }]),
    ];
    expect(readConversation(history).rocksMade).toEqual(['r1', 'r2']);
    expect(readConversation([]).rocksMade).toEqual([]);
  });
});
