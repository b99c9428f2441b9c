import type { FastifyRequest } from 'fastify';
import { ApiError } from './errors.ts';
import { publicOriginFor } from './public-origin.ts';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface OriginPolicy {
  /** ALLOWED_ORIGINS: other origins the operator allows. */
  allowed: string[];
  /** PUBLIC_URL's origin: when set, it is our origin, whatever Host the request carries. */
  publicOrigin: string | undefined;
}

/**
 * Browsers always send Origin on cross-site requests and WebSocket upgrades; it must be
 * our origin or one the operator allowed. Our origin is PUBLIC_URL when set, else scheme,
 * host and port of the request as the browser addressed it (through a trusted proxy's
 * forwarded headers). Clients without a browser send no Origin and are let through: they
 * cannot ride a victim's cookie anyway.
 */
export function originAllowed(request: FastifyRequest, policy: OriginPolicy): boolean {
  const origin = request.headers.origin;
  if (!origin) return true;
  if (policy.allowed.includes(origin)) return true;
  return origin === publicOriginFor(request, policy.publicOrigin);
}

/**
 * Cross-site request forgery guard for HTTP, in depth: SameSite=Lax already keeps the
 * cookie off cross-site POSTs and JSON bodies need a CORS preflight we never grant, but
 * a foreign Origin on a state-changing request is refused outright as well (this also
 * stops login CSRF, where no cookie is involved).
 */
export function makeCsrfHook(policy: OriginPolicy) {
  return async (request: FastifyRequest) => {
    if (SAFE_METHODS.has(request.method)) return;
    if (!originAllowed(request, policy)) throw new ApiError(403, 'origin_not_allowed', 'Requests from this origin are not allowed');
  };
}
