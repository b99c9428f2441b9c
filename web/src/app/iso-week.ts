// ISO-8601 week keys ("2026-W48") of instants, in a given IANA time zone (default: the browser's).

const MS_PER_DAY = 86_400_000;

/** The calendar date (y, m 1–12, d) of `date` in `timeZone`. */
export function zonedDate(date: Date, timeZone?: string): { y: number; m: number; d: number } {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(date);
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value);
  return { y: get('year'), m: get('month'), d: get('day') };
}

/** ISO week-numbering year and week of a calendar date. */
export function isoWeekOfDate(y: number, m: number, d: number): { year: number; week: number } {
  const day = new Date(Date.UTC(y, m - 1, d));
  const weekday = day.getUTCDay() || 7; // Mon=1 … Sun=7
  const thursday = new Date(day.getTime() + (4 - weekday) * MS_PER_DAY);
  const year = thursday.getUTCFullYear();
  const week = Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / MS_PER_DAY / 7) + 1;
  return { year, week };
}

export function isoWeekKey(date: Date, timeZone?: string): string {
  const { y, m, d } = zonedDate(date, timeZone);
  const { year, week } = isoWeekOfDate(y, m, d);
  return `${year}-W${String(week).padStart(2, '0')}`;
}

/** "2026-W48" → { year: 2026, week: 48 }, or null. */
export function parseWeekKey(key: string): { year: number; week: number } | null {
  const m = /^(\d{4})-W(\d{2})$/.exec(key);
  return m ? { year: Number(m[1]), week: Number(m[2]) } : null;
}

/** Monday (UTC calendar date) of an ISO week. */
export function mondayOfWeek(year: number, week: number): Date {
  const jan4 = new Date(Date.UTC(year, 0, 4));
  const jan4Weekday = jan4.getUTCDay() || 7;
  return new Date(jan4.getTime() + ((week - 1) * 7 + 1 - jan4Weekday) * MS_PER_DAY);
}

/** "Week 48 · 24–30 Nov 2026" */
export function weekLabel(key: string): string {
  const w = parseWeekKey(key);
  if (!w) return key;
  const mon = mondayOfWeek(w.year, w.week);
  const sun = new Date(mon.getTime() + 6 * MS_PER_DAY);
  const fmt = (d: Date, opts: Intl.DateTimeFormatOptions) => new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', ...opts }).format(d);
  const range =
    mon.getUTCMonth() === sun.getUTCMonth()
      ? `${mon.getUTCDate()}–${fmt(sun, { day: 'numeric', month: 'short', year: 'numeric' })}`
      : `${fmt(mon, { day: 'numeric', month: 'short' })} – ${fmt(sun, { day: 'numeric', month: 'short', year: 'numeric' })}`;
  return `Week ${w.week} · ${range}`;
}
