import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance } from 'fastify';
import fastifyCookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import fastifyWebsocket from '@fastify/websocket';
import type { Agent } from './agent/port.ts';
import { createCoach } from './coach/create-coach.ts';
import { createPrismaPlanStore } from './plan/prisma-store.ts';
import type { PlanStore } from './plan/store.ts';
import { AuthService } from './auth/auth-service.ts';
import type { Config } from './config.ts';
import { openDatabase, type Database } from './db/database.ts';
import { makeAuthHook } from './http/auth-hook.ts';
import { installErrorHandler } from './http/errors.ts';
import { authRoutes } from './http/routes/auth.ts';
import { sessionRoutes } from './http/routes/sessions.ts';
import { weekRoutes } from './http/routes/weeks.ts';
import { FeedService } from './plan/feed-service.ts';
import { MAX_FRAME_BYTES, wsRoutes } from './http/routes/ws.ts';
import { RunManager } from './runs/run-manager.ts';
import { SessionHub } from './session/hub.ts';
import { PresenceTracker } from './session/presence.ts';
import type { SessionLog } from './session/port.ts';
import { SessionService } from './session/session-service.ts';
import { SqlSessionLog } from './session/sql-log.ts';

const WEB_DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dist/web');
export const BODY_LIMIT_BYTES = 64 * 1024;

export interface AppServices {
  db: Database;
  log: SessionLog;
  hub: SessionHub;
  presence: PresenceTracker;
  plans: PlanStore;
  runs: RunManager;
  sessions: SessionService;
  auth: AuthService;
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
  const plans = createPrismaPlanStore(db.prisma);
  const agent = overrides.agent?.({ db, log }) ?? createCoach(config, { db, plans, logger: app.log });
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
  const presence = new PresenceTracker(db, instanceId, (err) => app.log.warn({ err }, 'presence announcement failed'));
  const auth = new AuthService(db.prisma);
  app.decorate('services', { db, log, hub, presence, plans, runs, sessions, auth, instanceId });

  const serveWeb = config.serveWeb && existsSync(WEB_DIST);
  installErrorHandler(app, { spaFallback: serveWeb });
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
  await app.register(weekRoutes({ prisma: db.prisma, plans, feeds: new FeedService(db.prisma) }));
  await app.register(wsRoutes({ sessions, hub, presence, allowedOrigins: config.allowedOrigins }));

  if (serveWeb) await app.register(fastifyStatic, { root: WEB_DIST, wildcard: false });

  app.addHook('onClose', async () => {
    await runs.close();
    presence.close();
    hub.close();
    await log.close();
    if (ownsDb) await db.close();
  });
  return app;
}
