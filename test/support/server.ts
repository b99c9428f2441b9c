import type { FastifyInstance } from 'fastify';
import type { Agent } from '../../server/agent/port.ts';
import { buildApp, type AppOverrides, type AppServices } from '../../server/app.ts';
import { configFrom, type Config } from '../../server/config.ts';
import type { Database } from '../../server/db/database.ts';

export interface TestServer {
  app: FastifyInstance;
  url: string;
  wsUrl: string;
  services: AppServices;
  close(): Promise<void>;
}

/** A real server on a real port, over the given database (the test file owns the database). */
export async function startTestServer(opts: {
  db: Database;
  agent?: (s: Pick<AppServices, 'db' | 'log'>) => Agent;
  config?: Partial<Config>;
  /** Anything else buildApp accepts (a log stream, a clock). */
  overrides?: Omit<AppOverrides, 'db' | 'agent'>;
}): Promise<TestServer> {
  const app = await buildApp(configFrom({ port: 0, logLevel: 'silent', serveWeb: false, coachPaceMs: 5, shutdownGraceMs: 0, ...opts.config }), {
    ...opts.overrides,
    db: opts.db,
    agent: opts.agent,
  });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    app,
    url: address,
    wsUrl: address.replace(/^http/, 'ws'),
    services: app.services,
    close: () => app.close(),
  };
}
