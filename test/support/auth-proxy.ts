import { createServer, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Per-connection headers (RFC 9110 §7.6.1) are never forwarded: each hop negotiates its own. */
const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade'];

function endToEnd(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const out = { ...headers };
  for (const h of HOP_BY_HOP) delete out[h];
  return out;
}

const PROXY_KEEP_ALIVE_MS = 120_000;

export interface AuthProxy {
  url: string;
  /** Requests forwarded so far. */
  forwarded: number;
  close(): Promise<void>;
}

/**
 * A tiny reverse proxy that adds `Authorization: Bearer <token>` to every request — how
 * the Durable Streams conformance suite (which knows nothing of auth) reaches our
 * always-authenticated endpoint. Bodies stream both ways, so SSE and long-polls behave
 * as they do direct; when the client hangs up, the upstream request is dropped too.
 */
export async function startAuthProxy(targetUrl: string, token: string): Promise<AuthProxy> {
  const target = new URL(targetUrl);
  const proxy: AuthProxy = { url: '', forwarded: 0, close: async () => {} };
  const server = createServer((req, res) => {
    proxy.forwarded++;
    const headers = { ...endToEnd(req.headers), host: target.host, authorization: `Bearer ${token}` };
    const upstream = httpRequest(
      // A fresh upstream connection per request: a pooled keep-alive socket that the server
      // closes just as it is reused fails the request (ECONNRESET), which is the proxy's fault.
      { protocol: target.protocol, hostname: target.hostname, port: target.port, method: req.method, path: req.url, headers, agent: false },
      (up) => {
        // Forwarding the server's "Keep-Alive: timeout=72" would make the client keep idle
        // sockets longer than this proxy does, and reuse ones it has already closed.
        res.writeHead(up.statusCode ?? 502, endToEnd(up.headers));
        up.pipe(res);
      },
    );
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    // The server may answer (413, 404 …) before it has read a large body: stop sending then.
    req.on('error', () => upstream.destroy());
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  });
  // Keep idle client sockets longer than any client does, so the client always closes first
  // (a client reusing a socket this side just closed gets ECONNRESET on a POST, not a retry).
  server.keepAliveTimeout = PROXY_KEEP_ALIVE_MS;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.close = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return proxy;
}
