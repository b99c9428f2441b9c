import type { FastifyPluginAsync } from 'fastify';
import { MAX_EVENTS_PAGE, MAX_MESSAGE_CHARS, MAX_TITLE_CHARS, SESSION_KINDS, type SessionKind, type SessionService } from '../../session/session-service.ts';
import { requireUser } from '../auth-hook.ts';
import { ApiError, notFound } from '../errors.ts';
import { MAX_CLIENT_MESSAGE_ID_CHARS } from '../protocol.ts';

const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', format: 'uuid' } },
} as const;

export const sessionRoutes = (deps: { sessions: SessionService }): FastifyPluginAsync =>
  async (app) => {
    const { sessions } = deps;
    app.addHook('preHandler', requireUser);

    // Malformed ids are indistinguishable from someone else's session: 404, not 400.
    app.addHook('preValidation', async (request) => {
      const id = (request.params as { id?: string } | undefined)?.id;
      if (id !== undefined && !/^[0-9a-f-]{36}$/i.test(id)) throw notFound();
    });

    app.post<{ Body: { title?: string; kind?: SessionKind; weekKey?: string } }>(
      '/api/sessions',
      {
        schema: {
          body: {
            type: ['object', 'null'],
            additionalProperties: false,
            properties: {
              title: { type: 'string', maxLength: MAX_TITLE_CHARS },
              kind: { type: 'string', enum: [...SESSION_KINDS] },
              weekKey: { type: 'string', pattern: '^\\d{4}-W\\d{2}$' },
            },
          },
        },
      },
      async (request, reply) => {
        const r = await sessions.create(request.user!.id, request.body ?? {});
        if (r.kind === 'limit_reached') {
          throw new ApiError(409, 'session_limit_reached', `You have reached the limit of ${r.max} sessions.`);
        }
        return reply.status(201).send(r.session);
      },
    );

    app.get('/api/sessions', async (request) => ({ sessions: await sessions.list(request.user!.id) }));

    app.get<{ Params: { id: string } }>('/api/sessions/:id', { schema: { params: idParams } }, async (request) => {
      const s = await sessions.get(request.user!.id, request.params.id);
      if ('kind' in s && s.kind === 'not_found') throw notFound();
      return s;
    });

    app.get<{ Params: { id: string }; Querystring: { after?: number; limit?: number } }>(
      '/api/sessions/:id/events',
      {
        schema: {
          params: idParams,
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: {
              after: { type: 'integer', minimum: 0, default: 0 },
              limit: { type: 'integer', minimum: 1, maximum: MAX_EVENTS_PAGE, default: 500 },
            },
          },
        },
      },
      async (request) => {
        const r = await sessions.events(request.user!.id, request.params.id, request.query.after ?? 0, request.query.limit ?? 500);
        if ('kind' in r) throw notFound();
        return r;
      },
    );

    app.post<{ Params: { id: string }; Body: { clientMessageId: string; text: string } }>(
      '/api/sessions/:id/messages',
      {
        schema: {
          params: idParams,
          body: {
            type: 'object',
            required: ['clientMessageId', 'text'],
            additionalProperties: false,
            properties: {
              clientMessageId: { type: 'string', minLength: 1, maxLength: MAX_CLIENT_MESSAGE_ID_CHARS },
              text: { type: 'string', minLength: 1, maxLength: MAX_MESSAGE_CHARS, pattern: '\\S' },
            },
          },
        },
      },
      async (request, reply) => {
        const r = await sessions.postMessage(request.user!, request.params.id, request.body);
        if (r.kind === 'not_found') throw notFound();
        return reply.status(202).send({ seq: r.seq, duplicate: r.duplicate });
      },
    );

    app.post<{ Params: { id: string } }>('/api/sessions/:id/cancel', { schema: { params: idParams } }, async (request, reply) => {
      const r = await sessions.cancel(request.user!.id, request.params.id);
      if (r.kind === 'not_found') throw notFound();
      return reply.status(202).send({ result: r.kind });
    });
  };
