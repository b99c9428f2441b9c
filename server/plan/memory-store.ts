// In-memory PlanStore for tests and the no-database dev mode. Every method runs to
// completion without awaiting, so each write is atomic with respect to the others.

import {
  checkBlock,
  checkReviewSlot,
  checkCarry,
  checkEnvironment,
  checkNewRock,
  checkRockCapacity,
  checkRockStatusChange,
  checkText,
  checkTitle,
  MAX_VISION_PART_CHARS,
} from './rules.ts';
import type { CarryItem, Created, NewBlock, NewReflection, PlanStore, WeekRef } from './store.ts';
import type { EnvironmentCommitment, PlanChange, Reflection, ReviewSlot, Rock, RockStatus, TimeBlock, Vision, WeekPlan } from './types.ts';
import { parseWeekKey } from './week.ts';
import { checkRef, normalizeInstant, notFound, rejected, REFLECTION_FIELDS, reorder, staleVersion } from './store-checks.ts';

interface StoredWeek {
  timeZone: string;
  version: number;
  review: ReviewSlot | null;
  rocks: Rock[];
  blocks: TimeBlock[];
  environment: EnvironmentCommitment[];
  reflections: Reflection[];
}

export interface MemoryPlanStoreOptions {
  now?: () => Date;
  newId?: () => string;
}

export function createMemoryPlanStore(options: MemoryPlanStoreOptions = {}): PlanStore {
  const now = options.now ?? (() => new Date());
  const newId = options.newId ?? (() => crypto.randomUUID());
  const visions = new Map<string, Vision>();
  const weeks = new Map<string, StoredWeek>();

  const key = (userId: string, weekKey: string) => `${userId}\u0000${weekKey}`;

  function snapshot(userId: string, weekKey: string, timeZone: string): WeekPlan {
    const w = weeks.get(key(userId, weekKey));
    const vision = visions.get(userId);
    // structuredClone: callers must not be able to change stored state by mutating a result.
    return structuredClone({
      weekKey,
      timeZone: w?.timeZone ?? timeZone,
      version: w?.version ?? 0,
      review: w?.review ?? null,
      vision: vision ?? null,
      rocks: [...(w?.rocks ?? [])].sort((a, b) => a.position - b.position),
      blocks: [...(w?.blocks ?? [])].sort((a, b) => Date.parse(a.start) - Date.parse(b.start) || a.id.localeCompare(b.id)),
      environment: [...(w?.environment ?? [])],
      reflections: [...(w?.reflections ?? [])],
    });
  }

  function weekFor(ref: WeekRef): StoredWeek {
    const k = key(ref.userId, ref.weekKey);
    let w = weeks.get(k);
    if (!w) {
      w = { timeZone: ref.timeZone, version: 0, review: null, rocks: [], blocks: [], environment: [], reflections: [] };
      weeks.set(k, w);
    }
    return w;
  }

  function planOf(ref: WeekRef): WeekPlan {
    return snapshot(ref.userId, ref.weekKey, ref.timeZone);
  }

  function changed(ref: WeekRef): PlanChange {
    weekFor(ref).version++;
    return { ok: true, value: planOf(ref) };
  }

  function created(ref: WeekRef, id: string): PlanChange<Created> {
    weekFor(ref).version++;
    return { ok: true, value: { plan: planOf(ref), id } };
  }

  /** Bad week or zone, or a stale If-Match. */
  function refused(ref: WeekRef) {
    const bad = checkRef(ref);
    if (bad) return bad;
    const version = weeks.get(key(ref.userId, ref.weekKey))?.version ?? 0;
    return ref.ifVersion !== undefined && ref.ifVersion !== version ? staleVersion(version) : null;
  }

  function nextPosition(rocks: Rock[]): number {
    return rocks.reduce((max, r) => Math.max(max, r.position + 1), 0);
  }

  return {
    async getWeek(userId, weekKey, timeZone) {
      if (!parseWeekKey(weekKey)) throw new RangeError(`Not a valid ISO week key: "${weekKey}"`);
      return snapshot(userId, weekKey, timeZone);
    },

    async setVision(ref, vision) {
      const bad = refused(ref);
      if (bad) return bad;
      for (const part of ['work', 'self', 'relationships'] as const) {
        const r = checkText(vision[part], `vision for ${part}`, MAX_VISION_PART_CHARS);
        if (!r.ok) return rejected(r);
      }
      visions.set(ref.userId, { work: vision.work.trim(), self: vision.self.trim(), relationships: vision.relationships.trim() });
      return changed(ref);
    },

    async addRock(ref, title) {
      const bad = refused(ref);
      if (bad) return bad;
      const r = checkNewRock(planOf(ref), title);
      if (!r.ok) return rejected(r);
      const w = weekFor(ref);
      const rock: Rock = { id: newId(), title: title.trim(), status: 'planned', position: nextPosition(w.rocks), carryCount: 0, carriedFromId: null };
      w.rocks.push(rock);
      return created(ref, rock.id);
    },

    async updateRock(ref, rockId, patch) {
      const bad = refused(ref);
      if (bad) return bad;
      const w = weeks.get(key(ref.userId, ref.weekKey));
      const rock = w?.rocks.find((r) => r.id === rockId);
      if (!w || !rock) return notFound('rock');
      if (patch.title !== undefined) {
        const r = checkTitle(patch.title, 'rock title');
        if (!r.ok) return rejected(r);
      }
      if (patch.status !== undefined && patch.status !== rock.status) {
        const r = checkRockStatusChange(planOf(ref), rock, patch.status);
        if (!r.ok) return rejected(r);
      }
      if (patch.title !== undefined) rock.title = patch.title.trim();
      if (patch.status !== undefined) rock.status = patch.status as RockStatus;
      if (patch.position !== undefined) {
        const order = reorder(w.rocks, rockId, patch.position);
        for (const r of w.rocks) r.position = order.get(r.id) ?? r.position;
      }
      return changed(ref);
    },

    async removeRock(ref, rockId) {
      const bad = refused(ref);
      if (bad) return bad;
      const w = weeks.get(key(ref.userId, ref.weekKey));
      if (!w || !w.rocks.some((r) => r.id === rockId)) return notFound('rock');
      w.rocks = w.rocks.filter((r) => r.id !== rockId);
      for (const b of w.blocks) if (b.rockId === rockId) b.rockId = null;
      return changed(ref);
    },

    async addBlock(ref, block: NewBlock) {
      const bad = refused(ref);
      if (bad) return bad;
      const candidate = { ...block, title: block.title.trim(), start: normalizeInstant(block.start), end: normalizeInstant(block.end) };
      const r = checkBlock(planOf(ref), candidate);
      if (!r.ok) return rejected(r);
      const stored: TimeBlock = { id: newId(), ...candidate };
      weekFor(ref).blocks.push(stored);
      return created(ref, stored.id);
    },

    async updateBlock(ref, blockId, patch) {
      const bad = refused(ref);
      if (bad) return bad;
      const w = weeks.get(key(ref.userId, ref.weekKey));
      const block = w?.blocks.find((b) => b.id === blockId);
      if (!w || !block) return notFound('time block');
      const candidate = {
        kind: patch.kind ?? block.kind,
        title: (patch.title ?? block.title).trim(),
        start: normalizeInstant(patch.start ?? block.start),
        end: normalizeInstant(patch.end ?? block.end),
        rockId: patch.rockId === undefined ? block.rockId : patch.rockId,
      };
      const r = checkBlock(planOf(ref), candidate, blockId);
      if (!r.ok) return rejected(r);
      Object.assign(block, candidate);
      return changed(ref);
    },

    async setReview(ref, slot) {
      const bad = refused(ref);
      if (bad) return bad;
      const candidate = { start: normalizeInstant(slot.start), end: normalizeInstant(slot.end) };
      const r = checkReviewSlot(planOf(ref), candidate);
      if (!r.ok) return rejected(r);
      weekFor(ref).review = candidate;
      return changed(ref);
    },

    async removeBlock(ref, blockId) {
      const bad = refused(ref);
      if (bad) return bad;
      const w = weeks.get(key(ref.userId, ref.weekKey));
      if (!w || !w.blocks.some((b) => b.id === blockId)) return notFound('time block');
      w.blocks = w.blocks.filter((b) => b.id !== blockId);
      return changed(ref);
    },

    async addEnvironment(ref, text) {
      const bad = refused(ref);
      if (bad) return bad;
      const r = checkEnvironment(planOf(ref), text);
      if (!r.ok) return rejected(r);
      const item = { id: newId(), text: text.trim() };
      weekFor(ref).environment.push(item);
      return created(ref, item.id);
    },

    async removeEnvironment(ref, environmentId) {
      const bad = refused(ref);
      if (bad) return bad;
      const w = weeks.get(key(ref.userId, ref.weekKey));
      if (!w || !w.environment.some((e) => e.id === environmentId)) return notFound('environment change');
      w.environment = w.environment.filter((e) => e.id !== environmentId);
      return changed(ref);
    },

    async addReflection(ref, reflection: NewReflection) {
      const bad = refused(ref);
      if (bad) return bad;
      for (const [field, what] of REFLECTION_FIELDS) {
        const r = checkText(reflection[field], what);
        if (!r.ok) return rejected(r);
      }
      const stored: Reflection = {
        id: newId(),
        wentWell: reflection.wentWell.trim(),
        timeNotes: reflection.timeNotes.trim(),
        drop: reflection.drop.trim(),
        carryOver: reflection.carryOver.trim(),
        createdAt: now().toISOString(),
      };
      weekFor(ref).reflections.push(stored);
      return created(ref, stored.id);
    },

    async carryOver(from, toWeekKey, items: CarryItem[]) {
      const bad = refused(from) ?? checkRef({ weekKey: toWeekKey, timeZone: from.timeZone });
      if (bad) return bad;
      if (toWeekKey === from.weekKey) return { ok: false, code: 'invalid_week', reason: 'Rocks carry into a different week.' };
      if (items.length === 0) return { ok: false, code: 'not_carryable', reason: 'No rocks were named to carry over.' };
      const source = weeks.get(key(from.userId, from.weekKey));
      const seen = new Map<string, number>();
      for (const item of items) seen.set(item.rockId, (seen.get(item.rockId) ?? 0) + 1);
      for (const item of items) {
        const rock = source?.rocks.find((r) => r.id === item.rockId);
        if (!rock) return notFound('rock');
        if ((seen.get(item.rockId) ?? 0) > 1 && !item.title?.trim()) {
          return { ok: false, code: 'not_carryable', reason: `"${rock.title}" is listed more than once; to split it, give each part its own title.` };
        }
        const r = checkCarry(rock, item.title);
        if (!r.ok) return rejected(r);
      }
      const to: WeekRef = { userId: from.userId, weekKey: toWeekKey, timeZone: from.timeZone };
      const cap = checkRockCapacity(planOf(to), items.length);
      if (!cap.ok) return rejected(cap);

      const target = weekFor(to);
      for (const item of items) {
        const rock = source!.rocks.find((r) => r.id === item.rockId)!;
        target.rocks.push({
          id: newId(),
          title: (item.title ?? rock.title).trim(),
          status: 'planned',
          position: nextPosition(target.rocks),
          carryCount: rock.carryCount + 1,
          carriedFromId: rock.id,
        });
      }
      for (const item of items) source!.rocks.find((r) => r.id === item.rockId)!.status = 'carried';
      source!.version++;
      return changed(to);
    },
  };
}
