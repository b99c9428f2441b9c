import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthService, AuthUser } from '../auth/auth-service.ts';
import { unauthorized } from './errors.ts';

export const SESSION_COOKIE = 'fc_session';

declare module 'fastify' {
  interface FastifyRequest {
    user: (AuthUser & { loginId: string; deviceName: string }) | null;
  }
  interface FastifyContextConfig {
    /**
     * The route resolves the cookie itself, together with what it needs to know about the
     * user (the session socket: login and ownership in one query). It must refuse without one.
     */
    authInRoute?: boolean;
  }
}

/** Resolves the cookie to a user on every request; routes that need one use requireUser. */
export function makeAuthHook(auth: AuthService) {
  return async (request: FastifyRequest) => {
    request.user = null;
    if (request.routeOptions.config?.authInRoute) return;
    const token = request.cookies?.[SESSION_COOKIE];
    if (token) request.user = (await auth.userForToken(token)) ?? null;
  };
}

export async function requireUser(request: FastifyRequest, _reply: FastifyReply) {
  if (!request.user) throw unauthorized();
}
