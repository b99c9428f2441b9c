// Pure helpers that lay a WeekPlan out for display.

import type { TimeBlock } from '../../../server/plan/types.ts';

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
    days[s.day].push({ block, start: s.time, end: e.time });
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
