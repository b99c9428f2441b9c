// Routes that take no body (POST /api/keys, /api/auth/logout, /api/push/test, …) declare no
// body schema, so nothing would refuse what a client sends them: `{"admin": true}` would be
// dropped without a word. Unknown properties are refused everywhere (docs/protocol.md,
// "Errors"), so a JSON body on such a route is 400 naming its first property. `{}` and
// `null` say nothing and pass. Durable Streams bodies (bytes, not parsed JSON) are the /ds
// routes' own business.
import type { FastifyRequest } from 'fastify';
import { ApiError } from './errors.ts';

export async function rejectBodyWithoutSchema(request: FastifyRequest): Promise<void> {
  const body = request.body;
  if (body === undefined || body === null || request.routeOptions.schema?.body) return;
  if (!request.url.startsWith('/api/')) return;
  if (typeof body !== 'object' || Array.isArray(body)) throw new ApiError(400, 'invalid_request', 'this request takes no body');
  if (Buffer.isBuffer(body)) return;
  const first = Object.keys(body)[0];
  if (first !== undefined) throw new ApiError(400, 'invalid_request', `body.${first} is not a known property`, first);
}
