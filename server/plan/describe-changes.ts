// What a person changed by editing the plan directly, in words the coach can repeat
// ("you moved the launch brief to Thursday 09:00–11:00"). Pure: two plans in, phrases out.

import type { SessionEvent } from '../session/types.ts';
import type { TimeBlock, WeekPlan } from './types.ts';
import { DAY_NAMES, instantToLocal } from './week.ts';

/** A change with nothing to compare it with (said to the person by the offline coach: "I see you changed the plan"). */
export const UNDESCRIBED_CHANGE = 'changed the plan';

/** Past this many phrases the rest is summarised, so a big edit can't flood the context. */
export const MAX_CHANGE_PHRASES = 6;

const KIND_WORDS: Record<string, string> = { deep_work: 'a deep-work block', recovery: 'a recovery block', other: 'a regular block' };

function capitalized(day: string): string {
  return day.charAt(0).toUpperCase() + day.slice(1);
}

function when(slot: { start: string; end: string }, timeZone: string): string {
  try {
    const s = instantToLocal(slot.start, timeZone);
    const e = instantToLocal(slot.end, timeZone);
    const day = capitalized(DAY_NAMES[s.dayIndex] ?? '');
    return `${day} ${s.hhmm}–${e.hhmm === '00:00' && e.date !== s.date ? '24:00' : e.hhmm}`;
  } catch {
    return `${slot.start}–${slot.end}`;
  }
}

function blockPhrases(before: TimeBlock, after: TimeBlock, timeZone: string): string[] {
  const out: string[] = [];
  const name = `"${after.title}"`;
  if (before.title !== after.title) out.push(`renamed "${before.title}" to ${name}`);
  if (before.start !== after.start || before.end !== after.end) {
    const sameLength = Date.parse(before.end) - Date.parse(before.start) === Date.parse(after.end) - Date.parse(after.start);
    out.push(`${sameLength ? 'moved' : 'changed'} ${name} to ${when(after, timeZone)} (was ${when(before, timeZone)})`);
  }
  if (before.kind !== after.kind) out.push(`made ${name} ${KIND_WORDS[after.kind] ?? after.kind}`);
  if (before.rockId !== after.rockId) out.push(after.rockId ? `linked ${name} to a rock` : `unlinked ${name} from its rock`);
  return out;
}

/** Phrases for everything that differs, or [] when nothing did. `before` null: all of `after` is new. */
export function describePlanChanges(before: WeekPlan | null, after: WeekPlan): string[] {
  const tz = after.timeZone;
  const out: string[] = [];
  const oldBlocks = new Map((before?.blocks ?? []).map((b) => [b.id, b]));
  const newBlocks = new Map(after.blocks.map((b) => [b.id, b]));
  for (const b of after.blocks) {
    const old = oldBlocks.get(b.id);
    if (!old) out.push(`added "${b.title}" on ${when(b, tz)}`);
    else out.push(...blockPhrases(old, b, tz));
  }
  for (const b of before?.blocks ?? []) if (!newBlocks.has(b.id)) out.push(`removed "${b.title}" (${when(b, tz)})`);

  const oldRocks = new Map((before?.rocks ?? []).map((r) => [r.id, r]));
  const newRocks = new Set(after.rocks.map((r) => r.id));
  for (const r of after.rocks) {
    const old = oldRocks.get(r.id);
    if (!old) out.push(`added the rock "${r.title}"`);
    else {
      if (old.title !== r.title) out.push(`renamed the rock "${old.title}" to "${r.title}"`);
      if (old.status !== r.status) out.push(r.status === 'done' ? `marked "${r.title}" done` : r.status === 'dropped' ? `dropped "${r.title}"` : `set "${r.title}" back to planned`);
    }
  }
  for (const r of before?.rocks ?? []) if (!newRocks.has(r.id)) out.push(`deleted the rock "${r.title}"`);
  const order = (p: WeekPlan | null) => (p?.rocks ?? []).filter((r) => oldRocks.has(r.id) && newRocks.has(r.id)).sort((a, b) => a.position - b.position).map((r) => r.id).join();
  if (before && order(before) !== order(after)) out.push('reordered the rocks');

  if (JSON.stringify(before?.vision ?? null) !== JSON.stringify(after.vision)) out.push('updated the 12-month vision');
  const oldEnv = new Set((before?.environment ?? []).map((e) => e.id));
  const newEnv = new Set(after.environment.map((e) => e.id));
  for (const e of after.environment) if (!oldEnv.has(e.id)) out.push(`added the environment change "${e.text}"`);
  for (const e of before?.environment ?? []) if (!newEnv.has(e.id)) out.push(`removed the environment change "${e.text}"`);
  if (after.review && JSON.stringify(before?.review ?? null) !== JSON.stringify(after.review)) out.push(`moved the weekly review to ${when(after.review, tz)}`);

  if (out.length <= MAX_CHANGE_PHRASES) return out;
  return [...out.slice(0, MAX_CHANGE_PHRASES), `and made ${out.length - MAX_CHANGE_PHRASES} more changes`];
}

/**
 * What the person changed directly since the coach last finished an answer, read from the
 * session log's plan.updated events (`by.kind === "user"`). Each change is compared with the
 * plan the event before it carried, so a coach change in between is not attributed to them.
 */
export function directEditsSinceLastAnswer(history: readonly SessionEvent[]): string[] {
  const sorted = [...history].sort((a, b) => a.seq - b.seq);
  let lastAnswer = 0;
  for (const e of sorted) if (e.type === 'assistant.end') lastAnswer = e.seq;
  const previous = new Map<string, WeekPlan>();
  const phrases: string[] = [];
  for (const e of sorted) {
    if (e.type !== 'plan.updated') continue;
    const plan = e.data.plan as WeekPlan | undefined;
    if (!plan || typeof plan.weekKey !== 'string' || !Array.isArray(plan.blocks)) continue;
    const by = e.data.by as { kind?: string } | undefined;
    if (e.seq > lastAnswer && by?.kind === 'user') {
      const before = previous.get(plan.weekKey);
      // With no earlier plan in this log, the words the write itself recorded; failing those, the saved plan says the rest.
      const recorded = Array.isArray(e.data.changes) ? e.data.changes.filter((c): c is string => typeof c === 'string') : [];
      phrases.push(...(before ? describePlanChanges(before, plan) : recorded.length > 0 ? recorded : [UNDESCRIBED_CHANGE]));
    }
    previous.set(plan.weekKey, plan);
  }
  return phrases;
}

/** One line for the coach, or null when the person changed nothing directly. */
export function directEditsNote(history: readonly SessionEvent[]): string | null {
  const phrases = directEditsSinceLastAnswer(history);
  if (phrases.length === 0) return null;
  return `Since your last answer the person edited the plan directly (not through you): they ${phrases.join('; ')}. Acknowledge it briefly where it matters and plan around it; don't undo it.`;
}
