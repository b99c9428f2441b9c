// The Durable Streams endpoint as a Fastify plugin: /ds/v1/stream/* (docs/durable-streams.md).
//
// Who is asking, and whether they may write here, is settled in onRequest — before a byte
// of the body is read — and only key-authenticated writes to generic streams may send up
// to MAX_APPEND_BYTES; everything else is held to BODY_LIMIT_BYTES.
import type { IncomingHttpHeaders } from 'node:http';
import { Transform } from 'node:stream';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { API_KEY_PREFIX, type ApiKeyService } from '../auth/api-keys.ts';
import { hashToken } from '../auth/tokens.ts';
import { BODY_LIMIT_BYTES, MAX_APPEND_BYTES, MAX_STREAM_PATH_CHARS } from '../contract/limits.ts';
import { ApiError } from '../http/errors.ts';
import { pipeErrors } from '../http/body-deadline.ts';
import type { LiveReaders, ReaderIdentity } from '../http/live-readers.ts';
import { isStorableText } from '../http/text-hygiene.ts';
import type { SessionService } from '../session/session-service.ts';
import { ALLOWED_REQUEST_HEADERS, BASE_RESPONSE_HEADERS } from './http-headers.ts';
import type { DsStore } from './port.ts';
import { checkQuota, type DsQuota } from './quota.ts';
import { handleGet, handleHead, type ReadOptions } from './read-routes.ts';
import { SESSION_STREAM_PREFIX, SessionSources, StoreSources } from './source.ts';
import { handleDelete, handlePost, handlePut, invalidApiKey } from './write-routes.ts';

export const DS_ROUTE_PREFIX = '/ds/v1/stream/';
const SESSION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const READ_ONLY_METHODS = 'GET, HEAD, OPTIONS';

export interface DsRouteDeps extends Omit<ReadOptions, 'track'> {
  store: DsStore;
  storeSources: StoreSources;
  sessionSources: SessionSources;
  sessions: SessionService;
  apiKeys: ApiKeyService;
  /** Live reads, ended when their login or key is revoked. */
  readers: LiveReaders;
  quota: DsQuota;
}

interface Principal extends ReaderIdentity {
  via: 'key' | 'cookie';
}

/**
 * An append whose API key is checked by the append's own commit (AppendRequest.apiKeyHash)
 * instead of a lookup here: one round trip to the database per POST instead of two. Only
 * for bodies no larger than what any request may send unauthenticated (BODY_LIMIT_BYTES),
 * declared up front, so a stranger still never gets more buffered than that. `confirmed`
 * once the store has seen the key live; an error answer before that checks the key first,
 * so a bad key is always answered 401, whatever else is wrong with the request.
 */
interface DeferredKey {
  via: 'deferred_key';
  key: string;
  confirmed: boolean;
}

/** What onRequest settled, for the handler. */
interface DsRequest {
  path: string;
  who: Principal | DeferredKey;
  /** Set for /sessions/<id> paths. */
  sessionId?: string;
}
const settled = new WeakMap<FastifyRequest, DsRequest>();

const BEARER = /^Bearer\s+(\S+)$/i;

/** Who is asking: an API key's account (bearer), else the signed-in user (cookie). */
async function principal(request: FastifyRequest, apiKeys: ApiKeyService): Promise<Principal> {
  const auth = request.headers.authorization;
  if (auth !== undefined) {
    const m = BEARER.exec(auth);
    const key = m ? await apiKeys.resolve(m[1]!) : undefined;
    if (!key) throw invalidApiKey();
    return { userId: key.userId, keyId: key.keyId, via: 'key' };
  }
  if (request.user) return { userId: request.user.id, loginId: request.user.loginId, via: 'cookie' };
  throw new ApiError(401, 'unauthorized', 'Send an API key (Authorization: Bearer …) or sign in');
}

/**
 * The API key of a small append to a generic stream with a well-formed key, which the append
 * itself checks (see DeferredKey); undefined when the request is anything else.
 */
export function deferrableKey(method: string | undefined, path: string, headers: IncomingHttpHeaders): string | undefined {
  if (method !== 'POST' || path.startsWith(SESSION_STREAM_PREFIX)) return undefined;
  const auth = headers.authorization;
  const m = auth === undefined ? null : BEARER.exec(auth);
  if (!m || !m[1]!.startsWith(API_KEY_PREFIX)) return undefined;
  // Only a declared length (not chunked) caps what is read before the key is known.
  const declared = headers['content-length'];
  if (declared === undefined || headers['transfer-encoding'] !== undefined || !/^\d+$/.test(declared) || Number(declared) > BODY_LIMIT_BYTES) return undefined;
  return m[1]!;
}

/** The stream path of a request URL under DS_ROUTE_PREFIX, or why it is not one. */
export function parseStreamPath(url: string): string | ApiError {
  const raw = url.split('?')[0]!.slice(DS_ROUTE_PREFIX.length);
  let path: string;
  try {
    path = decodeURIComponent(raw);
  } catch {
    return new ApiError(400, 'invalid_path', 'Malformed stream path');
  }
  if (path === '' || path.length > MAX_STREAM_PATH_CHARS) return new ApiError(400, 'invalid_path', 'Stream paths are 1–512 characters');
  // NUL (or a lone surrogate) cannot be stored in a text column: refused here, not by the database.
  if (!isStorableText(path)) return new ApiError(400, 'invalid_path', 'Stream paths may not contain NUL or broken surrogate pairs');
  return path;
}

const tooLarge = (limit: number) => new ApiError(413, 'body_too_large', `The body is larger than ${limit} bytes`);

/** Passes at most `limit` bytes through; more fails the request with 413 while it is read. */
function capped(limit: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.length;
      if (seen > limit) done(tooLarge(limit));
      else done(null, chunk);
    },
  });
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

    // An error answer to an append whose key was not checked yet checks it first: a bad key
    // is 401 whatever else is wrong, as when the key is looked up before the body is read.
    app.setErrorHandler(async (err, request) => {
      const who = settled.get(request)?.who;
      if (who?.via === 'deferred_key' && !who.confirmed && !(err instanceof ApiError && err.code === 'invalid_api_key')) {
        const key = await deps.apiKeys.resolve(who.key).catch(() => null);
        if (key === undefined) throw invalidApiKey();
      }
      throw err;
    });

    // Authenticate and authorize before the body is read: a stranger's upload is never
    // buffered (beyond BODY_LIMIT_BYTES for an append whose key its commit checks, see DeferredKey).
    app.addHook('onRequest', async (request, reply) => {
      if (request.method === 'OPTIONS') return;
      const path = parseStreamPath(request.url);
      if (path instanceof ApiError) throw path;
      const key = deferrableKey(request.method, path, request.headers);
      if (key !== undefined) {
        settled.set(request, { path, who: { via: 'deferred_key', key, confirmed: false } });
        return;
      }
      const who = await principal(request, deps.apiKeys);
      let sessionId: string | undefined;
      if (path.startsWith(SESSION_STREAM_PREFIX)) {
        // A session is its owner's (and its partners'), read-only: the coach and the WebSocket write it.
        sessionId = path.slice(SESSION_STREAM_PREFIX.length);
        if (!SESSION_ID.test(sessionId) || !(await deps.sessions.canAccess(who.userId, sessionId))) throw new ApiError(404, 'not_found', 'Stream not found');
        if (request.method !== 'GET' && request.method !== 'HEAD') {
          reply.header('allow', READ_ONLY_METHODS);
          throw new ApiError(405, 'read_only', 'Session streams are read-only');
        }
      } else if (who.via !== 'key') {
        // Generic streams belong to API-key accounts; a cookie would let any page POST cross-site.
        throw new ApiError(401, 'api_key_required', 'Streams other than sessions need an API key');
      }
      const limit = bodyLimitFor(request.method, sessionId);
      const declared = Number(request.headers['content-length'] ?? 0);
      if (declared > limit) throw tooLarge(limit);
      settled.set(request, { path, who, sessionId });
    });
    app.addHook('preParsing', async (request, _reply, payload) => {
      const ctx = settled.get(request);
      const limit = ctx?.who.via === 'deferred_key' ? BODY_LIMIT_BYTES : bodyLimitFor(request.method, ctx?.sessionId);
      // A declared length was checked in onRequest, and Node's parser reads no byte past it;
      // only a chunked body needs counting as it arrives (one stream stage less per append).
      if (request.headers['transfer-encoding'] === undefined && request.headers['content-length'] !== undefined) return payload;
      return pipeErrors(payload, capped(limit));
    });

    const readOptions = (who: Principal, sessionId?: string): ReadOptions => ({
      longPollTimeoutMs: deps.longPollTimeoutMs,
      sseMaxConnectionMs: deps.sseMaxConnectionMs,
      sseHeartbeatMs: deps.sseHeartbeatMs,
      track: (end) => deps.readers.add({ userId: who.userId, loginId: who.loginId, keyId: who.keyId, sessionId }, end),
    });

    const handler = async (request: FastifyRequest, reply: FastifyReply) => {
      if (request.method === 'OPTIONS') {
        // Preflights carry no credentials, so they are answered before auth.
        reply.header('access-control-allow-methods', 'GET, HEAD, PUT, POST, DELETE, OPTIONS');
        reply.header('access-control-allow-headers', request.headers['access-control-request-headers'] ?? ALLOWED_REQUEST_HEADERS);
        reply.header('access-control-max-age', '86400');
        return reply.status(204).send();
      }
      const ctx = settled.get(request);
      if (!ctx) throw new ApiError(401, 'unauthorized', 'Sign in first');
      const { path, who, sessionId } = ctx;
      if (who.via === 'deferred_key') {
        const owner = { apiKeyHash: hashToken(who.key), confirmed: () => void (who.confirmed = true) };
        return handlePost(request, reply, deps.store, owner, path, deps.quota.maxBytes);
      }

      if (sessionId !== undefined) {
        const source = deps.sessionSources.source(sessionId);
        return request.method === 'HEAD' ? handleHead(reply, source) : handleGet(request, reply, source, readOptions(who, sessionId));
      }

      switch (request.method) {
        case 'GET':
          return handleGet(request, reply, deps.storeSources.source(who.userId, path), readOptions(who));
        case 'HEAD':
          return handleHead(reply, deps.storeSources.source(who.userId, path));
        case 'PUT':
          await checkQuota(deps.store, deps.quota, who.userId, path, bodyLength(request));
          return handlePut(request, reply, deps.store, who.userId, path);
        case 'POST':
          return handlePost(request, reply, deps.store, { ownerId: who.userId }, path, deps.quota.maxBytes);
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

/** 16 MiB only for writes to generic streams (which need an API key); 64 KiB for anything else. */
function bodyLimitFor(method: string, sessionId: string | undefined): number {
  return sessionId === undefined && (method === 'PUT' || method === 'POST') ? MAX_APPEND_BYTES : BODY_LIMIT_BYTES;
}

function bodyLength(request: FastifyRequest): number {
  return request.body instanceof Uint8Array ? request.body.length : 0;
}
