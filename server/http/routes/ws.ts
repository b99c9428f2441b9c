import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import { compactDeltas } from '../../session/compaction.ts';
import { eventFrame, eventsFrame } from '../../session/frames.ts';
import type { SessionHub } from '../../session/hub.ts';
import type { SessionEvent } from '../../session/types.ts';
import { labelFromUserAgent, type PresenceTracker } from '../../session/presence.ts';
import type { SessionRole, SessionService } from '../../session/session-service.ts';
import type { AuthService } from '../../auth/auth-service.ts';
import { SESSION_COOKIE } from '../auth-hook.ts';
import { ApiError, notFound, unauthorized } from '../errors.ts';
import { originAllowed, type OriginPolicy } from '../origin-check.ts';
import { parseClientFrame } from '../protocol.ts';
import { TURN_NOT_ALLOWED } from './sessions.ts';
import { TokenBucket } from '../rate-limit.ts';
import type { SocketRegistry } from '../socket-registry.ts';
import type { Static } from '@sinclair/typebox';
import { CLOSE_NOT_FOUND, CLOSE_RATE_LIMITED, CLOSE_SERVER_ERROR, CLOSE_SIGNED_OUT, CLOSE_SLOW_CONSUMER, MAX_BUFFERED_BYTES, MAX_FRAME_BYTES, WsQuery } from '../../contract/index.ts';

/** While replaying, the route waits for the socket to drain below this before sending more (see SubscriptionSink.backpressure). */
export const REPLAY_HIGH_WATER_BYTES = 1024 * 1024;
const DRAIN_POLL_MS = 10;

/** Frames refused for rate after the `rate_limited` warning before the socket is closed with 4029. */
export const RATE_LIMIT_STRIKES_BEFORE_CLOSE = 20;
/** A client that has had no frame refused for this long starts over with a fresh warning. */
export const RATE_LIMIT_QUIET_MS = 5_000;

export interface WsDeps {
  sessions: SessionService;
  auth: Pick<AuthService, 'userForTokenAndSession'>;
  hub: SessionHub;
  presence: PresenceTracker;
  origins: OriginPolicy;
  sockets: SocketRegistry;
  limits: { maxSocketsPerUser: number; wsMessagesPerSecond: number; wsMessageBurst: number };
  onConnection?: (delta: 1 | -1) => void;
  /** Called for every persisted event written to a socket, with commit-to-write lag in ms. */
  onDelivered?: (lagMs: number) => void;
  onSlowConsumer?: () => void;
  /** Monotonic ms for the frame rate limit; performance.now by default. */
  now?: () => number;
}

export const REASON_SIGN_IN = 'sign in first';
export const REASON_NOT_FOUND = 'session not found';
const CLOSE_HANDSHAKE_GRACE_MS = 2_000;

/** Upgrade requests refused after the upgrade, with the close code to send. */
const denials = new WeakMap<FastifyRequest, { code: number; reason: string }>();
function deny(request: FastifyRequest, code: number, reason: string, httpError: ApiError): void {
  if (!request.ws) throw httpError;
  denials.set(request, { code, reason });
}

export const wsRoutes = (deps: WsDeps): FastifyPluginAsync =>
  async (app) => {
    // The caller's role, found while authorizing the upgrade, for presence and authorship.
    const roles = new WeakMap<object, SessionRole>();
    app.get<{ Params: { id: string }; Querystring: Static<typeof WsQuery> }>(
      '/api/sessions/:id/ws',
      {
        websocket: true,
        config: { authInRoute: true },
        schema: { querystring: WsQuery },
        preValidation: [
          async (request) => {
            if (!originAllowed(request, deps.origins)) throw new ApiError(403, 'origin_not_allowed', 'This origin may not open session sockets');
          },
          async (request) => {
            // Login and the caller's role (owner or partner) in one query (the global auth hook skips this route).
            // A browser cannot read an HTTP status refused at the upgrade (it sees 1006 and
            // retries forever), so terminal refusals accept the upgrade and close with a code
            // it can read. Plain HTTP requests get the plain status.
            const token = request.cookies?.[SESSION_COOKIE];
            const idOk = /^[0-9a-f-]{36}$/i.test(request.params.id);
            const found = token ? await deps.auth.userForTokenAndSession(token, idOk ? request.params.id : '') : undefined;
            if (!found) return deny(request, CLOSE_SIGNED_OUT, REASON_SIGN_IN, unauthorized());
            request.user = found.user;
            if (!idOk || !found.role) return deny(request, CLOSE_NOT_FOUND, REASON_NOT_FOUND, notFound());
            roles.set(request, found.role);
            // Refused before the upgrade so that the client gets a plain HTTP 429 it can show.
            if (deps.sockets.countForUser(request.user!.id) >= deps.limits.maxSocketsPerUser) {
              throw new ApiError(429, 'too_many_connections', `At most ${deps.limits.maxSocketsPerUser} open session connections per account; close one first`);
            }
          },
        ],
      },
      (socket: WebSocket, request) => {
        const denial = denials.get(request);
        if (denial) {
          socket.close(denial.code, denial.reason);
          // A peer that ignores the close handshake must not keep the socket.
          setTimeout(() => socket.terminate(), CLOSE_HANDSHAKE_GRACE_MS).unref();
          return;
        }
        const sessionId = request.params.id;
        const userId = request.user!.id;
        const after = request.query.after ?? 0;
        // Concurrent upgrades can all pass the check above; the loser of that race is closed here.
        if (deps.sockets.countForUser(userId) >= deps.limits.maxSocketsPerUser) {
          socket.close(CLOSE_RATE_LIMITED, 'too many open connections for this account');
          return;
        }
        deps.sockets.add(socket, userId, request.user!.loginId, sessionId);
        const role = roles.get(request) ?? 'owner';
        deps.onConnection?.(1);
        // Every line this socket logs names its session and user.
        const log = request.log.child({ sessionId, userId });

        const sendJson = (value: unknown): boolean => sendText(JSON.stringify(value));
        const sendText = (text: string): boolean => {
          if (socket.readyState !== socket.OPEN) return false;
          if (socket.bufferedAmount > MAX_BUFFERED_BYTES) {
            log.warn({ bufferedBytes: socket.bufferedAmount }, 'closing slow consumer');
            deps.onSlowConsumer?.();
            socket.close(CLOSE_SLOW_CONSUMER, 'too far behind; reconnect and resume from your last seq');
            return false;
          }
          socket.send(text);
          return true;
        };
        const sendError = (code: string, message: string, extra: Record<string, unknown> = {}) => sendJson({ type: 'error', code, message, ...extra });

        // Lag is only meaningful for live events; replayed ones are old by definition.
        let live = false;
        const replay = request.query.replay ?? 'event';
        const sub = deps.hub.subscribe(sessionId, after, {
          ...(replay === 'event' ? {} : { eventBatch: (events: SessionEvent[]) => sendText(eventsFrame(replay === 'compact' ? compactDeltas(events) : events)) }),
          event: (e) => {
            const sent = sendText(eventFrame(e));
            if (sent && live && deps.onDelivered) deps.onDelivered(Date.now() - Date.parse(e.at));
            return sent;
          },
          ready: (lastSeq) => {
            live = true;
            sendJson({ type: 'ready', lastSeq });
          },
          error: () => socket.close(CLOSE_SERVER_ERROR, 'session read failed; reconnect'),
          backpressure: () => {
            if (socket.bufferedAmount <= REPLAY_HIGH_WATER_BYTES) return undefined;
            return new Promise<void>((resolve) => {
              const poll = () => {
                if (socket.readyState !== socket.OPEN || socket.bufferedAmount <= REPLAY_HIGH_WATER_BYTES) resolve();
                else setTimeout(poll, DRAIN_POLL_MS);
              };
              setTimeout(poll, DRAIN_POLL_MS);
            });
          },
        });

        const deviceId = request.user!.loginId;
        const deviceLabel = request.user!.deviceName || labelFromUserAgent(request.headers['user-agent']);
        const leave = deps.presence.join(
          sessionId,
          { deviceId, label: deviceLabel, userId, name: request.user!.displayName, role },
          (devices) => sendJson({ type: 'presence', you: deviceId, devices }),
        );
        // Rate is checked as frames arrive, before they queue, so a flood cannot grow the queue.
        // Refused frames within one episode (no quiet gap of RATE_LIMIT_QUIET_MS) are strikes:
        // the first gets a warning, too many close the socket. A client hovering just above the
        // rate keeps earning strikes between the odd accepted frame, so it is closed as well.
        const now = deps.now ?? (() => performance.now());
        const bucket = new TokenBucket(deps.limits.wsMessageBurst, deps.limits.wsMessagesPerSecond, now);
        let strikes = 0;
        let lastRefusedAtMs = Number.NEGATIVE_INFINITY;
        const overRate = (): boolean => {
          if (bucket.take().ok) return false;
          const nowMs = now();
          if (nowMs - lastRefusedAtMs > RATE_LIMIT_QUIET_MS) strikes = 0;
          lastRefusedAtMs = nowMs;
          strikes++;
          if (strikes === 1) sendError('rate_limited', `Too many frames: at most ${deps.limits.wsMessagesPerSecond} per second. Slow down or you will be disconnected.`);
          else if (strikes > RATE_LIMIT_STRIKES_BEFORE_CLOSE && socket.readyState === socket.OPEN) socket.close(CLOSE_RATE_LIMITED, 'too many frames');
          return true;
        };

        // Commands from one socket are applied in the order they were sent.
        let commands: Promise<unknown> = Promise.resolve();
        socket.on('message', (raw, isBinary) => {
          if (overRate()) return;
          commands = commands.then(() => handle(raw, isBinary));
        });
        const handle = async (raw: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => {
          const size = Array.isArray(raw) ? raw.reduce((n, b) => n + b.length, 0) : (raw as Buffer).byteLength;
          if (isBinary) return sendError('invalid_frame', 'Frames must be JSON text');
          if (size > MAX_FRAME_BYTES) return sendError('frame_too_large', `Frames are limited to ${MAX_FRAME_BYTES} bytes`);
          const parsed = parseClientFrame(raw.toString());
          if (!parsed.ok) return sendError(parsed.code, parsed.message, parsed.clientMessageId ? { clientMessageId: parsed.clientMessageId } : {});
          const frame = parsed.frame;
          try {
            if (frame.type === 'ping') sendJson({ type: 'pong' });
            else if (frame.type === 'cancel') {
              const r = await deps.sessions.cancel(userId, sessionId, { deviceId, label: deviceLabel });
              if (r.kind === 'no_active_run') sendError('no_active_run', 'The coach is not answering right now');
            } else if (frame.type === 'turn.request') {
              const { requestId, mode, messageId } = frame;
              const r = await deps.sessions.requestTurn(userId, sessionId, { requestId, mode, ...(messageId ? { messageId } : {}) });
              if (r.kind === 'not_found') sendError('not_found', 'Session not found');
              else if (r.kind === 'not_allowed') sendError('turn_not_allowed', TURN_NOT_ALLOWED[mode], { requestId });
            } else {
              const r = await deps.sessions.postMessage(request.user!, sessionId, { clientMessageId: frame.clientMessageId, text: frame.text });
              if (r.kind === 'not_found') sendError('not_found', 'Session not found');
            }
          } catch (err) {
            log.error({ err }, 'websocket command failed');
            sendError('internal', 'Something went wrong on our side. Try again.');
          }
        };

        socket.on('close', () => {
          deps.sockets.remove(socket);
          deps.hub.unsubscribe(sub);
          leave();
          deps.onConnection?.(-1);
        });
      },
    );
  };
