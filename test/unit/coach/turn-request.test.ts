import { describe, expect, it } from 'vitest';
import { readTurnHistory, retriedAnswerIds, skipShownPrefix, turnRequestMode } from '../../../server/coach/turn-request.ts';
import type { SessionEvent } from '../../../server/session/types.ts';

let seq = 0;
const e = (type: string, data: Record<string, unknown>): SessionEvent => ({ seq: ++seq, type, at: '2026-11-25T12:00:00.000Z', data });
const answer = (id: string, text: string, status = 'complete') => [
  e('assistant.start', { messageId: id, runId: `r-${id}` }),
  e('assistant.delta', { messageId: id, text }),
  e('assistant.end', { messageId: id, status, text }),
];

describe('turn requests as coaches read them (SL15)', () => {
  it('a retried answer is gone; the request is not a message', () => {
    seq = 0;
    const history = [
      e('user.message', { clientMessageId: 'c1', text: 'Plan my week' }),
      ...answer('m1', 'First try.'),
      e('turn.requested', { requestId: 'q', mode: 'retry', messageId: 'm1' }),
      e('assistant.start', { messageId: 'm2', runId: 'r2' }),
    ];
    const { history: out, continuing } = readTurnHistory(history, 'regenerate');
    expect(continuing).toBeNull();
    expect(out.map((x) => x.type)).toEqual(['user.message', 'assistant.start']);
    expect(out[1]!.data.messageId).toBe('m2');
    expect(turnRequestMode(history)).toBe('retry');
  });

  it('continue: "regenerate" leaves the stopped answer open and says what was shown; "extend" keeps it cut off', () => {
    seq = 0;
    const history = [
      e('user.message', { clientMessageId: 'c1', text: 'Plan my week' }),
      ...answer('m1', 'What matters ', 'cancelled'),
      e('turn.requested', { requestId: 'q', mode: 'continue', messageId: 'm1' }),
      e('assistant.start', { messageId: 'm2', runId: 'r2' }),
    ];
    const regen = readTurnHistory(history, 'regenerate');
    expect(regen.continuing).toEqual({ messageId: 'm1', shown: 'What matters ' });
    expect(regen.history.some((x) => x.type === 'assistant.end')).toBe(false);
    expect(regen.history.some((x) => x.type === 'turn.requested')).toBe(false);
    const ext = readTurnHistory(history, 'extend');
    expect(ext.history.filter((x) => x.type === 'assistant.end').map((x) => x.data)).toEqual([{ messageId: 'm1', status: 'cancelled', text: 'What matters ' }]);
    expect(ext.history.filter((x) => x.type === 'assistant.start').map((x) => x.data.messageId)).toEqual(['m1']);
  });

  it('an earlier continued answer reads as one message with the whole text; a later retry drops all its parts', () => {
    seq = 0;
    const history = [
      e('user.message', { clientMessageId: 'c1', text: 'Plan my week' }),
      ...answer('m1', 'What matters ', 'interrupted'),
      e('turn.requested', { requestId: 'q1', mode: 'continue', messageId: 'm1' }),
      ...answer('m2', 'most?'),
      e('user.message', { clientMessageId: 'c2', text: 'Shipping' }),
      e('assistant.start', { messageId: 'm3', runId: 'r3' }),
    ];
    const { history: out } = readTurnHistory(history, 'regenerate');
    const ends = out.filter((x) => x.type === 'assistant.end');
    expect(ends.map((x) => x.data)).toEqual([{ messageId: 'm1', status: 'complete', text: 'What matters most?' }]);
    expect(out.filter((x) => x.type === 'assistant.delta').map((x) => x.data.messageId)).toEqual(['m1', 'm1']);
    expect(turnRequestMode(history)).toBeNull();

    const retried = [...history.slice(0, -2), e('turn.requested', { requestId: 'q2', mode: 'retry', messageId: 'm2' }), e('assistant.start', { messageId: 'm4', runId: 'r4' })];
    const r = readTurnHistory(retried, 'regenerate').history;
    expect(r.filter((x) => typeof x.data.messageId === 'string').map((x) => x.data.messageId)).toEqual(['m4']);
  });

  it('retriedAnswerIds: the answer a retry replaces, with the parts that continued it; none for other turns', () => {
    seq = 0;
    const history = [
      e('user.message', { clientMessageId: 'c1', text: 'Plan my week' }),
      ...answer('m1', 'What matters ', 'cancelled'),
      e('turn.requested', { requestId: 'q1', mode: 'continue', messageId: 'm1' }),
      ...answer('m2', 'most?'),
    ];
    expect(retriedAnswerIds(history)).toEqual([]);
    const retry = [...history, e('turn.requested', { requestId: 'q2', mode: 'retry', messageId: 'm2' }), e('assistant.start', { messageId: 'm3', runId: 'r3' })];
    expect(retriedAnswerIds(retry)).toEqual(['m1', 'm2']);
    // A user message after it: this turn answers the message, not the retry.
    expect(retriedAnswerIds([...retry, ...answer('m4', 'ok'), e('user.message', { clientMessageId: 'c2', text: 'next' })])).toEqual([]);
  });

  it('open: the request vanishes and the coach sees an empty conversation', () => {
    seq = 0;
    const history = [e('turn.requested', { requestId: 'o', mode: 'open' }), e('assistant.start', { messageId: 'm1', runId: 'r1' })];
    expect(readTurnHistory(history, 'regenerate').history.map((x) => x.type)).toEqual(['assistant.start']);
    expect(turnRequestMode(history)).toBe('open');
  });

  it('skipShownPrefix writes only what was not shown, across chunk borders; a different answer is written whole', () => {
    const out: string[] = [];
    const w = skipShownPrefix((t) => out.push(t), 'What matters ');
    for (const chunk of ['What ', 'mat', 'ters most', '?']) w(chunk);
    expect(out.join('')).toBe('most?');

    const diff: string[] = [];
    const d = skipShownPrefix((t) => diff.push(t), 'What matters ');
    d('What ');
    d('else?');
    expect(diff.join('')).toBe('\n\nWhat else?');

    const none: string[] = [];
    const n = skipShownPrefix((t) => none.push(t), '');
    n('Hello');
    expect(none).toEqual(['Hello']);
  });
});
