// GET /api/weeks/:weekKey/live — a week page's live view without a chat session: an event
// stream that sends the plan at once and again after every change (the user's, from any
// device, or the coach's), on any instance. Reconnecting (EventSource does it by itself)
// starts with the current plan, so nothing is missed.

import type { FastifyPluginAsync } from 'fastify';
import { userTimeZone } from '../../coach/session-week.ts';
import type { PrismaClient } from '../../db/database.ts';
import type { PlanAuthor, PlanUpdates } from '../../plan/plan-updates.ts';
import type { PlanStore } from '../../plan/store.ts';
import { requireUser } from '../auth-hook.ts';

export const WEEK_LIVE_HEARTBEAT_MS = 25_000;

export const weekLiveRoutes = (deps: { prisma: PrismaClient; plans: PlanStore; updates: PlanUpdates; heartbeatMs?: number }): FastifyPluginAsync =>
  async (app) => {
    const open = new Set<import('node:http').ServerResponse>();
    // An event stream never goes idle by itself; end them so shutdown is not held up.
    app.addHook('preClose', async () => {
      for (const res of open) res.end();
    });

    app.get<{ Params: { weekKey: string } }>(
      '/api/weeks/:weekKey/live',
      { preHandler: requireUser, schema: { params: { type: 'object', required: ['weekKey'], properties: { weekKey: { type: 'string', pattern: '^\\d{4}-W\\d{2}$' } } } } },
      async (request, reply) => {
        const userId = request.user!.id;
        const { weekKey } = request.params;
        const timeZone = await userTimeZone(deps.prisma, userId);
        const first = await deps.plans.getWeek(userId, weekKey, timeZone);

        reply.hijack();
        const res = reply.raw;
        open.add(res);
        res.writeHead(200, {
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-store',
          'x-content-type-options': 'nosniff',
          // Tells nginx-style proxies not to buffer the event stream.
          'x-accel-buffering': 'no',
        });
        let sent = -1;
        let closed = false;
        const send = (plan: typeof first, by?: PlanAuthor) => {
          if (closed || plan.version <= sent) return;
          sent = plan.version;
          res.write(`event: plan.updated\ndata: ${JSON.stringify({ weekKey, plan, ...(by ? { by } : {}) })}\n\n`);
        };
        // Reads are serialised so an older read never overtakes a newer one.
        let reading = Promise.resolve();
        const reread = (by?: PlanAuthor) => {
          reading = reading
            .then(async () => send(await deps.plans.getWeek(userId, weekKey, timeZone), by))
            .catch((err: unknown) => request.log.warn({ err }, 'week live read failed'));
        };
        send(first);
        const offs = [
          deps.updates.onWeekChanged((p) => {
            if (p.userId === userId && p.weekKey === weekKey) reread(p.by);
          }),
          deps.updates.onResync(() => reread()),
        ];
        const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), deps.heartbeatMs ?? WEEK_LIVE_HEARTBEAT_MS);
        res.once('close', () => {
          closed = true;
          open.delete(res);
          clearInterval(heartbeat);
          for (const off of offs) off();
        });
      },
    );
  };
