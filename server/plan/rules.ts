// Pure plan rules. Stores apply them inside their write (so two tabs can't both add a sixth
// rock) and the coach relays the `reason` verbatim, so reasons are written for a person.

import type { PlanRuleCode } from '../contract/kinds.ts';
import { MAX_ACTIVE_ROCKS, MAX_PLAN_TITLE_CHARS, MAX_VISION_PART_CHARS } from '../contract/limits.ts';
import type { BlockKind, Rock, WeekPlan } from './types.ts';
import { weekBounds } from './week.ts';

export { MAX_ACTIVE_ROCKS, MAX_PLAN_TITLE_CHARS, MAX_VISION_PART_CHARS };
export const MIN_SUGGESTED_ROCKS = 3;
export const MIN_DEEP_WORK_MINUTES = 45;
export const MAX_NOTE_CHARS = 2000;
export const MAX_ENVIRONMENT_CHANGES = 3;
export const MAX_BLOCKS_PER_WEEK = 60;
/** A rock that has already rolled over this many times must be shrunk, split or dropped. */
export const MAX_CARRY_COUNT = 2;
/** The Friday review the person scheduled is stored as an "other" block with this title; the .ics export reads its time from it. */
export const REVIEW_BLOCK_TITLE = 'Friday review';

export const MAX_REVIEW_MINUTES = 240;

const MS_PER_MINUTE = 60_000;

export type RuleResult = { ok: true } | { ok: false; code: RuleCode; reason: string };

/** The 422 codes of server/contract (PLAN_RULE_CODES). */
export type RuleCode = PlanRuleCode;

const OK: RuleResult = { ok: true };

function fail(code: RuleCode, reason: string): RuleResult {
  return { ok: false, code, reason };
}

export function isActiveRock(rock: Rock): boolean {
  return rock.status === 'planned' || rock.status === 'done';
}

export function activeRocks(plan: WeekPlan): Rock[] {
  return plan.rocks.filter(isActiveRock).sort((a, b) => a.position - b.position);
}

export function checkTitle(title: string, what = 'title'): RuleResult {
  const t = title.trim();
  if (t.length === 0) return fail('title_empty', `The ${what} is empty — give it a few words.`);
  if (t.length > MAX_PLAN_TITLE_CHARS) {
    return fail('title_too_long', `The ${what} is ${t.length} characters; keep it under ${MAX_PLAN_TITLE_CHARS} so it fits on a calendar.`);
  }
  return OK;
}

export function checkText(text: string, what: string, max = MAX_NOTE_CHARS): RuleResult {
  if (text.length > max) return fail('text_too_long', `The ${what} is ${text.length} characters; keep it under ${max}.`);
  return OK;
}

/** Adding `count` rocks that will be active. */
export function checkRockCapacity(plan: WeekPlan, count = 1): RuleResult {
  const active = activeRocks(plan).length;
  if (active + count > MAX_ACTIVE_ROCKS) {
    const room = MAX_ACTIVE_ROCKS - active;
    return fail(
      'too_many_rocks',
      `A week holds at most ${MAX_ACTIVE_ROCKS} big rocks — this week already has ${active}` +
        (room > 0 ? `, so there is room for ${room} more` : '') +
        '. Drop or finish one first, or treat it as a pebble that fits around the rocks.',
    );
  }
  return OK;
}

export function checkNewRock(plan: WeekPlan, title: string): RuleResult {
  const t = checkTitle(title, 'rock title');
  return t.ok ? checkRockCapacity(plan) : t;
}

/** Reactivating a dropped rock counts against the limit; other status changes don't. */
export function checkRockStatusChange(plan: WeekPlan, rock: Rock, status: Rock['status']): RuleResult {
  if (status === 'carried') {
    return fail('invalid_status', 'A rock becomes "carried" only by carrying it over to next week (carry_over_rocks).');
  }
  if (rock.status === 'carried') {
    return fail('invalid_status', `"${rock.title}" was already carried into next week; change it there instead.`);
  }
  const becomesActive = (status === 'planned' || status === 'done') && !isActiveRock(rock);
  return becomesActive ? checkRockCapacity(plan) : OK;
}

export interface BlockCandidate {
  kind: BlockKind;
  title: string;
  start: string;
  end: string;
  rockId: string | null;
}

function minutesBetween(start: string, end: string): number {
  return (Date.parse(end) - Date.parse(start)) / MS_PER_MINUTE;
}

function overlaps(a: { start: string; end: string }, b: { start: string; end: string }): boolean {
  return Date.parse(a.start) < Date.parse(b.end) && Date.parse(b.start) < Date.parse(a.end);
}

// A break inside focus time defeats both, so recovery may not overlap deep work either;
// "other" blocks (meetings, errands) may overlap anything — they are context, not a promise.
function conflicts(a: BlockKind, b: BlockKind): boolean {
  if (a === 'other' || b === 'other') return false;
  return a === 'deep_work' || b === 'deep_work';
}

/** `replacing`: the id of the block being changed, which neither counts nor clashes with itself. */
export function checkBlock(plan: WeekPlan, block: BlockCandidate, replacing?: string): RuleResult {
  const t = checkTitle(block.title, 'block title');
  if (!t.ok) return t;
  const startMs = Date.parse(block.start);
  const endMs = Date.parse(block.end);
  if (!Number.isFinite(startMs) || !Number.isFinite(endMs)) return fail('invalid_time', 'The block needs a valid start and end time.');
  if (endMs <= startMs) return fail('invalid_time', 'The block ends before it starts — the end time must be after the start time.');
  const bounds = weekBounds(plan.weekKey, plan.timeZone);
  if (startMs < Date.parse(bounds.start) || endMs > Date.parse(bounds.end)) {
    return fail('invalid_time', `The block falls outside week ${plan.weekKey} (Monday 00:00 to Sunday 24:00 in ${plan.timeZone}).`);
  }
  const minutes = minutesBetween(block.start, block.end);
  if (block.kind === 'deep_work' && minutes < MIN_DEEP_WORK_MINUTES) {
    return fail(
      'deep_work_too_short',
      `That block is ${minutes} minutes — deep work needs at least ${MIN_DEEP_WORK_MINUTES} minutes to get past the warm-up. Make it longer, or plan it as a regular block.`,
    );
  }
  if (block.rockId !== null && !plan.rocks.some((r) => r.id === block.rockId)) {
    return fail('unknown_rock', 'That rock is not in this week’s plan.');
  }
  const others = replacing === undefined ? plan.blocks : plan.blocks.filter((b) => b.id !== replacing);
  if (others.length >= MAX_BLOCKS_PER_WEEK) return fail('too_many_blocks', `A week holds at most ${MAX_BLOCKS_PER_WEEK} blocks.`);
  const clash = others.find((b) => conflicts(b.kind, block.kind) && overlaps(b, block));
  if (clash) {
    return fail('blocks_overlap', `It overlaps "${clash.title}" (${describeKind(clash.kind)}) — protected time can't be double-booked. Pick another time.`);
  }
  return OK;
}

/** The weekly review slot: inside the week, end after start, at most a day long. */
export function checkReviewSlot(plan: WeekPlan, slot: { start: string; end: string }): RuleResult {
  const startMs = Date.parse(slot.start);
  const endMs = Date.parse(slot.end);
  if (!Number.isFinite(startMs) || !Number.isFinite(endMs)) return fail('invalid_time', 'The review needs a valid start and end time.');
  if (endMs <= startMs) return fail('invalid_time', 'The review ends before it starts — the end time must be after the start time.');
  const bounds = weekBounds(plan.weekKey, plan.timeZone);
  if (startMs < Date.parse(bounds.start) || endMs > Date.parse(bounds.end)) {
    return fail('invalid_time', `The review falls outside week ${plan.weekKey} (Monday 00:00 to Sunday 24:00 in ${plan.timeZone}).`);
  }
  if (endMs - startMs > MAX_REVIEW_MINUTES * MS_PER_MINUTE) return fail('invalid_time', `Keep the review under ${MAX_REVIEW_MINUTES / 60} hours.`);
  return OK;
}

function describeKind(kind: BlockKind): string {
  return kind === 'deep_work' ? 'deep work' : kind === 'recovery' ? 'recovery' : 'other';
}

export function checkEnvironment(plan: WeekPlan, text: string): RuleResult {
  const t = checkTitle(text, 'environment change');
  if (!t.ok) return t;
  if (plan.environment.length >= MAX_ENVIRONMENT_CHANGES) {
    return fail(
      'too_many_environment_changes',
      `Keep it to ${MAX_ENVIRONMENT_CHANGES} environment changes — a few you actually keep beat a long list. Remove one first.`,
    );
  }
  return OK;
}

/**
 * Whether a rock may roll into next week. `newTitle` is a shrunk or split-off version:
 * changing the rock is what makes a third carry acceptable.
 */
export function checkCarry(rock: Rock, newTitle?: string): RuleResult {
  if (rock.status !== 'planned') {
    const why = rock.status === 'carried' ? 'it was already carried over' : `it is ${rock.status}`;
    return fail('not_carryable', `"${rock.title}" can't be carried: ${why}. Only unfinished rocks roll over.`);
  }
  const changed = newTitle !== undefined && newTitle.trim() !== '' && newTitle.trim() !== rock.title.trim();
  if (rock.carryCount >= MAX_CARRY_COUNT && !changed) {
    return fail(
      'carry_limit',
      `"${rock.title}" has already rolled over ${rock.carryCount} times. Carrying it again unchanged won't help — shrink it to a smaller version, split it into parts, or drop it.`,
    );
  }
  if (newTitle !== undefined) return checkTitle(newTitle, 'rock title');
  return OK;
}
