import type { PrismaClient } from '../db/database.ts';
import { hashToken, newToken } from '../auth/tokens.ts';

export interface FeedView {
  id: string;
  createdAt: string;
}

/** Private calendar subscription URLs: a random token whose hash is stored; revocable. */
export class FeedService {
  constructor(private readonly prisma: PrismaClient) {}

  async create(userId: string): Promise<FeedView & { token: string }> {
    const token = newToken();
    const feed = await this.prisma.calendarFeed.create({ data: { userId, tokenHash: hashToken(token) } });
    return { id: feed.id, createdAt: feed.createdAt.toISOString(), token };
  }

  async list(userId: string): Promise<FeedView[]> {
    const feeds = await this.prisma.calendarFeed.findMany({ where: { userId, revokedAt: null }, orderBy: { createdAt: 'asc' } });
    return feeds.map((f) => ({ id: f.id, createdAt: f.createdAt.toISOString() }));
  }

  /** Returns false when the feed is not the user's (or already revoked). */
  async revoke(userId: string, id: string): Promise<boolean> {
    const r = await this.prisma.calendarFeed.updateMany({ where: { id, userId, revokedAt: null }, data: { revokedAt: new Date() } });
    return r.count === 1;
  }

  async userForToken(token: string): Promise<string | undefined> {
    const feed = await this.prisma.calendarFeed.findUnique({ where: { tokenHash: hashToken(token) } });
    return feed && !feed.revokedAt ? feed.userId : undefined;
  }
}
