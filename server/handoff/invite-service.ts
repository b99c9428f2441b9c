import type { PrismaClient } from '../db/database.ts';
import { hashToken } from '../auth/tokens.ts';
import { INVITE_TTL_MS, newInviteCode, normalizeInviteCode } from './invite-code.ts';

export type CreateInviteOutcome = { kind: 'created'; code: string; expiresAt: Date } | { kind: 'not_found' };
export type RedeemInviteOutcome = { kind: 'joined'; sessionId: string } | { kind: 'not_found' } | { kind: 'used' } | { kind: 'expired' };

/** One-time invites into a session, stored hashed; redeeming makes the caller a partner. */
export class InviteService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async create(ownerId: string, sessionId: string): Promise<CreateInviteOutcome> {
    if ((await this.prisma.session.count({ where: { id: sessionId, userId: ownerId } })) !== 1) return { kind: 'not_found' };
    const code = newInviteCode();
    const expiresAt = new Date(this.now().getTime() + INVITE_TTL_MS);
    await this.prisma.sessionInvite.create({ data: { sessionId, codeHash: hashToken(code), expiresAt } });
    return { kind: 'created', code, expiresAt };
  }

  async redeem(userId: string, input: string): Promise<RedeemInviteOutcome> {
    const code = normalizeInviteCode(input);
    if (!code) return { kind: 'not_found' };
    const codeHash = hashToken(code);
    const invite = await this.prisma.sessionInvite.findUnique({ where: { codeHash }, include: { session: { select: { userId: true } } } });
    if (!invite) return { kind: 'not_found' };
    // The owner opening their own link (to check it) does not use it up.
    if (invite.session.userId === userId) return invite.usedAt ? { kind: 'used' } : { kind: 'joined', sessionId: invite.sessionId };
    const now = this.now();
    // Claimed atomically: of two people racing for one code, exactly one joins.
    return this.prisma.$transaction(async (tx) => {
      const claimed = await tx.sessionInvite.updateMany({ where: { codeHash, usedAt: null, expiresAt: { gt: now } }, data: { usedAt: now, usedBy: userId } });
      if (claimed.count !== 1) {
        const row = await tx.sessionInvite.findUnique({ where: { codeHash }, select: { usedAt: true } });
        return row?.usedAt ? { kind: 'used' as const } : { kind: 'expired' as const };
      }
      await tx.sessionPartner.upsert({
        where: { sessionId_userId: { sessionId: invite.sessionId, userId } },
        create: { sessionId: invite.sessionId, userId },
        update: {},
      });
      return { kind: 'joined' as const, sessionId: invite.sessionId };
    });
  }
}
