import type { FastifyError, FastifyInstance } from 'fastify';

/** An expected HTTP failure with a stable `code` for clients. */
export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const notFound = (what = 'Session') => new ApiError(404, 'not_found', `${what} not found`);
export const unauthorized = () => new ApiError(401, 'unauthorized', 'Sign in first');

/**
 * Every error body is {error: {code, message}}; 5xx bodies never carry internals.
 * With `spaFallback`, unknown non-API GETs get the web app's index.html (client-side routes).
 */
export function installErrorHandler(app: FastifyInstance, opts: { spaFallback?: boolean } = {}) {
  app.setErrorHandler((err: FastifyError | ApiError, request, reply) => {
    if (err instanceof ApiError) {
      return reply.status(err.statusCode).send({ error: { code: err.code, message: err.message } });
    }
    if (err.validation) {
      const first = err.validation[0];
      const field = (first?.instancePath || (first?.params as { missingProperty?: string })?.missingProperty || '').replace(/^\//, '');
      return reply.status(400).send({
        error: { code: 'invalid_request', message: `${err.validationContext ?? 'request'}${field ? `.${field}` : ''} ${first?.message ?? 'is invalid'}`, field: field || undefined },
      });
    }
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status >= 500) {
      request.log.error({ err }, 'request failed');
      return reply.status(500).send({ error: { code: 'internal', message: 'Something went wrong on our side. Try again.' } });
    }
    return reply.status(status).send({ error: { code: err.code?.toLowerCase() ?? 'bad_request', message: err.message } });
  });
  app.setNotFoundHandler((request, reply) => {
    if (opts.spaFallback && request.method === 'GET' && !request.url.startsWith('/api/') && !request.url.startsWith('/ds/')) return reply.sendFile('index.html');
    reply.status(404).send({ error: { code: 'not_found', message: `No route for ${request.method} ${request.url.split('?')[0]}` } });
  });
}
