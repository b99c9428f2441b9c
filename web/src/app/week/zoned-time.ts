// Wall-clock time in the plan's IANA zone, with Intl only (the web app imports no server
// code). The same rules as the server's week math: a week runs Monday 00:00 to the next
// Monday 00:00 local; a time skipped by a DST gap moves forward, an ambiguous one takes its
// first occurrence.

import { isoWeekOfDate, mondayOfWeek, parseWeekKey } from '../iso-week.ts';

const MS_PER_MINUTE = 60_000;
const MS_PER_DAY = 86_400_000;

interface Parts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric' });
    formatters.set(timeZone, f);
  }
  return f;
}

function partsAt(ms: number, timeZone: string): Parts {
  const parts = formatter(timeZone).formatToParts(new Date(ms));
  const get = (t: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === t)?.value);
  return { year: get('year'), month: get('month'), day: get('day'), hour: get('hour'), minute: get('minute') };
}

function offsetAt(ms: number, timeZone: string): number {
  const p = partsAt(ms, timeZone);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute) - Math.floor(ms / MS_PER_MINUTE) * MS_PER_MINUTE;
}

function zonedToMs(p: Parts, timeZone: string): number {
  const wall = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute);
  const before = offsetAt(wall - MS_PER_DAY / 2, timeZone);
  const after = offsetAt(wall + MS_PER_DAY / 2, timeZone);
  for (const off of before >= after ? [before, after] : [after, before]) {
    if (offsetAt(wall - off, timeZone) === off) return wall - off;
  }
  return wall - before;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
const keyOf = (w: { year: number; week: number }) => `${pad(w.year, 4)}-W${pad(w.week)}`;

function mondayMs(weekKey: string): number {
  const w = parseWeekKey(weekKey);
  if (!w) throw new RangeError(`Not an ISO week: ${weekKey}`);
  return mondayOfWeek(w.year, w.week).getTime();
}

function shiftWeek(weekKey: string, weeks: number): string {
  const d = new Date(mondayMs(weekKey) + weeks * 7 * MS_PER_DAY);
  return keyOf(isoWeekOfDate(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()));
}

export const nextWeekKey = (weekKey: string) => shiftWeek(weekKey, 1);
export const previousWeekKey = (weekKey: string) => shiftWeek(weekKey, -1);

/** Where an instant falls in its local week: day (0 = Monday), "HH:MM" and the date. */
export function instantToLocal(instant: string, timeZone: string): { weekKey: string; dayIndex: number; hhmm: string; date: string } {
  const p = partsAt(Date.parse(instant), timeZone);
  const dayIndex = (new Date(Date.UTC(p.year, p.month - 1, p.day)).getUTCDay() + 6) % 7;
  return { weekKey: keyOf(isoWeekOfDate(p.year, p.month, p.day)), dayIndex, hhmm: `${pad(p.hour)}:${pad(p.minute)}`, date: `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}` };
}

/** "HH:MM" on a day (0 = Monday) of a week, in a zone, as an ISO instant. */
export function localToInstant(weekKey: string, dayIndex: number, hhmm: string, timeZone: string): string {
  const d = new Date(mondayMs(weekKey) + dayIndex * MS_PER_DAY);
  const ms = zonedToMs({ year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: Number(hhmm.slice(0, 2)), minute: Number(hhmm.slice(3, 5)) }, timeZone);
  return new Date(ms).toISOString();
}

/** The local Monday 00:00 after the week, as an instant. */
export function weekEnd(weekKey: string, timeZone: string): string {
  return localToInstant(nextWeekKey(weekKey), 0, '00:00', timeZone);
}
