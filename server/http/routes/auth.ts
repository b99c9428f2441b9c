import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { AuthService } from '../../auth/auth-service.ts';
import { requireUser, SESSION_COOKIE } from '../auth-hook.ts';
import { ApiError } from '../errors.ts';
import { isValidTimeZone } from '../../plan/week.ts';

export const MIN_PASSWORD_CHARS = 8;
const COOKIE_MAX_AGE_S = 60 * 60 * 24 * 180;

const credentials = {
  type: 'object',
  required: ['email', 'password'],
  additionalProperties: false,
  properties: {
    email: { type: 'string', format: 'email', maxLength: 254 },
    password: { type: 'string', minLength: MIN_PASSWORD_CHARS, maxLength: 200 },
    deviceName: { type: 'string', maxLength: 120 },
    timeZone: { type: 'string', maxLength: 64 },
  },
} as const;

type Credentials = { email: string; password: string; deviceName?: string; timeZone?: string };

export const authRoutes = (deps: { auth: AuthService; secureCookies: boolean }): FastifyPluginAsync =>
  async (app) => {
    const setCookie = (reply: FastifyReply, token: string) =>
      reply.setCookie(SESSION_COOKIE, token, {
        path: '/',
        httpOnly: true,
        sameSite: 'lax',
        secure: deps.secureCookies,
        maxAge: COOKIE_MAX_AGE_S,
      });

    app.post<{ Body: Credentials }>('/api/auth/signup', { schema: { body: credentials } }, async (request, reply) => {
      const { timeZone } = request.body;
      if (timeZone !== undefined && !isValidTimeZone(timeZone)) throw new ApiError(400, 'invalid_request', `body.timeZone "${timeZone}" is not a known IANA time zone`);
      const r = await deps.auth.signup(request.body.email, request.body.password, request.body.deviceName, timeZone);
      if (r.kind === 'email_taken') throw new ApiError(409, 'email_taken', 'An account with this email already exists');
      setCookie(reply, r.token);
      return reply.status(201).send({ user: r.user });
    });

    app.post<{ Body: Credentials }>('/api/auth/login', { schema: { body: credentials } }, async (request, reply) => {
      const r = await deps.auth.login(request.body.email, request.body.password, request.body.deviceName);
      if (r.kind === 'invalid_credentials') throw new ApiError(401, 'invalid_credentials', 'Email or password is wrong');
      setCookie(reply, r.token);
      return { user: r.user };
    });

    app.post('/api/auth/logout', async (request, reply) => {
      const token = request.cookies[SESSION_COOKIE];
      if (token) await deps.auth.logout(token);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.status(204).send();
    });

    app.patch<{ Body: { timeZone: string } }>(
      '/api/me',
      { preHandler: requireUser, schema: { body: { type: 'object', required: ['timeZone'], additionalProperties: false, properties: { timeZone: { type: 'string', maxLength: 64 } } } } },
      async (request) => {
        if (!isValidTimeZone(request.body.timeZone)) throw new ApiError(400, 'invalid_request', `body.timeZone "${request.body.timeZone}" is not a known IANA time zone`);
        return { user: await deps.auth.setTimeZone(request.user!.id, request.body.timeZone) };
      },
    );

    app.get('/api/me', { preHandler: requireUser }, async (request) => {
      const { loginId: _loginId, deviceName: _deviceName, ...user } = request.user!;
      return { user };
    });
  };
