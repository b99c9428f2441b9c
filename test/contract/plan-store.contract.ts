// Reusable contract for PlanStore adapters. Run it from an adapter's test file:
//   planStoreContract('memory', () => ({ store: createMemoryPlanStore(), newUserId: async () => randomUUID() }));
// A SQL adapter's fixture creates real User rows in newUserId (weeks reference users).

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_ACTIVE_ROCKS } from '../../server/plan/rules.ts';
import type { PlanStore, WeekRef } from '../../server/plan/store.ts';
import type { PlanChange, WeekPlan } from '../../server/plan/types.ts';
import { localToInstant } from '../../server/plan/week.ts';
import { nth } from '../support/nth.ts';

export interface PlanStoreFixture {
  store: PlanStore;
  /** A user id that exists in the adapter's storage. */
  newUserId(): Promise<string>;
  close?(): Promise<void>;
}

const TZ = 'Europe/Berlin';
const WEEK = '2026-W48'; // Mon 23 Nov – Sun 29 Nov 2026
const NEXT = '2026-W49';

function ok<T>(change: PlanChange<T>): T {
  if (!change.ok) throw new Error(`expected ok, got ${change.code}: ${change.reason}`);
  return change.value;
}

function rejected<T>(change: PlanChange<T>): { code: string; reason: string } {
  if (change.ok) throw new Error('expected a rejection, got ok');
  return change;
}

const at = (day: number, hhmm: string, weekKey = WEEK) => localToInstant(weekKey, day, hhmm, TZ);

export function planStoreContract(name: string, makeStore: () => PlanStoreFixture | Promise<PlanStoreFixture>): void {
  describe(`PlanStore contract: ${name}`, () => {
    let fx: PlanStoreFixture;
    let store: PlanStore;
    let ref: WeekRef;

    beforeEach(async () => {
      fx = await makeStore();
      store = fx.store;
      ref = { userId: await fx.newUserId(), weekKey: WEEK, timeZone: TZ };
    });
    afterEach(async () => {
      await fx.close?.();
    });

    /** One id per title, typed as a tuple of the same length. */
    async function addRocks<const T extends readonly string[]>(titles: T, r: WeekRef = ref): Promise<{ [K in keyof T]: string }> {
      const ids: string[] = [];
      for (const t of titles) ids.push(ok(await store.addRock(r, t)).id);
      return ids as { [K in keyof T]: string };
    }

    it('reads an unplanned week as an empty plan in the requested zone', async () => {
      const plan = await store.getWeek(ref.userId, WEEK, TZ);
      expect(plan).toEqual<WeekPlan>({ weekKey: WEEK, timeZone: TZ, vision: null, rocks: [], blocks: [], environment: [], reflections: [] });
    });

    it('adds rocks in order as planned, new rocks', async () => {
      const first = ok(await store.addRock(ref, '  Ship pricing page '));
      const second = ok(await store.addRock(ref, 'Run 3 times'));
      expect(first.id).not.toBe(second.id);
      const plan = await store.getWeek(ref.userId, WEEK, TZ);
      expect(plan.rocks.map((r) => [r.id, r.title, r.status, r.carryCount, r.carriedFromId])).toEqual([
        [first.id, 'Ship pricing page', 'planned', 0, null],
        [second.id, 'Run 3 times', 'planned', 0, null],
      ]);
      expect(nth(plan.rocks, 0).position).toBeLessThan(nth(plan.rocks, 1).position);
      expect(second.plan.rocks).toHaveLength(2);
    });

    it(`rejects a sixth active rock with a reason, but dropped rocks do not count`, async () => {
      const ids = await addRocks(['A', 'B', 'C', 'D', 'E']);
      const sixth = rejected(await store.addRock(ref, 'F'));
      expect(sixth.code).toBe('too_many_rocks');
      expect(sixth.reason).toMatch(/at most 5 big rocks/);
      expect((await store.getWeek(ref.userId, WEEK, TZ)).rocks).toHaveLength(5);

      ok(await store.updateRock(ref, ids[0], { status: 'dropped' }));
      ok(await store.addRock(ref, 'F'));
      // Reviving the dropped rock would make six active.
      expect(rejected(await store.updateRock(ref, ids[0], { status: 'planned' })).code).toBe('too_many_rocks');
    });

    it('keeps the rock limit under concurrent writers', async () => {
      const results = await Promise.all(Array.from({ length: 8 }, (_, i) => store.addRock(ref, `Rock ${i}`)));
      expect(results.filter((r) => r.ok)).toHaveLength(MAX_ACTIVE_ROCKS);
      expect((await store.getWeek(ref.userId, WEEK, TZ)).rocks).toHaveLength(MAX_ACTIVE_ROCKS);
    });

    it('rejects empty and overlong titles', async () => {
      expect(rejected(await store.addRock(ref, '   ')).code).toBe('title_empty');
      expect(rejected(await store.addRock(ref, 'x'.repeat(500))).code).toBe('title_too_long');
    });

    it('updates a rock’s status and title; unknown rocks are not found', async () => {
      const [id] = await addRocks(['Draft chapter']);
      ok(await store.updateRock(ref, id, { status: 'done', title: 'Draft chapter 3' }));
      const rock = nth((await store.getWeek(ref.userId, WEEK, TZ)).rocks, 0);
      expect([rock.title, rock.status]).toEqual(['Draft chapter 3', 'done']);
      expect(rejected(await store.updateRock(ref, 'nope', { status: 'done' })).code).toBe('not_found');
      // "carried" only comes from carryOver, so the link to next week always exists.
      expect(rejected(await store.updateRock(ref, id, { status: 'carried' })).code).toBe('invalid_status');
    });

    it('removes a rock and keeps its blocks, unlinked', async () => {
      const [id] = await addRocks(['Write proposal']);
      const block = ok(await store.addBlock(ref, { kind: 'deep_work', title: 'Proposal', start: at(1, '09:00'), end: at(1, '11:00'), rockId: id }));
      const plan = ok(await store.removeRock(ref, id));
      expect(plan.rocks).toEqual([]);
      expect(plan.blocks.map((b) => [b.id, b.rockId])).toEqual([[block.id, null]]);
      expect(rejected(await store.removeRock(ref, id)).code).toBe('not_found');
    });

    it('stores blocks as UTC instants, sorted by start', async () => {
      ok(await store.addBlock(ref, { kind: 'recovery', title: 'Walk', start: at(2, '12:30'), end: at(2, '13:00'), rockId: null }));
      ok(await store.addBlock(ref, { kind: 'deep_work', title: 'Focus', start: at(0, '09:00'), end: at(0, '10:30'), rockId: null }));
      const plan = await store.getWeek(ref.userId, WEEK, TZ);
      expect(plan.blocks.map((b) => [b.kind, b.start, b.end])).toEqual([
        ['deep_work', '2026-11-23T08:00:00.000Z', '2026-11-23T09:30:00.000Z'],
        ['recovery', '2026-11-25T11:30:00.000Z', '2026-11-25T12:00:00.000Z'],
      ]);
    });

    it('rejects short, inverted, overlapping and out-of-week blocks with reasons', async () => {
      const short = rejected(await store.addBlock(ref, { kind: 'deep_work', title: 'Quick', start: at(0, '09:00'), end: at(0, '09:30'), rockId: null }));
      expect(short.code).toBe('block_too_short');
      expect(short.reason).toMatch(/30 minutes.*at least 45 minutes/);
      expect(rejected(await store.addBlock(ref, { kind: 'other', title: 'X', start: at(0, '11:00'), end: at(0, '10:00'), rockId: null })).code).toBe(
        'block_end_before_start',
      );
      ok(await store.addBlock(ref, { kind: 'deep_work', title: 'A', start: at(0, '09:00'), end: at(0, '10:00'), rockId: null }));
      const clash = rejected(await store.addBlock(ref, { kind: 'deep_work', title: 'B', start: at(0, '09:30'), end: at(0, '11:00'), rockId: null }));
      expect(clash.code).toBe('block_overlap');
      expect(clash.reason).toContain('"A"');
      // Back-to-back is not overlap.
      ok(await store.addBlock(ref, { kind: 'deep_work', title: 'C', start: at(0, '10:00'), end: at(0, '11:00'), rockId: null }));
      const outside = rejected(await store.addBlock(ref, { kind: 'recovery', title: 'Run', start: at(0, '09:00', NEXT), end: at(0, '10:00', NEXT), rockId: null }));
      expect(outside.code).toBe('block_outside_week');
      expect(rejected(await store.addBlock(ref, { kind: 'deep_work', title: 'D', start: at(3, '09:00'), end: at(3, '10:00'), rockId: 'nope' })).code).toBe(
        'unknown_rock',
      );
      expect((await store.getWeek(ref.userId, WEEK, TZ)).blocks.map((b) => b.title)).toEqual(['A', 'C']);
    });

    it('removes blocks', async () => {
      const b = ok(await store.addBlock(ref, { kind: 'recovery', title: 'Walk', start: at(2, '12:30'), end: at(2, '13:00'), rockId: null }));
      expect(ok(await store.removeBlock(ref, b.id)).blocks).toEqual([]);
      expect(rejected(await store.removeBlock(ref, b.id)).code).toBe('not_found');
    });

    it('holds at most three environment changes', async () => {
      const first = ok(await store.addEnvironment(ref, 'Phone in another room'));
      ok(await store.addEnvironment(ref, 'Notifications off'));
      ok(await store.addEnvironment(ref, 'Door closed'));
      expect(rejected(await store.addEnvironment(ref, 'Noise-cancelling headphones')).code).toBe('too_many_environment_changes');
      const plan = ok(await store.removeEnvironment(ref, first.id));
      expect(plan.environment.map((e) => e.text)).toEqual(['Notifications off', 'Door closed']);
    });

    it('keeps the vision per user, across weeks', async () => {
      ok(await store.setVision(ref, { work: 'Lead the platform team', self: 'Run a half marathon', relationships: 'Weekly dinner with friends' }));
      const other = await store.getWeek(ref.userId, NEXT, TZ);
      expect(other.vision).toEqual({ work: 'Lead the platform team', self: 'Run a half marathon', relationships: 'Weekly dinner with friends' });
      const stranger = await fx.newUserId();
      expect((await store.getWeek(stranger, WEEK, TZ)).vision).toBeNull();
    });

    it('records reflections with a creation time', async () => {
      const r = ok(await store.addReflection(ref, { wentWell: 'Shipped', timeNotes: 'Meetings ate Tuesday', drop: 'Status meeting', carryOver: 'Proposal' }));
      const plan = await store.getWeek(ref.userId, WEEK, TZ);
      expect(plan.reflections).toHaveLength(1);
      expect(plan.reflections[0]).toMatchObject({ id: r.id, wentWell: 'Shipped', timeNotes: 'Meetings ate Tuesday', drop: 'Status meeting', carryOver: 'Proposal' });
      expect(Number.isFinite(Date.parse(nth(plan.reflections, 0).createdAt))).toBe(true);
    });

    it('carries unfinished rocks into another week, counting the roll-over', async () => {
      const [a, b] = await addRocks(['Proposal', 'Taxes']);
      const target = ok(await store.carryOver(ref, NEXT, [{ rockId: a }]));
      expect(target.weekKey).toBe(NEXT);
      expect(target.rocks.map((r) => [r.title, r.status, r.carryCount, r.carriedFromId])).toEqual([['Proposal', 'planned', 1, a]]);
      const source = await store.getWeek(ref.userId, WEEK, TZ);
      expect(source.rocks.map((r) => [r.id, r.status])).toEqual([
        [a, 'carried'],
        [b, 'planned'],
      ]);
      // Already carried: no second copy.
      expect(rejected(await store.carryOver(ref, NEXT, [{ rockId: a }])).code).toBe('not_carryable');
      ok(await store.updateRock(ref, b, { status: 'done' }));
      expect(rejected(await store.carryOver(ref, NEXT, [{ rockId: b }])).code).toBe('not_carryable');
    });

    it('challenges a rock that has rolled over twice: shrink or split it, or it stays', async () => {
      const [id] = await addRocks(['Write the book']);
      const w49 = ok(await store.carryOver(ref, NEXT, [{ rockId: id }]));
      const ref49 = { ...ref, weekKey: NEXT };
      const w50 = ok(await store.carryOver(ref49, '2026-W50', [{ rockId: nth(w49.rocks, 0).id }]));
      const twice = nth(w50.rocks, 0);
      expect(twice.carryCount).toBe(2);
      const ref50 = { ...ref, weekKey: '2026-W50' };

      const again = rejected(await store.carryOver(ref50, '2026-W51', [{ rockId: twice.id }]));
      expect(again.code).toBe('carry_limit');
      expect(again.reason).toMatch(/rolled over 2 times.*shrink.*split.*drop/);
      expect((await store.getWeek(ref.userId, '2026-W51', TZ)).rocks).toEqual([]);

      const split = ok(
        await store.carryOver(ref50, '2026-W51', [
          { rockId: twice.id, title: 'Outline chapter 1' },
          { rockId: twice.id, title: 'Draft chapter 1 intro' },
        ]),
      );
      expect(split.rocks.map((r) => [r.title, r.carryCount, r.carriedFromId])).toEqual([
        ['Outline chapter 1', 3, twice.id],
        ['Draft chapter 1 intro', 3, twice.id],
      ]);
    });

    it('carries all or nothing, within the target week’s rock limit', async () => {
      const ids = await addRocks(['A', 'B', 'C']);
      const ref49 = { ...ref, weekKey: NEXT };
      await addRocks(['X', 'Y', 'Z'], ref49);
      const full = rejected(await store.carryOver(ref, NEXT, ids.map((rockId) => ({ rockId }))));
      expect(full.code).toBe('too_many_rocks');
      expect(rejected(await store.carryOver(ref, NEXT, [{ rockId: ids[0] }, { rockId: 'missing' }])).code).toBe('not_found');
      const source = await store.getWeek(ref.userId, WEEK, TZ);
      expect(source.rocks.every((r) => r.status === 'planned')).toBe(true);
      expect((await store.getWeek(ref.userId, NEXT, TZ)).rocks).toHaveLength(3);
    });

    it('keeps users and weeks apart', async () => {
      await addRocks(['Mine']);
      const other = await fx.newUserId();
      expect((await store.getWeek(other, WEEK, TZ)).rocks).toEqual([]);
      expect((await store.getWeek(ref.userId, NEXT, TZ)).rocks).toEqual([]);
      expect(rejected(await store.updateRock({ ...ref, userId: other }, nth((await store.getWeek(ref.userId, WEEK, TZ)).rocks, 0).id, { status: 'done' })).code).toBe(
        'not_found',
      );
    });

    it('hands out copies: changing a returned plan does not change the store', async () => {
      await addRocks(['Original']);
      const plan = await store.getWeek(ref.userId, WEEK, TZ);
      const rock = nth(plan.rocks, 0);
      rock.title = 'Tampered';
      plan.rocks.push({ ...rock, id: 'fake' });
      const again = await store.getWeek(ref.userId, WEEK, TZ);
      expect(again.rocks.map((r) => r.title)).toEqual(['Original']);
    });
  });
}
