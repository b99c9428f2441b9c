import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultWeekKey } from '../../server/coach/offline-coach.ts';
import { resolveSessionWeek } from '../../server/coach/session-week.ts';
import type { Database } from '../../server/db/database.ts';
import { createUser, DB_KIND, openTestDatabase } from '../support/db.ts';

// The week a session works on is chosen at its first turn and then pinned on the row: every
// later turn, on any instance, must get the same week, even if the rule would now pick another.
describe(`session week pin (${DB_KIND})`, () => {
  let db: Database;
  let cleanup: () => Promise<void>;
  let userId: string;

  beforeAll(async () => {
    ({ db, cleanup } = await openTestDatabase());
    userId = await createUser(db);
    await db.prisma.user.update({ where: { id: userId }, data: { timeZone: 'Europe/Berlin' } });
  });
  afterAll(async () => cleanup());

  const session = (data: { kind?: string; weekKey?: string; createdAt?: Date }) => db.prisma.session.create({ data: { userId, ...data } });

  it('pins the rule’s week on the first turn, in the owner’s zone', async () => {
    // Friday 23:30 in UTC is already Saturday in Berlin, and planning on a Saturday plans the next week.
    const createdAt = new Date('2026-11-27T23:30:00Z');
    expect(defaultWeekKey('plan', createdAt.toISOString(), 'UTC')).toBe('2026-W48');
    const s = await session({ kind: 'plan', createdAt });
    const w = await resolveSessionWeek(db, s.id);
    expect(w).toEqual({ userId, kind: 'plan', weekKey: '2026-W49', timeZone: 'Europe/Berlin' });
    expect((await db.prisma.session.findUniqueOrThrow({ where: { id: s.id } })).weekKey).toBe('2026-W49');
  });

  it('keeps a pinned week, whatever the rule would pick now', async () => {
    const s = await session({ kind: 'review', weekKey: '2026-W40' });
    expect((await resolveSessionWeek(db, s.id))?.weekKey).toBe('2026-W40');
  });

  it('gives turns racing the first pin one week, the one stored', async () => {
    const s = await session({ kind: 'plan', createdAt: new Date('2026-11-25T09:00:00Z') });
    const all = await Promise.all(Array.from({ length: 6 }, () => resolveSessionWeek(db, s.id)));
    const stored = (await db.prisma.session.findUniqueOrThrow({ where: { id: s.id } })).weekKey;
    expect(stored).toMatch(/^\d{4}-W\d{2}$/);
    expect(new Set(all.map((w) => w?.weekKey))).toEqual(new Set([stored]));
  });

  it('does not overwrite a week pinned between its read and its write', async () => {
    const s = await session({ kind: 'plan', createdAt: new Date('2026-11-25T09:00:00Z') });
    // Another instance pins a different week after this turn read the row as unpinned.
    const read = db.sql.query.bind(db.sql);
    let raced = false;
    const racing = {
      query: async (text: string, params: unknown[], name?: string) => {
        const rows = await read(text, params, name);
        if (!raced) {
          raced = true;
          await db.prisma.session.update({ where: { id: s.id }, data: { weekKey: '2026-W01' } });
        }
        return rows;
      },
    } as Database['sql'];
    expect((await resolveSessionWeek({ sql: racing }, s.id))?.weekKey).toBe('2026-W01');
    expect((await db.prisma.session.findUniqueOrThrow({ where: { id: s.id } })).weekKey).toBe('2026-W01');
  });

  it('knows no week for a session that does not exist', async () => {
    expect(await resolveSessionWeek(db, '00000000-0000-4000-8000-000000000000')).toBeUndefined();
  });
});
