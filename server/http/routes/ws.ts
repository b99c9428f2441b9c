import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import type { SessionHub } from '../../session/hub.ts';
import type { SessionEvent } from '../../session/types.ts';
import { labelFromUserAgent, type PresenceTracker } from '../../session/presence.ts';
import type { SessionService } from '../../session/session-service.ts';
import { requireUser } from '../auth-hook.ts';
import { ApiError, notFound } from '../errors.ts';
import { parseClientFrame } from '../protocol.ts';

/** A reader this far behind is disconnected (it resumes from its last seq) rather than buffered without bound. */
export const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
export const MAX_FRAME_BYTES = 64 * 1024;
/** While replaying, the route waits for the socket to drain below this before sending more (see SubscriptionSink.backpressure). */
export const REPLAY_HIGH_WATER_BYTES = 1024 * 1024;
const DRAIN_POLL_MS = 10;
export const CLOSE_SLOW_CONSUMER = 4008;
export const CLOSE_SERVER_ERROR = 1011;
/** Graceful shutdown: "service restart" — the client reconnects (through the load balancer, to another instance) and resumes. */
export const CLOSE_SERVICE_RESTART = 1012;

// The hub hands the same event object to every subscriber of a session: serialize it once.
const frames = new WeakMap<SessionEvent, string>();
function frameOf(e: SessionEvent): string {
  let f = frames.get(e);
  if (f === undefined) frames.set(e, (f = JSON.stringify(e)));
  return f;
}

export interface WsDeps {
  sessions: SessionService;
  hub: SessionHub;
  presence: PresenceTracker;
  allowedOrigins: string[];
  onConnection?: (delta: 1 | -1) => void;
  /** Called for every persisted event written to a socket, with commit-to-write lag in ms. */
  onDelivered?: (lagMs: number) => void;
  onSlowConsumer?: () => void;
}

/** Cross-site WebSocket hijacking guard: browsers always send Origin; it must be us or allowed. */
function originAllowed(request: FastifyRequest, allowed: string[]): boolean {
  const origin = request.headers.origin;
  if (!origin) return true; // non-browser clients
  if (allowed.includes(origin)) return true;
  try {
    return new URL(origin).host === request.headers.host;
  } catch {
    return false;
  }
}

export const wsRoutes = (deps: WsDeps): FastifyPluginAsync =>
  async (app) => {
    app.get<{ Params: { id: string }; Querystring: { after?: string } }>(
      '/api/sessions/:id/ws',
      {
        websocket: true,
        preValidation: [
          async (request) => {
            if (!originAllowed(request, deps.allowedOrigins)) throw new ApiError(403, 'origin_not_allowed', 'This origin may not open session sockets');
          },
          requireUser,
          async (request) => {
            const after = request.query.after ?? '0';
            if (!/^\d{1,10}$/.test(after)) throw new ApiError(400, 'invalid_request', 'querystring.after must be a whole number ≥ 0');
            if (!/^[0-9a-f-]{36}$/i.test(request.params.id) || !(await deps.sessions.owns(request.user!.id, request.params.id))) throw notFound();
          },
        ],
      },
      (socket: WebSocket, request) => {
        const sessionId = request.params.id;
        const userId = request.user!.id;
        const after = Number(request.query.after ?? 0);
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
        const sub = deps.hub.subscribe(sessionId, after, {
          event: (e) => {
            const sent = sendText(frameOf(e));
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
        const leave = deps.presence.join(
          sessionId,
          { deviceId, label: request.user!.deviceName || labelFromUserAgent(request.headers['user-agent']) },
          (devices) => sendJson({ type: 'presence', you: deviceId, devices }),
        );

        // Commands from one socket are applied in the order they were sent.
        let commands: Promise<unknown> = Promise.resolve();
        socket.on('message', (raw, isBinary) => {
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
              const r = await deps.sessions.cancel(userId, sessionId);
              if (r.kind === 'no_active_run') sendError('no_active_run', 'The coach is not answering right now');
            } else {
              const r = await deps.sessions.postMessage(userId, sessionId, { clientMessageId: frame.clientMessageId, text: frame.text });
              if (r.kind === 'not_found') sendError('not_found', 'Session not found');
            }
          } catch (err) {
            log.error({ err }, 'websocket command failed');
            sendError('internal', 'Something went wrong on our side. Try again.');
          }
        };

        socket.on('close', () => {
          deps.hub.unsubscribe(sub);
          leave();
          deps.onConnection?.(-1);
        });
        socket.on('error', () => socket.terminate());
      },
    );
  };
