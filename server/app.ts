import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance } from 'fastify';
import type { DestinationStream } from 'pino';
import fastifyCookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import fastifyWebsocket from '@fastify/websocket';
import type { Agent } from './agent/port.ts';
import { createCoach } from './coach/create-coach.ts';
import { createPrismaPlanStore } from './plan/prisma-store.ts';
import type { PlanStore } from './plan/store.ts';
import { ApiKeyService } from './auth/api-keys.ts';
import { AuthService } from './auth/auth-service.ts';
import { DeviceService } from './auth/device-service.ts';
import { PairingService } from './auth/pairing-service.ts';
import type { Config } from './config.ts';
import { openDatabase, type Database } from './db/database.ts';
import { decodeNotice } from './db/notify-registry.ts';
import type { DsStore } from './ds/port.ts';
import { dsRoutes } from './ds/routes.ts';
import { SessionSources, StoreSources } from './ds/source.ts';
import { SqlDsStore } from './ds/sql-store.ts';
import { makeAuthHook } from './http/auth-hook.ts';
import { frameworkErrorHandler, installErrorHandler, notFound } from './http/errors.ts';
import { apiKeyRoutes } from './http/routes/api-keys.ts';
import { serializeRequest } from './http/log-redaction.ts';
import { makeCsrfHook } from './http/origin-check.ts';
import { KeyedRateLimiter } from './http/rate-limit.ts';
import { authRoutes } from './http/routes/auth.ts';
import { deviceRoutes } from './http/routes/devices.ts';
import { pairingRoutes } from './http/routes/pairing.ts';
import { sessionRoutes } from './http/routes/sessions.ts';
import { weekRoutes } from './http/routes/weeks.ts';
import { planWriteRoutes } from './http/routes/plan-writes.ts';
import { weekLiveRoutes } from './http/routes/week-live.ts';
import { PlanUpdates } from './plan/plan-updates.ts';
import { FeedService } from './plan/feed-service.ts';
import { wsRoutes } from './http/routes/ws.ts';
import { ajvFinite, BODY_LIMIT_BYTES, CLOSE_SERVICE_RESTART, MAX_FRAME_BYTES, type Health, type Readiness } from './contract/index.ts';
import type { Static } from '@sinclair/typebox';
import { createAppMetrics, type AppMetrics } from './observability/app-metrics.ts';
import { baseSecurityHeaders, installSecurityHeaders, mergeHeaders, securityHeaders } from './http/security-headers.ts';
import { laneServerFactory, type RequestLane } from './http/lane-server.ts';
import { appendLane } from './ds/append-lane.ts';
import { BASE_RESPONSE_HEADERS } from './ds/http-headers.ts';
import { SocketRegistry } from './http/socket-registry.ts';
import { rejectBodyWithoutSchema } from './http/bodyless.ts';
import { rejectUnstorableText } from './http/text-hygiene.ts';
import { bodyDeadline } from './http/body-deadline.ts';
import { wsErrorHandler } from './http/ws-errors.ts';
import { RunManager } from './runs/run-manager.ts';
import { SessionHub } from './session/hub.ts';
import { PresenceTracker } from './session/presence.ts';
import type { SessionLog } from './session/port.ts';
import type { RunStore, SessionStore } from './session/run-store.ts';
import { resolveSessionWeek } from './coach/session-week.ts';
import { SessionService } from './session/session-service.ts';
import { SqlSessionLog } from './session/sql-log.ts';
import type { Agent as HttpsAgent } from 'node:https';
import { InviteService } from './handoff/invite-service.ts';
import { PartnerService } from './handoff/partner-service.ts';
import { handoffRoutes } from './http/routes/handoff.ts';
import { pushRoutes } from './http/routes/push.ts';
import { startJobQueue, type JobQueue } from './jobs/queue.ts';
import { Notifier } from './push/notifier.ts';
import { PUSH_QUEUES, PushService } from './push/push-service.ts';
import { PushSender } from './push/sender.ts';
import { PushSubscriptions } from './push/subscriptions.ts';
import { loadVapidKeys } from './push/vapid.ts';
import type { SessionEvent } from './session/types.ts';

const WEB_DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dist/web');
/** On shutdown, how long clients get to acknowledge the 1012 close before their sockets are cut. */
export const CLOSE_HANDSHAKE_WAIT_MS = 2_000;
/** Expired Durable Streams are also purged lazily on access; the sweep reclaims the rest. */
const DS_SWEEP_INTERVAL_MS = 30_000;
const DS_SSE_MAX_CONNECTION_MS = 60_000;
const DS_SSE_HEARTBEAT_MS = 15_000;
/** Idle connections are closed after the longest quiet a live read has (a long-poll) plus this. */
const IDLE_MARGIN_MS = 30_000;
/** On shutdown, how long the job queue may take to stop (its jobs are durable: the next start resumes them). */
const JOB_QUEUE_STOP_WAIT_MS = 8_000;

export interface AppServices {
  db: Database;
  log: SessionLog;
  /** The same store as `log`, seen through the run-store port. */
  runStore: RunStore;
  hub: SessionHub;
  presence: PresenceTracker;
  plans: PlanStore;
  /** Publishes accepted plan writes (plan.updated) to the week's sessions and week pages. */
  planUpdates: PlanUpdates;
  runs: RunManager;
  sessions: SessionService;
  auth: AuthService;
  apiKeys: ApiKeyService;
  ds: DsStore;
  devices: DeviceService;
  pairing: PairingService;
  /** Open session sockets of this instance, by user and login. */
  sockets: SocketRegistry;
  instanceId: string;
  metrics: AppMetrics;
  jobs: JobQueue;
  push: PushService;
  pushSubscriptions: PushSubscriptions;
  invites: InviteService;
  partners: PartnerService;
  /** The "your coach answered" pushes being decided (presence, subscriptions) and queued after answers ended. */
  answerNotices: { settled(): Promise<void> };
}

export interface RegisteredRoute {
  method: string;
  url: string;
  websocket: boolean;
}

export interface AppOverrides {
  /** Use this session store instead of the SQL one (benchmarks compare against MemorySessionLog). */
  log?: SessionStore;
  /** Use this database instead of opening one from config (tests). */
  db?: Database;
  /** Replace the agent (tests drive the core with a deterministic one). */
  agent?: (services: Pick<AppServices, 'db' | 'log'>) => Agent;
  /** Write log lines here instead of stdout (tests read them to prove secrets stay out). */
  logStream?: DestinationStream;
  /** The wall clock for expiry decisions (pairing codes, invites) and reminder times. */
  now?: () => Date;
  /** A monotonic clock in ms for rate limits (tests advance it instead of sleeping). */
  monotonicNow?: () => number;
  /** The agent for push requests (tests trust their fake push service's certificate with it). */
  pushAgent?: HttpsAgent;
}

declare module 'fastify' {
  interface FastifyInstance {
    services: AppServices;
    /** Every route, as registered; the authorization matrix test walks it so no route slips by. */
    registeredRoutes: RegisteredRoute[];
  }
}

const isLoopback = (address: string | undefined) => !!address && (address === '::1' || /^(::ffff:)?127\./.test(address));

/** Trust exactly `hops` proxies in front of us (what proxy-addr does for a number; Fastify's types only take a function). */
const trustHops = (hops: number) => (_address: string, hop: number) => hop < hops;

/** The app factory used by main.ts and by every test. */
export async function buildApp(config: Config, overrides: AppOverrides = {}): Promise<FastifyInstance> {
  const setSecurityHeaders = securityHeaders({ publicOrigin: config.publicOrigin });
  const origins = { allowed: config.allowedOrigins, publicOrigin: config.publicOrigin };
  // The append lane (server/ds/append-lane.ts), set once the stores it writes to exist.
  let lane: RequestLane | undefined;
  const app = Fastify({
    serverFactory: laneServerFactory(() => lane),
    frameworkErrors: frameworkErrorHandler(setSecurityHeaders),
    logger: {
      level: config.logLevel,
      // The request serializer logs no headers and masks secrets in URLs (/pair/<code>, /api/feeds/<token>);
      // redact stays as a second line for anything that logs headers explicitly.
      serializers: { req: serializeRequest },
      redact: { paths: ['req.headers.cookie', 'req.headers.authorization', 'res.headers["set-cookie"]', 'headers.cookie', 'headers.authorization'], censor: '[redacted]' },
      ...(overrides.logStream ? { stream: overrides.logStream } : {}),
    },
    bodyLimit: BODY_LIMIT_BYTES,
    // A stalled upload (or a slowloris) is cut once the request took this long to arrive;
    // an idle connection once it said nothing for longer than a long-poll may wait.
    requestTimeout: config.httpRequestTimeoutMs,
    connectionTimeout: config.dsLongPollTimeoutMs + IDLE_MARGIN_MS,
    // Unknown properties are refused (400 naming the field), never silently dropped: a typo'd
    // field name should not look like success. Querystrings still coerce ("5" → 5).
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true }, plugins: [ajvFinite] },
    // Only believe X-Forwarded-For from proxies we were told about; otherwise anyone could pick their IP for rate limits.
    trustProxy: typeof config.trustProxy === 'number' ? trustHops(config.trustProxy) : config.trustProxy,
  });
  // Set by the first preClose hook, before sockets are told to reconnect elsewhere.
  let draining = false;
  app.addHook('preClose', async () => {
    draining = true;
  });
  const registeredRoutes: RegisteredRoute[] = [];
  app.decorate('registeredRoutes', registeredRoutes);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) registeredRoutes.push({ method, url: route.url, websocket: Boolean(route.websocket) });
  });

  const db = overrides.db ?? (await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    migrate: !config.databaseUrl,
    poolSize: config.dbPoolSize,
    log: (msg, err) => app.log.warn({ err }, msg),
  }));
  const ownsDb = !overrides.db;
  const log = overrides.log ?? new SqlSessionLog(db, { eventCacheBytes: config.eventCacheMb * 1024 * 1024 });
  const instanceId = config.instanceId ?? `${process.pid}-${randomUUID().slice(0, 8)}`;
  const hub = new SessionHub(log, (err) => app.log.error({ err }, 'session fan-out failed'));
  const plans = createPrismaPlanStore(db.prisma);
  const planUpdates = new PlanUpdates(db, log);
  const agent = overrides.agent?.({ db, log }) ?? createCoach(config, { db, plans, logger: app.log, now: overrides.now });
  let runs: RunManager | undefined;
  // Bound once the push service exists (it needs the database and the job queue).
  let onAnswerEnded: (sessionId: string, end: SessionEvent) => void = () => {};
  const metrics = createAppMetrics({
    sessions: () => hub.sessionCount(),
    subscribers: () => hub.subscriberCount(),
    runs: () => runs?.activeRunCount ?? 0,
  });
  runs = new RunManager({
    store: log,
    agent,
    instanceId,
    logger: app.log,
    observer: {
      deltaFlushed: (ms) => metrics.flushSeconds.observe(ms / 1000),
      runEnded: (status) => {
        if (status === 'failed') metrics.runsFailed.inc();
      },
      answerEnded: (sessionId, end) => onAnswerEnded(sessionId, end),
    },
    // One read of the session row (with its user's time zone) per turn.
    describeTurn: async (sessionId) => {
      const w = await resolveSessionWeek(db, sessionId);
      return w && { userId: w.userId, sessionId, kind: w.kind, weekKey: w.weekKey, timeZone: w.timeZone };
    },
    // The coach's plan changes reach every session of that week, not only its own.
    publishPlan: (userId, sessionId, plan) => planUpdates.publish(userId, plan, { kind: 'coach' }, { alsoSessionId: sessionId }),
  });
  const sessions = new SessionService(db.prisma, db.sql, log, log, { maxSessionsPerUser: config.limits.maxSessionsPerUser });
  const presence = new PresenceTracker(db, instanceId, (err) => app.log.warn({ err }, 'presence announcement failed'));
  const auth = new AuthService(db.prisma, db.sql, app.log);
  const apiKeys = new ApiKeyService(db.prisma, db.sql);
  const ds = new SqlDsStore(db);
  const storeSources = new StoreSources(ds);
  const sessionSources = new SessionSources(log, hub);
  const devices = new DeviceService(db.prisma);
  const pairing = new PairingService(db.prisma, auth, overrides.now);
  const sockets = new SocketRegistry();
  // SL16: a deleted session's sockets close on every instance (the d:<session> notice reaches all).
  const offDeleted = log.onNotification((n) => {
    if (n.kind === 'session_deleted') sockets.closeSession(n.sessionId);
  });
  const invites = new InviteService(db.prisma, overrides.now);
  const partners = new PartnerService(db);
  // A removed partner's sockets close on every instance (the removing one closes its own at once too).
  const offKicks = db.feed.onPayload((payload) => {
    const n = decodeNotice(payload);
    if (n?.kind === 'partner_removed') sockets.closeSessionUser(n.sessionId, n.userId);
  });
  const pushSubscriptions = new PushSubscriptions(db.prisma, config.push.allowedOrigins);
  const vapid = await loadVapidKeys(db.prisma);
  const jobs = startJobQueue(db, PUSH_QUEUES, app.log);
  const push = new PushService({
    prisma: db.prisma,
    subscriptions: pushSubscriptions,
    notifier: new Notifier(db.prisma, pushSubscriptions, new PushSender(vapid, config.push.contact, config.push.allowedOrigins, overrides.pushAgent), app.log),
    queue: jobs,
    publicKey: vapid.publicKey,
    publicOrigin: config.publicOrigin,
    now: overrides.now ?? (() => new Date()),
    logger: app.log,
  });
  // Started before the app listens: closing a queue mid-migration would leave PGlite mid-statement.
  const pushStarted = push.start().catch((err) => app.log.error({ err }, 'push workers failed to start'));
  await pushStarted;
  onAnswerEnded = (sessionId, end) => {
    const status = end.data.status;
    // An interrupt with a reason is the server's doing (a lost instance, a restart), not a
    // message from the person, so it is news to someone away; stops they made are not.
    const serverInterrupted = status === 'interrupted' && typeof end.data.reason === 'string';
    if (status !== 'complete' && status !== 'failed' && !serverInterrupted) return;
    const notice: Promise<void> = (async () => {
      // A prepared statement, not Prisma: a burst of answers ends at once, and each asks this.
      const [s] = await db.sql.query<{ userId: string; title: string }>(`SELECT "userId", title FROM "Session" WHERE id = $1`, [sessionId], 'fc_answer_session');
      // Someone who is looking at the session sees the answer; only the absent are told.
      if (!s || presence.userPresent(sessionId, s.userId)) return;
      const text = status === 'complete' ? String(end.data.text ?? '') : String(end.data.reason ?? 'The coach could not answer.');
      await push.answerEnded({ userId: s.userId, sessionId, sessionTitle: s.title, messageId: String(end.data.messageId), text });
    })()
      .catch((err) => app.log.warn({ err, sessionId }, 'answer notification failed'))
      .finally(() => answerNotices.delete(notice));
    answerNotices.add(notice);
  };
  // Shutdown waits for them before the job queue stops; tests wait for them instead of sleeping.
  const answerNotices = new Set<Promise<void>>();
  const settleAnswerNotices = async () => {
    while (answerNotices.size > 0) await Promise.all([...answerNotices]);
  };
  app.decorate('services', {
    db, log, runStore: log, hub, presence, plans, planUpdates, runs, sessions, auth, apiKeys, ds, devices, pairing, sockets, instanceId, metrics,
    jobs, push, pushSubscriptions, invites, partners, answerNotices: { settled: settleAnswerNotices },
  });

  const serveWeb = config.serveWeb && existsSync(WEB_DIST);
  installErrorHandler(app, { spaFallback: serveWeb });
  installSecurityHeaders(app, setSecurityHeaders);
  // The API speaks JSON only: a text/plain body is 415, not a string that fails validation.
  app.removeContentTypeParser('text/plain');
  await app.register(fastifyCookie);
  // Frames above MAX_FRAME_BYTES get an error frame; far above it, ws closes with 1009 before buffering them.
  await app.register(fastifyWebsocket, {
    options: { maxPayload: MAX_FRAME_BYTES * 4 },
    errorHandler: wsErrorHandler,
    // Shutdown: tell every client to reconnect (the load balancer sends it to another instance,
    // where it resumes from its last seq) instead of the default 1001 "going away".
    preClose(done) {
      const wss = this.websocketServer;
      for (const client of wss.clients) client.close(CLOSE_SERVICE_RESTART, 'server restarting; reconnect and resume');
      // A peer that stopped reading never completes the close handshake; don't let it hold shutdown.
      const force = setTimeout(() => {
        for (const client of wss.clients) client.terminate();
      }, CLOSE_HANDSHAKE_WAIT_MS);
      wss.close(() => {
        clearTimeout(force);
        done();
      });
    },
  });
  app.decorateRequest('user', null);
  app.addHook('onRequest', makeCsrfHook(origins));
  app.addHook('onRequest', makeAuthHook(auth));
  app.addHook('preValidation', rejectUnstorableText);
  app.addHook('preValidation', rejectBodyWithoutSchema);
  app.addHook('preParsing', bodyDeadline(config.httpRequestTimeoutMs));
  sockets.startHeartbeat({
    intervalMs: config.wsHeartbeatMs,
    revokedLogins: (ids) => devices.revokedAmong(ids),
    revokedKeys: (ids) => apiKeys.revokedAmong(ids),
    onError: (err) => app.log.warn({ err }, 'revocation check failed'),
  });
  const rl = config.rateLimits;

  // Alive: the process answers. A load balancer or orchestrator restarts what fails this.
  app.get('/healthz', async () => ({ status: 'ok', database: db.kind }) satisfies Static<typeof Health>);
  // Ready: this replica takes new work. Fails at once when shutdown starts (and while the
  // database does not answer), so the proxy sends new requests to the other replicas.
  app.get('/readyz', async (_request, reply) => {
    if (draining) return reply.status(503).send({ status: 'draining', database: db.kind } satisfies Static<typeof Readiness>);
    const ok = await db.ping();
    return reply.status(ok ? 200 : 503).send({ status: ok ? 'ready' : 'database unavailable', database: db.kind } satisfies Static<typeof Readiness>);
  });
  await app.register(authRoutes({
    auth,
    secureCookies: config.secureCookies,
    sockets,
    limiters: { signupPerIp: new KeyedRateLimiter(rl.signupPerIp), loginPerIp: new KeyedRateLimiter(rl.loginPerIp), authPerEmail: new KeyedRateLimiter(rl.authPerEmail) },
    onTimeZoneChanged: (userId) => push.rescheduleAfterZoneChange(userId),
    onSignedOut: (loginId) => pushSubscriptions.removeForLogins([loginId]),
  }));
  await app.register(deviceRoutes({ devices, sockets, pushSubscriptions }));
  await app.register(pushRoutes({ push, subscriptions: pushSubscriptions, limiters: { testPerUser: new KeyedRateLimiter(rl.pushTestPerUser) } }));
  await app.register(handoffRoutes({
    prisma: db.prisma,
    sql: db.sql,
    sessions,
    invites,
    partners,
    plans,
    sockets,
    publicOrigin: config.publicOrigin,
    limiters: { invitesPerUser: new KeyedRateLimiter(rl.invitesPerUser), redeemPerUser: new KeyedRateLimiter(rl.inviteRedeemPerUser) },
  }));
  await app.register(pairingRoutes({
    pairing,
    secureCookies: config.secureCookies,
    publicOrigin: config.publicOrigin,
    limiters: { createPerUser: new KeyedRateLimiter(rl.pairingCreatePerUser), redeemPerIp: new KeyedRateLimiter(rl.pairingRedeemPerIp) },
  }));
  await app.register(sessionRoutes({ sessions }));
  await app.register(weekRoutes({ prisma: db.prisma, plans, feeds: new FeedService(db.prisma), publicOrigin: config.publicOrigin }));
  await app.register(planWriteRoutes({ prisma: db.prisma, plans, updates: planUpdates }));
  await app.register(weekLiveRoutes({ prisma: db.prisma, plans, updates: planUpdates, readers: sockets.readers }));
  // Operational data stays inside: loopback scrapers, or anyone holding METRICS_TOKEN.
  app.get('/metrics', async (request, reply) => {
    const bearer = request.headers.authorization?.replace(/^Bearer\s+/i, '');
    const allowed = isLoopback(request.socket.remoteAddress) || (config.metricsToken !== undefined && bearer === config.metricsToken);
    if (!allowed) throw notFound('Route');
    return reply.type(metrics.registry.contentType).send(await metrics.registry.render());
  });
  await app.register(wsRoutes({
    sessions,
    auth,
    hub,
    presence,
    sockets,
    limits: config.limits,
    origins,
    ...(overrides.monotonicNow ? { now: overrides.monotonicNow } : {}),
    onConnection: (delta) => {
      if (delta === 1) metrics.wsConnections.inc();
    },
    onDelivered: (lagMs) => metrics.deliveryLagSeconds.observe(lagMs / 1000),
    onSlowConsumer: () => metrics.slowConsumerCloses.inc(),
  }));
  await app.register(apiKeyRoutes({ apiKeys, readers: sockets.readers }));
  await app.register(
    dsRoutes({
      store: ds,
      storeSources,
      sessionSources,
      sessions,
      apiKeys,
      readers: sockets.readers,
      quota: { maxStreams: config.limits.dsMaxStreamsPerUser, maxBytes: config.limits.dsMaxBytesPerUser },
      longPollTimeoutMs: config.dsLongPollTimeoutMs,
      sseMaxConnectionMs: DS_SSE_MAX_CONNECTION_MS,
      sseHeartbeatMs: DS_SSE_HEARTBEAT_MS,
    }),
  );
  lane = appendLane({
    store: ds,
    apiKeys,
    maxOwnerBytes: config.limits.dsMaxBytesPerUser,
    headers: mergeHeaders(baseSecurityHeaders({ publicOrigin: config.publicOrigin }), Object.entries(BASE_RESPONSE_HEADERS)),
    bodyDeadlineMs: config.httpRequestTimeoutMs,
    closing: () => draining,
    log: app.log,
  });
  const dsSweep = setInterval(() => {
    ds.sweepExpired().catch((err) => app.log.warn({ err }, 'Durable Streams sweep failed'));
  }, DS_SWEEP_INTERVAL_MS);
  dsSweep.unref();

  if (serveWeb) await app.register(fastifyStatic, { root: WEB_DIST, wildcard: false });

  app.addHook('onClose', async () => {
    clearInterval(dsSweep);
    storeSources.close();
    await ds.close();
    sockets.stopHeartbeat();
    offKicks();
    await runs.close(config.shutdownGraceMs);
    await settleAnswerNotices();
    offDeleted();
    // Bounded: a queue still migrating on a starved machine must not hold shutdown hostage.
    let stopTimer: NodeJS.Timeout | undefined;
    await Promise.race([
      pushStarted.then(() => jobs.stop()),
      new Promise<void>((resolve) => (stopTimer = setTimeout(resolve, JOB_QUEUE_STOP_WAIT_MS))),
    ]).catch((err) => app.log.warn({ err }, 'job queue stop failed'));
    clearTimeout(stopTimer);
    presence.close();
    planUpdates.close();
    hub.close();
    await log.close();
    if (ownsDb) await db.close();
  });
  return app;
}
