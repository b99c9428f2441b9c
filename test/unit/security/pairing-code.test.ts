import { describe, expect, it } from 'vitest';
import { newPairingCode, normalizePairingCode, PAIRING_ALPHABET, PAIRING_CODE_BITS } from '../../../server/auth/pairing-code.ts';
import { PAIRING_CODE_CHARS } from '../../../server/contract/limits.ts';

describe('pairing codes', () => {
  it('have at least 50 bits: 10 symbols from a 32-symbol alphabet without look-alikes', () => {
    expect(new Set(PAIRING_ALPHABET).size).toBe(32);
    expect(PAIRING_ALPHABET).not.toMatch(/[ILOU]/);
    expect(PAIRING_CODE_BITS).toBeGreaterThanOrEqual(50);
    const code = newPairingCode();
    expect(code).toHaveLength(PAIRING_CODE_CHARS);
    for (const ch of code) expect(PAIRING_ALPHABET).toContain(ch);
  });

  it('use every symbol about equally often (the byte→symbol mapping is unbiased)', () => {
    const counts = new Map<string, number>();
    const n = 4_000;
    for (let i = 0; i < n; i++) for (const ch of newPairingCode()) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    expect(counts.size).toBe(32);
    const expected = (n * PAIRING_CODE_CHARS) / 32;
    for (const c of counts.values()) expect(Math.abs(c - expected) / expected).toBeLessThan(0.15);
  });

  it('do not repeat', () => {
    const seen = new Set(Array.from({ length: 10_000 }, newPairingCode));
    expect(seen.size).toBe(10_000);
  });

  it('forgive case, spaces, dashes and the O/0, I/L/1 confusions, and reject anything else', () => {
    expect(normalizePairingCode('abcde-fghjk')).toBe('ABCDEFGHJK');
    expect(normalizePairingCode(' 0o1il 23456 ')).toBe('0011123456');
    expect(normalizePairingCode('ABCDEFGHJ')).toBeUndefined();
    expect(normalizePairingCode('ABCDEFGHJKM')).toBeUndefined();
    expect(normalizePairingCode('ABCDEFGHJU')).toBeUndefined();
    expect(normalizePairingCode('ABCDEFGHJ\u0000')).toBeUndefined();
    expect(normalizePairingCode('ABCDEFGHJ€')).toBeUndefined();
  });
});
