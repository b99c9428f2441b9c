// Plain-language answers to the offline coach's questions. Every parser returns a typed
// result; "unclear" carries why, so the coach can ask again with a fitting example
// instead of guessing and saving something the person didn't mean.

export type Parsed<T, Why extends string = string> = { kind: 'ok'; value: T } | { kind: 'unclear'; why: Why };

const ok = <T>(value: T): { kind: 'ok'; value: T } => ({ kind: 'ok', value });
const unclear = <W extends string>(why: W): { kind: 'unclear'; why: W } => ({ kind: 'unclear', why });

// ---------------------------------------------------------------- yes / no / skip

export type Answer = 'yes' | 'no' | 'skip';

const SKIP_RE = /^(skip( it| this| that)?|pass|later|not (now|this week)|next time|let'?s skip)\b/;
const NO_RE = /^(no|n|nope|nah|no thanks|not really|none|nothing( else)?|that'?s (all|it|enough)|i'?m good|all good|done|enough|no more)\b/;
const YES_RE = /^(yes|y|yeah|yep|yup|sure|ok|okay|please|sounds good|absolutely|definitely|of course|let'?s( do it| go)?|go ahead|do it|great|perfect|good)\b/;

function normalize(text: string): string {
  return text
    .toLowerCase()
    .replace(/[’‘]/g, "'")
    .replace(/[!.?]+$/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

export function parseAnswer(text: string): Parsed<Answer, 'not_yes_no'> {
  const t = normalize(text);
  if (SKIP_RE.test(t)) return ok('skip');
  if (NO_RE.test(t)) return ok('no');
  if (YES_RE.test(t)) return ok('yes');
  return unclear('not_yes_no');
}

/** True for "skip", "pass", "not now" — a deliberate no-answer, not an unparseable one. */
export function isSkip(text: string): boolean {
  return SKIP_RE.test(normalize(text));
}

/** "skip", "no", "none", "that's all": the person wants to move on. */
export function isDecline(text: string): boolean {
  const a = parseAnswer(text);
  return a.kind === 'ok' && a.value !== 'yes';
}

// ---------------------------------------------------------------- lists

const BULLET_RE = /^\s*(?:[-*•–—+]|\(?\d{1,2}[.):]|\(?[a-e][.)])\s*/i;
const LIST_PREFIX_RE =
  /^(?:(?:my|the)\s+(?:big\s+)?(?:rocks?|priorities|list|changes?)\s*(?:are|is|would be|will be)?|i\s+(?:want|need|would like|'d like)\s+to|this week\s*(?:i want to|i'll|:)?|rocks?|priorities)\s*:?\s*/i;

function tidyItem(raw: string): string {
  const t = raw
    .replace(BULLET_RE, '')
    .replace(/^(?:and|also|then)\s+/i, '')
    .replace(/[\s.;,]+$/, '')
    .trim();
  return t.charAt(0).toUpperCase() + t.slice(1);
}

function words(s: string): number {
  return s.split(/\s+/).filter(Boolean).length;
}

/** Splits one line: commas/semicolons first; a bare "and" only between two real phrases. */
function splitLine(line: string): string[] {
  // "1. A 2. B 3. C" on one line.
  if (/(?:^|\s)1[.)]\s+\S/.test(line) && /\s2[.)]\s+\S/.test(line)) {
    return line.split(/(?:^|\s)\d{1,2}[.)]\s+/).filter((s) => s.trim());
  }
  const parts = line.split(/\s*[;,]\s*/).filter((s) => s.trim());
  if (parts.length > 1) {
    // "A, B and C" / "A, B, and C": the last part holds two items.
    const last = parts.pop()!;
    const m = /^(.*\S)\s+and\s+(.+)$/i.exec(last);
    if (m) parts.push(m[1]!, m[2]!);
    else parts.push(last);
    return parts;
  }
  // Without commas, "and" may belong to an item ("Research and write the post"): split only
  // when both sides read as phrases of their own.
  const [left, right, ...more] = line.split(/\s+and\s+/i);
  if (left !== undefined && right !== undefined && more.length === 0 && words(left) >= 2 && words(right) >= 2) return [left, right];
  return [line];
}

export function parseList(text: string): Parsed<string[], 'empty'> {
  const lines = text
    .replace(LIST_PREFIX_RE, '')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !/^[^:]{0,40}:$/.test(l)); // drop header lines like "Rocks:"
  const multiLine = lines.length > 1;
  const items = (multiLine ? lines : splitLine(lines[0] ?? '')).map(tidyItem).filter((s) => s.length > 0);
  const seen = new Set<string>();
  const unique = items.filter((i) => {
    const k = i.toLowerCase();
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  return unique.length > 0 ? ok(unique) : unclear('empty');
}

// ---------------------------------------------------------------- time slots

export interface TimeSlot {
  /** 0 = Monday … 6 = Sunday. */
  days: number[];
  /** 24-hour "HH:MM"; `end` may be "24:00". */
  start: string;
  end: string;
}

export type SlotTrouble = 'no_time' | 'no_day' | 'bad_time';

const DAY_PATTERNS: Array<[RegExp, number]> = [
  [/^mon(day)?s?$/, 0],
  [/^tue?s?(day)?s?$/, 1],
  [/^wed(s|nesday)?s?$/, 2],
  [/^thu(r|rs|rsday)?s?$/, 3],
  [/^fri(day)?s?$/, 4],
  [/^sat(urday)?s?$/, 5],
  [/^sun(day)?s?$/, 6],
];
const WEEKDAYS = [0, 1, 2, 3, 4];
const ALL_DAYS = [0, 1, 2, 3, 4, 5, 6];

function dayOf(token: string): number | null {
  for (const [re, idx] of DAY_PATTERNS) if (re.test(token)) return idx;
  return null;
}

type Period = 'am' | 'pm' | null;

/** Days named in a stretch of text, plus a morning/afternoon hint. */
function daysIn(segment: string): { days: number[]; period: Period } {
  const s = segment.toLowerCase();
  let period: Period = /\bmornings?\b/.test(s) ? 'am' : /\b(afternoons?|evenings?|nights?|tonight)\b/.test(s) ? 'pm' : null;
  const days = new Set<number>();
  if (/\b(every ?day|daily|each day|all week|7 days)\b/.test(s)) ALL_DAYS.forEach((d) => days.add(d));
  if (/\b(weekdays?|workdays?|work days|every (morning|afternoon|evening|weekday)|mornings|afternoons|evenings|mon(day)?\s*(?:-|to|through|thru|till|until)\s*fri(day)?)\b/.test(s)) {
    WEEKDAYS.forEach((d) => days.add(d));
  }
  if (/\bweekends?\b/.test(s)) [5, 6].forEach((d) => days.add(d));
  // Ranges like "tue-thu" / "tuesday to thursday".
  const rangeRe = /\b([a-z]+)\s*(?:-|to|through|thru|till|until)\s*([a-z]+)\b/g;
  for (const m of s.matchAll(rangeRe)) {
    const a = dayOf(m[1]!);
    const b = dayOf(m[2]!);
    if (a !== null && b !== null && a <= b) for (let d = a; d <= b; d++) days.add(d);
  }
  for (const token of s.split(/[^a-z]+/)) {
    const d = dayOf(token);
    if (d !== null) days.add(d);
  }
  if (period === null && /\bnoon\b/.test(s)) period = 'pm';
  return { days: [...days].sort((x, y) => x - y), period };
}

const MERIDIEM = String.raw`(a\.?m\.?|p\.?m\.?)?`;
const CLOCK = String.raw`(\d{1,2})(?:[:.h](\d{2}))?\s*` + MERIDIEM;
const RANGE_RE = new RegExp(String.raw`(?<![\d:])` + CLOCK + String.raw`\s*(?:-|to|until|till|til)\s*` + CLOCK + String.raw`(?![\d])`, 'gi');
const DURATION_RE = new RegExp(String.raw`(?<![\d:])` + CLOCK + String.raw`\s*for\s*(\d+(?:\.\d+)?)\s*(hours?|hrs?|h|minutes?|mins?|m)\b`, 'gi');

interface Clock {
  h: number;
  m: number;
  mer: Period;
}

function clock(h: string, m: string | undefined, mer: string | undefined): Clock {
  const merNorm = mer ? (mer.toLowerCase().startsWith('a') ? 'am' : 'pm') : null;
  return { h: Number(h), m: m ? Number(m) : 0, mer: merNorm };
}

function to24(c: Clock, mer: Period): number {
  if (mer === 'am') return c.h === 12 ? 0 : c.h;
  if (mer === 'pm') return c.h === 12 ? 12 : c.h + 12;
  return c.h;
}

/**
 * Resolves a range whose am/pm may be missing on either side, the way people speak:
 * "7:30-9am" is morning, "2-4" is afternoon, "11-1" crosses noon.
 */
function resolveRange(a: Clock, b: Clock, hint: Period): { start: number; end: number } | null {
  let sMer = a.mer;
  let eMer = b.mer;
  if (!sMer && eMer && a.h <= 12) {
    sMer = eMer;
    if (to24(a, sMer) * 60 + a.m >= to24(b, eMer) * 60 + b.m) sMer = eMer === 'pm' ? 'am' : null;
  }
  if (sMer && !eMer && b.h <= 12) {
    eMer = sMer;
    if (to24(b, eMer) * 60 + b.m <= to24(a, sMer) * 60 + a.m) eMer = sMer === 'am' ? 'pm' : null;
  }
  let start: number;
  let end: number;
  if (!sMer && !eMer) {
    start = a.h * 60 + a.m;
    end = b.h * 60 + b.m;
    const twelveHour = a.h <= 12 && b.h <= 12;
    if (twelveHour && (hint === 'pm' ? a.h < 12 : hint !== 'am' && a.h >= 1 && a.h <= 6)) {
      start += 12 * 60;
      end += 12 * 60;
    }
    if (end <= start && twelveHour && end + 12 * 60 > start) end += 12 * 60;
  } else {
    start = to24(a, sMer) * 60 + a.m;
    end = to24(b, eMer) * 60 + b.m;
    // "10pm-12am" ends at midnight.
    if (end === 0 && start > 0) end = 24 * 60;
  }
  if (a.m > 59 || b.m > 59 || start >= 24 * 60 || end > 24 * 60) return null;
  return { start, end };
}

function hhmm(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

interface RawRange {
  index: number;
  length: number;
  start: number;
  end: number;
}

/**
 * Time slots such as "Tue 9-11", "Wednesday 14:00–15:30", "every morning 8 to 9",
 * "Mon, Wed and Fri 7:30-9am", "Thursday 2pm to 4pm", "weekdays 12:30-13:00",
 * "Tue 9-11 and Thu 14-16", "Friday 9am for 2 hours". The end is not checked against
 * the start: a zero or negative length is reported by the plan rules with their reason.
 */
export function parseTimeSlots(text: string): Parsed<TimeSlot[], SlotTrouble> {
  const t = text
    .toLowerCase()
    .replace(/[–—]/g, '-')
    .replace(/\bmidday\b|\bnoon\b/g, '12pm')
    .replace(/\bmidnight\b/g, '12am');
  const ranges: RawRange[] = [];
  let bad = false;
  for (const m of t.matchAll(RANGE_RE)) {
    const before = t.slice(0, m.index);
    const r = resolveRange(clock(m[1]!, m[2], m[3]), clock(m[4]!, m[5], m[6]), daysIn(before.slice(-40)).period ?? daysIn(t).period);
    if (!r) bad = true;
    else ranges.push({ index: m.index!, length: m[0].length, ...r });
  }
  for (const m of t.matchAll(DURATION_RE)) {
    if (ranges.some((r) => m.index! >= r.index && m.index! < r.index + r.length)) continue;
    const c = clock(m[1]!, m[2], m[3]);
    const amount = Number(m[4]);
    const minutes = Math.round(/^h/.test(m[5]!) ? amount * 60 : amount);
    const hint = daysIn(t).period;
    let startH = to24(c, c.mer);
    if (!c.mer && c.h <= 12 && (hint === 'pm' ? c.h < 12 : hint !== 'am' && c.h >= 1 && c.h <= 6)) startH += 12;
    const start = startH * 60 + c.m;
    if (c.m > 59 || start >= 24 * 60 || start + minutes > 24 * 60) bad = true;
    else ranges.push({ index: m.index!, length: m[0].length, start, end: start + minutes });
  }
  if (ranges.length === 0) return unclear(bad ? 'bad_time' : 'no_time');
  ranges.sort((x, y) => x.index - y.index);

  const slots: TimeSlot[] = [];
  let previousDays: number[] = [];
  for (const [i, r] of ranges.entries()) {
    const prev = ranges[i - 1];
    const prevEnd = prev ? prev.index + prev.length : 0;
    const nextStart = ranges[i + 1]?.index ?? t.length;
    let days = daysIn(t.slice(prevEnd, r.index)).days;
    // "9-11 on Tuesday": days after the time, up to the next range.
    if (days.length === 0) days = daysIn(t.slice(r.index + r.length, nextStart)).days;
    // "Tue 9-11 and 14-16": the second range shares the first one's days.
    if (days.length === 0) days = previousDays;
    if (days.length === 0) return unclear('no_day');
    previousDays = days;
    slots.push({ days, start: hhmm(r.start), end: hhmm(r.end) });
  }
  return ok(slots);
}

// ---------------------------------------------------------------- rock references

const ORDINALS = ['first', 'second', 'third', 'fourth', 'fifth', 'sixth', 'seventh', 'eighth', 'ninth', 'tenth'];
const STOPWORDS = new Set(['the', 'a', 'an', 'my', 'to', 'of', 'for', 'and', 'on', 'in', 'with', 'rock', 'one', 'it', 'this', 'that']);

function contentWords(s: string): string[] {
  return s
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w && !STOPWORDS.has(w));
}

/**
 * Rocks named in an answer, as 0-based indexes into `titles`: numbers ("1 and 3", "#2",
 * "rock 2"), ordinals ("the second"), "all", or words of a title ("the proposal").
 * "none"/"no" is an empty list.
 */
export function parseRockRefs(text: string, titles: string[]): Parsed<number[], 'no_match' | 'out_of_range'> {
  const t = normalize(text);
  if (/^(none|no|nope|nothing|neither|no thanks|fresh start)\b/.test(t)) return ok([]);
  if (/^(all|all of them|everything|both|yes,? all)\b/.test(t)) return ok(titles.map((_, i) => i));
  const found = new Set<number>();
  let outOfRange = false;
  for (const m of t.matchAll(/(?<![\p{L}\d])#?(\d{1,2})(?!\d)/gu)) {
    const n = Number(m[1]);
    if (n >= 1 && n <= titles.length) found.add(n - 1);
    else outOfRange = true;
  }
  ORDINALS.forEach((o, i) => {
    if (new RegExp(`\\b${o}\\b`).test(t)) {
      if (i < titles.length) found.add(i);
      else outOfRange = true;
    }
  });
  if (/\blast( one)?\b/.test(t) && titles.length > 0) found.add(titles.length - 1);
  if (found.size === 0) {
    const answer = new Set(contentWords(t));
    titles.forEach((title, i) => {
      const w = contentWords(title);
      const hits = w.filter((x) => answer.has(x)).length;
      if (w.length > 0 && (hits / w.length >= 0.5 || (hits >= 1 && t.includes(title.toLowerCase())))) found.add(i);
    });
  }
  if (found.size === 0) return unclear(outOfRange ? 'out_of_range' : 'no_match');
  return ok([...found].sort((a, b) => a - b));
}

// ---------------------------------------------------------------- review answers

export type RockOutcome = 'done' | 'dropped' | 'carry';

/** What happened to a rock: "done", "drop it", "carry it over", "not yet — next week". */
export function parseRockOutcome(text: string): Parsed<RockOutcome, 'not_an_outcome' | 'not_done_but_which'> {
  const t = normalize(text);
  if (/\b(carry|carried|next week|roll(ed)? (it )?over|continue|keep (it|going)|not yet|in progress|half|partly|partially|almost|move (it )?(to|into) next)\b/.test(t)) {
    return ok('carry');
  }
  if (/\b(drop(ped)?|abandon(ed)?|cancel(led|ed)?|scrap(ped)?|forget it|no longer|not needed|not important|let it go|delete)\b/.test(t)) return ok('dropped');
  if (/\b(not|n't|never|didn't|unfinished|no)\b/.test(t)) return unclear('not_done_but_which');
  if (/\b(done|finished|completed?|shipped|yes|yep|did it|nailed it|achieved|delivered)\b/.test(t)) return ok('done');
  return unclear('not_an_outcome');
}

export type ChallengeAnswer = { kind: 'shrink'; title: string } | { kind: 'split'; titles: string[] } | { kind: 'drop' };

/** Answer to "it rolled over twice: shrink, split or drop?". */
export function parseChallenge(text: string): Parsed<ChallengeAnswer, 'unchanged' | 'not_an_option' | 'split_needs_two'> {
  const raw = text.trim();
  const t = normalize(raw);
  const shrink = /^(?:shrink|make)(?:\s+it)?(?:\s+smaller)?(?:\s+(?:to|into|down to|as))?\s*[:\-–—]?\s*(.+)$/i.exec(raw);
  if (shrink && /^(shrink|make)/i.test(raw) && shrink[1]!.trim()) return ok({ kind: 'shrink', title: tidyItem(shrink[1]!.replace(/^["“”']|["“”']$/g, '')) });
  const split = /^split(?:\s+it)?(?:\s+(?:into|in|up into|as))?\s*[:\-–—]?\s*(.+)$/is.exec(raw);
  if (split) {
    // After "split into", every "and" separates parts.
    const parts = parseList(split[1]!.replace(/\s+(?:and|&|plus)\s+/gi, ', '));
    if (parts.kind === 'ok' && parts.value.length >= 2) return ok({ kind: 'split', titles: parts.value });
    return unclear('split_needs_two');
  }
  if (/^(drop|dropped|let it go|scrap|abandon|remove|delete|forget)/.test(t)) return ok({ kind: 'drop' });
  if (/\b(carry|keep|anyway|as is|same)\b/.test(t)) return unclear('unchanged');
  return unclear('not_an_option');
}
