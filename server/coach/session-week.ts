import { createHash } from 'node:crypto';
import type { PrismaClient } from '../db/database.ts';
import { isValidTimeZone } from '../plan/week.ts';
import type { CoachFlow } from './conversation.ts';
import { defaultWeekKey } from './offline-coach.ts';

export interface SessionWeek {
  kind: CoachFlow;
  weekKey: string;
  timeZone: string;
}

/**
 * The week a session works on. Chosen once (weekend planning plans next week, an early-week
 * review looks back) and pinned on the session row, so every turn on every instance agrees.
 */
export async function resolveSessionWeek(prisma: PrismaClient, sessionId: string): Promise<SessionWeek | undefined> {
  const s = await prisma.session.findUnique({ where: { id: sessionId }, include: { user: { select: { timeZone: true } } } });
  if (!s) return undefined;
  const kind: CoachFlow = s.kind === 'review' ? 'review' : 'plan';
  const timeZone = isValidTimeZone(s.user.timeZone) ? s.user.timeZone : 'UTC';
  if (s.weekKey) return { kind, weekKey: s.weekKey, timeZone };
  const weekKey = defaultWeekKey(kind, s.createdAt.toISOString(), timeZone);
  await prisma.session.updateMany({ where: { id: sessionId, weekKey: null }, data: { weekKey } });
  const pinned = await prisma.session.findUnique({ where: { id: sessionId }, select: { weekKey: true } });
  return { kind, weekKey: pinned?.weekKey ?? weekKey, timeZone };
}

export async function userTimeZone(prisma: PrismaClient, userId: string): Promise<string> {
  const u = await prisma.user.findUnique({ where: { id: userId }, select: { timeZone: true } });
  return u && isValidTimeZone(u.timeZone) ? u.timeZone : 'UTC';
}

/** A stable, non-secret owner key for calendar UIDs (the raw user id never leaves the server in UIDs). */
export const ownerKeyFor = (userId: string) => createHash('sha256').update(`focus-coach:${userId}`).digest('hex').slice(0, 16);
