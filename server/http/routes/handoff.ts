// A human in the session: invites, partners, take over and hand back (docs/protocol.md).
import type { Static } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { IdParams, PartnerParams, RedeemInviteBody } from '../../contract/index.ts';
import QRCode from 'qrcode';
import { resolveSessionWeek } from '../../coach/session-week.ts';
import type { PrismaClient, SqlExecutor } from '../../db/database.ts';
import type { InviteService } from '../../handoff/invite-service.ts';
import type { PartnerService } from '../../handoff/partner-service.ts';
import type { PlanStore } from '../../plan/store.ts';
import type { SessionService } from '../../session/session-service.ts';
import { requireUser } from '../auth-hook.ts';
import { ApiError, notFound } from '../errors.ts';
import { publicUrlFor } from '../public-origin.ts';
import { enforce, type KeyedRateLimiter } from '../rate-limit.ts';
import type { SocketRegistry } from '../socket-registry.ts';

export interface HandoffDeps {
  prisma: PrismaClient;
  sql: SqlExecutor;
  sessions: SessionService;
  invites: InviteService;
  partners: PartnerService;
  plans: PlanStore;
  sockets: SocketRegistry;
  publicOrigin: string | undefined;
  limiters: { invitesPerUser: KeyedRateLimiter; redeemPerUser: KeyedRateLimiter };
}

const UUID_PATTERN = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';
const idParams = IdParams;
const UUID = new RegExp(UUID_PATTERN);

export const handoffRoutes = (deps: HandoffDeps): FastifyPluginAsync =>
  async (app) => {
    const { sessions } = deps;
    app.addHook('preHandler', requireUser);
    // Malformed ids are answered like someone else's: 404.
    app.addHook('preValidation', async (request) => {
      const params = request.params as { id?: string; userId?: string } | undefined;
      for (const v of [params?.id, params?.userId]) if (v !== undefined && !UUID.test(v)) throw notFound();
    });

    app.post<{ Params: { id: string } }>('/api/sessions/:id/invites', { schema: { params: idParams } }, async (request, reply) => {
      const user = request.user!;
      // Checked first so that a stranger learns nothing, not even a rate limit.
      if (!(await sessions.owns(user.id, request.params.id))) throw notFound();
      enforce(deps.limiters.invitesPerUser, user.id, reply, 'invites');
      const r = await deps.invites.create(user.id, request.params.id);
      if (r.kind === 'not_found') throw notFound();
      const url = publicUrlFor(request, deps.publicOrigin, `/invite/${r.code}`);
      const qrSvg = await QRCode.toString(url, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
      return reply.status(201).send({ code: r.code, url, expiresAt: r.expiresAt.toISOString(), qrSvg });
    });

    app.post<{ Body: Static<typeof RedeemInviteBody> }>(
      '/api/invites/redeem',
      { schema: { body: RedeemInviteBody } },
      async (request, reply) => {
        enforce(deps.limiters.redeemPerUser, request.user!.id, reply, 'invite attempts');
        const r = await deps.invites.redeem(request.user!.id, request.body.code);
        switch (r.kind) {
          case 'not_found':
            throw new ApiError(404, 'invite_not_found', 'This invite does not exist. Check the link and try again.');
          case 'used':
            throw new ApiError(410, 'invite_used', 'This invite was already used. Ask for a new one.');
          case 'expired':
            throw new ApiError(410, 'invite_expired', 'This invite has expired. Ask for a new one.');
          case 'joined':
            return { sessionId: r.sessionId };
        }
      },
    );

    app.post<{ Params: { id: string } }>('/api/sessions/:id/takeover', { schema: { params: idParams } }, async (request, reply) => {
      const r = await sessions.takeover(request.user!, request.params.id);
      if (r.kind === 'not_found') throw notFound();
      if (r.kind === 'held_by_other') throw new ApiError(409, 'handoff_active', 'Someone else is answering in this session. They have to hand it back first.');
      return reply.status(202).send({ handoff: 'started' });
    });

    app.post<{ Params: { id: string } }>('/api/sessions/:id/handback', { schema: { params: idParams } }, async (request, reply) => {
      const r = await sessions.handback(request.user!, request.params.id);
      if (r.kind === 'not_found') throw notFound();
      if (r.kind === 'not_held') throw new ApiError(409, 'not_taken_over', 'Nobody has taken this session over; the coach is answering.');
      return reply.status(202).send({ handoff: 'ended' });
    });

    app.get<{ Params: { id: string } }>('/api/sessions/:id/partners', { schema: { params: idParams } }, async (request) => {
      const partners = await deps.partners.list(request.user!.id, request.params.id);
      if (!partners) throw notFound();
      return { partners };
    });

    app.delete<{ Params: { id: string; userId: string } }>(
      '/api/sessions/:id/partners/:userId',
      { schema: { params: PartnerParams } },
      async (request, reply) => {
        const owner = request.user!;
        const { id, userId } = request.params;
        const r = await deps.partners.remove(owner.id, id, userId);
        if (r.kind === 'not_found') throw notFound('Partner');
        // Their sockets here close now; other instances close theirs on the broadcast.
        deps.sockets.closeSessionUser(id, userId);
        if (r.wasHolder) await sessions.handback(owner, id);
        return reply.status(204).send();
      },
    );

    // The week the session works on, for its owner and partners alike (the owner's plan).
    app.get<{ Params: { id: string } }>('/api/sessions/:id/plan', { schema: { params: idParams } }, async (request) => {
      if (!(await sessions.canAccess(request.user!.id, request.params.id))) throw notFound();
      const week = await resolveSessionWeek(deps, request.params.id);
      const owner = await deps.prisma.session.findUnique({ where: { id: request.params.id }, select: { userId: true } });
      if (!week || !owner) throw notFound();
      return { plan: await deps.plans.getWeek(owner.userId, week.weekKey, week.timeZone) };
    });
  };
