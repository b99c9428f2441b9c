import type { FastifyPluginAsync } from 'fastify';
import type { DeviceService } from '../../auth/device-service.ts';
import { requireUser, SESSION_COOKIE } from '../auth-hook.ts';
import { notFound } from '../errors.ts';
import { IdParams } from '../../contract/index.ts';
import type { SocketRegistry } from '../socket-registry.ts';

export const deviceRoutes = (deps: { devices: DeviceService; sockets: SocketRegistry }): FastifyPluginAsync =>
  async (app) => {
    app.addHook('preHandler', requireUser);

    app.get('/api/devices', async (request) => ({ devices: await deps.devices.list(request.user!.id, request.user!.loginId) }));

    app.delete<{ Params: { id: string } }>(
      '/api/devices/:id',
      // No format in the schema: a malformed id is answered like a foreign one (404), by the service.
      { schema: { params: IdParams } },
      async (request, reply) => {
        const r = await deps.devices.revoke(request.user!.id, request.params.id);
        if (r.kind === 'not_found') throw notFound('Device');
        // Signed out everywhere at once: its sockets on this instance now, on others at their next heartbeat.
        deps.sockets.closeLogins([request.params.id]);
        if (request.params.id === request.user!.loginId) reply.clearCookie(SESSION_COOKIE, { path: '/' });
        return reply.status(204).send();
      },
    );
  };
