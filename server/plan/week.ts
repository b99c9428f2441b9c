// ISO-8601 weeks in a user's IANA time zone, using Intl only: a person's "week" starts at
// Monday 00:00 where they live, not in UTC, and local times must survive DST changes.

const WEEK_KEY_RE = /^(\d{4})-W(\d{2})$/;
const HHMM_RE = /^([01]\d|2[0-3]):([0-5]\d)$/;
const MS_PER_MINUTE = 60_000;
const MS_PER_DAY = 86_400_000;

export const DAY_NAMES = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;
export type DayName = (typeof DAY_NAMES)[number];

export interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

// Formatters are costly to build and a user's zone rarely changes: keep one per zone.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

function toMs(instant: Date | string | number): number {
  const ms = instant instanceof Date ? instant.getTime() : typeof instant === 'number' ? instant : Date.parse(instant);
  if (!Number.isFinite(ms)) throw new RangeError(`Not a valid instant: ${String(instant)}`);
  return ms;
}

/** Wall-clock parts of an instant in a zone. */
export function localParts(instant: Date | string | number, timeZone: string): LocalParts {
  const parts = formatterFor(timeZone).formatToParts(new Date(toMs(instant)));
  const get = (type: Intl.DateTimeFormatPartTypes): number => Number(parts.find((p) => p.type === type)?.value);
  return { year: get('year'), month: get('month'), day: get('day'), hour: get('hour'), minute: get('minute') };
}

/** Zone offset (local minus UTC) in ms at an instant; seconds are dropped, as historic LMT offsets don't matter here. */
function offsetMs(ms: number, timeZone: string): number {
  const p = localParts(ms, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute);
  return asUtc - Math.floor(ms / MS_PER_MINUTE) * MS_PER_MINUTE;
}

/**
 * The instant a wall-clock time happens in a zone. A time skipped by a spring-forward
 * gap moves forward by the gap (02:30 → 03:30); an ambiguous fall-back time takes the
 * earlier occurrence — the same choices as Temporal's "compatible" disambiguation.
 */
export function zonedToMs(p: LocalParts, timeZone: string): number {
  const wall = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute);
  const before = offsetMs(wall - MS_PER_DAY / 2, timeZone);
  const after = offsetMs(wall + MS_PER_DAY / 2, timeZone);
  // Try the earlier offset first so an ambiguous time resolves to its first occurrence.
  const candidates = before >= after ? [before, after] : [after, before];
  for (const off of candidates) {
    const ms = wall - off;
    if (offsetMs(ms, timeZone) === off) return ms;
  }
  // In a gap neither offset round-trips: use the pre-transition offset, which lands after the gap.
  return wall - before;
}

function isoWeekOfDate(year: number, month: number, day: number): { year: number; week: number } {
  const date = new Date(Date.UTC(year, month - 1, day));
  const dow = (date.getUTCDay() + 6) % 7; // 0 = Monday
  // The ISO week-year is the year of the week's Thursday.
  const thursday = new Date(date.getTime() + (3 - dow) * MS_PER_DAY);
  const weekYear = thursday.getUTCFullYear();
  const jan1 = Date.UTC(weekYear, 0, 1);
  const week = Math.floor((thursday.getTime() - jan1) / MS_PER_DAY / 7) + 1;
  return { year: weekYear, week };
}

function formatWeekKey(year: number, week: number): string {
  return `${String(year).padStart(4, '0')}-W${String(week).padStart(2, '0')}`;
}

function weeksInYear(year: number): number {
  // 28 December is always in the last ISO week of its year.
  return isoWeekOfDate(year, 12, 28).week;
}

export function parseWeekKey(weekKey: string): { year: number; week: number } | null {
  const m = WEEK_KEY_RE.exec(weekKey);
  if (!m) return null;
  const year = Number(m[1]);
  const week = Number(m[2]);
  if (year < 1970 || week < 1 || week > weeksInYear(year)) return null;
  return { year, week };
}

function requireWeek(weekKey: string): { year: number; week: number } {
  const w = parseWeekKey(weekKey);
  if (!w) throw new RangeError(`Not a valid ISO week key: "${weekKey}" (expected e.g. "2026-W48")`);
  return w;
}

/** UTC-midnight ms of the Monday of an ISO week, as a calendar date (no zone involved). */
function mondayDateMs(weekKey: string): number {
  const { year, week } = requireWeek(weekKey);
  const jan4 = Date.UTC(year, 0, 4);
  const jan4Dow = (new Date(jan4).getUTCDay() + 6) % 7;
  return jan4 - jan4Dow * MS_PER_DAY + (week - 1) * 7 * MS_PER_DAY;
}

/** The calendar date ("YYYY-MM-DD") of a day of an ISO week, 0 = Monday. */
export function dateOfWeekDay(weekKey: string, dayIndex: number): string {
  if (!Number.isInteger(dayIndex) || dayIndex < 0 || dayIndex > 6) throw new RangeError(`dayIndex must be 0..6, got ${dayIndex}`);
  return new Date(mondayDateMs(weekKey) + dayIndex * MS_PER_DAY).toISOString().slice(0, 10);
}

/** Which day (0 = Monday) of the week a "YYYY-MM-DD" date is, or null if it is outside the week. */
export function dayIndexOfDate(weekKey: string, date: string): number | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return null;
  const ms = Date.parse(`${date}T00:00:00Z`);
  if (!Number.isFinite(ms) || new Date(ms).toISOString().slice(0, 10) !== date) return null;
  const idx = Math.round((ms - mondayDateMs(weekKey)) / MS_PER_DAY);
  return idx >= 0 && idx <= 6 ? idx : null;
}

export function weekKeyFor(instant: Date | string | number, timeZone: string): string {
  const p = localParts(instant, timeZone);
  const { year, week } = isoWeekOfDate(p.year, p.month, p.day);
  return formatWeekKey(year, week);
}

/** Monday 00:00 local up to (excluding) the next Monday 00:00 local, as UTC instants. */
export function weekBounds(weekKey: string, timeZone: string): { start: string; end: string } {
  return {
    start: new Date(dayStartMs(weekKey, 0, timeZone)).toISOString(),
    end: new Date(dayStartMs(nextWeekKey(weekKey), 0, timeZone)).toISOString(),
  };
}

/** The calendar date of a day of a week, as numbers. */
function weekDayDate(weekKey: string, dayIndex: number): { year: number; month: number; day: number } {
  const date = new Date(Date.parse(dateOfWeekDay(weekKey, dayIndex)));
  return { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() };
}

function dayStartMs(weekKey: string, dayIndex: number, timeZone: string): number {
  return zonedToMs({ ...weekDayDate(weekKey, dayIndex), hour: 0, minute: 0 }, timeZone);
}

export function isValidHhmm(hhmm: string): boolean {
  return HHMM_RE.test(hhmm);
}

/** "HH:MM" on a day of a week, in a zone, as an ISO UTC string. */
export function localToInstant(weekKey: string, dayIndex: number, hhmm: string, timeZone: string): string {
  const m = HHMM_RE.exec(hhmm);
  if (!m) throw new RangeError(`Not a valid time: "${hhmm}" (expected "HH:MM", 00:00–23:59)`);
  return new Date(zonedToMs({ ...weekDayDate(weekKey, dayIndex), hour: Number(m[1]), minute: Number(m[2]) }, timeZone)).toISOString();
}

/** Where an instant falls in the local week: day index (0 = Monday), "HH:MM" and date. */
export function instantToLocal(instant: string | Date, timeZone: string): { weekKey: string; dayIndex: number; hhmm: string; date: string } {
  const p = localParts(instant, timeZone);
  const date = `${String(p.year).padStart(4, '0')}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
  const dayIndex = (new Date(Date.UTC(p.year, p.month - 1, p.day)).getUTCDay() + 6) % 7;
  const hhmm = `${String(p.hour).padStart(2, '0')}:${String(p.minute).padStart(2, '0')}`;
  return { weekKey: weekKeyFor(instant, timeZone), dayIndex, hhmm, date };
}

export function nextWeekKey(weekKey: string): string {
  const monday = new Date(mondayDateMs(weekKey) + 7 * MS_PER_DAY);
  const { year, week } = isoWeekOfDate(monday.getUTCFullYear(), monday.getUTCMonth() + 1, monday.getUTCDate());
  return formatWeekKey(year, week);
}

export function previousWeekKey(weekKey: string): string {
  const monday = new Date(mondayDateMs(weekKey) - 7 * MS_PER_DAY);
  const { year, week } = isoWeekOfDate(monday.getUTCFullYear(), monday.getUTCMonth() + 1, monday.getUTCDate());
  return formatWeekKey(year, week);
}
