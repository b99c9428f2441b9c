import { randomBytes } from 'node:crypto';
import { PAIRING_CODE_CHARS } from '../contract/limits.ts';

/**
 * Crockford's base32: no I, L, O or U, so a code read off one screen and typed on
 * another survives the usual confusions. 32 symbols = exactly 5 bits each, so taking
 * the low 5 bits of a random byte is uniform (256 is a multiple of 32).
 */
export const PAIRING_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** 10 × 5 = 50 bits: guessing one live code takes ~2^49 tries on average. */
export const PAIRING_CODE_BITS = PAIRING_CODE_CHARS * Math.log2(PAIRING_ALPHABET.length);

export function newPairingCode(): string {
  const bytes = randomBytes(PAIRING_CODE_CHARS);
  let code = '';
  for (const b of bytes) code += PAIRING_ALPHABET[b & 31];
  return code;
}

/**
 * What the user typed → the canonical code, or undefined if it cannot be one.
 * Case, spaces and dashes do not matter, and the look-alikes O→0 and I/L→1 are
 * mapped as Crockford specifies, so a mistyped character is not a failed attempt.
 */
export function normalizePairingCode(input: string): string | undefined {
  const s = input
    .toUpperCase()
    .replace(/[\s-]/g, '')
    .replace(/O/g, '0')
    .replace(/[IL]/g, '1');
  if (s.length !== PAIRING_CODE_CHARS) return undefined;
  for (const ch of s) if (!PAIRING_ALPHABET.includes(ch)) return undefined;
  return s;
}
