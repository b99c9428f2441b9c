import { describe, expect, it } from 'vitest';
import { compactDeltas } from '../../../server/session/compaction.ts';
import type { SessionEvent } from '../../../server/session/types.ts';

const at = (seq: number) => new Date(Date.UTC(2026, 10, 25, 12, 0, seq)).toISOString();
const ev = (seq: number, type: string, data: Record<string, unknown>): SessionEvent => ({ seq, type, at: at(seq), data });
const delta = (seq: number, messageId: string, text: string) => ev(seq, 'assistant.delta', { messageId, text });

/** The seqs an output covers: each folded delta covers fromSeq…seq. */
function covered(events: SessionEvent[]): number[] {
  return events.flatMap((e) => {
    const from = typeof e.data.fromSeq === 'number' ? e.data.fromSeq : e.seq;
    return Array.from({ length: e.seq - from + 1 }, (_, i) => from + i);
  });
}

describe('SL18: compacted replay', () => {
  it('folds consecutive deltas of one message into one event with exact seq coverage and text', () => {
    const input = [
      ev(1, 'user.message', { clientMessageId: 'c', text: 'hi' }),
      ev(2, 'assistant.start', { messageId: 'm1', runId: 'r' }),
      delta(3, 'm1', 'Hel'),
      delta(4, 'm1', 'lo, '),
      delta(5, 'm1', 'wörld ✓'),
      ev(6, 'plan.updated', { weekKey: '2026-W48' }),
      delta(7, 'm1', '!'),
      delta(8, 'm1', '?'),
      ev(9, 'assistant.end', { messageId: 'm1', status: 'complete', text: 'Hello, wörld ✓!?' }),
    ];
    const out = compactDeltas(input);
    expect(out.map((e) => [e.seq, e.type])).toEqual([
      [1, 'user.message'],
      [2, 'assistant.start'],
      [5, 'assistant.delta'],
      [6, 'plan.updated'],
      [8, 'assistant.delta'],
      [9, 'assistant.end'],
    ]);
    expect(out[2]).toEqual({ seq: 5, type: 'assistant.delta', at: at(5), data: { messageId: 'm1', text: 'Hello, wörld ✓', fromSeq: 3 } });
    expect(out[4]?.data).toEqual({ messageId: 'm1', text: '!?', fromSeq: 7 });
    expect(covered(out)).toEqual(input.map((e) => e.seq));
    // SL6 still holds on the folded stream.
    expect(out.filter((e) => e.type === 'assistant.delta').map((e) => e.data.text).join('')).toBe('Hello, wörld ✓!?');
  });

  it('keeps single deltas, deltas of different messages, and non-consecutive seqs apart', () => {
    const input = [delta(3, 'a', 'x'), delta(4, 'b', 'y'), delta(6, 'b', 'z'), delta(7, 'b', 'w')];
    const out = compactDeltas(input);
    expect(out).toEqual([input[0], input[1], { seq: 7, type: 'assistant.delta', at: at(7), data: { messageId: 'b', text: 'zw', fromSeq: 6 } }]);
    expect(compactDeltas([])).toEqual([]);
    expect(compactDeltas([input[0]!])).toEqual([input[0]]);
  });
});
