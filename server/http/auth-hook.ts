import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthService, AuthUser } from '../auth/auth-service.ts';
import { unauthorized } from './errors.ts';

export const SESSION_COOKIE = 'fc_session';

declare module 'fastify' {
  interface FastifyRequest {
    user: (AuthUser & { loginId: string; deviceName: string }) | null;
  }
}

/** Resolves the cookie to a user on every request; routes that need one use requireUser. */
export function makeAuthHook(auth: AuthService) {
  return async (request: FastifyRequest) => {
    request.user = null;
    const token = request.cookies?.[SESSION_COOKIE];
    if (token) request.user = (await auth.userForToken(token)) ?? null;
  };
}

export async function requireUser(request: FastifyRequest, _reply: FastifyReply) {
  if (!request.user) throw unauthorized();
}
