// Shapes of the Durable Streams store port. Every outcome is a tagged union so routes map
// each case to exactly one HTTP answer.
import type { ProducerClaim } from './producer.ts';

/** What a response needs to know about a stream (never its owner or fork lineage). */
export interface DsStreamInfo {
  id: string;
  path: string;
  /** Media type essence. */
  contentType: string;
  /** Highest entry seq: the tail offset encodes it. */
  tailSeq: number;
  closed: boolean;
  ttlSeconds: number | null;
  /** ISO-8601, absolute expiry only. */
  expiresAt: string | null;
}

export interface DsEntry {
  seq: number;
  data: Uint8Array;
  /** JSON streams: messages in `data`; byte streams: 1. */
  messages: number;
}

/** One append's payload, already validated (JSON batches are flattened). */
export interface DsPayload {
  data: Uint8Array;
  messages: number;
}

export type NotFound = { kind: 'not_found' };
/** Soft-deleted: deleted while forks still inherit from it (answers 410 until GC). */
export type Gone = { kind: 'gone' };

export interface ForkSpec {
  /** The source stream's path (same owner). */
  sourcePath: string;
  /** Inherit entries up to this seq; null = the source's tail at fork time. */
  seq: number | null;
  /** Also inherit this many bytes (or JSON messages) of the entry after `seq`; 0 = none. */
  subOffset: number;
}

export interface CreateRequest {
  ownerId: string;
  path: string;
  /** Essence; null = default (or, for a fork, the source's). */
  contentType: string | null;
  /** Neither set, for a fork: inherit the source's. */
  ttlSeconds: number | null;
  expiresAt: Date | null;
  closed: boolean;
  initial: DsPayload | null;
  fork: ForkSpec | null;
}

export type CreateOutcome =
  | { kind: 'created'; stream: DsStreamInfo }
  /** Same configuration already there: idempotent success. */
  | { kind: 'exists'; stream: DsStreamInfo }
  | { kind: 'conflict'; message: string }
  | { kind: 'source_not_found' }
  | { kind: 'source_gone' }
  | { kind: 'invalid_fork'; message: string };

export interface AppendRequest {
  /** The stream's owner; not used when `apiKeyHash` is set. */
  ownerId: string;
  /**
   * The SHA-256 hash of the API key the request came with, checked by the store in the
   * append's own commit: the owner is that live key's account, and the append is refused
   * (`invalid_key`) when no live key has this hash. Saves the POST a lookup of its own.
   */
  apiKeyHash?: string;
  path: string;
  /** Request Content-Type essence; null only for close-only requests. */
  contentType: string | null;
  /** null = close-only. */
  payload: DsPayload | null;
  close: boolean;
  streamSeq: string | null;
  producer: ProducerClaim | null;
  /**
   * The owner's byte quota, checked in the same atomic step as the append: refused
   * (`quota_exceeded`) when the owner's stored bytes plus this payload would pass it.
   * Absent = no quota.
   */
  maxOwnerBytes?: number;
}

export type AppendOutcome =
  | { kind: 'appended'; stream: DsStreamInfo }
  | { kind: 'duplicate'; stream: DsStreamInfo; epoch: number; highestSeq: number }
  | NotFound
  | Gone
  | { kind: 'stale_epoch'; currentEpoch: number }
  | { kind: 'bad_epoch_seq' }
  | { kind: 'seq_gap'; expected: number; received: number }
  | { kind: 'closed'; stream: DsStreamInfo }
  | { kind: 'content_type_mismatch'; streamContentType: string }
  | { kind: 'stream_seq_conflict' }
  | { kind: 'quota_exceeded'; usedBytes: number }
  /** `apiKeyHash` named no live key (unknown or revoked). */
  | { kind: 'invalid_key' };

export interface ReadRequest {
  ownerId: string;
  path: string;
  /** Entries with seq > afterSeq; 'tail' = none (offset=now). */
  afterSeq: number | 'tail';
  maxEntries: number;
  /** Stop adding entries once this many bytes are in the page (at least one entry is returned). */
  maxBytes: number;
  /** Renew a sliding TTL (reads do, HEAD does not). */
  touch: boolean;
}

export type ReadOutcome = { kind: 'ok'; stream: DsStreamInfo; entries: DsEntry[] } | NotFound | Gone;

export type HeadOutcome = { kind: 'ok'; stream: DsStreamInfo } | NotFound | Gone;

export type DeleteOutcome = { kind: 'deleted' } | { kind: 'soft_deleted' } | NotFound | Gone;

/** A stream's tail moved (append, close or delete); `tailSeq` is -1 after a delete. */
export interface DsChange {
  streamId: string;
  tailSeq: number;
  /**
   * In-process only, from the commit that moved the tail: the stream as committed and the
   * entries that commit appended (consecutive seqs ending at `stream.tailSeq`), so a reader
   * waiting right below them can answer without reading them back.
   */
  committed?: { stream: DsStreamInfo; entries: DsEntry[] };
}

/** An account's Durable Streams footprint, for quotas. Bytes count stored entry data. */
export interface DsUsage {
  streams: number;
  bytes: number;
}
