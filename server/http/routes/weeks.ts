import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { ownerKeyFor, userTimeZone } from '../../coach/session-week.ts';
import type { PrismaClient } from '../../db/database.ts';
import { feedToIcs, weekToIcs } from '../../plan/export-ics.ts';
import { weekToMarkdown } from '../../plan/export-md.ts';
import type { FeedService } from '../../plan/feed-service.ts';
import type { PlanStore } from '../../plan/store.ts';
import { nextWeekKey, parseWeekKey, previousWeekKey, weekKeyFor } from '../../plan/week.ts';
import { requireUser } from '../auth-hook.ts';
import { ApiError, notFound } from '../errors.ts';
import { IdParams, WeekParams, type FeedCreated } from '../../contract/index.ts';
import type { Static } from '@sinclair/typebox';

/** A subscribed calendar shows last week, this week and the next three. */
const FEED_WEEKS_BEHIND = 1;
const FEED_WEEKS_AHEAD = 3;
/** Feed ids are UUIDs; anything else (`abc%00def`) is no feed of yours, answered before the database sees it. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const weekRoutes = (deps: { prisma: PrismaClient; plans: PlanStore; feeds: FeedService; now?: () => Date }): FastifyPluginAsync =>
  async (app) => {
    const now = deps.now ?? (() => new Date());

    async function planFor(request: FastifyRequest, weekKey: string) {
      if (!parseWeekKey(weekKey)) throw new ApiError(400, 'invalid_request', `"${weekKey}" is not an ISO week like 2026-W48`);
      const user = request.user!;
      return deps.plans.getWeek(user.id, weekKey, await userTimeZone(deps.prisma, user.id));
    }

    app.get('/api/weeks/current', { preHandler: requireUser }, async (request) => {
      const tz = await userTimeZone(deps.prisma, request.user!.id);
      return { plan: await planFor(request, weekKeyFor(now().toISOString(), tz)) };
    });

    app.get<{ Params: { weekKey: string } }>('/api/weeks/:weekKey', { preHandler: requireUser, schema: { params: WeekParams } }, async (request) => ({
      plan: await planFor(request, request.params.weekKey),
    }));

    app.get<{ Params: { weekKey: string } }>('/api/weeks/:weekKey/plan.ics', { preHandler: requireUser, schema: { params: WeekParams } }, async (request, reply) => {
      const plan = await planFor(request, request.params.weekKey);
      return reply
        .type('text/calendar; charset=utf-8')
        .header('content-disposition', `attachment; filename="focus-${plan.weekKey}.ics"`)
        .send(weekToIcs(plan, { now: now(), ownerKey: ownerKeyFor(request.user!.id) }));
    });

    app.get<{ Params: { weekKey: string } }>('/api/weeks/:weekKey/plan.md', { preHandler: requireUser, schema: { params: WeekParams } }, async (request, reply) => {
      const plan = await planFor(request, request.params.weekKey);
      return reply.type('text/markdown; charset=utf-8').send(weekToMarkdown(plan));
    });

    app.post('/api/feeds', { preHandler: requireUser }, async (request, reply) => {
      const feed = await deps.feeds.create(request.user!.id);
      const origin = `${request.protocol}://${request.host}`;
      return reply.status(201).send({ id: feed.id, createdAt: feed.createdAt, url: `${origin}/api/feeds/${feed.token}.ics` } satisfies Static<typeof FeedCreated>);
    });

    app.get('/api/feeds', { preHandler: requireUser }, async (request) => ({ feeds: await deps.feeds.list(request.user!.id) }));

    app.delete<{ Params: { id: string } }>('/api/feeds/:id', { preHandler: requireUser, schema: { params: IdParams } }, async (request, reply) => {
      if (!UUID.test(request.params.id) || !(await deps.feeds.revoke(request.user!.id, request.params.id))) throw notFound('Feed');
      return reply.status(204).send();
    });

    // Calendar apps cannot send cookies: the unguessable token in the URL is the credential.
    app.get<{ Params: { file: string } }>('/api/feeds/:file', async (request, reply) => {
      const m = /^([A-Za-z0-9_-]{20,100})\.ics$/.exec(request.params.file);
      const userId = m ? await deps.feeds.userForToken(m[1]!) : undefined;
      if (!userId) throw notFound('Feed');
      const tz = await userTimeZone(deps.prisma, userId);
      const current = weekKeyFor(now().toISOString(), tz);
      const keys = [current];
      for (let i = 0, k = current; i < FEED_WEEKS_BEHIND; i++) keys.unshift((k = previousWeekKey(k)));
      for (let i = 0, k = current; i < FEED_WEEKS_AHEAD; i++) keys.push((k = nextWeekKey(k)));
      const plans = await Promise.all(keys.map((k) => deps.plans.getWeek(userId, k, tz)));
      return reply
        .type('text/calendar; charset=utf-8')
        .header('cache-control', 'private, max-age=300')
        .send(feedToIcs(plans, { now: now(), ownerKey: ownerKeyFor(userId), calendarName: 'Focus Coach' }));
    });
  };
