// GET and HEAD on a stream: catch-up, long-poll and SSE reads (PROTOCOL §5.5–5.8, §8),
// written once against DsSource so session streams and generic streams behave the same.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../http/errors.ts';
import { isJsonType, isTextualType } from './content-type.ts';
import { nextCursor } from './cursor.ts';
import { BASE_RESPONSE_HEADERS, H } from './http-headers.ts';
import { concatBytes, jsonArrayOf } from './json-body.ts';
import { ChangeSignal } from './live.ts';
import { formatOffset, parseOffset, type ParsedOffset } from './offsets.ts';
import type { DsSource } from './source.ts';
import { SSE_HEARTBEAT, sseControlEvent, sseDataEvent, type ControlEvent } from './sse.ts';
import type { DsChange, DsEntry, DsStreamInfo, ReadOutcome } from './types.ts';

export interface ReadOptions {
  /** How long a long-poll waits for data before answering 204. */
  longPollTimeoutMs: number;
  /** SSE connections are closed after this so CDNs can collapse them (§8.2). */
  sseMaxConnectionMs: number;
  sseHeartbeatMs: number;
  /**
   * Registers a live read (long-poll or SSE) with whoever may revoke it; `end` stops it at
   * once. Returns the unregister function.
   */
  track?: (end: (why: LiveReadEnd) => void) => () => void;
}

/** Why a live read was ended from outside: its login or key was revoked, or its reader lost access to the session. */
export type LiveReadEnd = 'revoked' | 'removed';

/** A live read's lifetime: ends when the client goes away or its login or key is revoked. */
function liveLifetime(reply: FastifyReply, opts: ReadOptions): { signal: AbortSignal; revoked: () => LiveReadEnd | undefined; release: () => void } {
  const gone = clientGone(reply);
  const revocation = new AbortController();
  let why: LiveReadEnd | undefined;
  const release =
    opts.track?.((w) => {
      why = w;
      revocation.abort();
    }) ?? (() => {});
  return { signal: AbortSignal.any([gone, revocation.signal]), revoked: () => why, release };
}

const revokedError = (why: LiveReadEnd) =>
  // A removed partner learns no more than a stranger would: the stream is not there.
  why === 'removed' ? new ApiError(404, 'not_found', 'Stream not found') : new ApiError(401, 'unauthorized', 'This login or API key was revoked');

/** One response carries at most this many entries / bytes; clients page with Stream-Next-Offset. */
export const MAX_PAGE_ENTRIES = 10_000;
export const MAX_PAGE_BYTES = 1024 * 1024;
const CACHEABLE = 'private, max-age=60, stale-while-revalidate=300';

type LiveMode = 'long-poll' | 'sse' | undefined;
interface ReadQuery {
  offset: ParsedOffset | undefined;
  live: LiveMode;
  cursor: string | undefined;
}

const badRequest = (code: string, message: string) => new ApiError(400, code, message);

function parseReadQuery(request: FastifyRequest): ReadQuery {
  const params = new URLSearchParams(request.url.split('?')[1] ?? '');
  const offsets = params.getAll('offset');
  if (offsets.length > 1) throw badRequest('invalid_offset', 'Give one offset');
  let offset: ParsedOffset | undefined;
  if (offsets.length === 1) {
    offset = parseOffset(offsets[0]!);
    if (offset.kind === 'invalid') throw badRequest('invalid_offset', 'Malformed offset');
  }
  const liveRaw = params.get('live') ?? undefined;
  if (liveRaw !== undefined && liveRaw !== 'long-poll' && liveRaw !== 'sse') throw badRequest('invalid_live', 'live must be long-poll or sse');
  if (liveRaw !== undefined && offset === undefined) throw badRequest('offset_required', 'Live reads need an offset');
  return { offset, live: liveRaw, cursor: params.get('cursor') ?? undefined };
}

/** 404/410 as errors; the stream otherwise. */
function streamOf(r: ReadOutcome): Extract<ReadOutcome, { kind: 'ok' }> {
  if (r.kind === 'not_found') throw new ApiError(404, 'not_found', 'Stream not found');
  if (r.kind === 'gone') throw new ApiError(410, 'gone', 'Stream was deleted');
  return r;
}

/**
 * The page a change committed by this process answers without reading it back: its entries
 * after `after`, cut like a store page. Undefined when the change does not start at or below
 * `after + 1` (a gap: read the store).
 */
function pageFromChange(change: DsChange | undefined, after: number): Extract<ReadOutcome, { kind: 'ok' }> | undefined {
  const c = change?.committed;
  if (!c || c.entries.length === 0 || c.entries[0]!.seq > after + 1 || c.stream.tailSeq <= after) return undefined;
  const entries: DsEntry[] = [];
  let bytes = 0;
  for (const e of c.entries) {
    if (e.seq <= after) continue;
    if (entries.length >= MAX_PAGE_ENTRIES || bytes >= MAX_PAGE_BYTES) break;
    entries.push(e);
    bytes += e.data.length;
  }
  return { kind: 'ok', stream: c.stream, entries };
}

const page = (afterSeq: number | 'tail', touch = true) => ({ afterSeq, maxEntries: MAX_PAGE_ENTRIES, maxBytes: MAX_PAGE_BYTES, touch });

function bodyOf(stream: DsStreamInfo, entries: DsEntry[]): Buffer {
  const bytes = isJsonType(stream.contentType) ? jsonArrayOf(entries) : concatBytes(entries.map((e) => e.data));
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function etagOf(stream: DsStreamInfo, after: number, next: number, closedAtTail: boolean): string {
  return `"${stream.id}:${formatOffset(after)}:${formatOffset(next)}${closedAtTail ? ':closed' : ''}"`;
}

function matchesEtag(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch.split(',').some((t) => t.trim().replace(/^W\//, '') === etag);
}

/** A 200 with a page of entries (catch-up, or a long-poll that found data). */
function sendPage(request: FastifyRequest, reply: FastifyReply, stream: DsStreamInfo, after: number, entries: DsEntry[], q: ReadQuery) {
  const next = entries.length ? entries[entries.length - 1]!.seq : after;
  const upToDate = next >= stream.tailSeq;
  const closedAtTail = upToDate && stream.closed;
  const etag = etagOf(stream, after, next, closedAtTail);
  reply.header('content-type', stream.contentType);
  reply.header(H.nextOffset, formatOffset(next));
  reply.header(H.cursor, nextCursor(q.cursor));
  reply.header('etag', etag);
  if (upToDate) reply.header(H.upToDate, 'true');
  if (closedAtTail) reply.header(H.closed, 'true');
  // A range below the tail never changes; a response at the tail must not be reused for "what's new".
  reply.header('cache-control', upToDate ? 'no-store' : CACHEABLE);
  if (matchesEtag(request.headers['if-none-match'], etag)) return reply.status(304).send();
  return reply.status(200).send(bodyOf(stream, entries));
}

function sendNoContent(reply: FastifyReply, stream: DsStreamInfo, q: ReadQuery) {
  reply.header(H.nextOffset, formatOffset(stream.tailSeq));
  reply.header(H.upToDate, 'true');
  reply.header(H.cursor, nextCursor(q.cursor));
  reply.header('cache-control', 'no-store');
  if (stream.closed) reply.header(H.closed, 'true');
  return reply.status(204).send();
}

/** Aborts when the client goes away (the response's socket closes before we answer). */
function clientGone(reply: FastifyReply): AbortSignal {
  const ac = new AbortController();
  reply.raw.once('close', () => ac.abort());
  return ac.signal;
}

export async function handleHead(reply: FastifyReply, source: DsSource) {
  const r = await source.head();
  if (r.kind === 'not_found') throw new ApiError(404, 'not_found', 'Stream not found');
  if (r.kind === 'gone') throw new ApiError(410, 'gone', 'Stream was deleted');
  const s = r.stream;
  reply.header('content-type', s.contentType);
  reply.header(H.nextOffset, formatOffset(s.tailSeq));
  reply.header('cache-control', 'no-store');
  if (s.ttlSeconds !== null) reply.header(H.ttl, String(s.ttlSeconds));
  if (s.expiresAt !== null) reply.header(H.expiresAt, s.expiresAt);
  if (s.closed) reply.header(H.closed, 'true');
  return reply.status(200).send();
}

export async function handleGet(request: FastifyRequest, reply: FastifyReply, source: DsSource, opts: ReadOptions) {
  const q = parseReadQuery(request);
  const fromTail = q.offset?.kind === 'now';
  const after = q.offset?.kind === 'seq' ? q.offset.seq : 0;
  const first = streamOf(await source.read(page(fromTail ? 'tail' : after)));
  const start = fromTail ? first.stream.tailSeq : after;
  if (start > first.stream.tailSeq) throw badRequest('offset_out_of_range', 'Offset is beyond the end of the stream');

  if (q.live === 'sse') return streamSse(request, reply, source, first, start, q, opts);
  if (q.live === undefined) {
    if (fromTail) {
      // §6 offset=now: no data, the tail offset, never cached.
      reply.header('content-type', first.stream.contentType);
      reply.header(H.nextOffset, formatOffset(first.stream.tailSeq));
      reply.header(H.upToDate, 'true');
      reply.header('cache-control', 'no-store');
      if (first.stream.closed) reply.header(H.closed, 'true');
      // Bytes, not a string: Fastify would append "; charset=utf-8" to a string's content type.
      return reply.status(200).send(Buffer.from(isJsonType(first.stream.contentType) ? '[]' : ''));
    }
    return sendPage(request, reply, first.stream, start, first.entries, q);
  }
  return longPoll(request, reply, source, first, start, q, opts);
}

async function longPoll(
  request: FastifyRequest,
  reply: FastifyReply,
  source: DsSource,
  first: Extract<ReadOutcome, { kind: 'ok' }>,
  after: number,
  q: ReadQuery,
  opts: ReadOptions,
) {
  if (first.entries.length > 0) return sendPage(request, reply, first.stream, after, first.entries, q);
  if (first.stream.closed) return sendNoContent(reply, first.stream, q);
  const deadline = Date.now() + opts.longPollTimeoutMs;
  const life = liveLifetime(reply, opts);
  const gone = life.signal;
  const signal = new ChangeSignal();
  let latest: DsChange | undefined;
  const off = source.watch(first.stream.id, (change) => {
    latest = change;
    signal.fire();
  });
  try {
    let stream = first.stream;
    for (;;) {
      // Arm, then read: a commit after the read fires the signal, so it cannot slip between.
      const woken = latest;
      latest = undefined;
      signal.arm();
      const r = pageFromChange(woken, after) ?? streamOf(await source.read(page(after)));
      stream = r.stream;
      if (r.entries.length > 0) return sendPage(request, reply, stream, after, r.entries, q);
      if (stream.closed) return sendNoContent(reply, stream, q);
      const left = deadline - Date.now();
      if (life.revoked()) throw revokedError(life.revoked()!);
      if (left <= 0 || gone.aborted) return sendNoContent(reply, stream, q);
      await signal.wait(left, gone);
      if (life.revoked()) throw revokedError(life.revoked()!);
    }
  } finally {
    off();
    life.release();
  }
}

function ssePayload(stream: DsStreamInfo, entries: DsEntry[], base64: boolean): string {
  if (isJsonType(stream.contentType)) return Buffer.from(jsonArrayOf(entries)).toString('utf8');
  const bytes = Buffer.from(concatBytes(entries.map((e) => e.data)));
  return base64 ? bytes.toString('base64') : bytes.toString('utf8');
}

async function streamSse(
  request: FastifyRequest,
  reply: FastifyReply,
  source: DsSource,
  first: Extract<ReadOutcome, { kind: 'ok' }>,
  start: number,
  q: ReadQuery,
  opts: ReadOptions,
) {
  const base64 = !isTextualType(first.stream.contentType);
  const cursor = nextCursor(q.cursor);
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    ...BASE_RESPONSE_HEADERS,
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    // Tells nginx-style proxies not to buffer the event stream.
    'x-accel-buffering': 'no',
    ...(base64 ? { [H.sseEncoding.toLowerCase()]: 'base64' } : {}),
  });
  const life = liveLifetime(reply, opts);
  const gone = life.signal;
  const signal = new ChangeSignal();
  let latest: DsChange | undefined;
  const off = source.watch(first.stream.id, (change) => {
    latest = change;
    signal.fire();
  });
  const heartbeat = setInterval(() => res.write(SSE_HEARTBEAT), opts.sseHeartbeatMs);
  const closeAt = Date.now() + opts.sseMaxConnectionMs;
  let after = start;
  let sentControl = false;
  let r: ReadOutcome = first;
  try {
    for (;;) {
      if (r.kind !== 'ok' || gone.aborted) return;
      const { stream, entries } = r;
      const next = entries.length ? entries[entries.length - 1]!.seq : after;
      const upToDate = next >= stream.tailSeq;
      const closing = upToDate && stream.closed;
      const control: ControlEvent = { streamNextOffset: formatOffset(next) };
      // A closed stream has no future, so no cursor (clients would otherwise reconnect).
      if (!closing) control.streamCursor = cursor;
      if (upToDate) control.upToDate = true;
      if (closing) control.streamClosed = true;
      // §5.8: every data event is followed by its control event.
      if (entries.length > 0) res.write(sseDataEvent(ssePayload(stream, entries, base64)));
      if (entries.length > 0 || !sentControl || closing) {
        res.write(sseControlEvent(control));
        sentControl = true;
      }
      after = next;
      if (closing) return;
      if (!upToDate) {
        signal.arm();
        r = await source.read(page(after, false));
        continue;
      }
      const left = closeAt - Date.now();
      if (left <= 0) return;
      latest = undefined;
      signal.arm();
      r = await source.read(page(after, false));
      if (r.kind === 'ok' && r.entries.length === 0 && !r.stream.closed) {
        if (!(await signal.wait(left, gone))) return;
        r = pageFromChange(latest, after) ?? (await source.read(page(after, false)));
      }
    }
  } catch (err) {
    request.log.warn({ err }, 'SSE stream failed');
  } finally {
    clearInterval(heartbeat);
    off();
    life.release();
    res.end();
  }
}
