import { createHash } from 'node:crypto';
import type { Database, PrismaClient } from '../db/database.ts';
import { isValidTimeZone } from '../plan/week.ts';
import type { CoachFlow } from './conversation.ts';
import { defaultWeekKey } from './offline-coach.ts';

export interface SessionWeek {
  userId: string;
  kind: CoachFlow;
  weekKey: string;
  timeZone: string;
}

/**
 * The week a session works on. Chosen once (weekend planning plans next week, an early-week
 * review looks back) and pinned on the session row, so every turn on every instance agrees.
 */
export async function resolveSessionWeek(db: Pick<Database, 'sql'>, sessionId: string): Promise<SessionWeek | undefined> {
  // Every turn starts with this: one prepared statement (Prisma's include was two queries).
  const rows = await db.sql.query<{ userId: string; kind: string; weekKey: string | null; createdAt: Date; timeZone: string }>(
    `
    SELECT s."userId", s.kind, s."weekKey", s."createdAt", u."timeZone"
    FROM "Session" s JOIN "User" u ON u.id = s."userId" WHERE s.id = $1`,
    [sessionId],
    'fc_session_week',
  );
  const s = rows[0];
  if (!s) return undefined;
  const kind: CoachFlow = s.kind === 'review' ? 'review' : 'plan';
  const timeZone = isValidTimeZone(s.timeZone) ? s.timeZone : 'UTC';
  if (s.weekKey) return { userId: s.userId, kind, weekKey: s.weekKey, timeZone };
  const weekKey = defaultWeekKey(kind, new Date(s.createdAt).toISOString(), timeZone);
  // The first turn pins it; a turn racing it on another instance keeps whichever landed first.
  const pinned = await db.sql.query<{ weekKey: string | null }>(
    `UPDATE "Session" SET "weekKey" = COALESCE("weekKey", $2) WHERE id = $1 RETURNING "weekKey"`,
    [sessionId, weekKey],
    'fc_session_week_pin',
  );
  return { userId: s.userId, kind, weekKey: pinned[0]?.weekKey ?? weekKey, timeZone };
}

export async function userTimeZone(prisma: PrismaClient, userId: string): Promise<string> {
  const u = await prisma.user.findUnique({ where: { id: userId }, select: { timeZone: true } });
  return u && isValidTimeZone(u.timeZone) ? u.timeZone : 'UTC';
}

/** A stable, non-secret owner key for calendar UIDs (the raw user id never leaves the server in UIDs). */
export const ownerKeyFor = (userId: string) => createHash('sha256').update(`focus-coach:${userId}`).digest('hex').slice(0, 16);
