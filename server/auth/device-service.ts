import type { PrismaClient } from '../db/database.ts';

export interface DeviceView {
  id: string;
  deviceName: string;
  createdAt: string;
  lastSeenAt: string;
  /** The device asking. */
  current: boolean;
}

export type RevokeOutcome = { kind: 'revoked' } | { kind: 'not_found' };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A user with more devices than this sees the most recently active ones. */
export const MAX_DEVICES_LISTED = 200;

/** "Your devices": the signed-in logins of one user, and signing one of them out. */
export class DeviceService {
  constructor(private readonly prisma: PrismaClient) {}

  async list(userId: string, currentLoginId: string): Promise<DeviceView[]> {
    const rows = await this.prisma.loginSession.findMany({
      where: { userId, revokedAt: null },
      orderBy: { lastSeenAt: 'desc' },
      take: MAX_DEVICES_LISTED,
    });
    return rows.map((r) => ({
      id: r.id,
      deviceName: r.deviceName,
      createdAt: r.createdAt.toISOString(),
      lastSeenAt: r.lastSeenAt.toISOString(),
      current: r.id === currentLoginId,
    }));
  }

  /** Another user's device is not_found, like a missing one. */
  async revoke(userId: string, loginId: string): Promise<RevokeOutcome> {
    if (!UUID.test(loginId)) return { kind: 'not_found' };
    const r = await this.prisma.loginSession.updateMany({ where: { id: loginId, userId, revokedAt: null }, data: { revokedAt: new Date() } });
    return r.count === 1 ? { kind: 'revoked' } : { kind: 'not_found' };
  }

  /** Of these logins, the ones revoked (or deleted) by now. */
  async revokedAmong(loginIds: string[]): Promise<string[]> {
    if (loginIds.length === 0) return [];
    const live = await this.prisma.loginSession.findMany({ where: { id: { in: loginIds }, revokedAt: null }, select: { id: true } });
    const liveIds = new Set(live.map((l) => l.id));
    return loginIds.filter((id) => !liveIds.has(id));
  }
}
