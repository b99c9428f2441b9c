// Direct plan edits (the week grid, rocks, vision, environment, review slot). The same store
// and rules as the coach's tools; every accepted write is published as plan.updated.
//
//   404 another user's (or an unknown) block, rock or environment item — weeks are per user
//   412 plan_changed: If-Match named an older version; the body carries the current plan
//   422 a plan rule: {error: {code, message}} with the rule's code (rules.ts)

import type { Static } from '@sinclair/typebox';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { userTimeZone } from '../../coach/session-week.ts';
import type { PrismaClient } from '../../db/database.ts';
import type { PlanUpdates } from '../../plan/plan-updates.ts';
import {
  BlockParams,
  CreateBlockBody,
  CreateRockBody,
  EnvironmentBody,
  EnvironmentParams,
  PatchBlockBody,
  PatchRockBody,
  ReviewBody,
  RockParams,
  VisionBody,
  WeekParams as WeekParamsSchema,
} from '../../contract/index.ts';
import type { PlanStore, WeekRef } from '../../plan/store.ts';
import type { PlanChange, WeekPlan } from '../../plan/types.ts';
import { describePlanChanges } from '../../plan/describe-changes.ts';
import { parseWeekKey } from '../../plan/week.ts';
import { requireUser } from '../auth-hook.ts';
import { ApiError, notFound } from '../errors.ts';

const ID_RE = /^[0-9a-f-]{36}$/i;
const IF_MATCH_RE = /^\s*(?:W\/)?"?(\d{1,9})"?\s*$/;

/** Any plan route's params: a week, and the block, rock or environment change it names. */
type PlanRouteParams = Static<typeof WeekParamsSchema> & Partial<Static<typeof BlockParams> & Static<typeof RockParams> & Static<typeof EnvironmentParams>>;

export interface PlanWriteDeps {
  prisma: PrismaClient;
  plans: PlanStore;
  updates: PlanUpdates;
}

export const planWriteRoutes = (deps: PlanWriteDeps): FastifyPluginAsync =>
  async (app) => {
    /** The plan as it was before each request's write: what plan.updated's `changes` are read against. */
    const planBefore = new WeakMap<FastifyRequest, WeekPlan>();
    app.addHook('preHandler', requireUser);
    // An id that cannot exist is indistinguishable from another user's: 404, not 400.
    app.addHook('preValidation', async (request) => {
      const p = request.params as PlanRouteParams | undefined;
      for (const id of [p?.blockId, p?.rockId, p?.id]) if (id !== undefined && !ID_RE.test(id)) throw notFound(itemName(request));
    });

    async function refFor(request: FastifyRequest<{ Params: PlanRouteParams }>): Promise<WeekRef> {
      const { weekKey } = request.params;
      if (!parseWeekKey(weekKey)) throw new ApiError(400, 'invalid_request', `"${weekKey}" is not an ISO week like 2026-W48`, 'weekKey');
      const raw = request.headers['if-match'];
      let ifVersion: number | undefined;
      if (raw !== undefined && raw !== '*') {
        const m = IF_MATCH_RE.exec(String(raw));
        if (!m) throw new ApiError(400, 'invalid_request', 'If-Match must be the plan version, e.g. If-Match: 7', 'If-Match');
        ifVersion = Number(m[1]);
      }
      const userId = request.user!.id;
      const ref: WeekRef = { userId, weekKey, timeZone: await userTimeZone(deps.prisma, userId), ...(ifVersion !== undefined ? { ifVersion } : {}) };
      planBefore.set(request, await deps.plans.getWeek(userId, weekKey, ref.timeZone));
      return ref;
    }

    /** Answers a store outcome; an accepted one is published first (every device sees it). */
    async function answer(
      request: FastifyRequest<{ Params: PlanRouteParams }>,
      reply: FastifyReply,
      ref: WeekRef,
      change: PlanChange<WeekPlan>,
      status = 200,
    ) {
      if (!change.ok) {
        if (change.code === 'not_found') throw new ApiError(404, 'not_found', change.reason);
        if (change.code === 'invalid_week') throw new ApiError(400, 'invalid_request', change.reason, 'weekKey');
        if (change.code === 'plan_changed') {
          const plan = await deps.plans.getWeek(ref.userId, ref.weekKey, ref.timeZone);
          return reply.status(412).header('etag', `"${plan.version}"`).send({ error: { code: 'plan_changed', message: change.reason }, plan });
        }
        throw new ApiError(422, change.code, change.reason);
      }
      const plan = change.value;
      // What this write changed, in words, for the coach's next turn (a session whose log holds no
      // earlier plan of the week has nothing to compare with). Only when no other write came between.
      const before = planBefore.get(request);
      const changes = before && before.version + 1 === plan.version ? describePlanChanges(before, plan) : [];
      try {
        await deps.updates.publish(ref.userId, plan, { kind: 'user', deviceId: request.user!.loginId }, changes.length > 0 ? { changes } : {});
      } catch (err) {
        // The change is saved; devices that missed the event catch up on their next read.
        request.log.error({ err }, 'publishing plan.updated failed');
      }
      return reply.status(status).header('etag', `"${plan.version}"`).send({ plan });
    }

    const created = (c: PlanChange<{ plan: WeekPlan; id: string }>): PlanChange<WeekPlan> => (c.ok ? { ok: true, value: c.value.plan } : c);

    app.post<{ Params: PlanRouteParams; Body: CreateBlockBody }>(
      '/api/weeks/:weekKey/blocks',
      { schema: { params: WeekParamsSchema, body: CreateBlockBody } },
      async (request, reply) => {
        const ref = await refFor(request);
        const { kind, title, start, end, rockId } = request.body;
        return answer(request, reply, ref, created(await deps.plans.addBlock(ref, { kind, title, start, end, rockId: rockId ?? null })), 201);
      },
    );

    app.patch<{ Params: PlanRouteParams; Body: PatchBlockBody }>(
      '/api/weeks/:weekKey/blocks/:blockId',
      { schema: { params: BlockParams, body: PatchBlockBody } },
      async (request, reply) => {
        const ref = await refFor(request);
        return answer(request, reply, ref, await deps.plans.updateBlock(ref, request.params.blockId!, request.body));
      },
    );

    app.delete<{ Params: PlanRouteParams }>('/api/weeks/:weekKey/blocks/:blockId', { schema: { params: BlockParams } }, async (request, reply) => {
      const ref = await refFor(request);
      return answer(request, reply, ref, await deps.plans.removeBlock(ref, request.params.blockId!));
    });

    app.post<{ Params: PlanRouteParams; Body: Static<typeof CreateRockBody> }>(
      '/api/weeks/:weekKey/rocks',
      { schema: { params: WeekParamsSchema, body: CreateRockBody } },
      async (request, reply) => {
        const ref = await refFor(request);
        return answer(request, reply, ref, created(await deps.plans.addRock(ref, request.body.title)), 201);
      },
    );

    app.patch<{ Params: PlanRouteParams; Body: PatchRockBody }>(
      '/api/weeks/:weekKey/rocks/:rockId',
      { schema: { params: RockParams, body: PatchRockBody } },
      async (request, reply) => {
        const ref = await refFor(request);
        return answer(request, reply, ref, await deps.plans.updateRock(ref, request.params.rockId!, request.body));
      },
    );

    app.delete<{ Params: PlanRouteParams }>('/api/weeks/:weekKey/rocks/:rockId', { schema: { params: RockParams } }, async (request, reply) => {
      const ref = await refFor(request);
      return answer(request, reply, ref, await deps.plans.removeRock(ref, request.params.rockId!));
    });

    app.put<{ Params: PlanRouteParams; Body: Static<typeof VisionBody> }>(
      '/api/weeks/:weekKey/vision',
      { schema: { params: WeekParamsSchema, body: VisionBody } },
      async (request, reply) => {
        const ref = await refFor(request);
        return answer(request, reply, ref, await deps.plans.setVision(ref, request.body));
      },
    );

    app.post<{ Params: PlanRouteParams; Body: Static<typeof EnvironmentBody> }>(
      '/api/weeks/:weekKey/environment',
      { schema: { params: WeekParamsSchema, body: EnvironmentBody } },
      async (request, reply) => {
        const ref = await refFor(request);
        return answer(request, reply, ref, created(await deps.plans.addEnvironment(ref, request.body.text)), 201);
      },
    );

    app.delete<{ Params: PlanRouteParams }>('/api/weeks/:weekKey/environment/:id', { schema: { params: EnvironmentParams } }, async (request, reply) => {
      const ref = await refFor(request);
      return answer(request, reply, ref, await deps.plans.removeEnvironment(ref, request.params.id!));
    });

    app.put<{ Params: PlanRouteParams; Body: Static<typeof ReviewBody> }>(
      '/api/weeks/:weekKey/review',
      { schema: { params: WeekParamsSchema, body: ReviewBody } },
      async (request, reply) => {
        const ref = await refFor(request);
        return answer(request, reply, ref, await deps.plans.setReview(ref, request.body));
      },
    );
  };

function itemName(request: FastifyRequest): string {
  const p = request.params as PlanRouteParams;
  return p.blockId !== undefined ? 'Block' : p.rockId !== undefined ? 'Rock' : 'Environment change';
}
