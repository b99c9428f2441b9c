import { beforeEach, describe, expect, it } from 'vitest';
import { createMemoryPlanStore } from '../../../server/plan/memory-store.ts';
import type { PlanStore } from '../../../server/plan/store.ts';
import type { PlanToolbox, ToolContext } from '../../../server/plan/toolbox.ts';
import { createPlanToolbox } from '../../../server/plan/tools.ts';
import { nth } from '../../support/nth.ts';

const ctx: ToolContext = { userId: 'u1', weekKey: '2026-W48', timeZone: 'Europe/Berlin' };

describe('plan toolbox', () => {
  let store: PlanStore;
  let tools: PlanToolbox;
  const run = (name: string, args: unknown) => tools.execute(name, typeof args === 'string' ? args : JSON.stringify(args), ctx);

  beforeEach(() => {
    let n = 0;
    store = createMemoryPlanStore({ newId: () => `id${++n}` });
    tools = createPlanToolbox(store, { now: () => new Date('2026-11-22T10:00:00Z') });
  });

  it('defines the ten plan tools with object schemas', () => {
    const defs = tools.definitions();
    const names = defs.map((d) => d.name);
    for (const n of ['set_vision', 'add_rock', 'update_rock', 'remove_rock', 'add_time_block', 'remove_time_block', 'add_environment_commitment', 'record_reflection', 'carry_over_rocks', 'get_plan']) {
      expect(names).toContain(n);
    }
    for (const d of defs) expect(d.parameters).toMatchObject({ type: 'object', additionalProperties: false });
    const block = defs.find((d) => d.name === 'add_time_block')!;
    expect((block.parameters as { required: string[] }).required).toEqual(['day', 'start', 'end', 'kind']);
  });

  it('rejects invalid JSON and bad arguments with a reason', async () => {
    const bad = await run('add_rock', '{"title": ');
    expect(bad.ok).toBe(false);
    expect(bad.message).toMatch(/not valid JSON/);
    expect((await run('add_rock', '[1]')).message).toMatch(/must be a JSON object/);
    expect((await run('add_rock', {})).message).toMatch(/"title" is required/);
    expect((await run('add_rock', { title: 'A', priority: 1 })).message).toMatch(/Unknown argument\(s\): "priority"/);
    expect((await run('update_rock', { rockId: 'x' })).message).toMatch(/Give "title", "status" or "position"/);
    expect((await run('update_rock', { rockId: 'x', status: 'finished' })).message).toMatch(/"status" must be one of "planned", "done", "dropped"/);
    expect((await run('fly', {})).message).toMatch(/Unknown tool "fly"/);
    expect((await store.getWeek('u1', ctx.weekKey, ctx.timeZone)).rocks).toEqual([]);
  });

  it('adds rocks and rejects a sixth with the rule’s reason', async () => {
    for (const t of ['A', 'B', 'C', 'D', 'E']) expect((await run('add_rock', { title: t })).ok).toBe(true);
    const sixth = await run('add_rock', { title: 'F' });
    expect(sixth).toEqual({ ok: false, message: expect.stringMatching(/^A week holds at most 5 big rocks — /) });
    expect(sixth.plan).toBeUndefined();
  });

  it('moves a rock to a place in the list the person sees, skipping dropped rocks', async () => {
    for (const title of ['Deck', 'Dropped one', 'Hiring', 'Budget']) await run('add_rock', { title });
    const ids = (await store.getWeek('u1', ctx.weekKey, ctx.timeZone)).rocks.map((r) => r.id);
    await run('update_rock', { rockId: ids[1], status: 'dropped' });
    // Budget to place 0, then Deck to the last place (2 of the 3 active rocks).
    expect((await run('update_rock', { rockId: ids[3], position: 0 })).message).toMatch(/"Budget" — status planned, number 1 of 3/);
    await run('update_rock', { rockId: ids[0], position: 2 });
    const plan = await store.getWeek('u1', ctx.weekKey, ctx.timeZone);
    const active = plan.rocks.filter((r) => r.status === 'planned').sort((a, b) => a.position - b.position);
    expect(active.map((r) => r.title)).toEqual(['Budget', 'Hiring', 'Deck']);
    expect((await run('update_rock', { rockId: ids[0], position: -1 })).message).toMatch(/"position" must be between 0/);
  });

  it('adds a deep-work block from a weekday and local times, linked to a rock', async () => {
    const rock = await run('add_rock', { title: 'Ship pricing page' });
    const rockId = nth(rock.plan!.rocks, 0).id;
    const out = await run('add_time_block', { day: 'tuesday', start: '09:00', end: '11:00', kind: 'deep_work', rockId });
    expect(out.ok).toBe(true);
    expect(out.message).toBe(`Added deep-work block "Ship pricing page" Tue 09:00–11:00 (120 min, id id2).`);
    expect(out.plan!.blocks).toEqual([{ id: 'id2', kind: 'deep_work', title: 'Ship pricing page', start: '2026-11-24T08:00:00.000Z', end: '2026-11-24T10:00:00.000Z', rockId }]);
  });

  it('rejects a 30-minute deep-work block with a reason the model sees', async () => {
    const out = await run('add_time_block', { day: 'monday', start: '09:00', end: '09:30', kind: 'deep_work', title: 'Focus' });
    expect(out.ok).toBe(false);
    expect(out.message).toMatch(/30 minutes — deep work needs at least 45 minutes/);
  });

  it('accepts a date inside the week and "24:00", rejects dates outside it and bad times', async () => {
    const ok = await run('add_time_block', { day: '2026-11-28', start: '18:00', end: '24:00', kind: 'recovery', title: 'Evening off' });
    expect(ok.ok).toBe(true);
    expect(ok.plan!.blocks[0]).toMatchObject({ start: '2026-11-28T17:00:00.000Z', end: '2026-11-28T23:00:00.000Z' });
    expect((await run('add_time_block', { day: '2026-12-01', start: '09:00', end: '10:00', kind: 'other' })).message).toMatch(/inside 2026-W48 \(2026-11-23 to 2026-11-29\)/);
    expect((await run('add_time_block', { day: 'monday', start: '9am', end: '10:00', kind: 'other' })).message).toMatch(/"start" must be a 24-hour time/);
    expect((await run('add_time_block', { day: 'funday', start: '09:00', end: '10:00', kind: 'other' })).message).toMatch(/"day" must be a weekday name/);
  });

  it('records a reflection and carries a rock into next week', async () => {
    const rockId = nth((await run('add_rock', { title: 'Proposal' })).plan!.rocks, 0).id;
    expect((await run('record_reflection', {})).message).toMatch(/at least one/);
    const refl = await run('record_reflection', { wentWell: 'Shipped', carryOver: 'Proposal' });
    expect(refl.ok).toBe(true);
    expect(refl.plan!.reflections[0]).toMatchObject({ wentWell: 'Shipped', carryOver: 'Proposal', timeNotes: '' });
    const carry = await run('carry_over_rocks', { rocks: [{ rockId }] });
    expect(carry.ok).toBe(true);
    expect(carry.plan!.weekKey).toBe('2026-W49');
    expect(carry.plan!.rocks[0]).toMatchObject({ title: 'Proposal', carryCount: 1, carriedFromId: rockId });
    expect(carry.message).toMatch(/^Carried into 2026-W49: "Proposal"/);
  });

  it('get_plan shows ids and local times without claiming a change', async () => {
    await run('set_vision', { work: 'Lead team', self: 'Run', relationships: 'Friends' });
    const rockId = nth((await run('add_rock', { title: 'Proposal' })).plan!.rocks, 0).id;
    await run('add_time_block', { day: 'wednesday', start: '14:00', end: '15:30', kind: 'deep_work', rockId });
    const out = await run('get_plan', {});
    expect(out.ok).toBe(true);
    expect(out.plan).toBeUndefined();
    expect(out.message).toContain(`1. [planned] Proposal (id ${rockId})`);
    expect(out.message).toContain('Wed 14:00–15:30 deep_work "Proposal"');
    expect(out.message).toContain('Vision — work: Lead team');
  });
});
