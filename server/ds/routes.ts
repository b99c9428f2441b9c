// The Durable Streams endpoint as a Fastify plugin: /ds/v1/stream/* (docs/durable-streams.md).
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { ApiKeyService } from '../auth/api-keys.ts';
import { MAX_APPEND_BYTES, MAX_STREAM_PATH_CHARS } from '../contract/limits.ts';
import { ApiError } from '../http/errors.ts';
import type { SessionService } from '../session/session-service.ts';
import { ALLOWED_REQUEST_HEADERS, BASE_RESPONSE_HEADERS } from './http-headers.ts';
import type { DsStore } from './port.ts';
import { handleGet, handleHead, type ReadOptions } from './read-routes.ts';
import { SESSION_STREAM_PREFIX, SessionSources, StoreSources } from './source.ts';
import { handleDelete, handlePost, handlePut } from './write-routes.ts';

export const DS_ROUTE_PREFIX = '/ds/v1/stream/';
const SESSION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const READ_ONLY_METHODS = 'GET, HEAD, OPTIONS';

export interface DsRouteDeps extends ReadOptions {
  store: DsStore;
  storeSources: StoreSources;
  sessionSources: SessionSources;
  sessions: SessionService;
  apiKeys: ApiKeyService;
}

/** Who is asking: an API key's account (bearer), else the signed-in user (cookie). */
async function principal(request: FastifyRequest, apiKeys: ApiKeyService): Promise<{ userId: string; via: 'key' | 'cookie' }> {
  const auth = request.headers.authorization;
  if (auth !== undefined) {
    const m = /^Bearer\s+(\S+)$/i.exec(auth);
    const userId = m ? await apiKeys.userForKey(m[1]!) : undefined;
    if (!userId) throw new ApiError(401, 'invalid_api_key', 'Unknown or revoked API key');
    return { userId, via: 'key' };
  }
  if (request.user) return { userId: request.user.id, via: 'cookie' };
  throw new ApiError(401, 'unauthorized', 'Send an API key (Authorization: Bearer …) or sign in');
}

function streamPath(request: FastifyRequest): string {
  const raw = request.url.split('?')[0]!.slice(DS_ROUTE_PREFIX.length);
  let path: string;
  try {
    path = decodeURIComponent(raw);
  } catch {
    throw new ApiError(400, 'invalid_path', 'Malformed stream path');
  }
  if (path === '' || path.length > MAX_STREAM_PATH_CHARS) throw new ApiError(400, 'invalid_path', 'Stream paths are 1–512 characters');
  return path;
}

export const dsRoutes = (deps: DsRouteDeps): FastifyPluginAsync =>
  async (app) => {
    // Bodies are bytes here, whatever the content type (and with none at all).
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: MAX_APPEND_BYTES }, (_request, body, done) => done(null, body));

    // §10.7 headers and CORS on every answer of this endpoint, errors included.
    app.addHook('onSend', async (_request, reply) => {
      for (const [k, v] of Object.entries(BASE_RESPONSE_HEADERS)) if (!reply.hasHeader(k)) reply.header(k, v);
    });

    const handler = async (request: FastifyRequest, reply: FastifyReply) => {
      if (request.method === 'OPTIONS') {
        // Preflights carry no credentials, so they are answered before auth.
        reply.header('access-control-allow-methods', 'GET, HEAD, PUT, POST, DELETE, OPTIONS');
        reply.header('access-control-allow-headers', request.headers['access-control-request-headers'] ?? ALLOWED_REQUEST_HEADERS);
        reply.header('access-control-max-age', '86400');
        return reply.status(204).send();
      }
      const path = streamPath(request);
      const who = await principal(request, deps.apiKeys);

      if (path.startsWith(SESSION_STREAM_PREFIX)) {
        // A session is its owner's (and its partners'), read-only: the coach and the WebSocket write it.
        const sessionId = path.slice(SESSION_STREAM_PREFIX.length);
        if (!SESSION_ID.test(sessionId) || !(await deps.sessions.canAccess(who.userId, sessionId))) throw new ApiError(404, 'not_found', 'Stream not found');
        if (request.method !== 'GET' && request.method !== 'HEAD') {
          reply.header('allow', READ_ONLY_METHODS);
          throw new ApiError(405, 'read_only', 'Session streams are read-only');
        }
        const source = deps.sessionSources.source(sessionId);
        return request.method === 'HEAD' ? handleHead(reply, source) : handleGet(request, reply, source, deps);
      }

      // Generic streams belong to API-key accounts; a cookie would let any page POST cross-site.
      if (who.via !== 'key') throw new ApiError(401, 'api_key_required', 'Streams other than sessions need an API key');
      switch (request.method) {
        case 'GET':
          return handleGet(request, reply, deps.storeSources.source(who.userId, path), deps);
        case 'HEAD':
          return handleHead(reply, deps.storeSources.source(who.userId, path));
        case 'PUT':
          return handlePut(request, reply, deps.store, who.userId, path);
        case 'POST':
          return handlePost(request, reply, deps.store, who.userId, path);
        case 'DELETE':
          return handleDelete(reply, deps.store, who.userId, path);
        default:
          throw new ApiError(405, 'method_not_allowed', `${request.method} is not supported`);
      }
    };

    app.route({
      method: ['GET', 'HEAD', 'PUT', 'POST', 'DELETE', 'OPTIONS'],
      url: `${DS_ROUTE_PREFIX}*`,
      exposeHeadRoute: false,
      bodyLimit: MAX_APPEND_BYTES,
      handler,
    });
  };
