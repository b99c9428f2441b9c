// Reads days and times the way people type them: "tue and thu 8 til 10ish", "9-11 friday and
// 2-4 saturday", "weekdays after lunch for an hour", "sat from 4pm on". Pure.
//
// Why hand-written: chrono-node and compromise were tried on the corpus's time answers
// (see server/coach/README.md): chrono reads dates in running text well but attaches every
// time to one reference date, so "9-11 friday and 2-4 saturday" and "tue and thu 8-10" lose
// their days, and it reads bare "6-8" as 06–08 with no sign that it guessed. This reader
// keeps each time with its own days and says when it guessed.

export interface ReadSlot {
  /** 0 = Monday … 6 = Sunday. */
  days: number[];
  /** 24-hour "HH:MM"; `end` may be "24:00". */
  start: string;
  end: string;
  /**
   * Why this reading is a guess, if it is one: `meridiem` (no am/pm and both readings are
   * waking hours), `open` (no end given), `loose` (only a part of the day was named).
   */
  guess?: 'meridiem' | 'open' | 'loose';
  /** For a `meridiem` guess: the other reading, 12 hours later or earlier. */
  alternative?: { start: string; end: string };
}

export type TimeTrouble = 'no_time' | 'no_day' | 'bad_time';

export type TimeReading = { kind: 'slots'; slots: ReadSlot[] } | { kind: 'unclear'; why: TimeTrouble };

export interface TimeReadOptions {
  /**
   * Monday-based index of today, for "today", "tonight", "tomorrow", "day after tomorrow".
   * -1 is the day before the week (planning on Sunday: "tomorrow" is Monday).
   */
  today?: number;
  /** Days to use when the text names none (e.g. the block being corrected). */
  defaultDays?: number[];
  /** Minutes for a start time without an end ("tue at 9"). */
  defaultMinutes?: number;
  /** The times of the block booked just before, for "same time wednesday". */
  sameAs?: { start: string; end: string };
  /** Lean to evening for bare small hours (recovery after work) or to morning (deep work). */
  lean?: 'am' | 'pm';
}

type Period = 'am' | 'pm';

const WEEKDAYS = [0, 1, 2, 3, 4];
const WEEKEND = [5, 6];
const ALL_DAYS = [0, 1, 2, 3, 4, 5, 6];

// Common spellings and typos of day names, checked on whole words.
const DAY_WORDS: Array<[RegExp, number]> = [
  [/^(mon|mondays?|monday'?s|mo|mnday|monady)$/, 0],
  [/^(tue|tues|tuesdays?|tu|teusday|tuesay|tusday|tuseday)$/, 1],
  [/^(wed|weds|wednesdays?|wendesday|wednsday|wensday|wedensday|wednes)$/, 2],
  [/^(thu|thur|thurs|thursdays?|th|thrusday|thursay|thurday|thr)$/, 3],
  [/^(fri|fridays?|firday|fr|frday)$/, 4],
  [/^(sat|saturdays?|sa|saterday|saturday's)$/, 5],
  [/^(sun|sundays?|su|sunady)$/, 6],
];

export function dayOfWord(word: string): number | null {
  const w = word.toLowerCase().replace(/[^a-z']/g, '');
  for (const [re, idx] of DAY_WORDS) if (re.test(w)) return idx;
  return null;
}

type Item =
  | { t: 'days'; at: number; end: number; days: number[] }
  // A part of the day, perhaps with the days it implies ("every morning" → weekdays when no day is named).
  | { t: 'period'; at: number; end: number; period: PeriodName; weakDays?: number[] }
  | { t: 'range'; at: number; end: number; a: Clock; b: Clock }
  | { t: 'single'; at: number; end: number; c: Clock; open: boolean }
  | { t: 'duration'; at: number; end: number; minutes: number };

type PeriodName = 'morning' | 'afternoon' | 'late_afternoon' | 'evening' | 'night' | 'lunch' | 'after_lunch' | 'before_lunch' | 'after_work' | 'all_day';

interface Clock {
  h: number;
  m: number;
  mer: Period | null;
  /** Written in 24-hour style ("08:00", "14:30", "13h"): never gets 12 added. */
  h24: boolean;
}

/** Default slots for a named part of the day, in minutes. */
const PERIOD_SLOT: Record<PeriodName, [number, number]> = {
  morning: [9 * 60, 11 * 60],
  afternoon: [14 * 60, 16 * 60],
  evening: [19 * 60, 21 * 60],
  night: [20 * 60, 22 * 60],
  lunch: [12 * 60, 13 * 60],
  after_lunch: [13 * 60, 15 * 60],
  before_lunch: [10 * 60, 12 * 60],
  after_work: [18 * 60, 20 * 60],
  all_day: [9 * 60, 17 * 60],
  late_afternoon: [16 * 60, 18 * 60],
};

const PERIOD_MERIDIEM: Partial<Record<PeriodName, Period>> = {
  morning: 'am',
  before_lunch: 'am',
  afternoon: 'pm',
  late_afternoon: 'pm',
  evening: 'pm',
  night: 'pm',
  after_lunch: 'pm',
  after_work: 'pm',
};

const NUMBER_WORDS: Record<string, number> = { a: 1, an: 1, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, half: 0.5, couple: 2, few: 3 };

/**
 * "0700-0900", "fri 1300", "at 1730h", "930-11": times written without a colon (nurses, the
 * military, quick typists) as "07:00". Only where it reads as a time — a leading zero, a range,
 * after a day or "at"/"from" — so "2026", "1500 words" or "sat 100 pushups" stay numbers.
 */
function militaryTime(whole: string, h: string, m: string, at: number, text: string): string {
  const before = text.slice(Math.max(0, at - 12), at);
  const after = text.slice(at + whole.length, at + whole.length + 14);
  // Three digits ("930-11") only in a range, after "at"/"from", or with am/pm.
  const short = h.length === 1;
  const timeLike =
    (h.startsWith('0') && !short) ||
    /^\s*(?:-|to|til|till|until)\s*\d/.test(after) ||
    (short && /^\s*(?:am|pm|a\.m|p\.m)\b/.test(after)) ||
    /(?:-|\bto|\btil|\btill|\buntil|\bat|\bfrom|\bby|@)\s*$/.test(before) ||
    (!short && /\b(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\s*$/.test(before));
  return timeLike && !/^\s*(?:words|pages|steps|calories|kcal|km|m\b|people|users)/.test(after) ? `${h}:${m}` : whole;
}

/** Lower-cases and rewrites loose phrasings into forms the scanner reads. */
export function normalizeTimeText(text: string): string {
  return (
    ` ${text.toLowerCase()} `
      .replace(/[’‘]/g, "'")
      .replace(/[–—−]/g, '-')
      .replace(/(\d)\s*ish\b/g, '$1')
      // Day shorthands: "m/w/f", "mwf", "tu/th", "tth", "wknd", "wkdays".
      .replace(/\bm\/w\/f\b|\bmwf\b/g, 'mon wed fri')
      .replace(/\btu?\/th\b|\btth\b/g, 'tue thu')
      .replace(/\bm\/w\b/g, 'mon wed')
      .replace(/\bwk(?:e?nd|end)s?\b/g, 'weekend')
      .replace(/\bwk ?days?\b|\bwkdys?\b/g, 'weekdays')
      // "thurs am", "fri pm": a half of the day.
      .replace(/\b((?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?)\s+(?:am|a\.m\.?)(?=[\s,.;!?]|$)/g, '$1 morning')
      .replace(/\b((?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?)\s+(?:pm|p\.m\.?)(?=[\s,.;!?]|$)/g, '$1 afternoon')
      .replace(/\b([01]\d|2[0-3]|[1-9])([0-5]\d)(?:\s*(?:h|hrs))?\b/g, militaryTime)
      // "an hour and a half", "2 and a half hours", "1 hour and a half".
      .replace(/\b(?:an|one|1)\s+hour\s+and\s+a\s+half\b/g, '1.5 hours')
      .replace(/\b(\d)\s+(?:hours?\s+and\s+a\s+half|and\s+a\s+half\s+hours?)\b/g, '$1.5 hours')
      .replace(/\b(\d{1,2}(?::\d{2})?)\s*o'?\s*clock\b/g, '$1')
      .replace(/\b(\d{1,2})\s*(?:h|:)\s*(\d{2})\b/g, '$1:$2')
      // "9h-11h", "13-15h": European clock hours, not durations.
      .replace(/\b(\d{1,2})h\s*-\s*(\d{1,2})h?\b/g, '$1-$2')
      .replace(/\b(\d{1,2}(?::\d{2})?)\s*-\s*(\d{1,2})h\b/g, '$1-$2')
      .replace(/\b(\d{1,2})\.(\d{2})\s*(am|pm)?\b/g, (_m, h: string, mm: string, mer?: string) => `${h}:${mm}${mer ? ` ${mer}` : ''}`)
      .replace(/\bhalf (?:past )?(\d{1,2})\b/g, '$1:30')
      .replace(/\bquarter past (\d{1,2})\b/g, '$1:15')
      .replace(/\bquarter to (\d{1,2})\b/g, (_m, h: string) => `${Number(h) - 1}:45`)
      .replace(/\b(midday|noon)\b/g, '12pm')
      .replace(/\bmidnight\b/g, '12am')
      .replace(/\b(\d{1,2})\s*(a\.m\.?|am\b|a\b)/g, '$1am')
      .replace(/\b(\d{1,2})\s*(p\.m\.?|pm\b|p\b)/g, '$1pm')
      .replace(/\b(\d{1,2}:\d{2})\s*(a\.m\.?|am\b)/g, '$1am')
      .replace(/\b(\d{1,2}:\d{2})\s*(p\.m\.?|pm\b)/g, '$1pm')
      // "between 9 and 11", "9 till lunch": ranges in words.
      .replace(/\bbetween (\d{1,2}(?::\d{2})?(?:am|pm)?) and (\d{1,2}(?::\d{2})?(?:am|pm)?)\b/g, '$1-$2')
      .replace(/(\d(?:am|pm)?)\s*(?:-+|to|til|till|until)\s*lunch(?:time)?\b/g, '$1-12pm')
      // "till"/"until"/"through" between two times means a range.
      .replace(/(\d(?:am|pm)?)\s*(?:-+|to|til|till|until|thru|through|\.\.+|>)\s*(?=\d)/g, '$1-')
      .replace(/\s+/g, ' ')
  );
}

const CLOCK_SRC = String.raw`(\d{1,2})(?::(\d{2}))?(am|pm)?`;
const RANGE_RE = new RegExp(String.raw`(?<![\d:])` + CLOCK_SRC + String.raw`-` + CLOCK_SRC + String.raw`(?![\d:])`, 'g');
const SINGLE_RE = new RegExp(String.raw`(?<![\d:-])(?:\b(at|from|after|starting|start|by|around|about|before)\s+)?` + CLOCK_SRC + String.raw`(?![\d:-])(\s+(?:on(?=\s*(?:[,.;!?]|$))|onwards?\b|and later|till late|until late|'?til late))?`, 'g');
const DURATION_RE = /(?<![\d:])(?:(\d+(?:\.\d+)?)|\b(?:an?\s+)?(couple(?:\s+of)?|few|an?|one|two|three|four|five|six|half an?|half))\s*(?:-\s*(\d+(?:\.\d+)?)\s*)?(hours?|hrs?|h|minutes?|mins?|m)\b(?:\s*(?:and\s*)?(\d{1,2})\s*(?:minutes?|mins?|m)\b)?/g;

function clockOf(h: string, m: string | undefined, mer: string | undefined): Clock {
  return { h: Number(h), m: m ? Number(m) : 0, mer: mer === 'am' || mer === 'pm' ? mer : null, h24: (h.length === 2 && h.startsWith('0')) || Number(h) >= 13 };
}

/** The day `ahead` days after today, when it falls inside the planned week. */
function dayFromToday(today: number | undefined, ahead: number): number[] | null {
  if (today === undefined) return null;
  const d = today + ahead;
  return d >= 0 && d <= 6 ? [d] : null;
}

function scan(t: string, today: number | undefined): Item[] {
  const items: Item[] = [];
  const taken: Array<[number, number]> = [];
  const free = (a: number, b: number) => !taken.some(([x, y]) => a < y && x < b);
  const take = (a: number, b: number) => taken.push([a, b]);

  for (const m of t.matchAll(RANGE_RE)) {
    const at = m.index!;
    const end = at + m[0]!.length;
    // "2-3 hours", "1-2 times" are amounts, not clock times.
    if (/^\s*(hours?|hrs?|h\b|minutes?|mins?|times|x\b|days?|weeks?|rocks?|things)/.test(t.slice(end))) continue;
    items.push({ t: 'range', at, end, a: clockOf(m[1]!, m[2]!, m[3]!), b: clockOf(m[4]!, m[5]!, m[6]!) });
    take(at, end);
  }
  for (const m of t.matchAll(DURATION_RE)) {
    const at = m.index!;
    const end = at + m[0]!.length;
    if (!free(at, end)) continue;
    const unit = m[4]!;
    // A bare "m"/"h" right after a number is only a unit when it is not a clock ("9h" is read above).
    let amount = m[1] !== undefined ? Number(m[1]!) : (NUMBER_WORDS[m[2]!.split(' ')[0] ?? ''] ?? 1);
    if (m[2]?.startsWith('half')) amount = 0.5;
    if (m[3]!) amount = Number(m[3]!); // "2-3 hours": plan the larger amount
    let minutes = /^h/.test(unit) ? amount * 60 : amount;
    if (m[5]!) minutes += Number(m[5]!);
    if (minutes < 10 || minutes > 16 * 60) continue;
    items.push({ t: 'duration', at, end, minutes: Math.round(minutes) });
    take(at, end);
  }
  for (const m of t.matchAll(SINGLE_RE)) {
    const at = m.index!;
    const end = at + m[0]!.length;
    if (!free(at, end)) continue;
    const prep = m[1]!;
    const hasClockShape = m[3] !== undefined || m[4] !== undefined;
    // A bare number is a time only after "at"/"from"/"after"… or with a clock shape.
    const dayBefore = /([a-z]+)\s+$/.exec(t.slice(0, at));
    const afterDay = dayBefore !== null && dayOfWord(dayBefore[1] ?? '') !== null && !/^\s*(?:hours?|hrs?|h\b|min|x\b|times)/.test(t.slice(end));
    // "make it 5", "say 4", "4 is fine", "5 works better": a bare hour said as a time.
    const saidAsTime = /\b(?:make it|make that|say|like|around|about|maybe|at|by)\s+$/.test(t.slice(0, at)) || /^\s*(?:is (?:fine|good|ok|okay|better|best|great|perfect)|works|would work|should work|sounds good|'s (?:fine|good|better))\b/.test(t.slice(end));
    if (!prep && !hasClockShape && !afterDay && !(saidAsTime && Number(m[2]) >= 1 && Number(m[2]) <= 12)) continue;
    const c = clockOf(m[2]!, m[3]!, m[4]!);
    if (c.h > 24) continue;
    // "after 6": after work, not before sunrise.
    if (prep === 'after' && !c.mer && !c.h24 && c.h >= 5 && c.h <= 6) c.mer = 'pm';
    const open = Boolean(m[5]!) || prep === 'from' || prep === 'after' || prep === 'starting' || prep === 'start';
    items.push({ t: 'single', at, end, c, open: open && !/^\s*(?:for|-)/.test(t.slice(end)) });
    take(at, end);
  }

  const periodRes: Array<[RegExp, PeriodName, number[] | undefined]> = [
    [/\ball ?day\b|\bwhole day\b|\bthe entire day\b|\bfull day\b/g, 'all_day', undefined],
    // "saturday completely off", "sunday off", "a day off": the whole day.
    [/\b(?:completely|totally|entirely|fully)\s+off\b|\bday off\b|(?<=\b(?:mon|tue|wed|thu|fri|sat|sun|weekend)[a-z]*\s+)off\b(?!\s+(?:from|at|after|before|till|til|until|\d))/g, 'all_day', undefined],
    [/\bafter lunch\b/g, 'after_lunch', undefined],
    [/\bbefore lunch\b/g, 'before_lunch', undefined],
    [/\b(after work|after the kids are in bed)\b/g, 'after_work', undefined],
    [/\bat lunch\b|\blunch ?(?:time|break|breaks)?\b|\bover lunch\b/g, 'lunch', undefined],
    // "this afternoon": today's, when today is in the planned week.
    [/\bthis (?:morning|mornin)\b/g, 'morning', dayFromToday(today, 0) ?? undefined],
    [/\bthis (?:afternoon|arvo)\b/g, 'afternoon', dayFromToday(today, 0) ?? undefined],
    [/\bthis (?:evening|eve)\b/g, 'evening', dayFromToday(today, 0) ?? undefined],
    [/\blate afternoon\b/g, 'late_afternoon', undefined],
    [/\b(every|each) (morning|mornin)\b|\bmornings\b/g, 'morning', WEEKDAYS],
    [/\b(every|each) afternoon\b|\bafternoons\b/g, 'afternoon', WEEKDAYS],
    [/\b(every|each) (evening|night)\b|\bevenings\b|\bnights\b/g, 'evening', WEEKDAYS],
    [/\b(morning|mornin|am block|first thing|early)\b/g, 'morning', undefined],
    [/\b(afternoon|arvo|pm block)\b/g, 'afternoon', undefined],
    [/\btonight\b/g, 'evening', today === undefined || today < 0 ? undefined : [today]],
    [/\b(evening|eve)\b/g, 'evening', undefined],
    [/\bnight\b/g, 'night', undefined],
  ];
  for (const [re, period, weakDays] of periodRes) {
    for (const m of t.matchAll(re)) {
      const at = m.index!;
      const end = at + m[0]!.length;
      if (!free(at, end)) continue;
      items.push({ t: 'period', at, end, period, ...(weakDays ? { weakDays } : {}) });
      take(at, end);
    }
  }

  // Days: sets and ranges first, then single names.
  const daySets: Array<[RegExp, (m: RegExpMatchArray) => number[] | null]> = [
    [/\b(every ?day|daily|each day|all week|7 days|every single day|everyday)\b/g, () => ALL_DAYS],
    [/\b(week ?days?|work ?days?|workweek|every weekday|each weekday|business days)\b/g, () => WEEKDAYS],
    [/\b(weekends?|sat(?:urday)? (?:and|&|\+) sun(?:day)?)\b/g, () => WEEKEND],
    [/\btoday\b|\bthis (?:morning|afternoon|evening)\b/g, () => dayFromToday(today, 0)],
    [/\b(?:the )?day after (?:tomorrow|tmrw?|tmw)\b|\bovermorrow\b|\bin (?:2|two) days\b/g, () => dayFromToday(today, 2)],
    [/(?<!\bafter )(?:\btomorrow\b|\btmrw?\b|\btmw\b)/g, () => dayFromToday(today, 1)],
    [
      /\b([a-z]{2,9})\s*(?:-|to|through|thru|till|til|until)\s*([a-z]{2,9})\b/g,
      (m) => {
        const a = dayOfWord(m[1]!);
        const b = dayOfWord(m[2]!);
        if (a === null || b === null || a >= b) return null;
        return Array.from({ length: b - a + 1 }, (_, i) => a + i);
      },
    ],
  ];
  for (const [re, daysOf] of daySets) {
    for (const m of t.matchAll(re)) {
      const at = m.index!;
      const end = at + m[0]!.length;
      if (!free(at, end)) continue;
      const days = daysOf(m);
      if (!days) continue;
      items.push({ t: 'days', at, end, days });
      take(at, end);
    }
  }
  for (const m of t.matchAll(/[a-z']+/g)) {
    const at = m.index!;
    const end = at + m[0]!.length;
    if (!free(at, end)) continue;
    const word = m[0]!;
    // Two-letter abbreviations only next to a digit or another day ("tu 9-11"), never inside prose.
    if (word.length <= 2 && !/^\s*\d/.test(t.slice(end)) && !/\d\s*$/.test(t.slice(0, at))) continue;
    if (word === 'sun' && /\b(the|in|out|some)\s+$/.test(t.slice(0, at))) continue;
    if (word === 'sat' && /\b(i|we|he|she|they)\s+$/.test(t.slice(0, at))) continue;
    const d = dayOfWord(word);
    if (d === null) continue;
    items.push({ t: 'days', at, end, days: [d] });
    take(at, end);
  }
  return items.sort((x, y) => x.at - y.at);
}

const isTime = (i: Item) => i.t !== 'days';

/** A run of time items with no day between them: "morning 9-11", "9-11 and 2-4". */
interface Unit {
  items: Item[];
  at: number;
  end: number;
  days: number[];
}

// A comma, "then", a full stop: a day rarely reaches across one to a time on the other side.
const BOUNDARY_RE = /[,;.!?]|\bthen\b|\balso\b|\bplus\b|\bbut\b/g;
const BOUNDARY_COST = 40;

function distance(t: string, from: number, to: number): number {
  const between = t.slice(from, to);
  return between.trim().length + (between.match(BOUNDARY_RE)?.length ?? 0) * BOUNDARY_COST;
}

/**
 * Gives every named day to the time closest to it (a comma or "then" counts as far), so
 * "tue and thu 8-10", "8 til 10 on tue and thu", "9-11 friday and 2-4 saturday" and
 * "9-11 on monday, and then tuesday 1-3" each keep their times with their own days.
 */
function unitsOf(t: string, items: Item[]): Unit[] {
  const units: Unit[] = [];
  let cur: Unit | null = null;
  for (const it of items) {
    if (it.t === 'days') {
      cur = null;
      continue;
    }
    if (it.t === 'duration') continue;
    if (!cur) {
      cur = { items: [], at: it.at, end: it.end, days: [] };
      units.push(cur);
    }
    cur.items.push(it);
    cur.end = it.end;
  }
  // "walks at lunch mon-fri 12:30-13:15": a part of the day next to a clock time (with only
  // days between them) is a hint for that time, not a slot of its own.
  const explicit = (u: Unit) => u.items.some((i) => i.t === 'range' || i.t === 'single');
  for (let i = 0; i + 1 < units.length; i++) {
    const a = units[i]!;
    const b = units[i + 1]!;
    if (explicit(a) === explicit(b)) continue;
    const between = t.slice(a.end, b.at);
    if (/[,;.!?]|\b(and|then|also|plus|but|or|&)\b/.test(between)) continue;
    const periodOnly = explicit(a) ? b : a;
    if (periodOnly.items.some((x) => x.t === 'period' && x.weakDays)) continue;
    a.items.push(...b.items);
    a.end = b.end;
    units.splice(i + 1, 1);
    i--;
  }
  // "2 hours tue morning", "tue morning for 2 hours": a length belongs to the nearest time.
  for (const d of items) {
    if (d.t !== 'duration') continue;
    let best: Unit | undefined;
    let bestCost = Infinity;
    for (const u of units) {
      const cost = u.end <= d.at ? distance(t, u.end, d.at) : d.end <= u.at ? distance(t, d.end, u.at) : 0;
      if (cost < bestCost) {
        best = u;
        bestCost = cost;
      }
    }
    if (best) best.items.push(d);
  }
  const daysFirst = items[0]?.t === 'days';
  for (const d of items) {
    if (d.t !== 'days') continue;
    const left = [...units].reverse().find((u) => u.end <= d.at);
    const right = units.find((u) => u.at >= d.end);
    const inside = units.find((u) => u.at <= d.at && d.end <= u.end);
    let target: Unit | undefined;
    if (inside) target = inside;
    else if (!left) target = right;
    else if (!right) target = left;
    else {
      const dl = distance(t, left.end, d.at);
      const dr = distance(t, d.end, right.at);
      target = dl < dr ? left : dr < dl ? right : daysFirst ? right : left;
    }
    if (target) for (const day of d.days) if (!target.days.includes(day)) target.days.push(day);
  }
  return units;
}

function to24(c: Clock, mer: Period | null): number {
  if (c.h24 || mer === null) return c.h;
  if (mer === 'am') return c.h === 12 ? 0 : c.h;
  return c.h === 12 ? 12 : c.h + 12;
}

function hhmm(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

interface Resolved {
  start: number;
  end: number;
  guess?: ReadSlot['guess'];
  alternative?: { start: number; end: number };
}

/**
 * Resolves a range whose am/pm may be missing on either side, the way people speak:
 * "7:30-9am" is morning, "2-4" is afternoon (nobody works 2–4 at night), "11-1" crosses noon.
 * Hours 5–6 without any hint could be either: the lean (or morning) is taken and marked a guess.
 */
function resolveRange(a: Clock, b: Clock, hint: Period | null, lean: Period | undefined): Resolved | null {
  if (a.m > 59 || b.m > 59 || a.h > 24 || b.h > 24) return null;
  let sMer = a.mer;
  let eMer = b.mer;
  if (!sMer && eMer && !a.h24) {
    sMer = eMer;
    // "11-1pm": the start is the morning side of noon.
    if (to24(a, sMer) * 60 + a.m >= to24(b, eMer) * 60 + b.m) sMer = eMer === 'pm' ? 'am' : null;
  }
  if (sMer && !eMer && !b.h24) {
    eMer = sMer;
    if (to24(b, eMer) * 60 + b.m <= to24(a, sMer) * 60 + a.m) eMer = sMer === 'am' ? 'pm' : null;
  }
  if (sMer || eMer || a.h24 || b.h24) {
    const start = to24(a, sMer) * 60 + a.m;
    let end = to24(b, eMer) * 60 + b.m;
    // "20:00-22" / "13-15h"
    if (a.h24 && !b.h24 && !eMer && end <= start && b.h + 12 <= 24) end += 12 * 60;
    if (end === 0 && start > 0) end = 24 * 60;
    if (start >= 24 * 60 || end > 24 * 60) return null;
    return { start, end };
  }
  // Neither side says am or pm.
  const start = a.h * 60 + a.m;
  let end = b.h * 60 + b.m;
  if (a.h === 12 || a.h === 0) {
    if (end <= start) end += 12 * 60;
    return a.h === 0 ? { start, end } : { start, end: end <= start ? end + 12 * 60 : end };
  }
  const pm = () => ({ start: start + 12 * 60, end: (end <= start ? end + 12 * 60 : end) + (b.h < 12 ? 12 * 60 : 0) });
  if (hint === 'pm') {
    const r = pm();
    if (r.end <= 24 * 60 && r.end > r.start) return r;
    return resolveRange(a, b, null, lean);
  }
  if (hint === 'am') {
    if (end <= start) end += 12 * 60; // "10-2" in the morning runs to 14:00
    return { start, end };
  }
  // Waking hours: 1–4 is afternoon, 7–11 is morning; 5 and 6 could be either.
  if (a.h >= 1 && a.h <= 4) return pm();
  if (a.h >= 7) {
    if (end <= start) end += 12 * 60;
    return { start, end };
  }
  const morning = { start, end: end <= start ? end + 12 * 60 : end };
  const evening = pm();
  const chosen = lean === 'pm' ? evening : morning;
  const other = lean === 'pm' ? morning : evening;
  return { ...chosen, guess: 'meridiem', alternative: other.end <= 24 * 60 ? other : undefined };
}

function resolveSingle(c: Clock, hint: Period | null, lean: Period | undefined): { at: number; guess: boolean; alt?: number } | null {
  if (c.m > 59 || c.h > 23) return null;
  if (c.mer || c.h24) return { at: to24(c, c.mer) * 60 + c.m, guess: false };
  if (c.h === 12 || c.h === 0) return { at: c.h * 60 + c.m, guess: false };
  if (hint) return { at: to24(c, hint) * 60 + c.m, guess: false };
  if (c.h >= 1 && c.h <= 4) return { at: (c.h + 12) * 60 + c.m, guess: false };
  if (c.h >= 7) return { at: c.h * 60 + c.m, guess: false };
  const am = c.h * 60 + c.m;
  const pm = am + 12 * 60;
  return lean === 'pm' ? { at: pm, guess: true, alt: am } : { at: am, guess: true, alt: pm };
}

/** The am/pm a part of the day gives a time: the nearest one, so "morning 9-12 and afternoon 2-4" keeps each. */
function periodHint(group: Item[], near: Item): Period | null {
  let best: Period | null = null;
  let bestDistance = Infinity;
  for (const i of group) {
    if (i.t !== 'period' || !PERIOD_MERIDIEM[i.period]) continue;
    const d = i.end <= near.at ? near.at - i.end : i.at - near.end;
    if (d < bestDistance) {
      best = PERIOD_MERIDIEM[i.period]!;
      bestDistance = d;
    }
  }
  return best;
}

/** The slots in one group of items; null when a time doesn't exist on a clock. */
function slotsOfGroup(group: Item[], all: Item[], opts: TimeReadOptions): Resolved[] | null {
  void all;
  const out: Resolved[] = [];
  const durations = group.filter((i): i is Extract<Item, { t: 'duration' }> => i.t === 'duration');
  const duration = durations[0]?.minutes;
  const ranges = group.filter((i): i is Extract<Item, { t: 'range' }> => i.t === 'range');
  const singles = group.filter((i): i is Extract<Item, { t: 'single' }> => i.t === 'single');
  for (const r of ranges) {
    const res = resolveRange(r.a, r.b, periodHint(group, r), opts.lean);
    if (!res) return null;
    out.push(res);
  }
  // "from 2 to 4" arrives as two singles when written with words around them.
  for (const s of singles) {
    const res = resolveSingle(s.c, periodHint(group, s), opts.lean);
    if (!res) return null;
    if (duration !== undefined) {
      out.push({ start: res.at, end: res.at + duration, ...(res.guess ? { guess: 'meridiem' as const, alternative: { start: res.alt!, end: res.alt! + duration } } : {}) });
    } else if (s.open) {
      const end = Math.max(res.at + 2 * 60, Math.min(22 * 60, res.at + 4 * 60));
      out.push({ start: res.at, end: Math.min(end, 24 * 60), guess: 'open' });
    } else {
      const minutes = opts.defaultMinutes ?? 60;
      out.push({ start: res.at, end: res.at + minutes, guess: res.guess ? 'meridiem' : 'open', ...(res.guess ? { alternative: { start: res.alt!, end: res.alt! + minutes } } : {}) });
    }
  }
  if (out.length === 0) {
    const periods = group.filter((i): i is Extract<Item, { t: 'period' }> => i.t === 'period');
    const p = periods[0];
    if (p) {
      const [s, e] = PERIOD_SLOT[p.period];
      out.push({ start: s, end: duration !== undefined && p.period !== 'all_day' ? s + duration : e, guess: 'loose' });
    }
  }
  for (const r of out) if (r.end > 24 * 60 || r.start >= 24 * 60) return null;
  return out;
}

function daysOfGroup(group: Item[]): number[] {
  const weak = new Set<number>();
  for (const i of group) if (i.t === 'period' && i.weakDays) i.weakDays.forEach((d) => weak.add(d));
  return [...weak].sort((x, y) => x - y);
}

/**
 * Time slots in a message. Every time stays with its own days. Returns `unclear` with why
 * when nothing bookable is there: no time at all, a time but no day, or an impossible time.
 * Before reading, three things people say around their times are taken apart: a change of
 * mind ("tue 9-11, no wait wed"), days ruled out ("every morning except friday"), and days
 * they are busy ("i'm on nights mon-wed so thursday 2-4").
 */
export function readTimeSlots(text: string, opts: TimeReadOptions = {}): TimeReading {
  const t = normalizeTimeText(text);
  const corrected = readCorrected(t, opts);
  if (corrected) return corrected;
  const { text: kept, excluded } = withoutExclusions(t, opts.today);
  const free = withoutBusyClauses(withoutEventTimes(kept, opts.today), opts.today);
  let reading = readNormalized(free, opts);
  if (reading.kind === 'unclear' && free !== kept) reading = readNormalized(kept, opts);
  if (reading.kind === 'unclear' || excluded.size === 0) return reading;
  const slots = reading.slots.map((s) => ({ ...s, days: s.days.filter((d) => !excluded.has(d)) })).filter((s) => s.days.length > 0);
  return slots.length ? { kind: 'slots', slots } : { kind: 'unclear', why: 'no_day' };
}

// "no wait", "actually", "make it", "i mean", "or maybe", ", no,": what follows replaces what came before.
const CHANGE_OF_MIND_RE = /\b(?:no wait|wait no|wait|no sorry|sorry|i mean|i meant|actually(?: make it| let'?s (?:say|do))?|or rather|rather|make (?:it|that)|scratch that|correction|or maybe|on second thought)\b[\s,.:!]*|(?:^|[,.;!?]\s*)(?:no|nah|nope)\b[\s,.:!]+(?=\S)/g;

/**
 * A change of mind inside one message: the last part wins. Whatever it leaves out is taken
 * from before it — "tue 9-11, no wait wed" keeps 9-11, "thu 2-4pm actually make it 3-5"
 * keeps Thursday. Null when the message holds no such change (or nothing readable after it).
 */
function readCorrected(t: string, opts: TimeReadOptions): TimeReading | null {
  const cuts = [...t.matchAll(CHANGE_OF_MIND_RE)].reverse();
  for (const m of cuts) {
    const left = t.slice(0, m.index);
    const right = t.slice(m.index! + m[0]!.length);
    const leftItems = scan(left, opts.today);
    const rightItems = scan(right, opts.today);
    if (leftItems.length === 0 || rightItems.length === 0) continue;
    const before = readTimeSlots(left, opts);
    const leftDays = before.kind === 'slots' ? [...new Set(before.slots.flatMap((s) => s.days))] : daysOfItems(leftItems);
    const after = readTimeSlots(right, { ...opts, ...(leftDays.length ? { defaultDays: leftDays } : {}) });
    if (after.kind === 'slots') return after;
    // Only days after the change: the times from before, on the new days.
    const newDays = daysOfItems(rightItems);
    if (after.why === 'no_time' && newDays.length && before.kind === 'slots') {
      return { kind: 'slots', slots: dedupe(before.slots.map((s) => ({ ...s, days: newDays }))) };
    }
  }
  return null;
}

function daysOfItems(items: Item[]): number[] {
  return [...new Set(items.flatMap((i) => (i.t === 'days' ? i.days : [])))].sort((a, b) => a - b);
}

/** Spaces over a span, so positions (and distances between words) elsewhere stay the same. */
const blank = (t: string, from: number, to: number) => t.slice(0, from) + ' '.repeat(to - from) + t.slice(to);

// "except friday", "but not wed", "not on mondays", "instead of friday", "apart from tue and thu".
const EXCLUSION_RE = /\b(?:except(?: for| on)?|but not(?: on)?|not on|other than|apart from|excluding|without|instead of|minus|skipping|skip)\s+((?:(?:and|or|&|,|the|on)?\s*[a-z']+\s*?){1,4})/g;

/** Days ruled out in a message, and the message without those words. */
function withoutExclusions(t: string, today: number | undefined): { text: string; excluded: Set<number> } {
  const excluded = new Set<number>();
  let text = t;
  for (const m of t.matchAll(EXCLUSION_RE)) {
    const items = scan(` ${m[1]!} `, today);
    // Only the day names right after the word count ("except friday and saturday", not "except friday 9-11").
    if (items.length === 0 || items.some((i) => i.t !== 'days')) continue;
    for (const d of daysOfItems(items)) excluded.add(d);
    text = blank(text, m.index!, m.index! + m[0]!.length);
  }
  // "tue 9-11 not wed", "2-4, not 9-11": what follows a bare "not" is ruled out — its days, or its times.
  for (const m of t.matchAll(/\bnot\s+(?:on\s+|at\s+)?((?:(?:and|or|&)\s+)?(?:[a-z']+|\d[\d:apm-]*)(?:\s+(?:(?:and|or|&)\s+)?(?:[a-z']+|\d[\d:apm-]*)){0,3})/g)) {
    const tokens = m[1]!.split(/\s+/);
    let n = 0;
    while (n < tokens.length && (dayOfWord(tokens[n]!) !== null || /^(?:and|or|&|\d[\d:apm-]*|am|pm)$/.test(tokens[n]!))) n++;
    const ruled = tokens.slice(0, n).join(' ');
    const items = scan(` ${ruled} `, today);
    if (items.length === 0) continue;
    if (items.every((i) => i.t === 'days')) for (const d of daysOfItems(items)) excluded.add(d);
    text = blank(text, m.index!, m.index! + m[0]!.length - m[1]!.length + ruled.length);
  }
  return { text, excluded };
}

// A clause saying when the person can't: "i'm on nights mon tue wed", "monday is meetings hell", "i work friday night".
const BUSY_RE =
  /\b(?:i'?m|i am|im|we'?re)\s+(?:on|working|at work|on shift|busy|away|out|travell?ing|stuck|in meetings?|in class|teaching)\b|\bi\s+(?:work|have (?:work|class(?:es)?|shifts?|meetings?|school|lectures?)|'?ve got (?:work|meetings?|class(?:es)?))\b(?!\s+(?:best|better|well|on\b|from home))|\b(?:busy|meetings?|booked|swamped|slammed|packed|no good|not free|can'?t|cannot|won'?t work|doesn'?t work|out of office|ooo|shifts?|on call|(?:\d|three|two|four)\s+(?:8|10|12)s)\b/;
const CLAUSE_RE = /[,;.!?]|\b(?:so|but|and then|then|because|since|cause|cos|which means|though)\b/g;

/** The message with its busy clauses blanked out. */
function withoutBusyClauses(t: string, today: number | undefined): string {
  let text = t;
  let from = 0;
  const bounds = [...t.matchAll(CLAUSE_RE)].map((m) => [m.index!, m.index! + m[0]!.length] as const);
  bounds.push([t.length, t.length]);
  for (const [at, after] of bounds) {
    const clause = t.slice(from, at);
    if (BUSY_RE.test(clause) && !/\b(?:free|works? for me|i can (?!'t)|let'?s|open)\b/.test(clause) && scan(clause, today).length > 0) text = blank(text, from, at);
    from = after;
  }
  return text;
}

// "after my 10am lecture", "before the 3pm standup": the time of another event, said to place this one.
const EVENT_TIME_RE = /\b(?:after|before|around)\s+(?:my|the|our|a|his|her|their)\s+\d{1,2}(?::\d{2})?(?:am|pm)?\s+[a-z]+/g;

/** The message without the times of other events, when it still has a time of its own. */
function withoutEventTimes(t: string, today: number | undefined): string {
  let text = t;
  for (const m of t.matchAll(EVENT_TIME_RE)) text = blank(text, m.index!, m.index! + m[0]!.length);
  return text !== t && scan(text, today).some(isTime) ? text : t;
}

function readNormalized(t: string, opts: TimeReadOptions): TimeReading {
  const items = scan(t, opts.today);
  const hasTime = items.some(isTime);
  // "same time wednesday", "same again on fri": the times just booked, on the days named.
  if (!hasTime && opts.sameAs && /\bsame\b/.test(t) && daysOfItems(items).length) return { kind: 'slots', slots: [{ days: daysOfItems(items), ...opts.sameAs }] };
  if (!hasTime) return { kind: 'unclear', why: 'no_time' };
  const units = unitsOf(t, items);
  const slots: ReadSlot[] = [];
  let previousDays: number[] = [];
  for (const unit of units) {
    const times = slotsOfGroup(unit.items, items, opts);
    if (times === null) return { kind: 'unclear', why: 'bad_time' };
    if (times.length === 0) continue;
    let days = [...unit.days].sort((x, y) => x - y);
    if (days.length === 0) days = daysOfGroup(unit.items);
    if (days.length === 0) days = previousDays.length ? previousDays : (opts.defaultDays ?? []);
    if (days.length === 0) return { kind: 'unclear', why: 'no_day' };
    previousDays = days;
    for (const r of times) {
      slots.push({
        days: [...days],
        start: hhmm(r.start),
        end: hhmm(r.end),
        ...(r.guess ? { guess: r.guess } : {}),
        ...(r.alternative ? { alternative: { start: hhmm(r.alternative.start), end: hhmm(r.alternative.end) } } : {}),
      });
    }
  }
  if (slots.length === 0) return { kind: 'unclear', why: 'no_time' };
  return { kind: 'slots', slots: dedupe(slots) };
}

function dedupe(slots: ReadSlot[]): ReadSlot[] {
  const seen = new Set<string>();
  return slots.filter((s) => {
    const k = `${s.days.join(',')}|${s.start}|${s.end}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** True when the text carries any time words at all (used to tell answers from chit-chat). */
export function mentionsTime(text: string): boolean {
  const t = normalizeTimeText(text);
  return scan(t, undefined).some((i) => i.t !== 'days');
}

/** True when the text names a day. */
export function mentionsDay(text: string): boolean {
  return scan(normalizeTimeText(text), 0).some((i) => i.t === 'days');
}

/** Days named in a text (no times needed). */
export function daysIn(text: string, today?: number): number[] {
  const set = new Set<number>();
  for (const i of scan(normalizeTimeText(text), today)) if (i.t === 'days') i.days.forEach((d) => set.add(d));
  return [...set].sort((a, b) => a - b);
}
