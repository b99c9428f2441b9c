import type { FastifyBaseLogger, FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isUnavailable, UNAVAILABLE_RETRY_AFTER_S } from './unavailable.ts';

/** An expected HTTP failure with a stable `code` for clients. */
export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    /** The request field at fault, for validation failures. */
    readonly field?: string,
  ) {
    super(message);
  }
}

/** The body of every error answer. */
export const errorBody = (err: ApiError) => ({ error: { code: err.code, message: err.message, field: err.field } });

/**
 * A failure of ours (not of the request): 503 with Retry-After while the database is
 * unreachable, else 500 — logged, and with no internals in the body.
 */
export function serverFailure(err: unknown, log: Pick<FastifyBaseLogger, 'warn' | 'error'>): { status: number; headers: Array<[string, string]>; body: unknown } {
  if (isUnavailable(err)) {
    log.warn({ err }, 'request failed: database unavailable');
    return {
      status: 503,
      headers: [['retry-after', String(UNAVAILABLE_RETRY_AFTER_S)]],
      body: { error: { code: 'unavailable', message: 'The service is briefly unavailable. Try again in a moment.' } },
    };
  }
  log.error({ err }, 'request failed');
  return { status: 500, headers: [], body: { error: { code: 'internal', message: 'Something went wrong on our side. Try again.' } } };
}

/** Fastify's own 4xx errors, renamed to stable client-facing codes. */
const FASTIFY_CODES: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'body_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'invalid_request',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_json',
};

export const notFound = (what = 'Session') => new ApiError(404, 'not_found', `${what} not found`);
export const unauthorized = () => new ApiError(401, 'unauthorized', 'Sign in first');

/**
 * Every error body is {error: {code, message}}; 5xx bodies never carry internals.
 * With `spaFallback`, unknown non-API GETs get the web app's index.html (client-side routes).
 */
export function installErrorHandler(app: FastifyInstance, opts: { spaFallback?: boolean } = {}) {
  app.setErrorHandler((err: FastifyError | ApiError, request, reply) => {
    if (err instanceof ApiError) {
      return reply.status(err.statusCode).send(errorBody(err));
    }
    if (err.validation) return reply.status(400).send({ error: validationError(err.validationContext, err.validation[0]) });
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status >= 500) {
      const answer = serverFailure(err, request.log);
      for (const [k, v] of answer.headers) reply.header(k, v);
      return reply.status(answer.status).send(answer.body);
    }
    // JSON syntax errors (from secure-json-parse, e.g. a __proto__ key) carry no Fastify code.
    const code = (err.code && FASTIFY_CODES[err.code]) ?? (err instanceof SyntaxError ? 'invalid_json' : err.code?.toLowerCase() ?? 'bad_request');
    return reply.status(status).send({ error: { code, message: err.message } });
  });
  app.setNotFoundHandler((request, reply) => {
    if (opts.spaFallback && request.method === 'GET' && !request.url.startsWith('/api/') && !request.url.startsWith('/ds/')) return reply.sendFile('index.html');
    reply.status(404).send({ error: { code: 'not_found', message: `No route for ${request.method} ${request.url.split('?')[0]}` } });
  });
}

/**
 * Errors Fastify raises before routing (an undecodable URL, a path parameter over the
 * length limit) skip hooks and the error handler; answer them in the same JSON shape,
 * with the same security headers, and without echoing the URL back.
 */
export function frameworkErrorHandler(setHeaders: (request: FastifyRequest, reply: FastifyReply) => void) {
  return (err: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    setHeaders(request, reply);
    if (err.code === 'FST_ERR_MAX_PARAM_LENGTH') return reply.status(414).send({ error: { code: 'uri_too_long', message: 'The URL is too long' } });
    return reply.status(400).send({ error: { code: 'invalid_url', message: 'The URL is not valid' } });
  };
}

interface AjvError {
  keyword: string;
  instancePath: string;
  message?: string;
  params: Record<string, unknown>;
}

/**
 * The first schema violation as {code, message, field}: `field` is the path of the value at
 * fault (`title`, `devices/0/label`); for an unknown or missing property, that property.
 */
export function validationError(context: string | undefined, first: AjvError | undefined): { code: 'invalid_request'; message: string; field?: string } {
  const where = context ?? 'request';
  const base = (first?.instancePath ?? '').replace(/^\//, '');
  const join = (name: string) => (base ? `${base}/${name}` : name);
  if (first?.keyword === 'additionalProperties' && typeof first.params.additionalProperty === 'string') {
    const field = join(first.params.additionalProperty);
    return { code: 'invalid_request', message: `${where}.${field} is not a known property`, field };
  }
  if (first?.keyword === 'required' && typeof first.params.missingProperty === 'string') {
    const field = join(first.params.missingProperty);
    return { code: 'invalid_request', message: `${where}.${field} is required`, field };
  }
  const field = base || undefined;
  if (first?.keyword === 'finite') return { code: 'invalid_request', message: `${where}${field ? `.${field}` : ''} must be a finite number`, field };
  return { code: 'invalid_request', message: `${where}${field ? `.${field}` : ''} ${first?.message ?? 'is invalid'}`, field };
}
