// Per-account Durable Streams quotas: how many streams, how many stored bytes. Checked before
// a create, and by the store in the statement that writes an append (AppendRequest.maxOwnerBytes).
// Concurrent writes to different streams of one account can overshoot by what they carry
// together, which bounds storage per account just the same.
import { ApiError } from '../http/errors.ts';
import type { DsStore } from './port.ts';

export interface DsQuota {
  maxStreams: number;
  maxBytes: number;
}

/**
 * Throws 403 `stream_quota_exceeded` when `creatingPath` would be a new stream past the
 * stream quota, and 403 `storage_quota_exceeded` when `addBytes` would pass the byte quota.
 */
export async function checkQuota(store: DsStore, quota: DsQuota, ownerId: string, creatingPath: string | null, addBytes: number): Promise<void> {
  const usage = await store.usage(ownerId);
  if (creatingPath !== null && usage.streams >= quota.maxStreams) {
    // PUT on an existing stream is an idempotent 200 and makes nothing new.
    const existing = await store.head(ownerId, creatingPath);
    if (existing.kind === 'not_found') {
      throw new ApiError(403, 'stream_quota_exceeded', `This account has ${usage.streams} streams, the most it may hold (${quota.maxStreams}). Delete one first.`);
    }
  }
  if (addBytes > 0 && usage.bytes + addBytes > quota.maxBytes) throw storageQuotaExceeded(usage.bytes, addBytes, quota.maxBytes);
}

/** 403 `storage_quota_exceeded`: from checkQuota (creates) and from an append the store refused (appends check in the same statement). */
export function storageQuotaExceeded(usedBytes: number, addBytes: number, maxBytes: number): ApiError {
  return new ApiError(
    403,
    'storage_quota_exceeded',
    `This account stores ${usedBytes} bytes in streams; ${addBytes} more would pass its quota of ${maxBytes} bytes. Delete streams first.`,
  );
}
