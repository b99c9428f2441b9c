import { describe, expect, it } from 'vitest';
import { checkBlock, checkCarry, checkRockCapacity, MAX_ACTIVE_ROCKS, MIN_DEEP_WORK_MINUTES } from '../../../server/plan/rules.ts';
import type { Rock, WeekPlan } from '../../../server/plan/types.ts';
import { localToInstant } from '../../../server/plan/week.ts';

const TZ = 'UTC';
const at = (d: number, t: string) => localToInstant('2026-W48', d, t, TZ);
const rock = (over: Partial<Rock> = {}): Rock => ({ id: 'r', title: 'Book', status: 'planned', position: 0, carryCount: 0, carriedFromId: null, ...over });
const empty: WeekPlan = { weekKey: '2026-W48', timeZone: TZ, version: 0, review: null, vision: null, rocks: [], blocks: [], environment: [], reflections: [] };

describe('plan rules', () => {
  it('has the FOCUS limits', () => {
    expect(MAX_ACTIVE_ROCKS).toBe(5);
    expect(MIN_DEEP_WORK_MINUTES).toBe(45);
  });

  it('accepts a 45-minute deep-work block and rejects 44', () => {
    expect(checkBlock(empty, { kind: 'deep_work', title: 'F', start: at(0, '09:00'), end: at(0, '09:45'), rockId: null }).ok).toBe(true);
    expect(checkBlock(empty, { kind: 'deep_work', title: 'F', start: at(0, '09:00'), end: at(0, '09:44'), rockId: null })).toMatchObject({ ok: false, code: 'deep_work_too_short' });
  });

  it('keeps recovery out of deep work, lets "other" overlap', () => {
    const plan = { ...empty, blocks: [{ id: 'b', kind: 'deep_work' as const, title: 'Focus', start: at(0, '09:00'), end: at(0, '11:00'), rockId: null }] };
    expect(checkBlock(plan, { kind: 'recovery', title: 'Walk', start: at(0, '10:00'), end: at(0, '10:30'), rockId: null })).toMatchObject({ ok: false, code: 'blocks_overlap' });
    expect(checkBlock(plan, { kind: 'other', title: 'Call', start: at(0, '10:00'), end: at(0, '10:30'), rockId: null }).ok).toBe(true);
  });

  it('counts room left in the reason', () => {
    const plan = { ...empty, rocks: [0, 1, 2].map((i) => rock({ id: `r${i}`, position: i })) };
    const r = checkRockCapacity(plan, 3);
    expect(r).toMatchObject({ ok: false, code: 'too_many_rocks' });
    expect(!r.ok && r.reason).toMatch(/^A week holds at most 5 big rocks — this week already has 3, so there is room for 2 more\./);
  });

  it('challenges a third carry unless the rock changes', () => {
    expect(checkCarry(rock({ carryCount: 1 })).ok).toBe(true);
    const r = checkCarry(rock({ carryCount: 2 }));
    expect(r).toMatchObject({ ok: false, code: 'carry_limit' });
    expect(!r.ok && r.reason).toMatch(/shrink it .*split it .*or drop it/);
    expect(checkCarry(rock({ carryCount: 2 }), 'Book')).toMatchObject({ ok: false, code: 'carry_limit' });
    expect(checkCarry(rock({ carryCount: 2 }), 'Book outline').ok).toBe(true);
    expect(checkCarry(rock({ status: 'done' }))).toMatchObject({ ok: false, code: 'not_carryable' });
  });
});
