import type { FastifyPluginAsync } from 'fastify';
import type { DeviceService } from '../../auth/device-service.ts';
import { requireUser, SESSION_COOKIE } from '../auth-hook.ts';
import { notFound } from '../errors.ts';
import { IdParams } from '../../contract/index.ts';
import type { SocketRegistry } from '../socket-registry.ts';
import type { PushSubscriptions } from '../../push/subscriptions.ts';

export const deviceRoutes = (deps: { devices: DeviceService; sockets: SocketRegistry; pushSubscriptions: PushSubscriptions }): FastifyPluginAsync =>
  async (app) => {
    app.addHook('preHandler', requireUser);

    // Each device lists its push subscriptions, so a person sees (and removes) where notifications go.
    app.get('/api/devices', async (request) => {
      const [devices, subs] = await Promise.all([deps.devices.list(request.user!.id, request.user!.loginId), deps.pushSubscriptions.byLogin(request.user!.id)]);
      return { devices: devices.map((d) => ({ ...d, pushSubscriptions: subs.get(d.id) ?? [] })) };
    });

    app.delete<{ Params: { id: string } }>(
      '/api/devices/:id',
      // No format in the schema: a malformed id is answered like a foreign one (404), by the service.
      { schema: { params: IdParams } },
      async (request, reply) => {
        const r = await deps.devices.revoke(request.user!.id, request.params.id);
        if (r.kind === 'not_found') throw notFound('Device');
        // Signed out everywhere at once: its sockets on this instance now, on others at their next heartbeat.
        deps.sockets.closeLogins([request.params.id]);
        await deps.pushSubscriptions.removeForLogins([request.params.id]);
        if (request.params.id === request.user!.loginId) reply.clearCookie(SESSION_COOKIE, { path: '/' });
        return reply.status(204).send();
      },
    );
  };
