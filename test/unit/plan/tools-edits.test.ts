import { beforeEach, describe, expect, it } from 'vitest';
import { weekToIcs } from '../../../server/plan/export-ics.ts';
import { blockTime } from '../../../server/plan/describe.ts';
import { createMemoryPlanStore } from '../../../server/plan/memory-store.ts';
import type { PlanStore } from '../../../server/plan/store.ts';
import type { PlanToolbox, ToolContext } from '../../../server/plan/toolbox.ts';
import { createPlanToolbox, REVIEW_BLOCK_TITLE } from '../../../server/plan/tools.ts';

const ctx: ToolContext = { userId: 'u1', weekKey: '2026-W48', timeZone: 'Europe/Berlin' };

describe('plan tools for edits: move a block, set the review time', () => {
  let store: PlanStore;
  let tools: PlanToolbox;
  const run = (name: string, args: unknown) => tools.execute(name, JSON.stringify(args), ctx);
  const plan = () => store.getWeek(ctx.userId, ctx.weekKey, ctx.timeZone);
  const times = async () => (await plan()).blocks.map((b) => `${b.kind} ${blockTime(b, ctx.timeZone)} ${b.title}`);

  beforeEach(() => {
    let n = 0;
    store = createMemoryPlanStore({ newId: () => `id${++n}` });
    tools = createPlanToolbox(store, { now: () => new Date('2026-11-22T10:00:00Z') });
  });

  it('move_time_block moves and resizes, keeping kind, title and rock; a refused time leaves the block where it was', async () => {
    const rock = await run('add_rock', { title: 'Launch brief' });
    const rockId = rock.created!;
    const a = await run('add_time_block', { day: 'wednesday', start: '14:00', end: '16:00', kind: 'deep_work', rockId });
    await run('add_time_block', { day: 'thursday', start: '09:00', end: '11:00', kind: 'recovery', title: 'Walk' });
    const moved = await run('move_time_block', { blockId: a.created, day: 'thursday', start: '13:00', end: '15:30' });
    expect(moved.ok).toBe(true);
    expect(moved.plan?.blocks.find((b) => b.id === moved.created)?.rockId).toBe(rockId);
    expect(await times()).toEqual(['recovery Thu 09:00–11:00 Walk', 'deep_work Thu 13:00–15:30 Launch brief']);

    // Onto the walk: refused, and nothing is lost.
    const clash = await run('move_time_block', { blockId: moved.created, day: 'thursday', start: '10:00', end: '12:00' });
    expect(clash.ok).toBe(false);
    expect(clash.message).toMatch(/overlaps "Walk"/);
    expect(await times()).toEqual(['recovery Thu 09:00–11:00 Walk', 'deep_work Thu 13:00–15:30 Launch brief']);
    expect((await run('move_time_block', { blockId: 'nope', day: 'friday', start: '09:00', end: '10:00' })).message).toMatch(/not in this week/);
  });

  it('set_review_time books the Friday review, checks clashes, replaces an earlier choice, and the .ics uses it', async () => {
    await run('add_time_block', { day: 'friday', start: '15:00', end: '17:00', kind: 'deep_work', title: 'Deck' });
    const clash = await run('set_review_time', { start: '16:00' });
    expect(clash.ok).toBe(false);
    expect(clash.message).toMatch(/overlaps "Deck" Fri 15:00–17:00/);
    expect((await run('set_review_time', { start: '17:00' })).ok).toBe(true);
    expect((await run('set_review_time', { day: 'friday', start: '17:30', end: '18:15' })).ok).toBe(true);
    const week = await plan();
    expect(week.blocks.filter((b) => b.title === REVIEW_BLOCK_TITLE).map((b) => blockTime(b, ctx.timeZone))).toEqual(['Fri 17:30–18:15']);
    await run('add_environment_commitment', { text: 'Phone in the kitchen' });
    // Unfolded (RFC 5545 folds lines at 75 octets).
    const ics = weekToIcs(await plan(), { now: new Date('2026-11-22T10:00:00Z') }).replace(/\r\n[ \t]/g, '');
    // 17:30 in Berlin is 16:30 UTC; the review is one event, not also a block.
    expect(ics).toContain('DTSTART:20261127T163000Z');
    expect(ics).toContain('DTEND:20261127T171500Z');
    expect(ics.match(/SUMMARY:Friday review/g)).toHaveLength(1);
    expect(ics).toContain('Phone in the kitchen.');
    expect(ics).not.toContain('Phone away, notifications off.');
  });

  it('the LLM coach gets the new tools', () => {
    const names = tools.definitions().map((d) => d.name);
    expect(names).toEqual(expect.arrayContaining(['move_time_block', 'set_review_time']));
  });
});
