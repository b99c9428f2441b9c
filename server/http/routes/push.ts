import type { Static } from '@sinclair/typebox';
// Web Push: the server's public key, browsers' subscriptions, a test message, reminders.
import type { FastifyPluginAsync } from 'fastify';
import { IdParams, PushSubscriptionBody, RemindersBody } from '../../contract/index.ts';
import type { PushService } from '../../push/push-service.ts';
import { dayIndexOf } from '../../push/reminder-time.ts';
import type { PushSubscriptions } from '../../push/subscriptions.ts';
import { requireUser } from '../auth-hook.ts';
import { ApiError, notFound } from '../errors.ts';
import { enforce, type KeyedRateLimiter } from '../rate-limit.ts';

export interface PushRouteDeps {
  push: PushService;
  subscriptions: PushSubscriptions;
  limiters: { testPerUser: KeyedRateLimiter };
}

export const pushRoutes = (deps: PushRouteDeps): FastifyPluginAsync =>
  async (app) => {
    // The public half of the VAPID pair: browsers need it before anyone signs in to subscribe.
    app.get('/api/push/vapid-public-key', async () => ({ publicKey: deps.push.publicKey }));

    app.post<{ Body: Static<typeof PushSubscriptionBody> }>(
      '/api/push/subscriptions',
      { preHandler: requireUser, schema: { body: PushSubscriptionBody } },
      async (request, reply) => {
        const r = await deps.subscriptions.add(request.user!.id, request.user!.loginId, { endpoint: request.body.endpoint, keys: request.body.keys });
        if (r.kind === 'invalid') throw new ApiError(400, r.field === 'endpoint' ? 'push_endpoint_not_allowed' : 'invalid_request', r.message, r.field);
        return reply.status(201).send({ id: r.id });
      },
    );

    app.delete<{ Params: { id: string } }>(
      '/api/push/subscriptions/:id',
      { preHandler: requireUser, schema: { params: IdParams } },
      async (request, reply) => {
        if (!(await deps.subscriptions.remove(request.user!.id, request.params.id))) throw notFound('Subscription');
        return reply.status(204).send();
      },
    );

    app.post('/api/push/test', { preHandler: requireUser }, async (request, reply) => {
      enforce(deps.limiters.testPerUser, request.user!.id, reply, 'test notifications');
      await deps.push.sendTest(request.user!.id);
      return reply.status(202).send({ queued: true });
    });

    app.get('/api/me/reminders', { preHandler: requireUser }, async (request) => deps.push.getReminders(request.user!.id));

    app.put<{ Body: Static<typeof RemindersBody> }>(
      '/api/me/reminders',
      { preHandler: requireUser, schema: { body: RemindersBody } },
      async (request) => {
        const { review, planning, quietHours: quiet = null } = request.body;
        for (const [field, at] of [['review', review], ['planning', planning]] as const) {
          if (at && dayIndexOf(at.weekday) === undefined) {
            throw new ApiError(400, 'invalid_request', `body.${field}.weekday must be 0–7 (0 and 7 are Sunday) or a day name such as "friday"`, `${field}/weekday`);
          }
        }
        return deps.push.setReminders(request.user!.id, { review, planning, quietHours: quiet });
      },
    );
  };
