import { displayNameOf } from '../auth/auth-service.ts';
import type { Database } from '../db/database.ts';
import { encodePartnerRemoved } from '../db/notify-registry.ts';

export interface PartnerView {
  userId: string;
  displayName: string;
  createdAt: string;
}

/** `wasHolder`: the removed partner had taken the session over; the caller hands it back. */
export type RemoveOutcome = { kind: 'removed'; wasHolder: boolean } | { kind: 'not_found' };


/** The owner's side of sharing: who the partners are, and removing one. */
export class PartnerService {
  constructor(private readonly db: Pick<Database, 'prisma' | 'notify'>) {}

  async list(ownerId: string, sessionId: string): Promise<PartnerView[] | undefined> {
    const session = await this.db.prisma.session.findFirst({
      where: { id: sessionId, userId: ownerId },
      select: { partners: { include: { user: { select: { email: true, displayName: true } } }, orderBy: { createdAt: 'asc' } } },
    });
    if (!session) return undefined;
    return session.partners.map((p) => ({ userId: p.userId, displayName: displayNameOf(p.user), createdAt: p.createdAt.toISOString() }));
  }

  /**
   * Removes the partner; their access ends with this statement (every later request is
   * 404) and their open sockets are closed on every instance.
   */
  async remove(ownerId: string, sessionId: string, partnerId: string): Promise<RemoveOutcome> {
    if ((await this.db.prisma.session.count({ where: { id: sessionId, userId: ownerId } })) !== 1) return { kind: 'not_found' };
    const r = await this.db.prisma.sessionPartner.deleteMany({ where: { sessionId, userId: partnerId } });
    if (r.count !== 1) return { kind: 'not_found' };
    // Every instance closes that partner's sockets on this session (notify-registry.ts, `k:`).
    await this.db.notify(encodePartnerRemoved(sessionId, partnerId));
    const held = await this.db.prisma.session.count({ where: { id: sessionId, handoffUserId: partnerId } });
    return { kind: 'removed', wasHolder: held === 1 };
  }
}
