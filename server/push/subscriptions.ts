import type { PrismaClient } from '../db/database.ts';
import { isAllowedPushEndpoint } from './endpoint-policy.ts';

export interface SubscriptionInput {
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

export interface StoredSubscription {
  id: string;
  endpoint: string;
  p256dh: string;
  auth: string;
}

export interface SubscriptionView {
  id: string;
  /** The push service's origin (which browser vendor delivers it); the full endpoint is a capability and stays private. */
  service: string;
  createdAt: string;
}

export type AddOutcome = { kind: 'added'; id: string } | { kind: 'invalid'; field: string; message: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** An uncompressed P-256 point (65 bytes) and a 16-byte secret, as RFC 8291 requires. */
const P256DH_BYTES = 65;
const AUTH_BYTES = 16;

function base64urlBytes(s: string): Buffer | undefined {
  if (!/^[A-Za-z0-9_-]+=*$/.test(s)) return undefined;
  return Buffer.from(s.replace(/=+$/, ''), 'base64url');
}

/** Browsers' push subscriptions, one per endpoint, each tied to the device (login) that made it. */
export class PushSubscriptions {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly allowedOrigins: readonly string[],
  ) {}

  async add(userId: string, loginId: string, input: SubscriptionInput): Promise<AddOutcome> {
    if (!isAllowedPushEndpoint(input.endpoint, this.allowedOrigins)) {
      return { kind: 'invalid', field: 'endpoint', message: 'body.endpoint is not on a push service this server sends to' };
    }
    const p256dh = base64urlBytes(input.keys.p256dh);
    if (!p256dh || p256dh.length !== P256DH_BYTES || p256dh[0] !== 0x04) {
      return { kind: 'invalid', field: 'keys/p256dh', message: 'body.keys.p256dh must be an uncompressed P-256 public key (65 bytes, base64url)' };
    }
    const auth = base64urlBytes(input.keys.auth);
    if (!auth || auth.length !== AUTH_BYTES) return { kind: 'invalid', field: 'keys/auth', message: 'body.keys.auth must be 16 bytes, base64url' };
    // One endpoint is one browser profile: subscribing again (or as someone else after a
    // sign-out on a shared computer) moves it rather than duplicating it.
    const row = await this.prisma.pushSubscription.upsert({
      where: { endpoint: input.endpoint },
      create: { userId, loginId, endpoint: input.endpoint, p256dh: input.keys.p256dh, auth: input.keys.auth },
      update: { userId, loginId, p256dh: input.keys.p256dh, auth: input.keys.auth },
    });
    return { kind: 'added', id: row.id };
  }

  async remove(userId: string, id: string): Promise<boolean> {
    if (!UUID.test(id)) return false;
    return (await this.prisma.pushSubscription.deleteMany({ where: { id, userId } })).count === 1;
  }

  /** Where a user's notifications go: subscriptions of devices still signed in. */
  async forUser(userId: string): Promise<StoredSubscription[]> {
    return this.prisma.pushSubscription.findMany({
      where: { userId, login: { revokedAt: null } },
      select: { id: true, endpoint: true, p256dh: true, auth: true },
      orderBy: { createdAt: 'asc' },
    });
  }

  async hasAny(userId: string): Promise<boolean> {
    return (await this.prisma.pushSubscription.count({ where: { userId, login: { revokedAt: null } } })) > 0;
  }

  /** For the devices list: each device's subscriptions. */
  async byLogin(userId: string): Promise<Map<string, SubscriptionView[]>> {
    const rows = await this.prisma.pushSubscription.findMany({ where: { userId }, orderBy: { createdAt: 'asc' } });
    const out = new Map<string, SubscriptionView[]>();
    for (const r of rows) {
      if (!r.loginId) continue;
      const list = out.get(r.loginId) ?? [];
      list.push({ id: r.id, service: new URL(r.endpoint).origin, createdAt: r.createdAt.toISOString() });
      out.set(r.loginId, list);
    }
    return out;
  }

  /** The push service says this subscription is gone (404/410): stop sending to it. */
  async forget(id: string): Promise<void> {
    await this.prisma.pushSubscription.deleteMany({ where: { id } });
  }

  /** A signed-out device gets no more notifications. */
  async removeForLogins(loginIds: string[]): Promise<void> {
    if (loginIds.length) await this.prisma.pushSubscription.deleteMany({ where: { loginId: { in: loginIds } } });
  }
}
