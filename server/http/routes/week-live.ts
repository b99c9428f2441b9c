// GET /api/weeks/:weekKey/live — a week page's live view without a chat session: an event
// stream that sends the plan at once and again after every change (the user's, from any
// device, or the coach's), on any instance. Reconnecting (EventSource does it by itself)
// starts with the current plan, so nothing is missed.

import type { Socket } from 'node:net';
import { PassThrough } from 'node:stream';
import type { FastifyPluginAsync } from 'fastify';
import { userTimeZone } from '../../coach/session-week.ts';
import { WeekParams } from '../../contract/index.ts';
import type { PrismaClient } from '../../db/database.ts';
import type { PlanAuthor, PlanUpdates } from '../../plan/plan-updates.ts';
import type { PlanStore } from '../../plan/store.ts';
import type { LiveReaders } from '../live-readers.ts';
import { parseWeekKey } from '../../plan/week.ts';
import { requireUser } from '../auth-hook.ts';
import { ApiError } from '../errors.ts';

export const WEEK_LIVE_HEARTBEAT_MS = 25_000;

export const weekLiveRoutes = (deps: {
  prisma: PrismaClient;
  plans: PlanStore;
  updates: PlanUpdates;
  /** Signing the device out ends its stream, like its sockets (on other instances within a heartbeat). */
  readers: LiveReaders;
  heartbeatMs?: number;
}): FastifyPluginAsync =>
  async (app) => {
    const open = new Set<{ stream: PassThrough; socket: Socket }>();
    // An event stream never goes idle by itself: cut them so shutdown is not held up
    // (EventSource reconnects, to another instance behind a load balancer).
    app.addHook('preClose', async () => {
      for (const { stream, socket } of open) {
        stream.end();
        socket.destroy();
      }
    });

    app.get<{ Params: { weekKey: string } }>(
      '/api/weeks/:weekKey/live',
      { preHandler: requireUser, schema: { params: WeekParams } },
      async (request, reply) => {
        const userId = request.user!.id;
        const { weekKey } = request.params;
        if (!parseWeekKey(weekKey)) throw new ApiError(400, 'invalid_request', `"${weekKey}" is not an ISO week like 2026-W48`, 'weekKey');
        const timeZone = await userTimeZone(deps.prisma, userId);
        const first = await deps.plans.getWeek(userId, weekKey, timeZone);

        const res = new PassThrough();
        const entry = { stream: res, socket: request.raw.socket };
        open.add(entry);
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
        const untrack = deps.readers.add({ userId, loginId: request.user!.loginId }, () => stop());
        const stop = () => {
          if (closed) return;
          closed = true;
          untrack();
          open.delete(entry);
          clearInterval(heartbeat);
          for (const off of offs) off();
          res.end();
          // The response never finishes, so Node would count the connection as busy forever.
          entry.socket.destroy();
        };
        request.raw.socket.once('close', stop);
        res.once('close', stop);
        return reply
          .type('text/event-stream; charset=utf-8')
          // Tells nginx-style proxies not to buffer the event stream.
          .header('x-accel-buffering', 'no')
          .send(res);
      },
    );
  };
