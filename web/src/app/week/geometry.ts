// Local wall-clock positions of a week in the plan's time zone, and back to instants.
// Uses the server's Intl-only week math, so the browser and the rules agree on DST.

import type { TimeBlock, WeekPlan } from '../../../../server/plan/types.ts';
import { instantToLocal, localToInstant, weekEnd } from './zoned-time.ts';

export const SNAP_MINUTES = 15;
export const MINUTES_PER_DAY = 24 * 60;
export const MS_PER_MINUTE = 60_000;

export interface LocalSlot {
  day: number;
  /** Minutes after local midnight; an end at the next midnight is 1440. */
  start: number;
  end: number;
}

const toMinutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
const pad = (n: number) => String(n).padStart(2, '0');
export const hhmm = (minutes: number) => `${pad(Math.floor(minutes / 60) % 24)}:${pad(minutes % 60)}`;

/** Where an instant range sits in the week, or null if it starts outside. Multi-day blocks are cut at midnight. */
export function localSlot(plan: Pick<WeekPlan, 'weekKey' | 'timeZone'>, range: { start: string; end: string }): LocalSlot | null {
  try {
    const s = instantToLocal(range.start, plan.timeZone);
    if (s.weekKey !== plan.weekKey) return null;
    const e = instantToLocal(range.end, plan.timeZone);
    const start = toMinutes(s.hhmm);
    const end = e.date === s.date ? toMinutes(e.hhmm) : MINUTES_PER_DAY;
    return { day: s.dayIndex, start, end: Math.max(end, start + 1) };
  } catch {
    return null;
  }
}

/** The instant of a local day + minutes (1440 = the next midnight). */
export function instantAt(plan: Pick<WeekPlan, 'weekKey' | 'timeZone'>, day: number, minutes: number): string {
  if (minutes >= MINUTES_PER_DAY) {
    return day >= 6 ? weekEnd(plan.weekKey, plan.timeZone) : localToInstant(plan.weekKey, day + 1, '00:00', plan.timeZone);
  }
  return localToInstant(plan.weekKey, day, hhmm(Math.max(0, minutes)), plan.timeZone);
}

export const snap = (minutes: number) => Math.round(minutes / SNAP_MINUTES) * SNAP_MINUTES;

/** A block moved by whole days and minutes, keeping its length in real time. */
export function movedBlock(plan: Pick<WeekPlan, 'weekKey' | 'timeZone'>, block: TimeBlock, days: number, minutes: number): { start: string; end: string } | null {
  const slot = localSlot(plan, block);
  if (!slot) return null;
  const day = Math.min(6, Math.max(0, slot.day + days));
  const startMin = Math.min(MINUTES_PER_DAY - SNAP_MINUTES, Math.max(0, slot.start + minutes));
  const start = instantAt(plan, day, startMin);
  const length = Date.parse(block.end) - Date.parse(block.start);
  return { start, end: new Date(Date.parse(start) + length).toISOString() };
}

/** The block with its end moved by `minutes` (never before start + one snap). */
export function resizedBlock(plan: Pick<WeekPlan, 'weekKey' | 'timeZone'>, block: TimeBlock, minutes: number): { start: string; end: string } | null {
  const slot = localSlot(plan, block);
  if (!slot) return null;
  const end = Math.min(MINUTES_PER_DAY, Math.max(slot.start + SNAP_MINUTES, slot.end + minutes));
  return { start: block.start, end: instantAt(plan, slot.day, end) };
}

/** "Tue 09:00–10:30" */
export function slotLabel(slot: LocalSlot): string {
  return `${['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'][slot.day] ?? ''} ${hhmm(slot.start)}–${slot.end >= MINUTES_PER_DAY ? '24:00' : hhmm(slot.end)}`;
}
