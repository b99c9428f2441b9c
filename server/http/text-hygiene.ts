// PostgreSQL cannot store U+0000 in text or jsonb, nor a lone UTF-16 surrogate in jsonb;
// either would turn a user's typo (or a fuzzer's) into a 500. Such strings are refused at
// the edge with a 400 that names the field, before any handler sees them.

import type { FastifyRequest } from 'fastify';
import { ApiError } from './errors.ts';

// NUL and lone surrogates are exactly what PostgreSQL text cannot store.
// eslint-disable-next-line no-control-regex
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** Deeper JSON than this is not something our schemas accept anyway; stop walking. */
const MAX_DEPTH = 32;

export const isStorableText = (s: string): boolean => !UNSTORABLE.test(s);

/** The path (`a/b/0`) of the first string or key in `value` that cannot be stored, or undefined. */
export function findUnstorable(value: unknown, path = '', depth = 0): string | undefined {
  if (typeof value === 'string') return isStorableText(value) ? undefined : path;
  if (typeof value !== 'object' || value === null || depth > MAX_DEPTH) return undefined;
  // Binary bodies (Durable Streams byte appends) hold no text; walking a Buffer's indices
  // as object keys cost ~20 s of garbage collection for a 10 MB append.
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const hit = findUnstorable(value[i], path ? `${path}/${i}` : String(i), depth + 1);
      if (hit !== undefined) return hit;
    }
    return undefined;
  }
  for (const [k, v] of Object.entries(value)) {
    const p = path ? `${path}/${k}` : k;
    if (!isStorableText(k)) return path || '(key)';
    const hit = findUnstorable(v, p, depth + 1);
    if (hit !== undefined) return hit;
  }
  return undefined;
}

export async function rejectUnstorableText(request: FastifyRequest): Promise<void> {
  if (request.body === undefined || request.body === null) return;
  const field = findUnstorable(request.body);
  if (field === undefined) return;
  // Name the field, but never echo the value.
  throw new ApiError(400, 'invalid_request', `body${field ? `.${field}` : ''} contains characters that cannot be stored (NUL or a broken surrogate pair)`, field || undefined);
}
