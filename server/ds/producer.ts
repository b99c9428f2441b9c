// Idempotent producers (PROTOCOL §5.2.1): Kafka-style (producer id, epoch, seq) fencing.
// This is the one place the rules live; both store adapters judge with it (the SQL adapter
// also encodes the "accept" case in its UPDATE so the check and the write are one statement).

export interface ProducerClaim {
  id: string;
  epoch: number;
  seq: number;
}

/** What the server remembers per (stream, producer id): the epoch and highest accepted seq. */
export interface ProducerState {
  epoch: number;
  seq: number;
}

export type ProducerVerdict =
  | { kind: 'accept' }
  /** A retry of something already appended: idempotent success, nothing is written. */
  | { kind: 'duplicate'; epoch: number; highestSeq: number }
  /** A zombie: an instance with a newer epoch has taken over this producer id. */
  | { kind: 'stale_epoch'; currentEpoch: number }
  /** A new epoch must start at seq 0. */
  | { kind: 'bad_epoch_seq' }
  | { kind: 'seq_gap'; expected: number; received: number };

export function judgeProducer(state: ProducerState | undefined, claim: ProducerClaim): ProducerVerdict {
  if (!state) return claim.seq === 0 ? { kind: 'accept' } : { kind: 'seq_gap', expected: 0, received: claim.seq };
  if (claim.epoch < state.epoch) return { kind: 'stale_epoch', currentEpoch: state.epoch };
  if (claim.epoch > state.epoch) return claim.seq === 0 ? { kind: 'accept' } : { kind: 'bad_epoch_seq' };
  if (claim.seq <= state.seq) return { kind: 'duplicate', epoch: state.epoch, highestSeq: state.seq };
  if (claim.seq === state.seq + 1) return { kind: 'accept' };
  return { kind: 'seq_gap', expected: state.seq + 1, received: claim.seq };
}

const NON_NEGATIVE_INT = /^(0|[1-9]\d*)$/;

export type ProducerHeaders = { kind: 'none' } | { kind: 'claim'; claim: ProducerClaim } | { kind: 'invalid'; message: string };

/** All three headers or none; integers are plain decimals ≤ 2^53-1. */
export function parseProducerHeaders(id: string | undefined, epoch: string | undefined, seq: string | undefined): ProducerHeaders {
  if (id === undefined && epoch === undefined && seq === undefined) return { kind: 'none' };
  if (id === undefined || epoch === undefined || seq === undefined) {
    return { kind: 'invalid', message: 'Producer-Id, Producer-Epoch and Producer-Seq must be sent together' };
  }
  if (id === '') return { kind: 'invalid', message: 'Producer-Id must not be empty' };
  const e = NON_NEGATIVE_INT.test(epoch) ? Number(epoch) : NaN;
  const s = NON_NEGATIVE_INT.test(seq) ? Number(seq) : NaN;
  if (!Number.isSafeInteger(e) || !Number.isSafeInteger(s)) {
    return { kind: 'invalid', message: 'Producer-Epoch and Producer-Seq must be non-negative integers' };
  }
  return { kind: 'claim', claim: { id, epoch: e, seq: s } };
}

/** Stream-Seq (§5.2): opaque strings compared byte-wise; each must exceed the last. */
export function streamSeqAdvances(last: string | null, next: string): boolean {
  return last === null || Buffer.compare(Buffer.from(next, 'utf8'), Buffer.from(last, 'utf8')) > 0;
}
