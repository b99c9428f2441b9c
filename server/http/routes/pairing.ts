import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import QRCode from 'qrcode';
import type { Static } from '@sinclair/typebox';
import { CreatePairingBody, RedeemPairingBody, type Pairing, type RedeemPairingAnswer } from '../../contract/index.ts';
import type { PairingService } from '../../auth/pairing-service.ts';
import { requireUser } from '../auth-hook.ts';
import { ApiError, notFound } from '../errors.ts';
import { enforce, type KeyedRateLimiter } from '../rate-limit.ts';
import { deviceNameFor, setLoginCookie } from './auth.ts';

export interface PairingDeps {
  pairing: PairingService;
  secureCookies: boolean;
  /** The canonical origin when configured; else the link is built from the request. */
  publicOrigin: string | undefined;
  limiters: { createPerUser: KeyedRateLimiter; redeemPerIp: KeyedRateLimiter };
}

function originOf(request: FastifyRequest, configured: string | undefined): string {
  // A configured origin cannot be steered by a forged Host header.
  return configured ?? `${request.protocol}://${request.host}`;
}

export const pairingRoutes = (deps: PairingDeps): FastifyPluginAsync =>
  async (app) => {
    app.post<{ Body: Static<typeof CreatePairingBody> }>(
      '/api/pairing',
      { preHandler: requireUser, schema: { body: CreatePairingBody } },
      async (request, reply) => {
        const user = request.user!;
        enforce(deps.limiters.createPerUser, user.id, reply, 'pairing codes');
        const r = await deps.pairing.create(user.id, request.body?.sessionId);
        if (r.kind === 'session_not_found') throw notFound();
        const url = `${originOf(request, deps.publicOrigin)}/pair/${r.code}`;
        const qrSvg = await QRCode.toString(url, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
        return reply.status(201).send({ code: r.code, url, expiresAt: r.expiresAt.toISOString(), qrSvg } satisfies Pairing);
      },
    );

    app.post<{ Body: Static<typeof RedeemPairingBody> }>(
      '/api/pairing/redeem',
      { schema: { body: RedeemPairingBody } },
      async (request, reply) => {
        // Counted before the lookup so that guesses cost the guesser, whatever they hit.
        enforce(deps.limiters.redeemPerIp, request.ip, reply, 'pairing attempts from this network');
        const r = await deps.pairing.redeem(request.body.code, deviceNameFor(request, request.body.deviceName));
        switch (r.kind) {
          case 'not_found':
            throw new ApiError(404, 'pairing_code_not_found', 'This pairing code does not exist. Check it and try again.');
          case 'used':
            throw new ApiError(410, 'pairing_code_used', 'This pairing code was already used. Make a new one on your signed-in device.');
          case 'expired':
            throw new ApiError(410, 'pairing_code_expired', 'This pairing code has expired. Make a new one on your signed-in device.');
          case 'redeemed':
            setLoginCookie(reply, r.token, deps.secureCookies);
            return { user: r.user, sessionId: r.sessionId } satisfies RedeemPairingAnswer;
        }
      },
    );
  };
