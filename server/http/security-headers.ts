import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export const HSTS_MAX_AGE_S = 180 * 24 * 60 * 60;

/**
 * The React app is built by Vite into external module scripts and stylesheets, so it
 * needs nothing inline: scripts and styles come from our origin only, which makes an
 * injected <script> or on* attribute inert. React's `style` props go through the CSSOM,
 * which style-src does not restrict. The pairing QR code is an inline <svg> element
 * (markup, not a script), and images may be data: URLs for it as well.
 */
export function contentSecurityPolicy(publicOrigin: string | undefined): string {
  // 'self' covers same-origin ws:/wss: in CSP3 browsers; older Safari needs the explicit origin.
  const wsOrigin = publicOrigin?.replace(/^http/, 'ws');
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src 'self'${wsOrigin ? ` ${wsOrigin}` : ''}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export type HeaderSetter = (request: FastifyRequest, reply: FastifyReply) => void;

/** The security headers every response carries (HTML and API answers alike). */
export function baseSecurityHeaders(opts: { publicOrigin: string | undefined }): Array<[string, string]> {
  const https = opts.publicOrigin?.startsWith('https://') ?? false;
  return [
    ['content-security-policy', contentSecurityPolicy(opts.publicOrigin)],
    ['x-content-type-options', 'nosniff'],
    ['referrer-policy', 'no-referrer'],
    ['x-frame-options', 'DENY'],
    ['cross-origin-opener-policy', 'same-origin'],
    // Only over HTTPS: HSTS on a plain-http deployment would lock browsers out of it.
    ...(https ? [['strict-transport-security', `max-age=${HSTS_MAX_AGE_S}; includeSubDomains`] as [string, string]] : []),
  ];
}

/** Header lists joined; a name already given keeps its first value. */
export function mergeHeaders(...lists: Array<Array<[string, string]>>): Array<[string, string]> {
  const seen = new Set<string>();
  return lists.flat().filter(([k]) => !seen.has(k.toLowerCase()) && seen.add(k.toLowerCase()));
}

export function securityHeaders(opts: { publicOrigin: string | undefined }): HeaderSetter {
  const base = baseSecurityHeaders(opts);
  return (request, reply) => {
    for (const [k, v] of base) reply.header(k, v);
    // API answers are personal; no shared or browser cache should keep them.
    if (request.url.startsWith('/api/') && !reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
  };
}

/** Adds the security headers to every response, errors and 404s included (framework errors: see errors.ts). */
export function installSecurityHeaders(app: FastifyInstance, set: HeaderSetter): void {
  app.addHook('onSend', async (request, reply, payload) => {
    set(request, reply);
    return payload;
  });
}
