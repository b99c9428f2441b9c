// Rules for PUT that both store adapters share: when an existing stream counts as "the
// same" (idempotent 200) and how a fork's inherited prefix is cut.
import { DEFAULT_CONTENT_TYPE, isJsonType } from './content-type.ts';
import { takeJsonMessages } from './json-body.ts';
import type { CreateRequest, DsEntry, DsPayload } from './types.ts';

export interface StoredConfig {
  contentType: string;
  ttlSeconds: number | null;
  expiresAtMs: number | null;
  forkSourcePath: string | null;
  forkSeq: number | null;
  forkSubOffset: number | null;
}

/** PUT on an existing stream: same content type, expiry and fork point → 200, else 409. */
export function configMatches(existing: StoredConfig, req: CreateRequest): boolean {
  const wantType = req.contentType ?? (req.fork ? existing.contentType : DEFAULT_CONTENT_TYPE);
  if (wantType !== existing.contentType) return false;
  // A fork that names no expiry inherited its source's, so there is nothing to compare.
  const inheritsExpiry = req.fork !== null && req.ttlSeconds === null && req.expiresAt === null;
  if (!inheritsExpiry) {
    if (req.ttlSeconds !== existing.ttlSeconds) return false;
    if ((req.expiresAt?.getTime() ?? null) !== existing.expiresAtMs) return false;
  }
  if (req.fork) {
    if (existing.forkSourcePath !== req.fork.sourcePath) return false;
    if (req.fork.seq !== null && req.fork.seq !== existing.forkSeq) return false;
    if (req.fork.subOffset !== (existing.forkSubOffset ?? 0)) return false;
  }
  return true;
}

export type ForkCut = { ok: true; partial: DsPayload | null } | { ok: false; message: string };

/**
 * The partial entry a sub-offset fork materialises: the first `subOffset` bytes (or JSON
 * messages) of the source entry right after the fork seq.
 */
export function cutSubOffset(contentType: string, next: DsEntry | undefined, subOffset: number): ForkCut {
  if (subOffset === 0) return { ok: true, partial: null };
  if (!next) return { ok: false, message: 'Stream-Fork-Sub-Offset points past the end of the source' };
  if (isJsonType(contentType)) {
    if (subOffset > next.messages) return { ok: false, message: 'Stream-Fork-Sub-Offset exceeds the message count of that append' };
    return { ok: true, partial: takeJsonMessages(next.data, subOffset) };
  }
  if (subOffset > next.data.length) return { ok: false, message: 'Stream-Fork-Sub-Offset exceeds the length of that append' };
  return { ok: true, partial: { data: next.data.slice(0, subOffset), messages: 1 } };
}
