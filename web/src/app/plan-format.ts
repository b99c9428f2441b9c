// Pure helpers that lay a WeekPlan out for display.

import type { TimeBlock } from '../../../server/plan/types.ts';
import { mondayOfWeek, parseWeekKey } from './iso-week.ts';

export const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

const WEEKDAY_INDEX: Record<string, number> = { Mon: 0, Tue: 1, Wed: 2, Thu: 3, Fri: 4, Sat: 5, Sun: 6 };

/** Weekday (0 = Monday) and "HH:MM" of an instant in a time zone. */
export function zonedWeekdayTime(iso: string, timeZone: string): { day: number; time: string } | null {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return null;
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(date);
  } catch {
    return null; // unknown time zone
  }
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  const day = WEEKDAY_INDEX[get('weekday')];
  if (day === undefined) return null;
  return { day, time: `${get('hour')}:${get('minute')}` };
}

export interface DayBlock {
  block: TimeBlock;
  start: string;
  end: string;
}

/** Seven columns, Monday first, each sorted by start time. Blocks that cannot be placed are left out. */
export function blocksByWeekday(blocks: readonly TimeBlock[], timeZone: string): DayBlock[][] {
  const days: DayBlock[][] = [[], [], [], [], [], [], []];
  for (const block of blocks) {
    const s = zonedWeekdayTime(block.start, timeZone);
    const e = zonedWeekdayTime(block.end, timeZone);
    if (!s || !e) continue;
    days[s.day]?.push({ block, start: s.time, end: e.time });
  }
  for (const d of days) d.sort((a, b) => a.block.start.localeCompare(b.block.start));
  return days;
}

export const ROCK_STATUS_LABEL: Record<string, string> = {
  planned: 'Planned',
  done: 'Done',
  dropped: 'Dropped',
  carried: 'Carried over',
};

export const BLOCK_KIND_LABEL: Record<string, string> = {
  deep_work: 'Deep work',
  recovery: 'Recovery',
  other: 'Other',
};

/** "09:00" → minutes after midnight. */
export function minutesOf(time: string): number {
  const [h, m] = time.split(':').map(Number);
  return (h || 0) * 60 + (m || 0);
}

/**
 * The hours a week grid shows: at least 07:00–21:00, widened to whole hours around every
 * block. A block ending at or past midnight is drawn to the end of its day.
 */
export function gridHours(days: readonly DayBlock[][]): { from: number; to: number } {
  let from = 7;
  let to = 21;
  for (const d of days) {
    for (const b of d) {
      const s = minutesOf(b.start);
      const e = blockEndMinutes(b);
      from = Math.min(from, Math.floor(s / 60));
      to = Math.max(to, Math.ceil(e / 60));
    }
  }
  return { from, to: Math.min(24, to) };
}

/** End in minutes after the start day's midnight (blocks crossing midnight end at 24:00). */
export function blockEndMinutes(b: DayBlock): number {
  const s = minutesOf(b.start);
  const e = minutesOf(b.end);
  return e <= s ? 24 * 60 : e;
}

/** Top and height of a block in a grid of `hours`, as percentages. */
export function blockBox(b: DayBlock, hours: { from: number; to: number }): { top: number; height: number } {
  const span = (hours.to - hours.from) * 60;
  const top = ((minutesOf(b.start) - hours.from * 60) / span) * 100;
  const height = ((blockEndMinutes(b) - minutesOf(b.start)) / span) * 100;
  return { top: clamp(top, 0, 100), height: clamp(height, 1.5, 100 - clamp(top, 0, 100)) };
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}

/** Day-of-month of each weekday of an ISO week ("2026-W48" → [23, 24, …, 29]). */
export function weekDates(weekKey: string): number[] | null {
  const w = parseWeekKey(weekKey);
  if (!w) return null;
  const monday = mondayOfWeek(w.year, w.week).getTime();
  return Array.from({ length: 7 }, (_, i) => new Date(monday + i * 86_400_000).getUTCDate());
}
