// Fastify's HTTP/1 server with a lane in front: a request the lane takes never reaches
// Fastify (server/ds/append-lane.ts). Fastify configures only servers it creates itself,
// so its timeouts are set here the same way.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { FastifyServerOptions } from 'fastify';

export type RequestLane = (req: IncomingMessage, res: ServerResponse) => boolean;

/** `lane()` is read per request: the lane is built after Fastify (it needs the app's services). */
export function laneServerFactory(lane: () => RequestLane | undefined) {
  return (handler: (req: IncomingMessage, res: ServerResponse) => void, opts: FastifyServerOptions): http.Server => {
    const server = http.createServer((req, res) => {
      if (!lane()?.(req, res)) handler(req, res);
    });
    if (opts.keepAliveTimeout !== undefined) server.keepAliveTimeout = opts.keepAliveTimeout;
    if (opts.requestTimeout !== undefined) server.requestTimeout = opts.requestTimeout;
    server.setTimeout(opts.connectionTimeout ?? 0);
    if (opts.maxRequestsPerSocket) server.maxRequestsPerSocket = opts.maxRequestsPerSocket;
    return server;
  };
}
