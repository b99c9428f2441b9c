import type { PrismaClient } from '../db/database.ts';
import { displayNameOf, type AuthService, type AuthUser } from './auth-service.ts';
import { newPairingCode, normalizePairingCode } from './pairing-code.ts';
import { hashToken } from './tokens.ts';

export const PAIRING_TTL_MS = 10 * 60 * 1000;
/** Used and expired codes are kept this long so that a second attempt hears "used"/"expired", not "unknown". */
export const PAIRING_RETENTION_MS = 24 * 60 * 60 * 1000;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type CreatePairingOutcome = { kind: 'created'; code: string; expiresAt: Date } | { kind: 'session_not_found' };

export type RedeemOutcome =
  | { kind: 'redeemed'; user: AuthUser; token: string; loginId: string; sessionId: string | null }
  | { kind: 'used' }
  | { kind: 'expired' }
  | { kind: 'not_found' };

/**
 * One-time codes that sign another device into the same account. Only the code's hash
 * is stored; redeeming marks it used in the same statement that checks it, so two
 * devices racing with one code cannot both get in.
 */
export class PairingService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly auth: AuthService,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async create(userId: string, sessionId?: string): Promise<CreatePairingOutcome> {
    if (sessionId !== undefined) {
      const owned = UUID.test(sessionId) && (await this.prisma.session.count({ where: { id: sessionId, userId } })) === 1;
      if (!owned) return { kind: 'session_not_found' };
    }
    const now = this.now();
    // Housekeeping on the way: codes are tiny and short-lived, so sweeping everyone's old ones here is cheap.
    await this.prisma.pairingCode.deleteMany({ where: { expiresAt: { lt: new Date(now.getTime() - PAIRING_RETENTION_MS) } } });
    const code = newPairingCode();
    const expiresAt = new Date(now.getTime() + PAIRING_TTL_MS);
    await this.prisma.pairingCode.create({ data: { userId, codeHash: hashToken(code), sessionId: sessionId ?? null, expiresAt } });
    return { kind: 'created', code, expiresAt };
  }

  async redeem(input: string, deviceName = ''): Promise<RedeemOutcome> {
    const code = normalizePairingCode(input);
    if (!code) return { kind: 'not_found' };
    const codeHash = hashToken(code);
    const now = this.now();
    const claimed = await this.prisma.pairingCode.updateMany({ where: { codeHash, usedAt: null, expiresAt: { gt: now } }, data: { usedAt: now } });
    if (claimed.count !== 1) {
      const row = await this.prisma.pairingCode.findUnique({ where: { codeHash }, select: { usedAt: true } });
      if (!row) return { kind: 'not_found' };
      return row.usedAt ? { kind: 'used' } : { kind: 'expired' };
    }
    const row = await this.prisma.pairingCode.findUniqueOrThrow({ where: { codeHash }, include: { user: true } });
    const { token, loginId } = await this.auth.startLoginWithId(row.userId, deviceName);
    // The session may have been deleted since the code was made; then the device just lands on the list.
    const sessionId = row.sessionId && (await this.prisma.session.count({ where: { id: row.sessionId, userId: row.userId } })) === 1 ? row.sessionId : null;
    return { kind: 'redeemed', user: { id: row.user.id, email: row.user.email, timeZone: row.user.timeZone, displayName: displayNameOf(row.user) }, token, loginId, sessionId };
  }
}
