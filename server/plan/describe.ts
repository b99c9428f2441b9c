// Short human-readable renderings of plan parts, shared by tool messages, the offline
// coach and the Markdown export so a block reads the same everywhere.

import { activeRocks, MAX_ACTIVE_ROCKS, MAX_CARRY_COUNT } from './rules.ts';
import type { TimeBlock, WeekPlan } from './types.ts';
import { instantToLocal } from './week.ts';

export const SHORT_DAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] as const;
export const LONG_DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'] as const;

/** "Tue 09:00–11:00" in the plan's zone; an end at midnight reads "24:00". */
export function blockTime(block: Pick<TimeBlock, 'start' | 'end'>, timeZone: string): string {
  const s = instantToLocal(block.start, timeZone);
  const e = instantToLocal(block.end, timeZone);
  const endText = e.hhmm === '00:00' && e.date !== s.date ? '24:00' : e.hhmm;
  const sameDay = e.date === s.date || endText === '24:00';
  return `${SHORT_DAYS[s.dayIndex]} ${s.hhmm}–${sameDay ? '' : `${SHORT_DAYS[e.dayIndex]} `}${endText}`;
}

export function blockMinutes(block: Pick<TimeBlock, 'start' | 'end'>): number {
  return Math.round((Date.parse(block.end) - Date.parse(block.start)) / 60_000);
}

export function kindLabel(kind: TimeBlock['kind']): string {
  return kind === 'deep_work' ? 'Deep work' : kind === 'recovery' ? 'Recovery' : 'Other';
}

/** The plan as compact text with ids, for the model (get_plan and change confirmations). */
export function planForModel(plan: WeekPlan): string {
  const lines: string[] = [`Week ${plan.weekKey} (${plan.timeZone})`];
  const v = plan.vision;
  lines.push(v ? `Vision — work: ${v.work || '—'}; self: ${v.self || '—'}; relationships: ${v.relationships || '—'}` : 'Vision: not set yet');
  lines.push(`Big rocks (${activeRocks(plan).length}/${MAX_ACTIVE_ROCKS} active):`);
  if (plan.rocks.length === 0) lines.push('  none yet');
  plan.rocks.forEach((r, i) => {
    const carried = r.carryCount > 0 ? `, rolled over ${r.carryCount}×${r.carryCount >= MAX_CARRY_COUNT ? ' — shrink, split or drop before carrying again' : ''}` : '';
    lines.push(`  ${i + 1}. [${r.status}] ${r.title} (id ${r.id}${carried})`);
  });
  lines.push('Blocks:');
  if (plan.blocks.length === 0) lines.push('  none yet');
  for (const b of plan.blocks) {
    const rock = b.rockId ? plan.rocks.find((r) => r.id === b.rockId) : undefined;
    lines.push(`  - ${blockTime(b, plan.timeZone)} ${b.kind} "${b.title}" (id ${b.id}${rock ? `, rock "${rock.title}"` : ''})`);
  }
  lines.push('Environment:');
  if (plan.environment.length === 0) lines.push('  none yet');
  for (const e of plan.environment) lines.push(`  - ${e.text} (id ${e.id})`);
  if (plan.reflections.length > 0) {
    lines.push('Reflections:');
    for (const r of plan.reflections) {
      lines.push(`  - went well: ${r.wentWell || '—'}; time: ${r.timeNotes || '—'}; drop: ${r.drop || '—'}; carry over: ${r.carryOver || '—'}`);
    }
  }
  return lines.join('\n');
}
