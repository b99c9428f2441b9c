// The plan storage port. Adapters: memory (server/plan/memory-store.ts) and Prisma; both
// must pass test/contract/plan-store.contract.ts.
//
// Adapters apply the pure rules from rules.ts to the plan as read inside their own write
// (a transaction for SQL), so the limits hold under concurrent writers too. Rejections are
// returned as PlanChange {ok:false, code, reason}, never thrown; throwing is for faults.
//
// Every accepted write adds one to the week's `version` in the same transaction (a carry-over
// changes two weeks and bumps both); a write whose ref carries `ifVersion` is refused with
// `plan_changed` when the week has moved on.

import type { BlockKind, PlanChange, Reflection, ReviewSlot, RockStatus, Vision, WeekPlan } from './types.ts';

/** Identifies one user's week. A write creates the week row (with this zone) when missing. */
export interface WeekRef {
  userId: string;
  weekKey: string;
  timeZone: string;
  /** If-Match: the write is refused with `plan_changed` unless the plan is at this version. */
  ifVersion?: number;
}

export interface NewBlock {
  kind: BlockKind;
  title: string;
  /** ISO-8601 instants. */
  start: string;
  end: string;
  rockId: string | null;
}

export type NewReflection = Omit<Reflection, 'id' | 'createdAt'>;

/** One rock to roll over. A `title` carries a shrunk version; the same rock twice with two titles splits it. */
export interface CarryItem {
  rockId: string;
  title?: string;
}

/** A change that created something: the plan afterwards and the new item's id. */
export interface Created {
  plan: WeekPlan;
  id: string;
}

/** A change to a block; `rockId: null` unlinks it. */
export interface BlockPatch {
  kind?: BlockKind;
  title?: string;
  start?: string;
  end?: string;
  rockId?: string | null;
}

/** `position` moves the rock to that place (0 = first) in the week's order. */
export interface RockPatch {
  title?: string;
  status?: RockStatus;
  position?: number;
}

/** Plan-store error codes beyond the rule codes in rules.ts. */
export type StoreCode = 'not_found' | 'invalid_week' | 'plan_changed';

export interface PlanStore {
  /** The week's plan; an empty plan (nothing stored) if the user has not planned it yet. */
  getWeek(userId: string, weekKey: string, timeZone: string): Promise<WeekPlan>;
  /** The vision belongs to the user, not the week; returns the week's plan for convenience. */
  setVision(ref: WeekRef, vision: Vision): Promise<PlanChange>;
  addRock(ref: WeekRef, title: string): Promise<PlanChange<Created>>;
  updateRock(ref: WeekRef, rockId: string, patch: RockPatch): Promise<PlanChange>;
  /** Blocks linked to the rock stay, unlinked (rockId null). */
  removeRock(ref: WeekRef, rockId: string): Promise<PlanChange>;
  addBlock(ref: WeekRef, block: NewBlock): Promise<PlanChange<Created>>;
  /** The changed block is checked like a new one, against every other block. */
  updateBlock(ref: WeekRef, blockId: string, patch: BlockPatch): Promise<PlanChange>;
  removeBlock(ref: WeekRef, blockId: string): Promise<PlanChange>;
  /** The weekly review slot (exported in the .ics instead of the default Friday slot). */
  setReview(ref: WeekRef, slot: ReviewSlot): Promise<PlanChange>;
  addEnvironment(ref: WeekRef, text: string): Promise<PlanChange<Created>>;
  removeEnvironment(ref: WeekRef, environmentId: string): Promise<PlanChange>;
  addReflection(ref: WeekRef, reflection: NewReflection): Promise<PlanChange<Created>>;
  /**
   * Rolls unfinished rocks of `from` into `toWeekKey` (same user and zone), all or nothing:
   * each source rock becomes "carried"; each new rock is "planned" with carryCount + 1 and
   * carriedFromId set. Returns the target week's plan.
   */
  carryOver(from: WeekRef, toWeekKey: string, items: CarryItem[]): Promise<PlanChange>;
}
