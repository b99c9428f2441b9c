// JSON mode bodies (PROTOCOL §7.1). An append stores its messages as one entry whose
// bytes are the messages' JSON joined by commas — so a read is "[" + entries.join(",") + "]"
// without parsing anything, and one POST stays one entry (one offset, one producer seq).

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export type JsonBatch = { ok: true; data: Uint8Array; messages: number } | { ok: false; code: 'invalid_json' | 'empty_array'; message: string };

/**
 * Validates a JSON body and flattens one array level: `[a, b]` is two messages, `{…}` one.
 * `allowEmpty` is for PUT, where `[]` means "no initial messages".
 */
export function parseJsonBatch(body: Uint8Array, allowEmpty: boolean): JsonBatch {
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(body));
  } catch {
    return { ok: false, code: 'invalid_json', message: 'Body is not valid JSON' };
  }
  const messages = Array.isArray(value) ? value : [value];
  if (messages.length === 0 && !allowEmpty) return { ok: false, code: 'empty_array', message: 'An empty JSON array appends nothing' };
  return { ok: true, data: encoder.encode(messages.map((m) => JSON.stringify(m)).join(',')), messages: messages.length };
}

/** The first `count` messages of a stored JSON entry (fork sub-offsets). */
export function takeJsonMessages(data: Uint8Array, count: number): { data: Uint8Array; messages: number } {
  const all = JSON.parse(`[${decoder.decode(data)}]`) as unknown[];
  const kept = all.slice(0, count);
  return { data: encoder.encode(kept.map((m) => JSON.stringify(m)).join(',')), messages: kept.length };
}

/** Joins stored JSON entries into the array a GET returns. */
export function jsonArrayOf(entries: ReadonlyArray<{ data: Uint8Array }>): Uint8Array {
  const parts: Uint8Array[] = [encoder.encode('[')];
  entries.forEach((e, i) => {
    if (i > 0) parts.push(encoder.encode(','));
    parts.push(e.data);
  });
  parts.push(encoder.encode(']'));
  return concatBytes(parts);
}

export function concatBytes(parts: ReadonlyArray<Uint8Array>): Uint8Array {
  let size = 0;
  for (const p of parts) size += p.length;
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
