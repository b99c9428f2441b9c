// Checks shared by every PlanStore adapter, so memory and SQL reject the same input the same way.
import type { RuleResult } from './rules.ts';
import { isValidTimeZone, parseWeekKey } from './week.ts';

export type Fail = { ok: false; code: string; reason: string };

export function rejected(r: RuleResult & { ok: false }): Fail {
  return { ok: false, code: r.code, reason: r.reason };
}

export function notFound(what: string): Fail {
  return { ok: false, code: 'not_found', reason: `That ${what} is not in this week’s plan (it may have been removed).` };
}

export function staleVersion(current: number): Fail {
  return { ok: false, code: 'plan_changed', reason: `The plan changed meanwhile (it is now at version ${current}); look at it again and retry.` };
}

/** Moves `id` to `position` (clamped) and numbers the whole list 0, 1, 2, … in the new order. */
export function reorder<T extends { id: string; position: number }>(items: readonly T[], id: string, position: number): Map<string, number> {
  const sorted = [...items].sort((a, b) => a.position - b.position);
  const from = sorted.findIndex((r) => r.id === id);
  if (from >= 0) {
    const [moved] = sorted.splice(from, 1);
    sorted.splice(Math.max(0, Math.min(sorted.length, position)), 0, moved!);
  }
  return new Map(sorted.map((r, i) => [r.id, i]));
}

export function checkRef(ref: { weekKey: string; timeZone: string }): Fail | null {
  if (!parseWeekKey(ref.weekKey)) return { ok: false, code: 'invalid_week', reason: `"${ref.weekKey}" is not a valid ISO week like "2026-W48".` };
  if (!isValidTimeZone(ref.timeZone)) return { ok: false, code: 'invalid_week', reason: `"${ref.timeZone}" is not a known time zone.` };
  return null;
}

// Stored instants are compared as strings elsewhere, so keep one canonical form; invalid
// input is left as is for checkBlock to reject with a reason.
export function normalizeInstant(instant: string): string {
  const ms = Date.parse(instant);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : instant;
}


export const REFLECTION_FIELDS = [
  ['wentWell', 'note on what went well'],
  ['timeNotes', 'note on where time went'],
  ['drop', 'note on what to drop'],
  ['carryOver', 'note on what carries over'],
] as const;
