// The weekly plan as data, shared by the plan store, the coach tools, exports and the web app.

import type { BlockKindName } from '../contract/kinds.ts';

export type RockStatus = 'planned' | 'done' | 'dropped' | 'carried';
export type BlockKind = BlockKindName;

export interface Vision {
  work: string;
  self: string;
  relationships: string;
}

export interface Rock {
  id: string;
  title: string;
  status: RockStatus;
  position: number;
  /** Weeks this rock has already rolled over (0 = new this week). */
  carryCount: number;
  carriedFromId: string | null;
}

export interface TimeBlock {
  id: string;
  kind: BlockKind;
  title: string;
  /** ISO-8601 instants (UTC). */
  start: string;
  end: string;
  rockId: string | null;
}

export interface EnvironmentCommitment {
  id: string;
  text: string;
}

export interface Reflection {
  id: string;
  wentWell: string;
  timeNotes: string;
  drop: string;
  carryOver: string;
  createdAt: string;
}

/** The weekly review slot (ISO-8601 instants). */
export interface ReviewSlot {
  start: string;
  end: string;
}

export interface WeekPlan {
  /** ISO week key in the user's time zone, e.g. "2026-W48". */
  weekKey: string;
  timeZone: string;
  /** Grows by one on every change (0 = never written); writes may send it as If-Match. */
  version: number;
  /** null: the default Friday slot of the calendar export. */
  review: ReviewSlot | null;
  vision: Vision | null;
  rocks: Rock[];
  blocks: TimeBlock[];
  environment: EnvironmentCommitment[];
  reflections: Reflection[];
}

/** A typed result for plan changes: rejections carry a reason the model (or user) sees. */
export type PlanChange<T = WeekPlan> = { ok: true; value: T } | { ok: false; code: string; reason: string };
