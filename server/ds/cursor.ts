// Stream-Cursor (PROTOCOL §8.1): the number of 20-second intervals since 2024-10-09 UTC.
// It only has to be monotonic per client so that CDN cache keys keep moving.

export const CURSOR_INTERVAL_MS = 20_000;
export const CURSOR_EPOCH_MS = Date.UTC(2024, 9, 9);
/** Upper bound of the jitter added on a collision, in intervals (3600 s / 20 s). */
const MAX_JITTER_INTERVALS = 180;

export function currentCursor(nowMs = Date.now()): number {
  return Math.floor((nowMs - CURSOR_EPOCH_MS) / CURSOR_INTERVAL_MS);
}

/**
 * The cursor to return: the current interval, or — when the client already holds this
 * interval or a later one — a strictly greater value, so a cached response can never
 * hand the same cursor back and trap clients in a cache loop.
 */
export function nextCursor(clientCursor: string | undefined, nowMs = Date.now(), random = Math.random): string {
  const current = currentCursor(nowMs);
  const held = clientCursor !== undefined && /^\d{1,15}$/.test(clientCursor) ? Number(clientCursor) : -1;
  if (held < current) return String(current);
  return String(held + 1 + Math.floor(random() * MAX_JITTER_INTERVALS));
}
