import type { FastifyPluginAsync } from 'fastify';
import type { ApiKeyService } from '../../auth/api-keys.ts';
import { requireUser } from '../auth-hook.ts';
import { ApiError, notFound } from '../errors.ts';
import { IdParams } from '../../contract/index.ts';

/** Managing API keys needs the signed-in user (cookie); a key cannot mint or revoke keys. */
export const apiKeyRoutes = (deps: { apiKeys: ApiKeyService }): FastifyPluginAsync =>
  async (app) => {
    app.addHook('preHandler', requireUser);

    app.post('/api/keys', async (request, reply) => {
      const r = await deps.apiKeys.create(request.user!.id);
      if (r.kind === 'too_many') throw new ApiError(409, 'too_many_keys', 'Revoke a key before creating another');
      return reply.status(201).send({ id: r.id, key: r.key, createdAt: r.createdAt });
    });

    app.get('/api/keys', async (request) => ({ keys: await deps.apiKeys.list(request.user!.id) }));

    app.delete<{ Params: { id: string } }>('/api/keys/:id', { schema: { params: IdParams } }, async (request, reply) => {
      const ok = /^[0-9a-f-]{36}$/i.test(request.params.id) && (await deps.apiKeys.revoke(request.user!.id, request.params.id));
      if (!ok) throw notFound('API key');
      return reply.status(204).send();
    });
  };
