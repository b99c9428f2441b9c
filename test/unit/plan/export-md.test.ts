import { describe, expect, it } from 'vitest';
import { escapeMarkdown, weekToMarkdown } from '../../../server/plan/export-md.ts';
import type { WeekPlan } from '../../../server/plan/types.ts';
import { localToInstant } from '../../../server/plan/week.ts';

const TZ = 'America/New_York';
const at = (day: number, hhmm: string) => localToInstant('2026-W48', day, hhmm, TZ);

const plan: WeekPlan = {
  weekKey: '2026-W48',
  timeZone: TZ,
  version: 0,
  review: null,
  vision: { work: 'Lead the platform team', self: 'Run a half marathon', relationships: 'Dinner with friends weekly' },
  rocks: [
    { id: 'r1', title: 'Ship pricing page', status: 'done', position: 0, carryCount: 0, carriedFromId: null },
    { id: 'r2', title: 'Write proposal', status: 'carried', position: 1, carryCount: 1, carriedFromId: 'x' },
    { id: 'r3', title: 'Plan *offsite*', status: 'planned', position: 2, carryCount: 0, carriedFromId: null },
    { id: 'r4', title: 'Tidy wiki', status: 'dropped', position: 3, carryCount: 0, carriedFromId: null },
  ],
  blocks: [
    { id: 'b2', kind: 'recovery', title: 'Lunch walk', start: at(2, '12:30'), end: at(2, '13:00'), rockId: null },
    { id: 'b1', kind: 'deep_work', title: 'Pricing copy', start: at(1, '09:00'), end: at(1, '11:00'), rockId: 'r1' },
  ],
  environment: [{ id: 'e1', text: 'Phone in another room' }],
  reflections: [{ id: 'f1', wentWell: 'Shipped pricing', timeNotes: 'Meetings ate Tuesday', drop: 'Weekly status call', carryOver: 'Write proposal', createdAt: '2026-11-27T21:00:00.000Z' }],
};

describe('weekToMarkdown', () => {
  const md = weekToMarkdown(plan);

  it('has the vision, rocks as checkboxes and the environment', () => {
    expect(md.startsWith('# Week 2026-W48\n\n2026-11-23 to 2026-11-29 · America/New_York\n')).toBe(true);
    expect(md).toContain('- **Work:** Lead the platform team');
    expect(md).toContain('- [x] Ship pricing page\n');
    expect(md).toContain('- [ ] Write proposal — carried to next week\n');
    expect(md).toContain('- [ ] Plan \\*offsite\\*\n');
    expect(md).toContain('- [ ] ~~Tidy wiki~~ — dropped');
    expect(md).toContain('## Environment\n\n- Phone in another room\n');
  });

  it('lists blocks by day in local time, in day order', () => {
    const tue = md.indexOf('### Tuesday 2026-11-24');
    const wed = md.indexOf('### Wednesday 2026-11-25');
    expect(tue).toBeGreaterThan(0);
    expect(wed).toBeGreaterThan(tue);
    expect(md).toContain('### Tuesday 2026-11-24\n\n- 09:00–11:00 **Deep work:** Pricing copy (rock: Ship pricing page)\n');
    expect(md).toContain('- 12:30–13:00 **Recovery:** Lunch walk');
  });

  it('includes the reflection', () => {
    expect(md).toContain('## Reflection\n\n- **Went well:** Shipped pricing\n- **Where time went:** Meetings ate Tuesday\n- **Drop:** Weekly status call\n- **Carry over:** Write proposal\n');
    expect(md.endsWith('\n')).toBe(true);
    expect(md.endsWith('\n\n')).toBe(false);
  });

  it('escapes Markdown and HTML in user text', () => {
    expect(escapeMarkdown('<script>x</script> [link](y) #1\nnext')).toBe('\\<script\\>x\\</script\\> \\[link\\](y) \\#1 next');
  });
});
