import { Agent, createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';

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
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const proxy: AuthProxy = { url: '', forwarded: 0, close: async () => {} };
  const server = createServer((req, res) => {
    proxy.forwarded++;
    const headers = { ...req.headers, host: target.host, authorization: `Bearer ${token}` };
    const upstream = httpRequest(
      { protocol: target.protocol, hostname: target.hostname, port: target.port, method: req.method, path: req.url, headers, agent },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
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
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.close = async () => {
    server.closeAllConnections();
    agent.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return proxy;
}
