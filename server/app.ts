import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance } from 'fastify';
import fastifyCookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import fastifyWebsocket from '@fastify/websocket';
import type { Agent } from './agent/port.ts';
import { createDemoAgent } from './agent/demo-agent.ts';
import { ApiKeyService } from './auth/api-keys.ts';
import { AuthService } from './auth/auth-service.ts';
import type { Config } from './config.ts';
import { openDatabase, type Database } from './db/database.ts';
import type { DsStore } from './ds/port.ts';
import { dsRoutes } from './ds/routes.ts';
import { SessionSources, StoreSources } from './ds/source.ts';
import { SqlDsStore } from './ds/sql-store.ts';
import { makeAuthHook } from './http/auth-hook.ts';
import { installErrorHandler } from './http/errors.ts';
import { apiKeyRoutes } from './http/routes/api-keys.ts';
import { authRoutes } from './http/routes/auth.ts';
import { sessionRoutes } from './http/routes/sessions.ts';
import { MAX_FRAME_BYTES, wsRoutes } from './http/routes/ws.ts';
import { RunManager } from './runs/run-manager.ts';
import { SessionHub } from './session/hub.ts';
import type { SessionLog } from './session/port.ts';
import { SessionService } from './session/session-service.ts';
import { SqlSessionLog } from './session/sql-log.ts';

const WEB_DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dist/web');
export const BODY_LIMIT_BYTES = 64 * 1024;
/** Expired Durable Streams are also purged lazily on access; the sweep reclaims the rest. */
const DS_SWEEP_INTERVAL_MS = 30_000;
const DS_SSE_MAX_CONNECTION_MS = 60_000;
const DS_SSE_HEARTBEAT_MS = 15_000;

export interface AppServices {
  db: Database;
  log: SessionLog;
  hub: SessionHub;
  runs: RunManager;
  sessions: SessionService;
  auth: AuthService;
  apiKeys: ApiKeyService;
  ds: DsStore;
  instanceId: string;
}

export interface AppOverrides {
  /** Use this database instead of opening one from config (tests). */
  db?: Database;
  /** Replace the agent (tests drive the core with a deterministic one). */
  agent?: (services: Pick<AppServices, 'db' | 'log'>) => Agent;
}

declare module 'fastify' {
  interface FastifyInstance {
    services: AppServices;
  }
}

function createAgent(config: Config): Agent {
  // Until the offline FOCUS coach lands, "auto"/"offline" fall back to the paced demo agent.
  return createDemoAgent({ paceMs: config.coachPaceMs });
}

/** The app factory used by main.ts and by every test. */
export async function buildApp(config: Config, overrides: AppOverrides = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: {
      level: config.logLevel,
      redact: { paths: ['req.headers.cookie', 'req.headers.authorization', 'res.headers["set-cookie"]'], censor: '[redacted]' },
    },
    bodyLimit: BODY_LIMIT_BYTES,
    trustProxy: true,
  });

  const db = overrides.db ?? (await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    migrate: !config.databaseUrl,
    log: (msg, err) => app.log.warn({ err }, msg),
  }));
  const ownsDb = !overrides.db;
  const log = new SqlSessionLog(db);
  const instanceId = config.instanceId ?? `${process.pid}-${randomUUID().slice(0, 8)}`;
  const hub = new SessionHub(log, (err) => app.log.error({ err }, 'session fan-out failed'));
  const agent = overrides.agent?.({ db, log }) ?? createAgent(config);
  const runs = new RunManager({
    log,
    agent,
    instanceId,
    logger: app.log,
    describeSession: async (id) => {
      const s = await db.prisma.session.findUnique({ where: { id }, select: { userId: true, kind: true } });
      return s ?? undefined;
    },
  });
  const sessions = new SessionService(db.prisma, log, runs);
  const auth = new AuthService(db.prisma);
  const apiKeys = new ApiKeyService(db.prisma);
  const ds = new SqlDsStore(db);
  const storeSources = new StoreSources(ds);
  const sessionSources = new SessionSources(log);
  app.decorate('services', { db, log, hub, runs, sessions, auth, apiKeys, ds, instanceId });

  installErrorHandler(app);
  await app.register(fastifyCookie);
  await app.register(fastifyWebsocket, { options: { maxPayload: MAX_FRAME_BYTES * 4 } });
  app.decorateRequest('user', null);
  app.addHook('onRequest', makeAuthHook(auth));

  app.get('/healthz', async (_request, reply) => {
    const ok = await db.ping();
    return reply.status(ok ? 200 : 503).send({ status: ok ? 'ok' : 'database unavailable', database: db.kind });
  });
  await app.register(authRoutes({ auth, secureCookies: config.secureCookies }));
  await app.register(sessionRoutes({ sessions }));
  await app.register(wsRoutes({ sessions, hub, allowedOrigins: config.allowedOrigins }));
  await app.register(apiKeyRoutes({ apiKeys }));
  await app.register(
    dsRoutes({
      store: ds,
      storeSources,
      sessionSources,
      sessions,
      apiKeys,
      longPollTimeoutMs: config.dsLongPollTimeoutMs,
      sseMaxConnectionMs: DS_SSE_MAX_CONNECTION_MS,
      sseHeartbeatMs: DS_SSE_HEARTBEAT_MS,
    }),
  );
  const dsSweep = setInterval(() => {
    ds.sweepExpired().catch((err) => app.log.warn({ err }, 'Durable Streams sweep failed'));
  }, DS_SWEEP_INTERVAL_MS);
  dsSweep.unref();

  if (config.serveWeb && existsSync(WEB_DIST)) {
    await app.register(fastifyStatic, { root: WEB_DIST, wildcard: false });
    // Client-side routes fall back to the app shell.
    app.setNotFoundHandler((request, reply) => {
      if (request.method === 'GET' && !request.url.startsWith('/api/') && !request.url.startsWith('/ds/')) return reply.sendFile('index.html');
      return reply.status(404).send({ error: { code: 'not_found', message: `No route for ${request.method} ${request.url.split('?')[0]}` } });
    });
  }

  app.addHook('onClose', async () => {
    clearInterval(dsSweep);
    storeSources.close();
    sessionSources.close();
    await ds.close();
    await runs.close();
    hub.close();
    await log.close();
    if (ownsDb) await db.close();
  });
  return app;
}
