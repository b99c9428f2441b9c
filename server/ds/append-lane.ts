// The append lane: the endpoint's hot write — a small append to a generic stream with an API
// key — answered from Node's request event, ahead of Fastify. In a CPU profile of 8 writers,
// Fastify's routing, hooks and reply were roughly a quarter of our server's time per append
// (bench/limits.md); the lane skips them and runs the same answerAppend as the route.
//
// It takes only requests whose every hook would pass them through unchanged: no Origin (the
// CSRF guard), no cookie (the login lookup), a declared length within BODY_LIMIT_BYTES (the
// deferred key check, see routes.ts), a well-formed path, and not while the app is closing.
// Anything else goes to the Fastify route, which answers it exactly as before.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyBaseLogger } from 'fastify';
import type { ApiKeyService } from '../auth/api-keys.ts';
import { hashToken } from '../auth/tokens.ts';
import { ApiError, errorBody, serverFailure } from '../http/errors.ts';
import type { RequestLane } from '../http/lane-server.ts';
import type { DsStore } from './port.ts';
import { DS_ROUTE_PREFIX, deferrableKey, parseStreamPath } from './routes.ts';
import { answerAppend, invalidApiKey } from './write-routes.ts';

export interface AppendLaneDeps {
  store: DsStore;
  /** Looks the key up when an append fails before its commit judged the key (a bad key is 401 first). */
  apiKeys: Pick<ApiKeyService, 'resolve'>;
  maxOwnerBytes: number;
  /** What every answer carries: the app's security headers and the endpoint's own (BASE_RESPONSE_HEADERS). */
  headers: Array<[string, string]>;
  /** A body must arrive within this, as on every other route (bodyDeadline). */
  bodyDeadlineMs: number;
  /** True once the app is closing: the route answers new requests (503) from then on. */
  closing(): boolean;
  log: FastifyBaseLogger;
}

const JSON_TYPE = 'application/json; charset=utf-8';
const INFO_OR_FINER = new Set(['info', 'debug', 'trace']);

const firstValue = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

/** Returns a lane that answers the requests it takes (true) and leaves the rest to the caller (false). */
export function appendLane(deps: AppendLaneDeps): RequestLane {
  // Like Fastify's request log (one line per answered request), so lane appends are not missing from it.
  const logged = (req: IncomingMessage, res: ServerResponse, startedMs: number) => {
    if (!INFO_OR_FINER.has(deps.log.level)) return;
    res.once('finish', () =>
      deps.log.info(
        { req: { method: req.method, url: req.url, remoteAddress: req.socket.remoteAddress }, res: { statusCode: res.statusCode }, responseTime: performance.now() - startedMs, lane: 'append' },
        'request completed',
      ),
    );
  };

  const send = (res: ServerResponse, status: number, extra: Array<[string, string]>, body?: unknown) => {
    const flat: string[] = [];
    for (const [k, v] of extra) flat.push(k.toLowerCase(), v);
    for (const [k, v] of deps.headers) flat.push(k, v);
    if (body === undefined) {
      // As Fastify: an empty 200 says so; a 204 has no body by definition.
      if (status !== 204) flat.push('content-length', '0');
      res.writeHead(status, flat).end();
      return;
    }
    const text = JSON.stringify(body);
    flat.push('content-type', JSON_TYPE, 'content-length', String(Buffer.byteLength(text)));
    res.writeHead(status, flat).end(text);
  };

  const answer = async (req: IncomingMessage, res: ServerResponse, path: string, key: string, body: Uint8Array) => {
    try {
      const owner = { apiKeyHash: hashToken(key), confirmed: () => {} };
      const a = await answerAppend(deps.store, { header: (name) => firstValue(req.headers[name]), body, path, owner, maxOwnerBytes: deps.maxOwnerBytes });
      // Every outcome of the store has judged the key (invalid_key, or confirmed): no lookup here.
      return send(res, a.status, a.headers, a.error ? errorBody(a.error) : undefined);
    } catch (err) {
      if (err instanceof ApiError) {
        // A malformed request with a key nobody checked yet: the key is judged first.
        if (!(await keyIsLive(key))) return send(res, 401, [], errorBody(invalidApiKey()));
        return send(res, err.statusCode, [], errorBody(err));
      }
      const failure = serverFailure(err, deps.log);
      return send(res, failure.status, failure.headers, failure.body);
    }
  };

  /** Unknown when the lookup itself fails: the request's own error is answered then. */
  const keyIsLive = async (key: string) => (await deps.apiKeys.resolve(key).catch(() => null)) !== undefined;

  return (req, res) => {
    const url = req.url;
    if (req.method !== 'POST' || url === undefined || !url.startsWith(DS_ROUTE_PREFIX) || url.includes('?')) return false;
    const h = req.headers;
    if (h.origin !== undefined || h.cookie !== undefined || h['content-type'] === undefined || deps.closing()) return false;
    const path = parseStreamPath(url);
    if (path instanceof ApiError) return false;
    const key = deferrableKey(req.method, path, h);
    if (key === undefined) return false;

    logged(req, res, performance.now());
    const chunks: Buffer[] = [];
    let timedOut = false;
    const deadline = setTimeout(() => {
      timedOut = true;
      // As bodyDeadline: 408, and the connection closes (its unread bytes are not a request).
      const err = new ApiError(408, 'request_timeout', `The request body did not arrive within ${deps.bodyDeadlineMs} ms`);
      res.once('finish', () => req.socket.destroy());
      send(res, 408, [['connection', 'close']], errorBody(err));
    }, deps.bodyDeadlineMs);
    req.on('data', (chunk: Buffer) => {
      if (!timedOut) chunks.push(chunk);
    });
    req.once('end', () => {
      clearTimeout(deadline);
      if (timedOut) return;
      const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
      void answer(req, res, path, key, body);
    });
    // A client gone mid-body: there is nobody to answer, and nothing was written.
    req.once('error', () => clearTimeout(deadline));
    req.once('close', () => clearTimeout(deadline));
    return true;
  };
}
