import { displayNameOf } from '../auth/auth-service.ts';
import type { Database } from '../db/database.ts';

export interface PartnerView {
  userId: string;
  displayName: string;
  createdAt: string;
}

/** `wasHolder`: the removed partner had taken the session over; the caller hands it back. */
export type RemoveOutcome = { kind: 'removed'; wasHolder: boolean } | { kind: 'not_found' };

/** `k:<sessionId>:<userId>` on the shared channel: every instance closes that partner's sockets. */
export const KICK_PREFIX = 'k:';

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
    await this.db.notify(`${KICK_PREFIX}${sessionId}:${partnerId}`);
    const held = await this.db.prisma.session.count({ where: { id: sessionId, handoffUserId: partnerId } });
    return { kind: 'removed', wasHolder: held === 1 };
  }
}

export function parseKick(payload: string): { sessionId: string; userId: string } | undefined {
  if (!payload.startsWith(KICK_PREFIX)) return undefined;
  const [sessionId, userId] = payload.slice(KICK_PREFIX.length).split(':');
  return sessionId && userId ? { sessionId, userId } : undefined;
}
