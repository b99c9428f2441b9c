import { randomBytes } from 'node:crypto';
import { PAIRING_ALPHABET } from '../auth/pairing-code.ts';
import { INVITE_CODE_CHARS } from '../contract/index.ts';

/**
 * Invite codes live 7 days (a pairing code lives 10 minutes), so they are longer:
 * 16 Crockford base32 symbols = 80 bits, out of reach of guessing even without rate limits.
 */
export const INVITE_TTL_MS = 7 * 24 * 60 * 60 * 1000;

export function newInviteCode(): string {
  let code = '';
  for (const b of randomBytes(INVITE_CODE_CHARS)) code += PAIRING_ALPHABET[b & 31];
  return code;
}

/** Case, spaces and dashes are ignored and O/I/L read as 0/1, as for pairing codes. */
export function normalizeInviteCode(input: string): string | undefined {
  const s = input.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
  if (s.length !== INVITE_CODE_CHARS) return undefined;
  for (const ch of s) if (!PAIRING_ALPHABET.includes(ch)) return undefined;
  return s;
}
