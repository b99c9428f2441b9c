import type { SessionEvent } from './types.ts';

/**
 * SL18 compacted replay: each run of consecutive `assistant.delta` events of one message
 * (seq a, a+1, …, b with nothing else in between) becomes ONE delta event with seq b, the
 * `at` of b, and `data.fromSeq` = a; its text is their texts concatenated in order. Seqs
 * stay exact: the folded event covers a…b, and every other event passes unchanged. A
 * single delta is left as it is (no `fromSeq`). Input must be in seq order.
 */
export function compactDeltas(events: readonly SessionEvent[]): SessionEvent[] {
  const out: SessionEvent[] = [];
  let i = 0;
  while (i < events.length) {
    const first = events[i]!;
    const messageId = first.type === 'assistant.delta' ? first.data.messageId : undefined;
    let j = i + 1;
    if (messageId !== undefined) {
      while (j < events.length) {
        const e = events[j]!;
        if (e.type !== 'assistant.delta' || e.data.messageId !== messageId || e.seq !== events[j - 1]!.seq + 1) break;
        j++;
      }
    }
    if (j - i === 1) out.push(first);
    else {
      const last = events[j - 1]!;
      let text = '';
      for (let k = i; k < j; k++) text += String(events[k]!.data.text ?? '');
      out.push({ seq: last.seq, type: 'assistant.delta', at: last.at, data: { messageId, text, fromSeq: first.seq } });
    }
    i = j;
  }
  return out;
}
