import type { FastifyRequest } from 'fastify';

/**
 * The origin the browser used for this request: scheme and Host, port included. Behind a
 * proxy, Fastify takes them from X-Forwarded-Proto and X-Forwarded-Host only when TRUST_PROXY
 * trusts the peer; otherwise from the connection and the Host header as they arrived.
 * null when the Host header is not a host.
 */
export function requestOrigin(request: FastifyRequest): string | null {
  try {
    return new URL(`${request.protocol}://${request.host}`).origin;
  } catch {
    return null;
  }
}

/**
 * The origin for links we hand out (pairing, calendar feeds) and for the Origin check:
 * PUBLIC_URL when configured, which no forged Host header can steer; else the request's.
 */
export function publicOriginFor(request: FastifyRequest, configured: string | undefined): string | null {
  return configured ?? requestOrigin(request);
}

/** An absolute URL on our public origin; path-only when the request's Host was unusable. */
export function publicUrlFor(request: FastifyRequest, configured: string | undefined, path: string): string {
  return `${publicOriginFor(request, configured) ?? ''}${path}`;
}
