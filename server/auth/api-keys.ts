import type { PrismaClient, SqlExecutor } from '../db/database.ts';
import { hashToken, newToken } from './tokens.ts';

/** Keys look like "fck_<43 url-safe chars>"; the prefix makes leaked keys easy to grep for. */
export const API_KEY_PREFIX = 'fck_';
/** A user may hold this many live keys; creating more is refused. */
export const MAX_API_KEYS_PER_USER = 50;

export interface ApiKeyView {
  id: string;
  createdAt: string;
}

export type CreateKeyOutcome = { kind: 'created'; id: string; key: string; createdAt: string } | { kind: 'too_many' };

/**
 * Bearer keys for the Durable Streams endpoint. Only SHA-256 hashes are stored (as for
 * login cookies, see tokens.ts); the key is returned once, at creation. Every request looks
 * the hash up, so a revoked key stops working on the very next request.
 */
export class ApiKeyService {
  constructor(
    private readonly prisma: PrismaClient,
    /** The per-request lookup goes through plain SQL (a prepared statement): Prisma costs more CPU than the query. */
    private readonly sql: SqlExecutor,
  ) {}

  async create(userId: string): Promise<CreateKeyOutcome> {
    const live = await this.prisma.apiKey.count({ where: { userId, revokedAt: null } });
    if (live >= MAX_API_KEYS_PER_USER) return { kind: 'too_many' };
    const key = `${API_KEY_PREFIX}${newToken()}`;
    const row = await this.prisma.apiKey.create({ data: { userId, keyHash: hashToken(key) } });
    return { kind: 'created', id: row.id, key, createdAt: row.createdAt.toISOString() };
  }

  async list(userId: string): Promise<ApiKeyView[]> {
    const rows = await this.prisma.apiKey.findMany({ where: { userId, revokedAt: null }, orderBy: { createdAt: 'desc' } });
    return rows.map((r) => ({ id: r.id, createdAt: r.createdAt.toISOString() }));
  }

  /** False when the key is unknown, already revoked or someone else's. */
  async revoke(userId: string, id: string): Promise<boolean> {
    const r = await this.prisma.apiKey.updateMany({ where: { id, userId, revokedAt: null }, data: { revokedAt: new Date() } });
    return r.count === 1;
  }

  /** The live key's account and id, or undefined. */
  async resolve(key: string): Promise<{ userId: string; keyId: string } | undefined> {
    if (!key.startsWith(API_KEY_PREFIX)) return undefined;
    const rows = await this.sql.query<{ id: string; userId: string }>(
      `SELECT id, "userId" FROM "ApiKey" WHERE "keyHash" = $1 AND "revokedAt" IS NULL`,
      [hashToken(key)],
      'api_key_resolve',
    );
    const row = rows[0];
    return row ? { userId: row.userId, keyId: row.id } : undefined;
  }

  async userForKey(key: string): Promise<string | undefined> {
    return (await this.resolve(key))?.userId;
  }

  /** Of these key ids, the revoked (or deleted) ones. */
  async revokedAmong(keyIds: string[]): Promise<string[]> {
    if (keyIds.length === 0) return [];
    const live = await this.prisma.apiKey.findMany({ where: { id: { in: keyIds }, revokedAt: null }, select: { id: true } });
    const liveIds = new Set(live.map((k) => k.id));
    return keyIds.filter((id) => !liveIds.has(id));
  }
}
