import { createHash, randomBytes } from 'node:crypto';

/** 256 random bits, URL-safe. Used for login cookies, pairing codes and feed tokens. */
export const newToken = (): string => randomBytes(32).toString('base64url');

/** Only hashes of tokens are stored, so a database leak does not hand out sessions. */
export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');
