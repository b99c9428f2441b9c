import type { FastifyReply, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';

/** How long a socket that hit an error may take to finish its close handshake before it is cut. */
export const CLOSE_GRACE_MS = 1_000;

const CLIENT_NETWORK_ERRORS = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT']);

/**
 * Replaces @fastify/websocket's default, which logs every socket error at error level and
 * terminates at once. A client that sends invalid UTF-8 or an oversized frame is a client
 * problem: ws has already sent the close frame (1007, 1009), so terminating immediately
 * would discard it, and logging it as an error would let anyone flood the error log.
 */
export function wsErrorHandler(error: Error & { code?: string }, socket: WebSocket, request: FastifyRequest, _reply: FastifyReply): void {
  const clientCaused = typeof error.code === 'string' && (error.code.startsWith('WS_ERR_') || CLIENT_NETWORK_ERRORS.has(error.code));
  if (clientCaused) request.log.debug({ code: error.code }, 'websocket closed for a client protocol or network error');
  else request.log.error({ err: error }, 'websocket failed');
  setTimeout(() => socket.terminate(), CLOSE_GRACE_MS).unref();
}
