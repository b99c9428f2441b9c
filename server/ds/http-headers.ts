// Protocol header names and the parsing of request headers (PROTOCOL §5, §11.2).
import type { FastifyRequest } from 'fastify';
import { MAX_INT32 } from '../contract/limits.ts';

export const H = {
  nextOffset: 'Stream-Next-Offset',
  upToDate: 'Stream-Up-To-Date',
  cursor: 'Stream-Cursor',
  closed: 'Stream-Closed',
  ttl: 'Stream-TTL',
  expiresAt: 'Stream-Expires-At',
  streamSeq: 'Stream-Seq',
  forkedFrom: 'Stream-Forked-From',
  forkOffset: 'Stream-Fork-Offset',
  forkSubOffset: 'Stream-Fork-Sub-Offset',
  sseEncoding: 'Stream-SSE-Data-Encoding',
  producerId: 'Producer-Id',
  producerEpoch: 'Producer-Epoch',
  producerSeq: 'Producer-Seq',
  producerExpectedSeq: 'Producer-Expected-Seq',
  producerReceivedSeq: 'Producer-Received-Seq',
} as const;

/** Browsers may read these from cross-origin responses (CORS). */
export const EXPOSED_HEADERS = [
  H.nextOffset, H.upToDate, H.cursor, H.closed, H.ttl, H.expiresAt, H.sseEncoding,
  H.producerEpoch, H.producerSeq, H.producerExpectedSeq, H.producerReceivedSeq,
  'ETag', 'Location', 'Content-Type',
].join(', ');

export const ALLOWED_REQUEST_HEADERS = [
  'Authorization', 'Content-Type', 'If-None-Match', H.ttl, H.expiresAt, H.closed, H.streamSeq,
  H.forkedFrom, H.forkOffset, H.forkSubOffset, H.producerId, H.producerEpoch, H.producerSeq,
].join(', ');

/** §10.7 and CORS: on every response of the endpoint, errors included. */
export const BASE_RESPONSE_HEADERS: Record<string, string> = {
  'x-content-type-options': 'nosniff',
  'cross-origin-resource-policy': 'cross-origin',
  'access-control-allow-origin': '*',
  'access-control-expose-headers': EXPOSED_HEADERS,
};

export function header(request: FastifyRequest, name: string): string | undefined {
  const v = request.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

const NON_NEGATIVE_INT = /^(0|[1-9]\d*)$/;
/** RFC 3339 date-time: a full date, a time, and Z or a numeric offset. */
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
/** Stream-TTL is stored as a Postgres int. */
export const MAX_TTL_SECONDS = MAX_INT32;
const MAX_EXPIRES_AT_MS = Date.UTC(10_000, 0, 1);

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

/** Plain decimal seconds: no sign, no leading zeros, no fraction or exponent (§5.1). */
export function parseTtl(raw: string | undefined): Parsed<number | null> {
  if (raw === undefined) return { ok: true, value: null };
  if (!NON_NEGATIVE_INT.test(raw) || Number(raw) > MAX_TTL_SECONDS) return { ok: false, message: 'Stream-TTL must be a whole number of seconds' };
  return { ok: true, value: Number(raw) };
}

export function parseExpiresAt(raw: string | undefined): Parsed<Date | null> {
  if (raw === undefined) return { ok: true, value: null };
  const ms = RFC3339.test(raw) ? Date.parse(raw) : NaN;
  if (Number.isNaN(ms)) return { ok: false, message: 'Stream-Expires-At must be an RFC 3339 timestamp' };
  // PostgreSQL has no year 0 and JavaScript no year 10000 in this format: keep to 1970–9999.
  if (ms < 0 || ms >= MAX_EXPIRES_AT_MS) return { ok: false, message: 'Stream-Expires-At must be between 1970 and 9999' };
  return { ok: true, value: new Date(ms) };
}

export function parseNonNegativeInt(raw: string | undefined, name: string): Parsed<number | null> {
  if (raw === undefined) return { ok: true, value: null };
  // Stored in integer columns: bounded like every number of the contract.
  if (!NON_NEGATIVE_INT.test(raw) || Number(raw) > MAX_INT32) return { ok: false, message: `${name} must be an integer from 0 to ${MAX_INT32}` };
  return { ok: true, value: Number(raw) };
}
