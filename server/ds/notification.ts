// Durable Streams pointers on the shared NOTIFY channel (the session log uses e:/s:/r:):
//   x:<streamId>:<tailSeq>   the stream's tail moved (append or close); tailSeq -1 = deleted
// A pointer, never data: readers re-read from the store (same rule as SL8).
import type { DsChange } from './types.ts';

export const DS_POINTER_PREFIX = 'x:';

export function decodeDsPointer(payload: string): DsChange | undefined {
  if (!payload.startsWith(DS_POINTER_PREFIX)) return undefined;
  const rest = payload.slice(DS_POINTER_PREFIX.length);
  const i = rest.lastIndexOf(':');
  const tailSeq = Number(rest.slice(i + 1));
  if (i <= 0 || !Number.isInteger(tailSeq)) return undefined;
  return { streamId: rest.slice(0, i), tailSeq };
}
