// Offsets (PROTOCOL §6). Ours are "<seq>_<0>", both parts 16 zero-padded decimal digits,
// where seq is the entry counter (the session log's seq for session streams). Fixed width
// makes lexicographic order equal numeric order; the second part is reserved (always 0)
// so the format matches the reference server's shape, which clients and the conformance
// suite use literally ("0000000000000000_0000000000000000" is the stream start).

import { MAX_SEQ } from '../contract/limits.ts';

const DIGITS = 16;
const ZERO_PART = '0'.repeat(DIGITS);
const OFFSET_PATTERN = /^(\d{16})_(\d{16})$/;

/** The sentinels a client may send; never generated (§6 "Reserved Values"). */
export const OFFSET_START = '-1';
export const OFFSET_NOW = 'now';

export function formatOffset(seq: number): string {
  return `${String(seq).padStart(DIGITS, '0')}_${ZERO_PART}`;
}

export type ParsedOffset = { kind: 'seq'; seq: number } | { kind: 'now' } | { kind: 'invalid' };

/** Parses a client offset; `-1` is the start (seq 0), `now` the tail. */
export function parseOffset(raw: string): ParsedOffset {
  if (raw === OFFSET_START) return { kind: 'seq', seq: 0 };
  if (raw === OFFSET_NOW) return { kind: 'now' };
  const m = OFFSET_PATTERN.exec(raw);
  if (!m) return { kind: 'invalid' };
  const seq = Number(m[1]);
  // The reserved part must be zero: any other value is not an offset we handed out. Seqs are
  // integer columns, so anything past MAX_SEQ cannot be ours either (and must not reach SQL).
  if (!Number.isSafeInteger(seq) || seq > MAX_SEQ || m[2] !== ZERO_PART) return { kind: 'invalid' };
  return { kind: 'seq', seq };
}
