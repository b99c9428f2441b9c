import type { Static } from '@sinclair/typebox';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { AuthService } from '../../auth/auth-service.ts';
import { CredentialsBody, MAX_DEVICE_NAME_CHARS, PatchMeBody, type AuthSessionAnswer } from '../../contract/index.ts';
import { requireUser, SESSION_COOKIE } from '../auth-hook.ts';
import { ApiError } from '../errors.ts';
import { isValidTimeZone } from '../../plan/week.ts';
import { enforce, type KeyedRateLimiter } from '../rate-limit.ts';
import type { SocketRegistry } from '../socket-registry.ts';

const COOKIE_MAX_AGE_S = 60 * 60 * 24 * 180;

export interface AuthLimiters {
  signupPerIp: KeyedRateLimiter;
  loginPerIp: KeyedRateLimiter;
  authPerEmail: KeyedRateLimiter;
}

/** The login cookie: httpOnly (no script can read it), SameSite=Lax (not sent on cross-site POSTs), Secure over HTTPS. */
export function setLoginCookie(reply: FastifyReply, token: string, secure: boolean) {
  return reply.setCookie(SESSION_COOKIE, token, { path: '/', httpOnly: true, sameSite: 'lax', secure, maxAge: COOKIE_MAX_AGE_S });
}

/** What the devices list shows: the name the client gave, else its User-Agent, cut to size. */
export function deviceNameFor(request: FastifyRequest, given: string | undefined): string {
  const name = given?.trim() || String(request.headers['user-agent'] ?? '').trim();
  return name.slice(0, MAX_DEVICE_NAME_CHARS);
}

const emailKey = (email: string) => email.trim().toLowerCase();

export interface AuthRouteDeps {
  auth: AuthService;
  secureCookies: boolean;
  limiters: AuthLimiters;
  sockets: SocketRegistry;
  /** Reminders are kept in the person's zone: reschedule them when it changes. */
  onTimeZoneChanged?: (userId: string) => Promise<void>;
  /** A signed-out device gets no more push notifications. */
  onSignedOut?: (loginId: string) => Promise<void>;
}

export const authRoutes = (deps: AuthRouteDeps): FastifyPluginAsync =>
  async (app) => {
    const { limiters } = deps;

    app.post<{ Body: CredentialsBody }>('/api/auth/signup', { schema: { body: CredentialsBody } }, async (request, reply) => {
      const { timeZone } = request.body;
      if (timeZone !== undefined && !isValidTimeZone(timeZone)) throw new ApiError(400, 'invalid_request', `body.timeZone "${timeZone}" is not a known IANA time zone`);
      enforce(limiters.signupPerIp, request.ip, reply, 'sign-ups from this network');
      enforce(limiters.authPerEmail, emailKey(request.body.email), reply, 'attempts for this email');
      const r = await deps.auth.signup(request.body.email, request.body.password, deviceNameFor(request, request.body.deviceName), timeZone);
      if (r.kind === 'email_taken') throw new ApiError(409, 'email_taken', 'An account with this email already exists');
      setLoginCookie(reply, r.token, deps.secureCookies);
      return reply.status(201).send({ user: r.user });
    });

    app.post<{ Body: CredentialsBody }>('/api/auth/login', { schema: { body: CredentialsBody } }, async (request, reply) => {
      enforce(limiters.loginPerIp, request.ip, reply, 'sign-in attempts from this network');
      // Per email, so a password guesser spread over many addresses is slowed down too.
      const key = emailKey(request.body.email);
      enforce(limiters.authPerEmail, key, reply, 'sign-in attempts for this email');
      const r = await deps.auth.login(request.body.email, request.body.password, deviceNameFor(request, request.body.deviceName));
      if (r.kind === 'invalid_credentials') throw new ApiError(401, 'invalid_credentials', 'Email or password is wrong');
      // The right password costs the owner nothing: a guesser cannot lock them out by succeeding.
      limiters.authPerEmail.refund(key);
      setLoginCookie(reply, r.token, deps.secureCookies);
      return { user: r.user };
    });

    app.post('/api/auth/logout', async (request, reply) => {
      const token = request.cookies[SESSION_COOKIE];
      if (token) await deps.auth.logout(token);
      if (request.user) {
        deps.sockets.closeLogins([request.user.loginId]);
        await deps.onSignedOut?.(request.user.loginId);
      }
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.status(204).send();
    });

    app.patch<{ Body: Static<typeof PatchMeBody> }>(
      '/api/me',
      { preHandler: requireUser, schema: { body: PatchMeBody } },
      async (request) => {
        const { timeZone, displayName } = request.body;
        if (timeZone !== undefined && !isValidTimeZone(timeZone)) throw new ApiError(400, 'invalid_request', `body.timeZone "${timeZone}" is not a known IANA time zone`, 'timeZone');
        const user = await deps.auth.updateProfile(request.user!.id, { timeZone, displayName: displayName?.trim() });
        if (timeZone !== undefined) await deps.onTimeZoneChanged?.(user.id);
        return { user };
      },
    );

    // The app's first question. /api/me says 401 when signed out, which a browser logs as a
    // failed request; this answers 200 with `user: null` instead.
    app.get('/api/auth/session', async (request): Promise<Static<typeof AuthSessionAnswer>> => {
      if (!request.user) return { user: null };
      const { id, email, timeZone } = request.user;
      return { user: { id, email, timeZone } };
    });

    app.get('/api/me', { preHandler: requireUser }, async (request) => {
      const { loginId: _loginId, deviceName: _deviceName, ...user } = request.user!;
      return { user };
    });
  };
