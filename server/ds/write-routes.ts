// PUT (create / fork), POST (append / close) and DELETE on a generic stream (PROTOCOL §5.1–5.4).
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../http/errors.ts';
import { isJsonType, mediaTypeEssence } from './content-type.ts';
import { H, header, parseExpiresAt, parseNonNegativeInt, parseTtl } from './http-headers.ts';
import { parseJsonBatch } from './json-body.ts';
import { formatOffset, parseOffset } from './offsets.ts';
import type { DsStore } from './port.ts';
import { parseProducerHeaders } from './producer.ts';
import { storageQuotaExceeded } from './quota.ts';
import type { DsPayload, DsStreamInfo, ForkSpec } from './types.ts';

const bad = (code: string, message: string) => new ApiError(400, code, message);
export const invalidApiKey = () => new ApiError(401, 'invalid_api_key', 'Unknown or revoked API key');

/** Whose stream an append goes to: an account, or the account of a key the store checks (AppendRequest.apiKeyHash). */
export type AppendOwner = { ownerId: string } | { apiKeyHash: string; /** The store found the key live. */ confirmed(): void };

function bodyBytes(request: FastifyRequest): Uint8Array {
  const b = request.body;
  return b instanceof Uint8Array ? b : new Uint8Array(0);
}

/** The PUT/POST body as a stored payload; JSON bodies are validated and flattened. */
function payloadOf(body: Uint8Array, contentType: string, forCreate: boolean): DsPayload | null {
  if (body.length === 0) return null;
  if (!isJsonType(contentType)) return { data: body, messages: 1 };
  const batch = parseJsonBatch(body, forCreate);
  if (!batch.ok) throw bad(batch.code, batch.message);
  return batch.messages === 0 ? null : { data: batch.data, messages: batch.messages };
}

/**
 * Stream-Forked-From names the source by its URL path. Clients send it relative to the
 * protocol root ("/v1/stream/x") or as our full path ("/ds/v1/stream/x"); both mean "x".
 */
export function forkSourcePath(raw: string): string | undefined {
  let p = raw;
  try {
    if (/^https?:\/\//i.test(p)) p = new URL(p).pathname;
  } catch {
    return undefined;
  }
  const m = /^(?:\/ds)?\/v1\/stream\/(.+)$/.exec(p);
  if (!m) return undefined;
  try {
    return decodeURIComponent(m[1]!);
  } catch {
    return undefined;
  }
}

function parseFork(request: FastifyRequest): ForkSpec | null {
  const from = header(request, H.forkedFrom);
  const offsetRaw = header(request, H.forkOffset);
  const sub = parseNonNegativeInt(header(request, H.forkSubOffset), H.forkSubOffset);
  if (!sub.ok) throw bad('invalid_fork', sub.message);
  if (from === undefined) {
    if (offsetRaw !== undefined || sub.value !== null) throw bad('invalid_fork', `${H.forkOffset} and ${H.forkSubOffset} need ${H.forkedFrom}`);
    return null;
  }
  const sourcePath = forkSourcePath(from);
  if (!sourcePath) throw bad('invalid_fork', `${H.forkedFrom} must be a stream path`);
  let seq: number | null = null;
  if (offsetRaw !== undefined) {
    const o = parseOffset(offsetRaw);
    if (o.kind !== 'seq') throw bad('invalid_fork', `Malformed ${H.forkOffset}`);
    seq = o.seq;
  }
  const subOffset = sub.value ?? 0;
  // A sub-offset counts into the append right after an explicit fork point.
  if (subOffset > 0 && seq === null) throw bad('invalid_fork', `${H.forkSubOffset} needs ${H.forkOffset}`);
  return { sourcePath, seq, subOffset };
}

function locationOf(request: FastifyRequest): string {
  return `${request.protocol}://${request.headers.host ?? request.hostname}${request.url.split('?')[0]}`;
}

function streamHeaders(reply: FastifyReply, s: DsStreamInfo) {
  reply.header('content-type', s.contentType);
  reply.header(H.nextOffset, formatOffset(s.tailSeq));
  if (s.closed) reply.header(H.closed, 'true');
}

export async function handlePut(request: FastifyRequest, reply: FastifyReply, store: DsStore, ownerId: string, path: string) {
  const ttl = parseTtl(header(request, H.ttl));
  if (!ttl.ok) throw bad('invalid_ttl', ttl.message);
  const expires = parseExpiresAt(header(request, H.expiresAt));
  if (!expires.ok) throw bad('invalid_expires_at', expires.message);
  if (ttl.value !== null && expires.value !== null) throw bad('conflicting_expiry', `Give ${H.ttl} or ${H.expiresAt}, not both`);
  const fork = parseFork(request);
  let contentType = mediaTypeEssence(header(request, 'content-type')) ?? null;
  const body = bodyBytes(request);
  if (contentType === null && fork && body.length > 0) {
    // A fork without Content-Type inherits its source's; the body must be read that way.
    const src = await store.head(ownerId, fork.sourcePath);
    if (src.kind === 'ok') contentType = src.stream.contentType;
  }
  const r = await store.create({
    ownerId,
    path,
    contentType,
    ttlSeconds: ttl.value,
    expiresAt: expires.value,
    closed: header(request, H.closed) === 'true',
    initial: payloadOf(body, contentType ?? 'application/octet-stream', true),
    fork,
  });
  switch (r.kind) {
    case 'created':
      streamHeaders(reply, r.stream);
      reply.header('location', locationOf(request));
      return reply.status(201).send();
    case 'exists':
      streamHeaders(reply, r.stream);
      return reply.status(200).send();
    case 'conflict':
      throw new ApiError(409, 'conflict', r.message);
    case 'source_not_found':
      throw new ApiError(404, 'fork_source_not_found', 'The fork source does not exist');
    case 'source_gone':
      throw new ApiError(409, 'fork_source_deleted', 'The fork source was deleted');
    case 'invalid_fork':
      throw bad('invalid_fork', r.message);
  }
}

/** What an append request carries, however it arrived (the Fastify route or the append lane). */
export interface AppendInput {
  /** A request header by lower-case name. */
  header(name: string): string | undefined;
  body: Uint8Array;
  path: string;
  owner: AppendOwner;
  /** The account's byte quota, checked by the store with the append. */
  maxOwnerBytes: number;
}

/** The answer to an append: a status and headers, and the error when it failed (its body). */
export interface AppendAnswer {
  status: number;
  headers: Array<[string, string]>;
  error?: ApiError;
}

/** One POST on a generic stream (PROTOCOL §5.2), judged and written; throws ApiError only for a malformed request. */
export async function answerAppend(store: DsStore, input: AppendInput): Promise<AppendAnswer> {
  const { body, owner } = input;
  const close = input.header(H.closed.toLowerCase()) === 'true';
  const contentType = mediaTypeEssence(input.header('content-type')) ?? null;
  if (body.length === 0 && !close) throw bad('empty_body', 'An append needs a body');
  if (body.length > 0 && contentType === null) throw bad('content_type_required', 'An append needs a Content-Type');
  const producer = parseProducerHeaders(input.header(H.producerId.toLowerCase()), input.header(H.producerEpoch.toLowerCase()), input.header(H.producerSeq.toLowerCase()));
  if (producer.kind === 'invalid') throw bad('invalid_producer', producer.message);
  const streamSeq = input.header(H.streamSeq.toLowerCase()) ?? null;
  const payload = body.length === 0 ? null : payloadOf(body, contentType!, false);
  const claim = producer.kind === 'claim' ? producer.claim : null;

  const who = 'ownerId' in owner ? { ownerId: owner.ownerId } : { ownerId: '', apiKeyHash: owner.apiKeyHash };
  const r = await store.append({ ...who, path: input.path, contentType: payload ? contentType : null, payload, close, streamSeq, producer: claim, maxOwnerBytes: input.maxOwnerBytes });
  if (r.kind !== 'invalid_key' && 'confirmed' in owner) owner.confirmed();
  const headers: Array<[string, string]> = [];
  const failed = (error: ApiError): AppendAnswer => ({ status: error.statusCode, headers, error });
  const tail = (s: DsStreamInfo) => {
    headers.push([H.nextOffset, formatOffset(s.tailSeq)]);
    if (s.closed) headers.push([H.closed, 'true']);
  };
  switch (r.kind) {
    case 'invalid_key':
      return failed(invalidApiKey());
    case 'appended':
      tail(r.stream);
      if (claim) headers.push([H.producerEpoch, String(claim.epoch)], [H.producerSeq, String(claim.seq)]);
      // §5.2.1: 200 for a producer's new data, 204 otherwise.
      return { status: claim && payload ? 200 : 204, headers };
    case 'duplicate':
      tail(r.stream);
      headers.push([H.producerEpoch, String(r.epoch)], [H.producerSeq, String(r.highestSeq)]);
      return { status: 204, headers };
    case 'not_found':
      return failed(new ApiError(404, 'not_found', 'Stream not found'));
    case 'gone':
      return failed(new ApiError(410, 'gone', 'Stream was deleted'));
    case 'stale_epoch':
      headers.push([H.producerEpoch, String(r.currentEpoch)]);
      return failed(new ApiError(403, 'stale_producer_epoch', 'A newer epoch of this producer has taken over'));
    case 'bad_epoch_seq':
      return failed(bad('invalid_producer', 'A new producer epoch must start at Producer-Seq 0'));
    case 'seq_gap':
      headers.push([H.producerExpectedSeq, String(r.expected)], [H.producerReceivedSeq, String(r.received)]);
      return failed(new ApiError(409, 'producer_seq_gap', `Expected Producer-Seq ${r.expected}`));
    case 'closed':
      headers.push([H.closed, 'true'], [H.nextOffset, formatOffset(r.stream.tailSeq)]);
      return failed(new ApiError(409, 'stream_closed', 'The stream is closed'));
    case 'content_type_mismatch':
      return failed(new ApiError(409, 'content_type_mismatch', `The stream's content type is ${r.streamContentType}`));
    case 'stream_seq_conflict':
      return failed(new ApiError(409, 'stream_seq_conflict', `${H.streamSeq} must increase`));
    case 'quota_exceeded':
      return failed(storageQuotaExceeded(r.usedBytes, payload?.data.length ?? 0, input.maxOwnerBytes));
  }
}

export async function handlePost(request: FastifyRequest, reply: FastifyReply, store: DsStore, owner: AppendOwner, path: string, maxOwnerBytes: number) {
  const answer = await answerAppend(store, { header: (name) => header(request, name), body: bodyBytes(request), path, owner, maxOwnerBytes });
  for (const [k, v] of answer.headers) reply.header(k, v);
  if (answer.error) throw answer.error;
  return reply.status(answer.status).send();
}

export async function handleDelete(reply: FastifyReply, store: DsStore, ownerId: string, path: string) {
  const r = await store.delete(ownerId, path);
  if (r.kind === 'not_found') throw new ApiError(404, 'not_found', 'Stream not found');
  if (r.kind === 'gone') throw new ApiError(410, 'gone', 'Stream was deleted');
  return reply.status(204).send();
}
