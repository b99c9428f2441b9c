import type { FastifyPluginAsync } from 'fastify';
import {
  CancelAnswer,
  CreateSessionBody,
  EventsAnswer,
  EventsQuery,
  IdParams,
  PostMessageAnswer,
  PostMessageBody,
  RenameSessionBody,
  SessionList,
  SessionView,
  TurnRequestBody,
  type TurnRequestMode,
} from '../../contract/index.ts';
import type { Static } from '@sinclair/typebox';
import type { SessionService } from '../../session/session-service.ts';
import { requireUser } from '../auth-hook.ts';
import { ApiError, notFound } from '../errors.ts';
import { labelFromUserAgent } from '../../session/presence.ts';

type Params = { Params: Static<typeof IdParams> };

/** Why a turn request was refused (409 turn_not_allowed, or the WS error frame). */
export const TURN_NOT_ALLOWED: Record<TurnRequestMode, string> = {
  retry: 'Only the latest answer can be retried, once it has ended and before anything else was sent.',
  continue: 'Only the latest answer can be continued, when it was stopped before it finished.',
  open: 'The coach has already started this conversation.',
};

export const sessionRoutes = (deps: { sessions: SessionService }): FastifyPluginAsync =>
  async (app) => {
    const { sessions } = deps;
    app.addHook('preHandler', requireUser);

    // Malformed ids are indistinguishable from someone else's session: 404, not 400.
    app.addHook('preValidation', async (request) => {
      const id = (request.params as { id?: string } | undefined)?.id;
      if (id !== undefined && !/^[0-9a-f-]{36}$/i.test(id)) throw notFound();
    });

    app.post<{ Body: Static<typeof CreateSessionBody> }>('/api/sessions', { schema: { body: CreateSessionBody } }, async (request, reply) => {
      const r = await sessions.create(request.user!.id, request.body ?? {});
      if (r.kind === 'limit_reached') {
        throw new ApiError(409, 'session_limit_reached', `You have reached the limit of ${r.max} sessions.`);
      }
      return reply.status(201).send(r.session satisfies Static<typeof SessionView>);
    });

    app.get('/api/sessions', async (request): Promise<Static<typeof SessionList>> => ({ sessions: await sessions.list(request.user!.id) }));

    app.get<Params>('/api/sessions/:id', { schema: { params: IdParams } }, async (request): Promise<Static<typeof SessionView>> => {
      const s = await sessions.get(request.user!.id, request.params.id);
      if (s.kind === 'not_found') throw notFound();
      return s;
    });

    app.get<Params & { Querystring: Static<typeof EventsQuery> }>(
      '/api/sessions/:id/events',
      { schema: { params: IdParams, querystring: EventsQuery } },
      async (request): Promise<Static<typeof EventsAnswer>> => {
        const r = await sessions.events(request.user!.id, request.params.id, request.query.after, request.query.limit);
        if ('kind' in r) throw notFound();
        return r;
      },
    );

    app.post<Params & { Body: Static<typeof PostMessageBody> }>(
      '/api/sessions/:id/messages',
      { schema: { params: IdParams, body: PostMessageBody } },
      async (request, reply) => {
        const r = await sessions.postMessage(request.user!, request.params.id, request.body);
        if (r.kind === 'not_found') throw notFound();
        return reply.status(202).send({ seq: r.seq, duplicate: r.duplicate } satisfies Static<typeof PostMessageAnswer>);
      },
    );

    app.patch<Params & { Body: Static<typeof RenameSessionBody> }>(
      '/api/sessions/:id',
      { schema: { params: IdParams, body: RenameSessionBody } },
      async (request) => {
        const r = await sessions.rename(request.user!.id, request.params.id, request.body.title.trim());
        if (r.kind === 'not_found') throw notFound();
        return r;
      },
    );

    app.delete<Params>('/api/sessions/:id', { schema: { params: IdParams } }, async (request, reply) => {
      const r = await sessions.delete(request.user!.id, request.params.id);
      if (r.kind === 'not_found') throw notFound();
      return reply.status(204).send();
    });

    // SL15: retry, continue or open without a user message.
    app.post<Params & { Body: Static<typeof TurnRequestBody> }>(
      '/api/sessions/:id/turns',
      { schema: { params: IdParams, body: TurnRequestBody } },
      async (request, reply) => {
        const { requestId, mode, messageId } = request.body;
        if (mode !== 'open' && !messageId) throw new ApiError(400, 'invalid_request', `body.messageId is required for ${mode}`, 'messageId');
        const r = await sessions.requestTurn(request.user!.id, request.params.id, { requestId, mode, ...(mode === 'open' || !messageId ? {} : { messageId }) });
        if (r.kind === 'not_found') throw notFound();
        if (r.kind === 'not_allowed') throw new ApiError(409, 'turn_not_allowed', TURN_NOT_ALLOWED[mode]);
        return reply.status(202).send({ seq: r.seq, duplicate: r.duplicate } satisfies Static<typeof PostMessageAnswer>);
      },
    );

    app.post<Params>('/api/sessions/:id/cancel', { schema: { params: IdParams } }, async (request, reply) => {
      const user = request.user!;
      const r = await sessions.cancel(user.id, request.params.id, { deviceId: user.loginId, label: user.deviceName || labelFromUserAgent(request.headers['user-agent']) });
      if (r.kind === 'not_found') throw notFound();
      return reply.status(202).send({ result: r.kind } satisfies Static<typeof CancelAnswer>);
    });
  };
