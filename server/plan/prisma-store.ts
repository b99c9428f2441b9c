// PlanStore on Prisma (PGlite or PostgreSQL). Each write runs in one transaction that
// locks the week row first, then checks rules.ts against the plan as read under that
// lock — so two devices cannot both add a sixth rock.

import { randomUUID } from 'node:crypto';
import type { PrismaClient } from '../db/database.ts';
import {
  checkBlock,
  checkCarry,
  checkEnvironment,
  checkNewRock,
  checkRockCapacity,
  checkRockStatusChange,
  checkText,
  checkTitle,
  MAX_VISION_PART_CHARS,
} from './rules.ts';
import { checkRef, normalizeInstant, notFound, rejected, REFLECTION_FIELDS, type Fail } from './store-checks.ts';
import type { Created, PlanStore, WeekRef } from './store.ts';
import type { PlanChange, Vision, WeekPlan } from './types.ts';
import { parseWeekKey } from './week.ts';

type Tx = Parameters<Parameters<PrismaClient['$transaction']>[0]>[0];
type Db = PrismaClient | Tx;

async function loadPlan(db: Db, userId: string, weekKey: string, timeZone: string): Promise<WeekPlan> {
  const [week, vision] = await Promise.all([
    db.week.findUnique({
      where: { userId_weekKey: { userId, weekKey } },
      include: {
        rocks: { orderBy: { position: 'asc' } },
        blocks: { orderBy: [{ start: 'asc' }, { id: 'asc' }] },
        environment: { orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] },
        reflections: { orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] },
      },
    }),
    db.vision.findUnique({ where: { userId } }),
  ]);
  return {
    weekKey,
    timeZone: week?.timeZone ?? timeZone,
    vision: vision ? { work: vision.work, self: vision.self, relationships: vision.relationships } : null,
    rocks: (week?.rocks ?? []).map((r) => ({
      id: r.id,
      title: r.title,
      status: r.status as WeekPlan['rocks'][number]['status'],
      position: r.position,
      carryCount: r.carryCount,
      carriedFromId: r.carriedFromId,
    })),
    blocks: (week?.blocks ?? []).map((b) => ({
      id: b.id,
      kind: b.kind as WeekPlan['blocks'][number]['kind'],
      title: b.title,
      start: b.start.toISOString(),
      end: b.end.toISOString(),
      rockId: b.rockId,
    })),
    environment: (week?.environment ?? []).map((e) => ({ id: e.id, text: e.text })),
    reflections: (week?.reflections ?? []).map((r) => ({
      id: r.id,
      wentWell: r.wentWell,
      timeNotes: r.timeNotes,
      drop: r.drop,
      carryOver: r.carryOver,
      createdAt: r.createdAt.toISOString(),
    })),
  };
}

/** Creates the week row if missing (race-free, unlike a read-then-insert upsert) and locks it. */
async function lockWeek(tx: Tx, ref: WeekRef): Promise<string> {
  await tx.$executeRaw`
    INSERT INTO "Week" (id, "userId", "weekKey", "timeZone", "updatedAt")
    VALUES (${randomUUID()}, ${ref.userId}, ${ref.weekKey}, ${ref.timeZone}, now())
    ON CONFLICT ("userId", "weekKey") DO NOTHING`;
  const rows = await tx.$queryRaw<Array<{ id: string }>>`
    SELECT id FROM "Week" WHERE "userId" = ${ref.userId} AND "weekKey" = ${ref.weekKey} FOR UPDATE`;
  const row = rows[0];
  // The insert above guarantees the row; its absence is a database fault, not an outcome.
  if (!row) throw new Error(`Week row missing after insert: ${ref.weekKey}`);
  return row.id;
}

export function createPrismaPlanStore(prisma: PrismaClient): PlanStore {
  /** Creates the week if needed, takes its row lock, and hands over the plan as read under it. */
  async function withWeek<T>(ref: WeekRef, fn: (tx: Tx, weekId: string, plan: WeekPlan) => Promise<PlanChange<T> | Fail>): Promise<PlanChange<T>> {
    const bad = checkRef(ref);
    if (bad) return bad;
    return prisma.$transaction(async (tx) => {
      const weekId = await lockWeek(tx, ref);
      return fn(tx, weekId, await loadPlan(tx, ref.userId, ref.weekKey, ref.timeZone));
    });
  }

  const changed = async (tx: Tx, ref: WeekRef): Promise<PlanChange> => ({ ok: true, value: await loadPlan(tx, ref.userId, ref.weekKey, ref.timeZone) });
  const created = async (tx: Tx, ref: WeekRef, id: string): Promise<PlanChange<Created>> => ({
    ok: true,
    value: { plan: await loadPlan(tx, ref.userId, ref.weekKey, ref.timeZone), id },
  });
  const nextPosition = (plan: WeekPlan) => plan.rocks.reduce((max, r) => Math.max(max, r.position + 1), 0);

  return {
    async getWeek(userId, weekKey, timeZone) {
      if (!parseWeekKey(weekKey)) throw new RangeError(`Not a valid ISO week key: "${weekKey}"`);
      return loadPlan(prisma, userId, weekKey, timeZone);
    },

    async setVision(ref, vision: Vision) {
      const bad = checkRef(ref);
      if (bad) return bad;
      for (const part of ['work', 'self', 'relationships'] as const) {
        const r = checkText(vision[part], `vision for ${part}`, MAX_VISION_PART_CHARS);
        if (!r.ok) return rejected(r);
      }
      const data = { work: vision.work.trim(), self: vision.self.trim(), relationships: vision.relationships.trim() };
      await prisma.vision.upsert({ where: { userId: ref.userId }, create: { userId: ref.userId, ...data }, update: data });
      return { ok: true, value: await loadPlan(prisma, ref.userId, ref.weekKey, ref.timeZone) };
    },

    addRock: (ref, title) =>
      withWeek(ref, async (tx, weekId, plan) => {
        const r = checkNewRock(plan, title);
        if (!r.ok) return rejected(r);
        const rock = await tx.rock.create({ data: { weekId, title: title.trim(), position: nextPosition(plan) } });
        return created(tx, ref, rock.id);
      }),

    updateRock: (ref, rockId, patch) =>
      withWeek(ref, async (tx, _weekId, plan) => {
        const rock = plan.rocks.find((r) => r.id === rockId);
        if (!rock) return notFound('rock');
        if (patch.title !== undefined) {
          const r = checkTitle(patch.title, 'rock title');
          if (!r.ok) return rejected(r);
        }
        if (patch.status !== undefined && patch.status !== rock.status) {
          const r = checkRockStatusChange(plan, rock, patch.status);
          if (!r.ok) return rejected(r);
        }
        await tx.rock.update({
          where: { id: rockId },
          data: { ...(patch.title !== undefined ? { title: patch.title.trim() } : {}), ...(patch.status !== undefined ? { status: patch.status } : {}) },
        });
        return changed(tx, ref);
      }),

    removeRock: (ref, rockId) =>
      withWeek(ref, async (tx, _weekId, plan) => {
        if (!plan.rocks.some((r) => r.id === rockId)) return notFound('rock');
        // The schema's SetNull unlinks the rock's blocks.
        await tx.rock.delete({ where: { id: rockId } });
        return changed(tx, ref);
      }),

    addBlock: (ref, block) =>
      withWeek(ref, async (tx, weekId, plan) => {
        const candidate = { ...block, title: block.title.trim(), start: normalizeInstant(block.start), end: normalizeInstant(block.end) };
        const r = checkBlock(plan, candidate);
        if (!r.ok) return rejected(r);
        const stored = await tx.timeBlock.create({
          data: { weekId, kind: candidate.kind, title: candidate.title, start: new Date(candidate.start), end: new Date(candidate.end), rockId: candidate.rockId },
        });
        return created(tx, ref, stored.id);
      }),

    removeBlock: (ref, blockId) =>
      withWeek(ref, async (tx, _weekId, plan) => {
        if (!plan.blocks.some((b) => b.id === blockId)) return notFound('time block');
        await tx.timeBlock.delete({ where: { id: blockId } });
        return changed(tx, ref);
      }),

    addEnvironment: (ref, text) =>
      withWeek(ref, async (tx, weekId, plan) => {
        const r = checkEnvironment(plan, text);
        if (!r.ok) return rejected(r);
        const item = await tx.environmentCommitment.create({ data: { weekId, text: text.trim() } });
        return created(tx, ref, item.id);
      }),

    removeEnvironment: (ref, environmentId) =>
      withWeek(ref, async (tx, _weekId, plan) => {
        if (!plan.environment.some((e) => e.id === environmentId)) return notFound('environment change');
        await tx.environmentCommitment.delete({ where: { id: environmentId } });
        return changed(tx, ref);
      }),

    addReflection: (ref, reflection) =>
      withWeek(ref, async (tx, weekId) => {
        for (const [field, what] of REFLECTION_FIELDS) {
          const r = checkText(reflection[field], what);
          if (!r.ok) return rejected(r);
        }
        const stored = await tx.reflection.create({
          data: {
            weekId,
            wentWell: reflection.wentWell.trim(),
            timeNotes: reflection.timeNotes.trim(),
            drop: reflection.drop.trim(),
            carryOver: reflection.carryOver.trim(),
          },
        });
        return created(tx, ref, stored.id);
      }),

    async carryOver(from, toWeekKey, items) {
      const bad = checkRef(from) ?? checkRef({ weekKey: toWeekKey, timeZone: from.timeZone });
      if (bad) return bad;
      if (toWeekKey === from.weekKey) return { ok: false, code: 'invalid_week', reason: 'Rocks carry into a different week.' };
      if (items.length === 0) return { ok: false, code: 'not_carryable', reason: 'No rocks were named to carry over.' };
      const to: WeekRef = { userId: from.userId, weekKey: toWeekKey, timeZone: from.timeZone };
      return withWeek(from, async (tx, _fromId, source) => {
        const seen = new Map<string, number>();
        for (const item of items) seen.set(item.rockId, (seen.get(item.rockId) ?? 0) + 1);
        for (const item of items) {
          const rock = source.rocks.find((r) => r.id === item.rockId);
          if (!rock) return notFound('rock');
          if ((seen.get(item.rockId) ?? 0) > 1 && !item.title?.trim()) {
            return { ok: false, code: 'not_carryable', reason: `"${rock.title}" is listed more than once; to split it, give each part its own title.` };
          }
          const r = checkCarry(rock, item.title);
          if (!r.ok) return rejected(r);
        }
        // Lock order is always source week, then target week.
        const target = { id: await lockWeek(tx, to) };
        const targetPlan = await loadPlan(tx, to.userId, to.weekKey, to.timeZone);
        const cap = checkRockCapacity(targetPlan, items.length);
        if (!cap.ok) return rejected(cap);
        let position = nextPosition(targetPlan);
        for (const item of items) {
          const rock = source.rocks.find((r) => r.id === item.rockId)!;
          await tx.rock.create({
            data: { weekId: target.id, title: (item.title ?? rock.title).trim(), position: position++, carryCount: rock.carryCount + 1, carriedFromId: rock.id },
          });
        }
        await tx.rock.updateMany({ where: { id: { in: [...seen.keys()] } }, data: { status: 'carried' } });
        return changed(tx, to);
      });
    },
  };
}
