/**
 * Whether an error means the database (or the job queue's connection to it) is unreachable
 * for now — a restart, a failover, a dropped connection — rather than a bug. Such requests
 * get 503 with Retry-After: the client's retry will find it back, and nothing was written
 * (every write is one statement or one transaction).
 */
const PG_UNAVAILABLE_CODES = new Set([
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up)
  '53300', // too_many_connections
]);
/** Prisma's codes for an unreachable or closed database. */
const PRISMA_UNAVAILABLE_CODES = new Set(['P1001', 'P1002', 'P1017', 'P2024']);
const NODE_UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND']);
/** Our own modules' codes for the same (server/jobs/queue.ts). */
const APP_UNAVAILABLE_CODES = new Set(['job_queue_unavailable']);
const UNAVAILABLE_MESSAGES = [/Connection terminated/i, /connection.*(closed|refused|ended)/i, /server closed the connection unexpectedly/i];

export function isUnavailable(err: unknown): boolean {
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') {
      if (PG_UNAVAILABLE_CODES.has(code) || code.startsWith('08')) return true;
      if (PRISMA_UNAVAILABLE_CODES.has(code) || NODE_UNAVAILABLE_CODES.has(code) || APP_UNAVAILABLE_CODES.has(code)) return true;
    }
    const message = (e as { message?: unknown }).message;
    if (typeof message === 'string' && UNAVAILABLE_MESSAGES.some((re) => re.test(message))) return true;
  }
  return false;
}

/** Seconds a client should wait before retrying a 503. */
export const UNAVAILABLE_RETRY_AFTER_S = 1;
