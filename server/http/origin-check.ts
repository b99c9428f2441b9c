import type { FastifyRequest } from 'fastify';
import { ApiError } from './errors.ts';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Browsers always send Origin on cross-site requests and WebSocket upgrades; it must be
 * us (same host as the request) or an origin the operator allowed. Clients without a
 * browser send no Origin and are let through: they cannot ride a victim's cookie anyway.
 */
export function originAllowed(request: FastifyRequest, allowed: string[]): boolean {
  const origin = request.headers.origin;
  if (!origin) return true;
  if (allowed.includes(origin)) return true;
  try {
    return new URL(origin).host === request.headers.host;
  } catch {
    return false;
  }
}

/**
 * Cross-site request forgery guard for HTTP, in depth: SameSite=Lax already keeps the
 * cookie off cross-site POSTs and JSON bodies need a CORS preflight we never grant, but
 * a foreign Origin on a state-changing request is refused outright as well (this also
 * stops login CSRF, where no cookie is involved).
 */
export function makeCsrfHook(allowed: string[]) {
  return async (request: FastifyRequest) => {
    if (SAFE_METHODS.has(request.method)) return;
    if (!originAllowed(request, allowed)) throw new ApiError(403, 'origin_not_allowed', 'Requests from this origin are not allowed');
  };
}
