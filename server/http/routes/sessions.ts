import type { FastifyPluginAsync } from 'fastify';
import {
  CancelAnswer,
  CreateSessionBody,
  EventsAnswer,
  EventsQuery,
  IdParams,
  PostMessageAnswer,
  PostMessageBody,
  SessionList,
  SessionView,
} from '../../contract/index.ts';
import type { Static } from '@sinclair/typebox';
import type { SessionService } from '../../session/session-service.ts';
import { requireUser } from '../auth-hook.ts';
import { ApiError, notFound } from '../errors.ts';

type Params = { Params: Static<typeof IdParams> };

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

    app.post<Params>('/api/sessions/:id/cancel', { schema: { params: IdParams } }, async (request, reply) => {
      const r = await sessions.cancel(request.user!.id, request.params.id);
      if (r.kind === 'not_found') throw notFound();
      return reply.status(202).send({ result: r.kind } satisfies Static<typeof CancelAnswer>);
    });
  };
