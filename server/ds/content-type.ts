// Content types: streams are matched on the media type essence, case-insensitively
// (`TEXT/PLAIN; charset=utf-8` appends to a `text/plain` stream).

export const DEFAULT_CONTENT_TYPE = 'application/octet-stream';

/** "Text/Plain; charset=UTF-8" → "text/plain"; undefined or blank → undefined. */
export function mediaTypeEssence(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const essence = header.split(';')[0]!.trim().toLowerCase();
  return essence === '' ? undefined : essence;
}

/** JSON mode (PROTOCOL §7.1): application/json and structured-syntax `+json` types. */
export function isJsonType(essence: string): boolean {
  return essence === 'application/json' || essence.endsWith('+json');
}

/** SSE sends these as text; every other type is base64-encoded per data event. */
export function isTextualType(essence: string): boolean {
  return essence.startsWith('text/') || isJsonType(essence);
}
