// The week as a Markdown note (for Obsidian, a journal or a gist): what a person would
// want to re-read on Friday, in the order the FOCUS steps build it.

import { blockTime, kindLabel, LONG_DAYS } from './describe.ts';
import type { Rock, WeekPlan } from './types.ts';
import { dateOfWeekDay, instantToLocal } from './week.ts';

/** Escapes characters that would turn user text into Markdown structure or HTML. */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/\r\n|\r|\n/g, ' ')
    .replace(/([\\`*_[\]<>#|~])/g, '\\$1')
    .trim();
}

function rockLine(rock: Rock): string {
  const title = escapeMarkdown(rock.title);
  const carried = rock.carryCount > 0 ? ` _(rolled over ${rock.carryCount}×)_` : '';
  switch (rock.status) {
    case 'done':
      return `- [x] ${title}${carried}`;
    case 'dropped':
      return `- [ ] ~~${title}~~ — dropped`;
    case 'carried':
      return `- [ ] ${title} — carried to next week`;
    default:
      return `- [ ] ${title}${carried}`;
  }
}

export function weekToMarkdown(plan: WeekPlan): string {
  const out: string[] = [];
  const first = dateOfWeekDay(plan.weekKey, 0);
  const last = dateOfWeekDay(plan.weekKey, 6);
  out.push(`# Week ${plan.weekKey}`, '', `${first} to ${last} · ${plan.timeZone}`, '');

  if (plan.vision) {
    out.push('## Celebration vision (12 months)', '');
    out.push(`- **Work:** ${escapeMarkdown(plan.vision.work) || '—'}`);
    out.push(`- **Self:** ${escapeMarkdown(plan.vision.self) || '—'}`);
    out.push(`- **Relationships:** ${escapeMarkdown(plan.vision.relationships) || '—'}`, '');
  }

  out.push('## Big rocks', '');
  out.push(...(plan.rocks.length > 0 ? plan.rocks.map(rockLine) : ['_No big rocks yet._']), '');

  out.push('## Environment', '');
  out.push(...(plan.environment.length > 0 ? plan.environment.map((e) => `- ${escapeMarkdown(e.text)}`) : ['_No changes yet._']), '');

  out.push('## Time blocks', '');
  if (plan.blocks.length === 0) out.push('_No blocks yet._', '');
  for (let day = 0; day < 7; day++) {
    const blocks = plan.blocks.filter((b) => instantToLocal(b.start, plan.timeZone).dayIndex === day && instantToLocal(b.start, plan.timeZone).weekKey === plan.weekKey);
    if (blocks.length === 0) continue;
    out.push(`### ${LONG_DAYS[day]} ${dateOfWeekDay(plan.weekKey, day)}`, '');
    for (const b of blocks) {
      // blockTime starts with the short day name, already in the heading.
      const time = blockTime(b, plan.timeZone).replace(/^\S+ /, '');
      const rock = b.rockId ? plan.rocks.find((r) => r.id === b.rockId) : undefined;
      const forRock = rock && rock.title !== b.title ? ` (rock: ${escapeMarkdown(rock.title)})` : '';
      out.push(`- ${time} **${kindLabel(b.kind)}:** ${escapeMarkdown(b.title)}${forRock}`);
    }
    out.push('');
  }

  if (plan.reflections.length > 0) {
    out.push('## Reflection', '');
    for (const r of plan.reflections) {
      if (plan.reflections.length > 1) out.push(`### ${r.createdAt.slice(0, 10)}`, '');
      if (r.wentWell) out.push(`- **Went well:** ${escapeMarkdown(r.wentWell)}`);
      if (r.timeNotes) out.push(`- **Where time went:** ${escapeMarkdown(r.timeNotes)}`);
      if (r.drop) out.push(`- **Drop:** ${escapeMarkdown(r.drop)}`);
      if (r.carryOver) out.push(`- **Carry over:** ${escapeMarkdown(r.carryOver)}`);
      out.push('');
    }
  }
  return out.join('\n').replace(/\n+$/, '\n');
}
