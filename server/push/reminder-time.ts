// When weekly reminders fire, in the person's zone: pure functions over Intl (server/plan/week.ts).
import type { QuietHours, WeeklyTime } from '../contract/index.ts';
import { DAY_NAMES, instantToLocal, localParts, localToInstant, weekKeyFor, zonedToMs } from '../plan/week.ts';

/** `weekday`: 0–7 with 0 and 7 Sunday and 1 Monday (ISO and cron agree), or a day name ("friday", "Fri"). */
export type Weekday = WeeklyTime['weekday'];
/** `time` and quiet hours are local "HH:MM", 24-hour (the contract's shapes). */
export type { QuietHours, WeeklyTime };

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;
const MS_PER_DAY = 86_400_000;

/** Day index with 0 = Monday (as week.ts), or undefined when it is not a day. */
export function dayIndexOf(weekday: Weekday): number | undefined {
  if (typeof weekday === 'number') return Number.isInteger(weekday) && weekday >= 0 && weekday <= 7 ? (weekday + 6) % 7 : undefined;
  const w = weekday.trim().toLowerCase();
  if (w.length < 3) return undefined;
  const i = DAY_NAMES.findIndex((d) => d.startsWith(w));
  return i >= 0 && (w.length === 3 || DAY_NAMES[i] === w) ? i : undefined;
}

export const isHhmm = (s: string) => HHMM.test(s);

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** The next time `at` local time on that weekday strictly after `afterMs`, and the ISO week it belongs to. */
export function nextOccurrence(at: WeeklyTime, timeZone: string, afterMs: number): { atMs: number; weekKey: string } {
  const day = dayIndexOf(at.weekday);
  if (day === undefined || !isHhmm(at.time)) throw new RangeError(`not a weekly time: ${JSON.stringify(at)}`);
  let weekKey = weekKeyFor(afterMs, timeZone);
  for (let i = 0; i < 3; i++) {
    const ms = Date.parse(localToInstant(weekKey, day, at.time, timeZone));
    if (ms > afterMs) return { atMs: ms, weekKey };
    weekKey = weekKeyFor(ms + 7 * MS_PER_DAY, timeZone);
  }
  throw new Error('no next occurrence found');
}

export function inQuietHours(ms: number, quiet: QuietHours | null | undefined, timeZone: string): boolean {
  if (!quiet || quiet.from === quiet.to) return false;
  const t = minutesOf(instantToLocal(new Date(ms), timeZone).hhmm);
  const from = minutesOf(quiet.from);
  const to = minutesOf(quiet.to);
  return from < to ? t >= from && t < to : t >= from || t < to;
}

/** `ms`, or the end of the quiet hours it falls in (22:00–07:00 at 23:30 → 07:00 the next morning). */
export function afterQuietHours(ms: number, quiet: QuietHours | null | undefined, timeZone: string): number {
  if (!inQuietHours(ms, quiet, timeZone)) return ms;
  const to = minutesOf(quiet!.to);
  const p = localParts(ms, timeZone);
  const nextDay = p.hour * 60 + p.minute >= to;
  const day = new Date(Date.UTC(p.year, p.month - 1, p.day) + (nextDay ? MS_PER_DAY : 0));
  return zonedToMs({ year: day.getUTCFullYear(), month: day.getUTCMonth() + 1, day: day.getUTCDate(), hour: Math.floor(to / 60), minute: to % 60 }, timeZone);
}
