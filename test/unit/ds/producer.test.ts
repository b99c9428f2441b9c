import { describe, expect, it } from 'vitest';
import { judgeProducer, parseProducerHeaders, streamSeqAdvances } from '../../../server/ds/producer.ts';

describe('producer fencing', () => {
  const claim = (epoch: number, seq: number) => ({ id: 'p', epoch, seq });

  it('a new producer starts at seq 0 in any epoch', () => {
    expect(judgeProducer(undefined, claim(0, 0))).toEqual({ kind: 'accept' });
    expect(judgeProducer(undefined, claim(7, 0))).toEqual({ kind: 'accept' });
    expect(judgeProducer(undefined, claim(0, 3))).toEqual({ kind: 'seq_gap', expected: 0, received: 3 });
  });

  it('within an epoch: next seq accepted, older ones are duplicates, skips are gaps', () => {
    const state = { epoch: 2, seq: 5 };
    expect(judgeProducer(state, claim(2, 6))).toEqual({ kind: 'accept' });
    expect(judgeProducer(state, claim(2, 5))).toEqual({ kind: 'duplicate', epoch: 2, highestSeq: 5 });
    expect(judgeProducer(state, claim(2, 0))).toEqual({ kind: 'duplicate', epoch: 2, highestSeq: 5 });
    expect(judgeProducer(state, claim(2, 8))).toEqual({ kind: 'seq_gap', expected: 6, received: 8 });
  });

  it('a newer epoch takes over at seq 0; an older one is a zombie', () => {
    const state = { epoch: 2, seq: 5 };
    expect(judgeProducer(state, claim(3, 0))).toEqual({ kind: 'accept' });
    expect(judgeProducer(state, claim(3, 1))).toEqual({ kind: 'bad_epoch_seq' });
    expect(judgeProducer(state, claim(1, 6))).toEqual({ kind: 'stale_epoch', currentEpoch: 2 });
  });

  it('headers come all together, as plain non-negative integers', () => {
    expect(parseProducerHeaders(undefined, undefined, undefined)).toEqual({ kind: 'none' });
    expect(parseProducerHeaders('p', '1', '2')).toEqual({ kind: 'claim', claim: { id: 'p', epoch: 1, seq: 2 } });
    expect(parseProducerHeaders('p', undefined, undefined).kind).toBe('invalid');
    expect(parseProducerHeaders('', '0', '0').kind).toBe('invalid');
    for (const bad of ['1abc', '0xyz', '1e3', '-1', '01', '9007199254740992']) expect(parseProducerHeaders('p', bad, '0').kind).toBe('invalid');
  });

  it('Stream-Seq compares byte-wise, not numerically', () => {
    expect(streamSeqAdvances(null, 'a')).toBe(true);
    expect(streamSeqAdvances('2', '10')).toBe(false);
    expect(streamSeqAdvances('09', '10')).toBe(true);
    expect(streamSeqAdvances('a', 'B')).toBe(false);
    expect(streamSeqAdvances('a', 'a')).toBe(false);
  });
});
