// Secrets that travel in URLs (pairing codes, calendar feed tokens) must not reach the
// logs, where they would outlive their purpose and be readable by anyone with log access.

import type { FastifyRequest } from 'fastify';

export const REDACTED = '[redacted]';

/** Path prefixes whose next segment is a bearer secret. */
const SECRET_PATH_PREFIXES = ['/pair/', '/api/feeds/'];
/** Query parameters that may carry secrets. */
const SECRET_QUERY_KEY = /token|code|secret|password|key|auth/i;

/** Masks the secret part of a request URL: `/pair/ABCD…` → `/pair/[redacted]`, `?token=x` → `?token=[redacted]`. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  let path = q === -1 ? url : url.slice(0, q);
  const query = q === -1 ? '' : url.slice(q + 1);
  for (const prefix of SECRET_PATH_PREFIXES) {
    // Case-insensitively, and with any encoding of the prefix, the secret is still a secret.
    const at = safeDecode(path).toLowerCase().startsWith(prefix) ? prefix.length : -1;
    if (at !== -1) {
      const decoded = safeDecode(path);
      const rest = decoded.slice(at);
      const slash = rest.indexOf('/');
      // Keep a file extension (feed.ics) so logs stay readable.
      const segment = slash === -1 ? rest : rest.slice(0, slash);
      const ext = /\.[a-z]{2,5}$/i.exec(segment)?.[0] ?? '';
      path = decoded.slice(0, at) + REDACTED + ext + (slash === -1 ? '' : rest.slice(slash));
      break;
    }
  }
  if (!query) return path;
  const masked = query
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const key = eq === -1 ? pair : pair.slice(0, eq);
      return eq !== -1 && SECRET_QUERY_KEY.test(safeDecode(key)) ? `${key}=${REDACTED}` : pair;
    })
    .join('&');
  return `${path}?${masked}`;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** pino serializer for `req`: what Fastify logs by default, with the URL redacted and no headers at all. */
export function serializeRequest(request: FastifyRequest) {
  return {
    method: request.method,
    url: redactUrl(request.url),
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  };
}
