// The planning dialogue policy. It asks for what is still missing — vision, big rocks,
// environment, deep work for each rock, recovery, the Friday review time — in that order,
// but takes whatever a message carries, whatever was asked. Understanding lives in read/;
// this module decides: save, read back, ask again with choices, answer a question, undo.
// Where it stands is derived from the stored plan plus the log, never from memory.

import { blockMinutes, blockTime, LONG_DAYS, SHORT_DAYS } from '../plan/describe.ts';
import { activeRocks, MAX_ACTIVE_ROCKS, MAX_ENVIRONMENT_CHANGES, MIN_SUGGESTED_ROCKS } from '../plan/rules.ts';
import { REVIEW_BLOCK_TITLE } from '../plan/tools.ts';
import type { BlockKind, Rock, TimeBlock, Vision, WeekPlan } from '../plan/types.ts';
import { DAY_NAMES, instantToLocal, nextWeekKey, previousWeekKey, weekKeyFor } from '../plan/week.ts';
import type { Change, Exchange } from './conversation.ts';
import { joinAnd, lastAnswer, pick, quote, type Flow, type FlowContext, type Handled } from './flow.ts';
import { answerQuestion, ENGLISH_ONLY } from './focus-answers.ts';
import { parseRockRefs } from './parse.ts';
import type { ProposedSlot, Step } from './questions.ts';
import { slotText } from './questions.ts';
import { daysIn, readTimeSlots, type ReadSlot } from './read/time.ts';
import { isDeclined, keyWords, nameScore, normalize, readList, rockIndexOf, tidyItem, understand, type EditCommand, type PlanPart, type Reading, type RockPlace } from './read/understand.ts';

// Pebbles and sand: short items about inboxes and reactive work. "Prepare the board meeting" is a rock; "team meetings" is sand.
const SAND_RE = /\b(e-?mails?|inbox(es)?|slack|messages|admin(istration)?|paperwork|expenses|invoices|meetings?|calls|errands|notifications|timesheets?|1:1s?|one on ones|standups?)\b/i;
const APPOINTMENT_RE = /\b(dentist|doctor|doctors|gp|haircut|hair cut|appointment|vet|physio|therapy|therapist|checkup|check-up|mechanic|interview at|flight|train to|laundry|groceries|grocery|cleaning|clean the|tidy|dishes|chores?|pick up|drop off|bank|leaky|faucet|plumber|light ?bulbs?|oil change|car wash|vacuum\w*|hoover\w*|ironing|mow(?:ing)? the lawn|take out the (?:trash|bins|rubbish))\b/i;
const RECOVERY_RE = /\b(recovery|gym|walks?|walking|runs?|running|jog(ging)?|yoga|swim(ming)?|workout|work out|exercise|hike|hiking|bike ride|cycling|climbing|meditat\w*|nap|stretch\w*|pilates|sauna|lunch break|breaks?|unplug|off|day off|time off|rest|screen[- ]free|no screens|family time|date night|read(ing)? a book)\b/i;
const ENVIRONMENT_RE = /\b(environment|phone|notifications?|slack|wifi|door|headphones|desk|airplane mode|dnd|do not disturb|inbox closed|email closed)\b/;
const MAX_SAND_WORDS = 5;

/** Words that name a kind of block, not a particular one ("the recovery block", "my deep work"). */
const GENERIC_BLOCK_WORDS = new Set(['recovery', 'deep', 'work', 'focus', 'block', 'session', 'slot', 'time', 'break', 'rest', 'unplug', 'off', 'my', 'the']);

const isSand = (item: string) => SAND_RE.test(item) && item.split(/\s+/).length <= MAX_SAND_WORDS && !/\b(prep|prepare|plan|write|finish|ship|launch|deck|present)\w*/i.test(item);
const isAppointment = (item: string) => APPOINTMENT_RE.test(item) && withoutTimeWords(item).split(/\s+/).length <= 6;
/** "after school drop off, 9-11": what comes after "after"/"before" is when, not what — it names no activity. */
const withoutTimeContext = (text: string) => text.replace(/\b(?:after|before|around|between)\s+(?:the\s+|my\s+|school\s+|the kids'?\s+)*(?:[a-z-]+\s+){0,1}[a-z-]+/gi, ' ');
const isRecoveryItem = (item: string) =>
  /^(?:go(?:ing)? (?:to the )?)?(gym|walks?|runs?|running|jog|yoga|swim|workout|work out|exercise|hike|climbing|pilates)\b/i.test(item.trim()) &&
  item.split(/\s+/).length <= 5 &&
  !/\b(marathon|race|train for|5k|10k|half)\b/i.test(item) &&
  // "run the regression analysis": the verb with an object is work, not a run.
  !/^(?:run|runs|running|walk|exercise)\s+(?:the|a|an|my|our|this|that|these|those|some|all|through)\s+\S+/i.test(item.trim());

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
/** Two rock titles name the same rock: equal but for case, spaces and end punctuation. */
const sameTitle = (a: string, b: string) => {
  const norm = (s: string) => s.toLowerCase().replace(/\s+/g, ' ').replace(/[.!?,;:]+$/, '').trim();
  return norm(a) === norm(b);
};

function hours(minutes: number): string {
  const h = minutes / 60;
  return `${Number.isInteger(h) ? h : h.toFixed(1)} h`;
}

export function weekSummary(plan: WeekPlan): string {
  const rocks = activeRocks(plan).length;
  const deep = plan.blocks.filter((b) => b.kind === 'deep_work');
  const recovery = plan.blocks.filter((b) => b.kind === 'recovery');
  const deepMinutes = deep.reduce((sum, b) => sum + blockMinutes(b), 0);
  const parts = [
    `${rocks} big rock${rocks === 1 ? '' : 's'}`,
    `${deep.length} deep-work block${deep.length === 1 ? '' : 's'}${deep.length ? ` (${hours(deepMinutes)})` : ''}`,
    `${recovery.length} recovery block${recovery.length === 1 ? '' : 's'}`,
    `${plan.environment.length} environment change${plan.environment.length === 1 ? '' : 's'}`,
  ];
  return `Your week ${plan.weekKey}: ${joinAnd(parts)}.`;
}

function unfinished(plan: WeekPlan): Rock[] {
  return plan.rocks.filter((r) => r.status === 'planned');
}

function words(s: string): string[] {
  return normalize(s)
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 1 && !STOP.has(w));
}
const STOP = new Set(['the', 'a', 'an', 'my', 'to', 'of', 'for', 'and', 'on', 'in', 'with', 'rock', 'one', 'it', 'this', 'that', 'thing', 'block', 'slot', 'from', 'at', 'is', 'be', 'do']);

/** Rocks named in a text by their words ("the figma thing" → "Redesign in Figma"). */
export function matchRocks(text: string, rocks: Rock[]): Rock[] {
  const said = new Set(words(text).map(stem));
  const scored = rocks
    .map((r) => {
      const w = words(r.title).map(stem);
      const hits = w.filter((x) => said.has(x)).length;
      return { r, hits, share: w.length ? hits / w.length : 0 };
    })
    .filter((x) => x.hits > 0);
  return scored.map((x) => x.r);
}
// "hiring" and "hire", "pages" and "page" share a stem.
const stem = (w: string) => w.replace(/(ing|es|s|ed|e)$/, '');

/** The rock a name means: by place ("rock 2", "the last one") or by its words, best match first. */
export function findRock(name: string, rocks: Rock[]): Rock | undefined {
  const index = rockIndexOf(name);
  if (index !== null) return index === -1 ? rocks.at(-1) : rocks[index];
  const scored = rocks.map((r) => ({ r, score: nameScore(name, r.title) })).filter((x) => x.score > 0);
  const top = Math.max(0, ...scored.map((x) => x.score));
  const best = scored.filter((x) => x.score === top);
  // Two rocks named equally well ("the design one"): ask rather than guess.
  return best.length === 1 ? best[0]!.r : undefined;
}

/** The rocks a name means: one by place or best match; every rock when it says "all". */
function findRocks(name: string, rocks: Rock[]): Rock[] {
  if (/^(?:all|all of them|everything|every rock)$/.test(normalize(name))) return rocks;
  const r = findRock(name, rocks);
  return r ? [r] : [];
}

function bestEnvironment(plan: WeekPlan, name: string): WeekPlan['environment'][number] | undefined {
  const index = rockIndexOf(name);
  if (index !== null) return index === -1 ? plan.environment.at(-1) : plan.environment[index];
  let best: { e: WeekPlan['environment'][number]; score: number } | undefined;
  for (const e of plan.environment) {
    const score = nameScore(name, e.text);
    if (score > 0 && (!best || score > best.score)) best = { e, score };
  }
  return best?.e;
}

function mergeVision(old: Vision | null, add: Partial<Vision>): Vision {
  return { work: add.work ?? old?.work ?? '', self: add.self ?? old?.self ?? '', relationships: add.relationships ?? old?.relationships ?? '' };
}

const VISION_AREA = { 'vision.work': 'work', 'vision.self': 'self', 'vision.relationships': 'relationships' } as const;
const AREA_LABEL: Record<keyof Vision, string> = { work: 'work', self: 'yourself', relationships: 'relationships' };

/** Today for the time reader: -1 (the day before the week) still makes "tomorrow" Monday. */
const readerToday = (ctx: FlowContext): number | undefined => {
  if (ctx.today >= 0 && ctx.today <= 6) return ctx.today;
  // Before the week: only on the Sunday right before it is tomorrow its Monday (on Saturday it is Sunday).
  const local = instantToLocal(ctx.now(), ctx.week.timeZone);
  return ctx.today === -1 && local.dayIndex === 6 && nextWeekKey(weekKeyFor(ctx.now(), ctx.week.timeZone)) === ctx.week.weekKey ? -1 : undefined;
};

/** True when a slot starts before now. */
function isPast(ctx: FlowContext, day: number, start: string): boolean {
  return day < ctx.today || (day === ctx.today && start < ctx.nowHhmm);
}

interface Booked {
  booked: string[];
  failed: string[];
  /** Slots not booked because they had already passed. */
  past: ProposedSlot[];
}

function flatten(slots: ReadSlot[]): ProposedSlot[] {
  return slots.flatMap((s) => s.days.map((day) => ({ day, start: s.start, end: s.end })));
}

function freeSlots(plan: WeekPlan, ctx: FlowContext, minutes: number, count: number): ProposedSlot[] {
  const out: ProposedSlot[] = [];
  const starts = ['09:00', '14:00', '10:00', '15:00'];
  for (let day = Math.max(0, ctx.today); day < 5 && out.length < count; day++) {
    for (const start of starts) {
      const [h, m] = start.split(':').map(Number) as [number, number];
      const endMin = h * 60 + m + minutes;
      const end = `${String(Math.floor(endMin / 60)).padStart(2, '0')}:${String(endMin % 60).padStart(2, '0')}`;
      if (isPast(ctx, day, start)) continue;
      const clash = plan.blocks.some((b) => {
        const s = instantToLocal(b.start, plan.timeZone);
        const e = instantToLocal(b.end, plan.timeZone);
        return s.dayIndex === day && s.hhmm < end && e.hhmm > start;
      });
      if (!clash) {
        out.push({ day, start, end });
        break;
      }
    }
  }
  return out;
}

export function createPlanFlow(): Flow {
  async function book(ctx: FlowContext, slots: ProposedSlot[], kind: BlockKind, title: string, rockId: string | null): Promise<Booked> {
    const booked: string[] = [];
    const failed: string[] = [];
    const past: ProposedSlot[] = [];
    for (const s of slots) {
      if (isPast(ctx, s.day, s.start)) {
        past.push(s);
        continue;
      }
      const out = await ctx.call('add_time_block', { day: DAY_NAMES[s.day], start: s.start, end: s.end, kind, title, ...(rockId ? { rockId } : {}) });
      if (out.ok) booked.push(slotText(s));
      else failed.push(`${slotText(s)} — ${out.message}`);
    }
    return { booked, failed, past };
  }

  function bookedLines(kindLabel: string, r: Booked): string[] {
    const say: string[] = [];
    if (r.booked.length) say.push(`${kindLabel}: ${joinAnd(r.booked)}.`);
    for (const f of r.failed) say.push(`Not booked: ${f}`);
    return say;
  }

  /**
   * Slots that have already passed are never booked silently: say so, and offer the same time
   * on the next free day this week (what "yes" books) or the same slot next week.
   */
  /** The same times on the next free days from today on, for slots that have passed. */
  async function laterSlots(ctx: FlowContext, past: ProposedSlot[], move?: string): Promise<ProposedSlot[]> {
    const plan = await ctx.readPlan();
    const free = (day: number, start: string, end: string, extra: ProposedSlot[]) =>
      !isPast(ctx, day, start) &&
      !extra.some((x) => x.day === day && x.start < end && x.end > start) &&
      !plan.blocks.some((b) => {
        if (b.id === move) return false;
        const bs = instantToLocal(b.start, plan.timeZone);
        return bs.dayIndex === day && bs.hhmm < end && instantToLocal(b.end, plan.timeZone).hhmm > start;
      });
    const instead: ProposedSlot[] = [];
    for (const p of past) {
      // A weekday block goes to the next free weekday first; the weekend only if none is left.
      const days = [...Array(7).keys()].filter((d) => d >= Math.max(ctx.today, 0) && d !== p.day);
      const order = p.day < 5 ? [...days.filter((d) => d < 5), ...days.filter((d) => d >= 5)] : days;
      const day = order.find((d) => free(d, p.start, p.end, instead));
      if (day !== undefined) instead.push({ day, start: p.start, end: p.end });
    }
    return instead;
  }

  async function offerLater(ctx: FlowContext, past: ProposedSlot[], what: { kind: BlockKind; title: string; rock?: string; move?: string }, of: Step | null): Promise<Handled> {
    const instead = await laterSlots(ctx, past, what.move);
    const days = [...new Set(past.filter((p) => p.day !== ctx.today).map((p) => LONG_DAYS[p.day]!))];
    const gone = [
      ...(days.length ? [`${joinAnd(days)} ${days.length === 1 ? 'has' : 'have'} already passed`] : []),
      ...[...new Set(past.filter((p) => p.day === ctx.today).map((p) => `it’s already past ${p.start} today`))],
    ];
    const say = [`${capitalize(joinAnd(gone))}${ctx.today >= 0 && ctx.today <= 6 && past.some((p) => p.day !== ctx.today) ? ` (today is ${LONG_DAYS[ctx.today]})` : ''}, so I didn’t book ${joinAnd(past.map(slotText))}.`];
    ctx.quickReplies.push(...instead.map(slotText), 'Next week', 'Skip');
    return { say, ask: { step: { id: 'confirm', kind: what.kind, ...(what.rock ? { rock: what.rock } : {}), title: what.title, slots: instead, later: past, of, ...(what.move ? { move: what.move } : {}) } } };
  }

  /** Booked and failed lines, then an offer for whatever had already passed. */
  async function settle(ctx: FlowContext, label: string, r: Booked, what: { kind: BlockKind; title: string; rock?: string }, of: Step | null): Promise<Handled> {
    const say = bookedLines(label, r);
    if (!r.past.length) return { say };
    // A habit ("weekdays 12:30-13") just starts later in the week: no replacement for the days gone.
    if (r.booked.length + r.failed.length + r.past.length >= 3 && r.booked.length > 0) {
      const days = [...new Set(r.past.map((p) => LONG_DAYS[p.day]!))];
      const from = LONG_DAYS[SHORT_DAYS.findIndex((d) => r.booked[0]!.startsWith(d))] ?? 'today';
      return { say: [...say, `${joinAnd(days)} ${days.length === 1 ? 'has' : 'have'} already passed, so it starts ${from} — say so if you want to make up for ${days.length === 1 ? 'it' : 'them'}.`] };
    }
    const offer = await offerLater(ctx, r.past, what, of);
    return { say: [...say, ...offer.say], ask: offer.ask };
  }

  /** Books the same slots in the next week (the offer for a slot that has passed). */
  async function bookNextWeek(ctx: FlowContext, slots: ProposedSlot[], kind: BlockKind, title: string): Promise<string[]> {
    const next = { ...ctx.week, weekKey: nextWeekKey(ctx.week.weekKey) };
    const booked: string[] = [];
    const say: string[] = [];
    for (const s of slots) {
      const out = await ctx.call('add_time_block', { day: DAY_NAMES[s.day], start: s.start, end: s.end, kind, title }, next);
      if (out.ok) booked.push(slotText(s));
      else say.push(`Not booked: ${slotText(s)} — ${out.message}`);
    }
    if (booked.length) say.unshift(`Booked ${quote(title)} next week (${next.weekKey}): ${joinAnd(booked)}.`);
    return say;
  }

  /** Books (or reads back first) the slots of an answer; the heart of the deep work and recovery questions. */
  async function takeSlots(ctx: FlowContext, step: Step, text: string, kind: BlockKind, title: string, rockId: string | null, label: string): Promise<Handled> {
    const sameAs = /\bsame\b/i.test(text) ? await lastBookedTimes(ctx) : undefined;
    const opts = { today: readerToday(ctx), lean: kind === 'recovery' ? ('pm' as const) : ('am' as const), defaultMinutes: kind === 'deep_work' ? 90 : 60, ...(sameAs ? { sameAs } : {}) };
    let reading = readTimeSlots(text, opts);
    // Rest on a day with no hours ("screen-free sunday", "weekends off") is the whole day.
    if (reading.kind === 'unclear' && reading.why === 'no_time' && kind === 'recovery' && daysIn(text, opts.today).length) reading = readTimeSlots(`${text} all day`, opts);
    if (reading.kind === 'unclear') return missed(ctx, step, reading.why === 'no_day' ? 'Which day is that?' : reading.why === 'bad_time' ? 'That time doesn’t exist on a clock.' : 'I need a day and a time for that.');
    const guessed = reading.slots.filter((s) => s.guess === 'meridiem' && s.alternative);
    if (guessed.length) {
      const slots = flatten(reading.slots);
      const alt = flatten(reading.slots.map((s) => (s.guess === 'meridiem' && s.alternative ? { ...s, ...s.alternative } : s)));
      ctx.quickReplies.push('Morning', 'Evening');
      return { say: [], ask: { step: { id: 'confirm', kind, ...(step.id === 'deep_work' ? { rock: step.rock } : {}), title, slots, alt, of: step } } };
    }
    const slots = flatten(reading.slots);
    const result = await book(ctx, slots, kind, title, rockId);
    const rock = step.id === 'deep_work' ? step.rock : undefined;
    const settled = await settle(ctx, label, result, { kind, title, ...(rock ? { rock } : {}) }, step);
    const loose = reading.slots.some((s) => s.guess === 'loose' || s.guess === 'open');
    if (result.booked.length && loose) {
      const times = joinAnd(result.booked);
      // The confirmation just listed these times: say once that they were a guess, not the list again.
      settled.say.push(settled.say.some((x) => x.includes(times)) ? 'Those times were my reading — say the exact ones if you meant different.' : `I read that as ${times} — say the exact times if you meant different ones.`);
    }
    if (settled.ask) return settled;
    if (!result.booked.length) {
      const plan = await ctx.readPlan();
      const free = freeSlots(plan, ctx, kind === 'deep_work' ? 90 : 60, 3);
      ctx.quickReplies.push(...free.map(slotText), 'Skip');
      return { say: settled.say, ask: { step, lead: 'Let’s try another time.' }, missed: true };
    }
    return { say: settled.say };
  }

  /** The times of the block the previous answer booked ("same time wednesday" refers to it). */
  async function lastBookedTimes(ctx: FlowContext): Promise<{ start: string; end: string } | undefined> {
    const ids = [...ctx.lastChanges, ...ctx.changes].filter((c) => c.kind === 'block').map((c) => (c as { id: string }).id);
    const plan = await ctx.readPlan();
    const block = plan.blocks.find((b) => b.id === ids.at(-1));
    if (!block) return undefined;
    return { start: instantToLocal(block.start, plan.timeZone).hhmm, end: instantToLocal(block.end, plan.timeZone).hhmm };
  }

  /** A message that gave nothing usable: explain, and from the second miss on, offer concrete choices. */
  async function missed(ctx: FlowContext, step: Step, why: string): Promise<Handled> {
    const say = [why];
    if (ctx.misses >= 1 && (step.id === 'deep_work' || step.id === 'recovery')) {
      const plan = await ctx.readPlan();
      const free = freeSlots(plan, ctx, step.id === 'deep_work' ? 90 : 60, 3);
      ctx.quickReplies.push(...free.map(slotText), ...(step.id === 'deep_work' ? ['Not deep work'] : []), 'Skip');
      say.push(`Here are free slots: ${joinAnd(free.map(slotText))}. Pick one, say ${quote('not deep work')}, or ${quote('skip')}.`);
    } else if (ctx.misses >= 1) {
      ctx.quickReplies.push('Skip');
      say.push(`Or say ${quote('skip')} and we’ll move on.`);
    }
    return { say, ask: { step }, missed: true };
  }

  /**
   * Puts back what the previous answer changed, newest first, and says what came back. A rock
   * removed with its blocks comes back with them: its new id is passed on to the blocks.
   */
  async function revert(ctx: FlowContext, changes: Change[]): Promise<string[]> {
    if (changes.length) ctx.markUndone();
    const plan = await ctx.readPlan();
    const tz = plan.timeZone;
    const said: string[] = [];
    const newIds = new Map<string, string>();
    let reordered = false;
    const rockTitle = (id: string) => plan.rocks.find((r) => r.id === id)?.title ?? 'that rock';
    const at = (start: string, end: string) => {
      const s = instantToLocal(start, tz);
      const e = instantToLocal(end, tz);
      return { day: DAY_NAMES[s.dayIndex], start: s.hhmm, end: e.dayIndex !== s.dayIndex && e.hhmm === '00:00' ? '24:00' : e.hhmm, text: blockTime({ start, end }, tz) };
    };
    for (const c of [...changes].reverse()) {
      switch (c.kind) {
        case 'rock':
          if ((await ctx.call('remove_rock', { rockId: c.id })).ok) said.push(`took ${quote(rockTitle(c.id))} out again`);
          break;
        case 'block': {
          const b = plan.blocks.find((x) => x.id === c.id);
          if ((await ctx.call('remove_time_block', { blockId: c.id })).ok && b) said.push(`removed ${quote(b.title)} ${blockTime(b, tz)}`);
          break;
        }
        case 'environment': {
          const e = plan.environment.find((x) => x.id === c.id);
          if ((await ctx.call('remove_environment_commitment', { environmentId: c.id })).ok && e) said.push(`removed ${quote(e.text)}`);
          break;
        }
        case 'vision':
          await ctx.call('set_vision', c.before ?? { work: '', self: '', relationships: '' });
          said.push('your vision is as it was');
          break;
        case 'rock_status':
          if ((await ctx.call('update_rock', { rockId: c.id, status: c.before })).ok) said.push(`${quote(rockTitle(c.id))} is ${c.before === 'planned' ? 'open' : c.before} again`);
          break;
        case 'rock_title':
          if ((await ctx.call('update_rock', { rockId: c.id, title: c.before })).ok) said.push(`${quote(rockTitle(c.id))} is called ${quote(c.before)} again`);
          break;
        case 'rock_order':
          if ((await ctx.call('update_rock', { rockId: c.id, position: Math.max(0, c.before) })).ok) reordered = true;
          break;
        case 'rock_removed': {
          const out = await ctx.call('add_rock', { title: c.title });
          if (!out.ok || !out.created) break;
          newIds.set(c.id, out.created);
          if (c.status === 'done') await ctx.call('update_rock', { rockId: out.created, status: 'done' });
          if (c.place >= 0) await ctx.call('update_rock', { rockId: out.created, position: c.place });
          said.push(`${quote(c.title)} is back`);
          break;
        }
        case 'block_moved': {
          const b = plan.blocks.find((x) => x.id === c.id);
          const to = at(c.before.start, c.before.end);
          if ((await ctx.call('move_time_block', { blockId: c.id, day: to.day, start: to.start, end: to.end })).ok) said.push(`${quote(b?.title ?? 'the block')} is back at ${to.text}`);
          break;
        }
        case 'block_removed': {
          const to = at(c.block.start, c.block.end);
          const rockId = c.block.rockId ? (newIds.get(c.block.rockId) ?? c.block.rockId) : null;
          const out = await ctx.call('add_time_block', { day: to.day, start: to.start, end: to.end, kind: c.block.kind, title: c.block.title, ...(rockId ? { rockId } : {}) });
          if (out.ok) said.push(c.block.rockId && newIds.has(c.block.rockId) ? `so is its block ${to.text}` : `${quote(c.block.title)} ${to.text} is back`);
          break;
        }
        case 'environment_removed':
          if ((await ctx.call('add_environment_commitment', { text: c.text })).ok) said.push(`${quote(c.text)} is back`);
          break;
        case 'review':
          if (c.before) {
            const to = at(c.before.start, c.before.end);
            if ((await ctx.call('set_review_time', { day: to.day, start: to.start, end: to.end })).ok) said.push(`the review is back at ${to.text}`);
          }
          break;
      }
    }
    if (reordered) said.push(`your rocks are back in order: ${rockOrder(await ctx.readPlan())}`);
    // Undoing is not a change to undo again.
    ctx.changes.length = 0;
    return said;
  }

  /**
   * A correction of the blocks the previous answer booked: "no, I said tue and thu only" keeps
   * the times on those days, "make thursday 10-12 instead" changes Thursday only, "no, 10-12"
   * moves them all. Returns null when the last change booked no blocks or the text has no days or times.
   */
  async function correctBlocks(ctx: FlowContext, text: string, target: Step | null): Promise<Handled | null> {
    const ids = new Set(ctx.lastChanges.flatMap((c) => (c.kind === 'block' || c.kind === 'block_moved' ? [c.id] : [])));
    if (ids.size === 0) return null;
    const plan = await ctx.readPlan();
    const last = plan.blocks.filter((b) => ids.has(b.id));
    if (last.length === 0) return null;
    const first = last[0]!;
    const kind = first.kind;
    const local = (b: TimeBlock) => ({ day: instantToLocal(b.start, plan.timeZone).dayIndex, start: instantToLocal(b.start, plan.timeZone).hhmm, end: blockTime(b, plan.timeZone).split('–')[1]! });
    const lastDays = [...new Set(last.map((b) => local(b).day))];
    const reading = readTimeSlots(text, { defaultDays: lastDays, lean: kind === 'recovery' ? 'pm' : 'am', defaultMinutes: blockMinutes(first) });
    const named = daysNamed(text);
    let wanted: ProposedSlot[];
    if (reading.kind === 'slots') {
      const slots = flatten(reading.slots);
      const touched = new Set(slots.map((s) => s.day));
      // Days the correction doesn't mention keep their blocks, unless it says "only" or names none of them.
      const keepOthers = !/\bonly\b|\bjust\b/i.test(text) && lastDays.some((d) => touched.has(d)) && named.length > 0;
      wanted = [...(keepOthers ? last.filter((b) => !touched.has(local(b).day)).map(local) : []), ...slots];
    } else if (named.length) {
      const t = local(first);
      wanted = named.map((day) => last.map(local).find((x) => x.day === day) ?? { day, start: t.start, end: t.end });
    } else return null;
    for (const b of last) await ctx.call('remove_time_block', { blockId: b.id });
    ctx.changes.length = 0;
    const rockId = first.rockId;
    const r = await book(ctx, wanted, kind, first.title, rockId);
    const label = kind === 'deep_work' ? `Fixed — deep work for ${quote(first.title)}` : kind === 'recovery' ? 'Fixed — recovery' : `Fixed — ${quote(first.title)}`;
    const rock = rockId ? plan.rocks.find((x) => x.id === rockId)?.title : undefined;
    const h = await settle(ctx, label, r, { kind, title: first.title, ...(rock ? { rock } : {}) }, target);
    return r.booked.length || h.ask ? h : { say: h.say, ...(target ? { ask: { step: target } } : {}) };
  }

  async function addRocks(ctx: FlowContext, titles: string[]): Promise<{ added: string[]; failures: string[] }> {
    const added: string[] = [];
    const failures: string[] = [];
    for (const title of titles) {
      const out = await ctx.call('add_rock', { title });
      if (out.ok) added.push(title);
      else failures.push(`${quote(title)} wasn’t added: ${out.message}`);
    }
    return { added, failures };
  }

  /** Sorts list items into rocks and the things that are not rocks, with a word on each. */
  function judge(items: string[]): { rocks: string[]; notes: string[]; recovery: string[]; appointments: string[] } {
    const sand = items.filter(isSand);
    const appointments = items.filter((i) => !isSand(i) && isAppointment(i));
    const recovery = items.filter((i) => !isSand(i) && !isAppointment(i) && isRecoveryItem(i));
    const rocks = items.filter((i) => !sand.includes(i) && !appointments.includes(i) && !recovery.includes(i));
    const notes: string[] = [];
    if (sand.length) notes.push(`${joinAnd(sand.map(quote))} ${sand.length === 1 ? 'is' : 'are'} pebbles and sand — ${sand.length === 1 ? 'it fits' : 'they fit'} around the rocks, so I left ${sand.length === 1 ? 'it' : 'them'} off.`);
    if (appointments.length) notes.push(`${joinAnd(appointments.map(quote))} ${appointments.length === 1 ? 'is an appointment or chore' : 'are appointments or chores'}, not a rock — tell me when and I’ll add ${appointments.length === 1 ? 'it' : 'them'} as a regular block.`);
    if (recovery.length) notes.push(`${joinAnd(recovery.map(quote))} sound${recovery.length === 1 ? 's' : ''} like recovery — we’ll book ${recovery.length === 1 ? 'it' : 'them'} when we get to rest (say ${quote('it’s a rock')} if you mean it as a goal).`);
    return { rocks, notes, recovery, appointments };
  }

  async function takeRocks(ctx: FlowContext, step: Step, answer: string): Promise<Handled> {
    const plan = await ctx.readPlan();
    const active = activeRocks(plan);
    const insist = /\b(it'?s a rock|is a rock|as a rock|it is a goal|it'?s a goal|keep it as a rock)\b/i.test(answer);
    // A bare day and time is an answer to another question, never a rock.
    const listed = readList(answer.replace(/\b(it'?s a rock|is a rock|as a rock|it is a goal|it'?s a goal|keep it as a rock)\b/gi, '')).filter((i) => !isOnlyTime(i));
    // "dentist is thursday at 3:30 for 45 mins": an appointment that says when is booked as a regular block right away.
    const timed = insist ? [] : listed.filter((i) => isAppointment(i) && readTimeSlots(i, { today: readerToday(ctx) }).kind === 'slots');
    const booked: string[] = [];
    for (const a of timed) booked.push(...(await takeSlots(ctx, { id: 'when', kind: 'other', title: otherTitle(a), of: null }, a, 'other', otherTitle(a), null, `${quote(otherTitle(a))} added`)).say);
    const items = listed.filter((i) => !timed.includes(i));
    if (items.length === 0 && booked.length) return { say: booked };
    if (items.length === 0) return missed(ctx, step, 'I didn’t catch any rocks there.');
    const j = insist ? { rocks: items, notes: [], recovery: [], appointments: [] } : judge(items);
    j.notes.unshift(...booked);
    if (j.rocks.length === 0) return { say: j.notes, ask: { step: { id: 'rocks' }, text: 'Which 3 to 5 outcomes would make this week a win? Those are your big rocks this week.' } };
    // A rock named again is not a new one: the same message answered again (Retry), or a rock repeated.
    const known = j.rocks.filter((t) => active.some((r) => sameTitle(r.title, t)));
    const fresh = j.rocks.filter((t) => !known.includes(t));
    if (fresh.length === 0) {
      const titles = active.filter((r) => known.some((t) => sameTitle(r.title, t))).map((r) => r.title);
      return { say: [`${pick(['Big rocks in', 'Got it — rocks', 'Locked in', 'Your rocks'], answer)}: ${joinAnd(titles.map(quote))}.`, ...j.notes] };
    }
    if (active.length + fresh.length > MAX_ACTIVE_ROCKS) {
      const all = [...active.map((r) => r.title), ...fresh];
      ctx.quickReplies.push(...all.slice(0, 3).map((t) => `Drop ${t}`));
      return {
        say: [`That’s ${all.length}${active.length ? ` counting the ${active.length} already in` : ''}: ${joinAnd(all.map(quote))}. A week holds at most ${MAX_ACTIVE_ROCKS} big rocks — more than that and none get real attention.`, ...j.notes],
        ask: { step: { id: 'rocks.trim', items: all } },
      };
    }
    const { added, failures } = await addRocks(ctx, fresh);
    const say: string[] = [];
    if (added.length) say.push(`${pick(['Big rocks in', 'Got it — rocks', 'Locked in', 'Your rocks'], answer)}: ${joinAnd(added.map(quote))}.`);
    if (added.length && known.length) say.push(`${joinAnd(known.map(quote))} ${known.length === 1 ? 'was' : 'were'} already in.`);
    say.push(...failures, ...j.notes);
    // "pitch deck (tue 9-11), investor update (wed 2-4)": times given with the rocks are their deep work.
    if (added.length && readTimeSlots(answer, { today: readerToday(ctx) }).kind === 'slots') {
      const rocks = activeRocks(await ctx.readPlan()).filter((r) => added.includes(r.title));
      say.push(...(await takeRockTimes(ctx, answer, rocks, 1)).say);
    }
    return { say };
  }

  async function trimRocks(ctx: FlowContext, step: Extract<Step, { id: 'rocks.trim' }>, answer: string, reading: Reading): Promise<Handled> {
    const plan = await ctx.readPlan();
    const activeTitles = activeRocks(plan).map((r) => r.title);
    let keep: string[];
    const dropWords = reading.edit?.op === 'drop_rocks' ? reading.edit.names : /^(drop|cut|remove|lose|ditch|scrap|skip)\b/i.test(answer.trim()) ? [answer.replace(/^\s*\w+\s+/, '')] : null;
    if (dropWords) {
      const fake = step.items.map((t, i) => ({ id: String(i), title: t, status: 'planned', position: i, carryCount: 0, carriedFromId: null }) as Rock);
      const dropped = new Set(dropWords.flatMap((n) => matchRocks(n, fake)).map((r) => r.title));
      for (const m of answer.matchAll(/\b(\d)\b/g)) {
        const i = Number(m[1]) - 1;
        if (step.items[i]) dropped.add(step.items[i]!);
      }
      keep = step.items.filter((t) => !dropped.has(t));
    } else {
      keep = pickItems(answer.replace(/^\s*(?:keep|i'?ll keep|keeping|the)\s+/i, ''), step.items);
    }
    if (keep.length === 0 || keep.length === step.items.length) {
      return missed(ctx, step, `Tell me which to drop, e.g. ${quote(`drop ${step.items[step.items.length - 1]}`)}, or which to keep, e.g. ${quote('1, 2 and 4')}.`);
    }
    if (keep.length > MAX_ACTIVE_ROCKS) {
      return { say: [`That still leaves ${keep.length}.`], ask: { step: { id: 'rocks.trim', items: keep } } };
    }
    // Rocks already stored that are no longer kept are removed.
    for (const r of activeRocks(plan)) if (!keep.includes(r.title)) await ctx.call('remove_rock', { rockId: r.id });
    const { added, failures } = await addRocks(
      ctx,
      keep.filter((t) => !activeTitles.includes(t)),
    );
    return { say: [`Good call. Big rocks: ${joinAnd(keep.map(quote))}.${added.length ? '' : ''}`, ...failures] };
  }

  // ---------------------------------------------------------------- a whole plan in one message

  type Part = 'vision' | 'rocks' | 'environment' | 'deep_work' | 'recovery' | 'review';

  function partOf(segment: string, rockTitles: string[]): Part | null {
    const t = normalize(segment);
    const timed = readTimeSlots(segment, {}).kind === 'slots';
    if (/\b(review|reflect)\w*/.test(t) && timed) return 'review';
    if (/^(?:vision|in (?:a|one) year|a year from now|in 12 months)\b/.test(t)) return 'vision';
    if (/\b(big )?rocks?\b|\bpriorit(?:y|ies)\b|\bgoals? (?:this|for the) week\b/.test(t) && !timed) return 'rocks';
    if (/\b(?:i need to|i have to|i must|i gotta|i want to (?:finish|get|ship|write|prepare|prep|launch|complete))\b/.test(t) && !timed && !ENVIRONMENT_RE.test(t)) return 'rocks';
    if (ENVIRONMENT_RE.test(t) && !timed) return 'environment';
    if (timed && RECOVERY_RE.test(t) && !/\bdeep\b|\bfocus\b/.test(t)) return 'recovery';
    if (timed && (/\bdeep work\b|\bfocus\b/.test(t) || rockTitles.some((r) => matchRocks(segment, [{ id: r, title: r, status: 'planned', position: 0, carryCount: 0, carriedFromId: null }]).length > 0))) return 'deep_work';
    return null;
  }

  /**
   * Splits a message into lines and sentences; when they carry at least two different parts of
   * the plan (one is enough when no question was pending), each is taken as the answer to its
   * own question, in the order of the plan. Early in a conversation a run-on paragraph is also
   * split at its commas: "i need to finish X and prep Y, i'll do X mon 9-12, phone in the drawer".
   */
  async function takeWholePlan(ctx: FlowContext, answer: string, step: Step | null): Promise<Handled | null> {
    const plan = await ctx.readPlan();
    const minKinds = step === null ? 1 : 2;
    const classify = (segments: string[]) => {
      // Rock titles named in this very message count too ("rocks: deck, report. deep work: deck tue 9-11").
      const listed = segments.filter((x) => partOf(x, []) === 'rocks').flatMap((x) => readList(x));
      const titles = [...activeRocks(plan).map((r) => r.title), ...listed];
      return segments.map((x) => ({ x, part: partOf(x, titles) }));
    };
    const kindsOf = (parts: Array<{ part: Part | null }>) => new Set(parts.map((p) => p.part).filter(Boolean)).size;
    let parts = classify(
      answer
        .split(/\n+|(?<=[.!?;])\s+(?=[a-z])/i)
        .map((x) => x.trim())
        .filter(Boolean),
    );
    if (kindsOf(parts) < 2 && (step === null || step.id.startsWith('vision.') || step.id === 'rocks')) {
      // A clause that is no part of its own continues the one before ("rocks: a", "b", "c").
      const clauses: Array<{ x: string; part: Part | null }> = [];
      for (const c of answer.split(/\s*[,;\n]\s*(?:and\s+)?|(?<=[.!?])\s+/).filter((x) => x.trim())) {
        const part = partOf(c, clauses.filter((p) => p.part === 'rocks').flatMap((p) => readList(p.x)).concat(activeRocks(plan).map((r) => r.title)));
        const last = clauses.at(-1);
        if (!part && last) last.x = `${last.x}, ${c}`;
        else clauses.push({ x: c, part });
      }
      if (kindsOf(clauses) > kindsOf(parts)) parts = clauses;
    }
    if (kindsOf(parts) < minKinds || (minKinds === 2 && parts.length < 2)) return null;
    const order: Part[] = ['vision', 'rocks', 'environment', 'deep_work', 'recovery', 'review'];
    const say: string[] = [];
    // The first follow-up a part needs (a slot that had passed, a time to read back) is asked after the rest.
    let ask: Handled['ask'];
    for (const part of order) {
      for (const { x } of parts.filter((p) => p.part === part)) {
          if (part === 'vision') say.push(...(await handleAnswer({ id: 'vision.work' }, x.replace(/^[^:]*:\s*/, ''), understand(x, { pending: 'vision.work', rockTitles: [] }), ctx)).say);
        if (part === 'rocks') say.push(...(await takeRocks(ctx, { id: 'rocks' }, x)).say);
        if (part === 'environment') say.push(...(await handleAnswer({ id: 'environment' }, x.replace(/^(?:environment|env)\s*:?\s*/i, ''), understand(x, { pending: 'environment', rockTitles: [] }), ctx)).say);
        if (part === 'review') say.push(...(await setReview(ctx, x)).say);
        if (part === 'recovery') {
          const h = await handleAnswer({ id: 'recovery' }, x, understand(x, { pending: 'recovery', rockTitles: [] }), ctx);
          say.push(...h.say);
          if (h.ask?.step.id === 'confirm') ask ??= h.ask;
        }
        if (part === 'deep_work') {
          const h = await takeRockTimes(ctx, x.replace(/^(?:deep work|focus(?: time)?)\s*:?\s*/i, ''), activeRocks(await ctx.readPlan()), 2);
          say.push(...h.say);
          ask ??= h.ask;
        }
      }
    }
    return { say, ...(ask ? { ask } : {}) };
  }

  /**
   * "migration mon and wed 9-12, onboarding doc tue 2-4pm, deck thu 10-12" given for one rock:
   * each piece names its own rock, so each books deep work for that rock. Null unless at least
   * two pieces name two different rocks.
   */
  async function slotsPerRock(ctx: FlowContext, answer: string): Promise<Handled | null> {
    const pieces = answer.split(/\s*[;,]\s*|\n+/).filter((p) => readTimeSlots(p, {}).kind === 'slots');
    if (pieces.length < 2) return null;
    const active = activeRocks(await ctx.readPlan()).filter((r) => r.status === 'planned');
    const rocks = pieces.map((p) => findRock(p.replace(/\b(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\b|\d[\d:.\-–apm ]*/gi, ' '), active));
    // "board report wed 2-4 and the interviews thu 10-12" names two rocks in one piece: takeRockTimes splits by name.
    if (pieces.some((p) => matchRocks(p, active).length > 1)) return null;
    if (rocks.some((r) => !r) || new Set(rocks.map((r) => r!.id)).size < 2) return null;
    const say: string[] = [];
    let ask: Handled['ask'];
    for (const [i, piece] of pieces.entries()) {
      const rock = rocks[i]!;
      const h = await takeSlots(ctx, { id: 'deep_work', rock: rock.title }, piece, 'deep_work', rock.title, rock.id, `Deep work for ${quote(rock.title)}`);
      say.push(...h.say);
      if (h.ask?.step.id === 'confirm') ask ??= h.ask;
    }
    return { say, ...(ask ? { ask } : {}) };
  }

  /**
   * Books the times a text gives for several rocks: "grant mon 9-12 and wed 9-12, papers tue 14-16"
   * or "tue 9-11 for the deck, wed 2-4 for the report". Each rock gets the text from its name to
   * the next one (or, when times come first, from the name before to its own). With fewer than
   * `minNamed` rocks named, the whole text goes to the rock named, else to the first without deep work.
   */
  async function takeRockTimes(ctx: FlowContext, text: string, rocks: Rock[], minNamed: number): Promise<Handled> {
    const spans = rockSpans(text, rocks);
    const plan = await ctx.readPlan();
    const pieces =
      spans.length >= minNamed
        ? spans
        : [{ text, rock: matchRocks(text, rocks)[0] ?? rocks.find((r) => r.status === 'planned' && !plan.blocks.some((b) => b.rockId === r.id)) }];
    const say: string[] = [];
    // The first time to read back ("9-11 morning or evening?") is asked after the rest is booked.
    let ask: Handled['ask'];
    for (const { text: piece, rock } of pieces) {
      if (!rock || readTimeSlots(piece, { today: readerToday(ctx) }).kind !== 'slots') continue;
      const h = await takeSlots(ctx, { id: 'deep_work', rock: rock.title }, piece, 'deep_work', rock.title, rock.id, `Deep work for ${quote(rock.title)}`);
      say.push(...h.say);
      if (h.ask?.step.id === 'confirm') ask ??= h.ask;
    }
    return { say, ...(ask ? { ask } : {}) };
  }

  // ---------------------------------------------------------------- edits

  function findBlocks(plan: WeekPlan, target: string): TimeBlock[] {
    const t = normalize(target);
    const reading = readTimeSlots(target, {});
    const days = new Set<number>();
    for (const w of t.split(/[^a-z]+/)) {
      const d = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].findIndex((p) => w.startsWith(p));
      if (d >= 0 && w.length <= 9) days.add(d);
    }
    const starts = reading.kind === 'slots' ? reading.slots.map((s) => s.start) : [];
    const scored = plan.blocks.map((b) => {
      const s = instantToLocal(b.start, plan.timeZone);
      let score = 0;
      const rock = b.rockId ? plan.rocks.find((r) => r.id === b.rockId) : undefined;
      score += Math.max(nameScore(target, b.title), rock ? nameScore(target, rock.title) : 0) * 2;
      if (days.size) score += days.has(s.dayIndex) ? 3 : -5;
      if (starts.length) score += starts.includes(s.hhmm) ? 3 : -1;
      if (/\b(recovery|unplug|break|gym|walk|run|rest)\b/.test(t) && b.kind === 'recovery') score += 2;
      if (/\b(deep work|deep|focus)\b/.test(t) && b.kind === 'deep_work') score += 2;
      if (b.title === REVIEW_BLOCK_TITLE) score += /\breview\b/.test(t) ? 4 : -10;
      return { b, score };
    });
    const best = Math.max(0, ...scored.map((x) => x.score));
    if (best <= 0) return [];
    return scored.filter((x) => x.score === best).map((x) => x.b);
  }

  /** Where a rock goes, as a place in the active list, given where it is now. */
  function targetPlace(to: RockPlace, current: number, rocks: Rock[]): number | null {
    const lastIndex = rocks.length - 1;
    if ('index' in to) return Math.min(to.index, lastIndex);
    if ('last' in to) return lastIndex;
    if ('step' in to) return Math.max(0, Math.min(lastIndex, current + to.step));
    const other = findRock('before' in to ? to.before : to.after, rocks);
    if (!other) return null;
    const at = rocks.indexOf(other);
    // Moving down, the rocks in between shift up by one.
    if ('before' in to) return current < at ? at - 1 : at;
    return current < at ? at : at + 1;
  }

  function rockOrder(plan: WeekPlan): string {
    return activeRocks(plan)
      .map((r, i) => `${i + 1}. ${r.title}${r.status === 'done' ? ' (done)' : ''}`)
      .join(', ');
  }

  async function moveRock(ctx: FlowContext, rock: Rock, place: number): Promise<boolean> {
    return (await ctx.call('update_rock', { rockId: rock.id, position: place })).ok;
  }

  function unknownRock(active: Rock[], name: string): Handled {
    return { say: [active.length ? `I couldn’t tell which rock ${quote(name)} is. Your rocks: ${rockOrder({ rocks: active } as WeekPlan)}.` : 'There are no rocks this week yet.'] };
  }

  async function applyEdit(ctx: FlowContext, edit: EditCommand): Promise<Handled> {
    const plan = await ctx.readPlan();
    const active = activeRocks(plan);
    const said = (...say: string[]): Handled => ({ say });
    switch (edit.op) {
      case 'move_block': {
        const found = findBlocks(plan, edit.target);
        // "put the dentist on thu 3pm" with no dentist block yet, or "put the gym on mon wed fri" when only an
        // "Unplug" block fits the kind: a new block.
        const onlyByKind = found.length > 0 && !found.some((b) => nameScore(edit.target, `${b.title} ${plan.rocks.find((r) => r.id === b.rockId)?.title ?? ''}`) > 0) && keyWords(edit.target).some((w) => !GENERIC_BLOCK_WORDS.has(w)) && /\d/.test(edit.to);
        if ((found.length === 0 || onlyByKind || daysIn(edit.to).length > 1) && !/^(?:it|that|this|them|the block|block|session|slot)$/.test(normalize(edit.target)) && !daysIn(edit.target).length) {
          return applyEdit(ctx, { op: 'add_block', kind: RECOVERY_RE.test(edit.target) ? 'recovery' : 'other', what: `${edit.target} ${edit.to}`, when: edit.to });
        }
        if (found.length === 0) return said(`I couldn’t find a block matching ${quote(edit.target)}. ${describeBlocks(plan)}`);
        const block = found[0]!;
        const from = instantToLocal(block.start, plan.timeZone);
        const minutes = blockMinutes(block);
        const toDays = daysIn(edit.to);
        const reading = readTimeSlots(edit.to, { defaultDays: [from.dayIndex], defaultMinutes: minutes, lean: block.kind === 'recovery' ? 'pm' : 'am' });
        if (reading.kind === 'unclear' && toDays.length === 0) return said(`Where should ${quote(block.title)} go? Give a day and a time, e.g. ${quote('thu 1-3pm')}.`);
        const to = reading.kind === 'slots' ? flatten(reading.slots)[0]! : { day: toDays[0]!, start: from.hhmm, end: from.hhmm };
        let start = to.start;
        let end = to.end;
        // "move it to thursday" keeps the times.
        if (!/\d|morning|afternoon|evening|lunch|noon/.test(normalize(edit.to))) {
          start = from.hhmm;
          end = instantToLocal(block.end, plan.timeZone).hhmm;
        }
        const rock = block.rockId ? plan.rocks.find((r) => r.id === block.rockId)?.title : undefined;
        if (isPast(ctx, to.day, start)) return offerLater(ctx, [{ day: to.day, start, end }], { kind: block.kind, title: block.title, ...(rock ? { rock } : {}), move: block.id }, null);
        const out = await ctx.call('move_time_block', { blockId: block.id, day: DAY_NAMES[to.day], start, end });
        if (!out.ok) return said(`I couldn’t move it: ${out.message}`);
        return said(`Moved ${quote(block.title)} from ${blockTime(block, plan.timeZone)} to ${SHORT_DAYS[to.day]} ${start}–${end}.`);
      }
      case 'resize_block':
      case 'shift_block': {
        const block = findBlocks(plan, edit.target)[0];
        if (!block) return said(`I couldn’t find a block matching ${quote(edit.target)}. ${describeBlocks(plan)}`);
        const from = instantToLocal(block.start, plan.timeZone);
        const startMin = toMinutes(from.hhmm);
        const length = blockMinutes(block);
        let start = startMin;
        let end = startMin + length;
        if (edit.op === 'shift_block') {
          start += edit.minutes;
          end += edit.minutes;
        } else if (edit.minutes !== undefined) end = start + edit.minutes;
        else if (edit.by !== undefined) end += edit.by;
        else if (edit.end !== undefined) {
          const e = endTimeAfter(edit.end, startMin);
          if (e === null) return said(`Until when should ${quote(block.title)} go?`);
          end = e;
        }
        if (start < 0 || end > 24 * 60 || end <= start) return said(`That would take ${quote(block.title)} outside the day — give me the new times, e.g. ${quote(`${SHORT_DAYS[from.dayIndex]?.toLowerCase()} 9-11`)}.`);
        const to = { day: from.dayIndex, start: fromMinutes(start), end: fromMinutes(end) };
        if (isPast(ctx, to.day, to.start)) return said(`${slotText(to)} has already started or passed — pick another time.`);
        const out = await ctx.call('move_time_block', { blockId: block.id, day: DAY_NAMES[to.day], start: to.start, end: to.end });
        if (!out.ok) return said(`I couldn’t change it: ${out.message}`);
        return said(`${quote(block.title)} is now ${slotText(to)} (was ${blockTime(block, plan.timeZone)}).`);
      }
      case 'swap_blocks': {
        const [a, b] = edit.targets.map((x) => findBlocks(plan, x)[0]);
        if (!a || !b || a.id === b.id) return said(`Which two blocks should trade places? ${describeBlocks(plan)}`);
        const at = (x: TimeBlock) => {
          const s = instantToLocal(x.start, plan.timeZone);
          const e = instantToLocal(x.end, plan.timeZone);
          return { day: DAY_NAMES[s.dayIndex], start: s.hhmm, end: e.dayIndex !== s.dayIndex && e.hhmm === '00:00' ? '24:00' : e.hhmm };
        };
        const [ta, tb] = [at(a), at(b)];
        const gone = [a, b].find((x) => isPast(ctx, instantToLocal(x.start, plan.timeZone).dayIndex, instantToLocal(x.start, plan.timeZone).hhmm));
        if (gone) return said(`${quote(gone.title)} ${blockTime(gone, plan.timeZone)} has already passed, so I can’t swap it — give the other one a new time instead, e.g. ${quote('move it to fri 9-11')}.`);
        // They can't overlap even for a moment: take b out, move a into its place, put b where a was.
        await ctx.call('remove_time_block', { blockId: b.id });
        const moved = await ctx.call('move_time_block', { blockId: a.id, ...tb });
        const back = await ctx.call('add_time_block', { ...ta, kind: b.kind, title: b.title, ...(b.rockId ? { rockId: b.rockId } : {}) });
        if (!moved.ok || !back.ok) return said(`I couldn’t swap them: ${(!moved.ok ? moved : back).message}`);
        return said(`Swapped: ${quote(a.title)} is now ${blockTime(b, plan.timeZone)} and ${quote(b.title)} ${blockTime(a, plan.timeZone)}.`);
      }
      case 'delete_block': {
        const found = findBlocks(plan, edit.target);
        if (found.length === 0) return said(`I couldn’t find a block matching ${quote(edit.target)}. ${describeBlocks(plan)}`);
        const gone: string[] = [];
        for (const b of found) {
          const out = await ctx.call('remove_time_block', { blockId: b.id });
          if (out.ok) gone.push(`${quote(b.title)} ${blockTime(b, plan.timeZone)}`);
        }
        return said(`Removed ${joinAnd(gone)}.`);
      }
      case 'add_block': {
        const rocks = matchRocks(edit.what, active);
        const kind: BlockKind = rocks.length && edit.kind !== 'recovery' ? 'deep_work' : edit.kind;
        const rock = kind === 'deep_work' ? (rocks[0] ?? (active.length === 1 ? active[0] : undefined)) : undefined;
        const title = rock ? rock.title : kind === 'recovery' ? recoveryTitle(edit.what) : otherTitle(edit.what);
        const reading = readTimeSlots(edit.when, { today: readerToday(ctx), lean: kind === 'recovery' ? 'pm' : 'am', defaultMinutes: kind === 'deep_work' ? 90 : 60 });
        if (reading.kind === 'unclear') return said('I need a day and a time for that block.');
        const r = await book(ctx, flatten(reading.slots), kind, title, rock?.id ?? null);
        const label = kind === 'deep_work' ? `Deep work for ${quote(title)} added` : kind === 'recovery' ? 'Recovery added' : `${quote(title)} added`;
        return settle(ctx, label, r, { kind, title, ...(rock ? { rock: rock.title } : {}) }, null);
      }
      case 'drop_rocks': {
        const unique = [...new Map(edit.names.flatMap((n) => findRocks(n, active)).map((r) => [r.id, r])).values()];
        if (unique.length === 0) {
          // "drop the gym" or "drop the phone thing": not a rock, but a block or an environment change.
          const name = edit.names.join(' ');
          const env = bestEnvironment(plan, name);
          if (env) return applyEdit(ctx, { op: 'remove_environment', name });
          if (findBlocks(plan, name).length && !active.some((r) => nameScore(name, r.title) > 0)) return applyEdit(ctx, { op: 'delete_block', target: name });
          return unknownRock(active, name);
        }
        let freed = 0;
        for (const r of unique) {
          // Its deep work goes too: the time is free again.
          for (const b of plan.blocks.filter((x) => x.rockId === r.id)) if ((await ctx.call('remove_time_block', { blockId: b.id })).ok) freed++;
          if (r.carryCount > 0) await ctx.call('update_rock', { rockId: r.id, status: 'dropped' });
          else await ctx.call('remove_rock', { rockId: r.id });
        }
        return said(`Dropped ${joinAnd(unique.map((r) => quote(r.title)))}${freed ? ` and freed ${freed === 1 ? 'its block' : `${freed} blocks`}` : ''}.`);
      }
      case 'done_rocks':
      case 'reopen_rocks': {
        const found = [...new Map(edit.names.flatMap((n) => findRocks(n, active)).map((r) => [r.id, r])).values()];
        if (found.length === 0) return unknownRock(active, edit.names.join(' and '));
        const status = edit.op === 'done_rocks' ? 'done' : 'planned';
        for (const r of found) await ctx.call('update_rock', { rockId: r.id, status });
        const list = joinAnd(found.map((r) => quote(r.title)));
        return said(status === 'done' ? `${list} — done. ${pick(['Nice work.', 'Well done.', 'That’s one off the list.'], list)}` : `${list} ${found.length === 1 ? 'is' : 'are'} open again.`);
      }
      case 'rename_rock': {
        const rock = findRock(edit.name, active);
        if (!rock) return unknownRock(active, edit.name);
        if (normalize(rock.title) === normalize(edit.to)) return said(`It’s already called ${quote(rock.title)}.`);
        const out = await ctx.call('update_rock', { rockId: rock.id, title: edit.to });
        return said(out.ok ? `Renamed ${quote(rock.title)} to ${quote(edit.to)}.` : `I couldn’t rename it: ${out.message}`);
      }
      case 'reorder_rock': {
        const rock = findRock(edit.name, active);
        if (!rock) return unknownRock(active, edit.name);
        const current = active.indexOf(rock);
        const place = targetPlace(edit.to, current, active);
        if (place === null) return unknownRock(active, 'before' in edit.to ? edit.to.before : 'after' in edit.to ? edit.to.after : edit.name);
        if (place === current) return said(`${quote(rock.title)} is already number ${current + 1}. Your rocks: ${rockOrder(plan)}.`);
        if (!(await moveRock(ctx, rock, place))) return said('I couldn’t change the order.');
        const where = place === 0 ? 'to the top' : place === active.length - 1 ? 'to the bottom' : `to number ${place + 1}`;
        return said(`Moved ${quote(rock.title)} ${where}. Your rocks now: ${rockOrder(await ctx.readPlan())}.`);
      }
      case 'swap_rocks': {
        const [a, b] = edit.names.map((n) => findRock(n, active));
        if (!a || !b) return unknownRock(active, !a ? edit.names[0] : edit.names[1]);
        if (a.id === b.id) return said(`That’s the same rock twice: ${quote(a.title)}.`);
        const [ia, ib] = [active.indexOf(a), active.indexOf(b)];
        // The later one goes up first, so the earlier one's place is still where it was.
        const [first, second] = ia < ib ? [b, a] : [a, b];
        await moveRock(ctx, first, Math.min(ia, ib));
        await moveRock(ctx, second, Math.max(ia, ib));
        return said(`Swapped ${quote(a.title)} and ${quote(b.title)}. Your rocks now: ${rockOrder(await ctx.readPlan())}.`);
      }
      case 'order_rocks': {
        const wanted = edit.names.map((n) => findRock(n, active));
        const missing = edit.names.find((_, i) => !wanted[i]);
        if (missing !== undefined) return unknownRock(active, missing);
        const ordered = [...new Set(wanted as Rock[])];
        for (const [i, r] of ordered.entries()) await moveRock(ctx, r, i);
        return said(`New order: ${rockOrder(await ctx.readPlan())}.`);
      }
      case 'add_rocks': {
        const h = await takeRocks(ctx, { id: 'rocks.more' }, edit.titles.join('\n'));
        return { say: h.say };
      }
      case 'review_time':
        return setReview(ctx, edit.when);
      case 'add_environment': {
        const say: string[] = [];
        for (const text of edit.items) {
          const out = await ctx.call('add_environment_commitment', { text });
          say.push(out.ok ? `Added ${quote(text)} to your environment.` : out.message);
        }
        return { say };
      }
      case 'remove_environment': {
        const e = bestEnvironment(plan, edit.name);
        if (!e) return said(plan.environment.length ? `Which one should go? Your environment: ${joinAnd(plan.environment.map((x) => quote(x.text)))}.` : 'There are no environment changes this week.');
        await ctx.call('remove_environment_commitment', { environmentId: e.id });
        return said(`Removed ${quote(e.text)} from your environment.`);
      }
      case 'replace_environment': {
        const e = bestEnvironment(plan, edit.name);
        if (!e) return applyEdit(ctx, { op: 'add_environment', items: [edit.to] });
        await ctx.call('remove_environment_commitment', { environmentId: e.id });
        const out = await ctx.call('add_environment_commitment', { text: edit.to });
        return said(out.ok ? `Changed ${quote(e.text)} to ${quote(edit.to)}.` : out.message);
      }
      case 'vision': {
        const out = await ctx.call('set_vision', { ...mergeVision(plan.vision, edit.vision) });
        if (!out.ok) return said(`I couldn’t save that: ${out.message}`);
        const parts = (Object.keys(edit.vision) as (keyof Vision)[]).map((k) => `${AREA_LABEL[k] === 'yourself' ? 'for yourself' : `for ${AREA_LABEL[k]}`} it’s now ${quote(edit.vision[k]!)}${plan.vision?.[k] ? ` (was ${quote(plan.vision[k])})` : ''}`);
        return said(`Vision updated — ${joinAnd(parts)}.`);
      }
    }
  }

  async function setReview(ctx: FlowContext, text: string): Promise<Handled> {
    const reading = readTimeSlots(/\b(mon|tue|wed|thu|fri|sat|sun)/i.test(text) ? text : `fri ${text}`, { defaultDays: [4], defaultMinutes: 30, lean: 'pm' });
    if (reading.kind === 'unclear') return { say: ['What time on Friday?'], ask: { step: { id: 'review_time', suggested: 'Friday 16:00' } }, missed: true };
    const s = flatten(reading.slots)[0]!;
    // Any guessed end ("at 4", "thursday evening") or a window ("sometime between 2 and 5") gives the review its usual 30 minutes.
    const open = reading.slots[0]!.guess !== undefined || /\b(?:between|sometime|some time|any ?time|whenever)\b/i.test(text);
    const end = open ? addMinutes(s.start, 30) : s.end;
    const name = s.day === 4 ? 'Friday review' : 'Review';
    if (isPast(ctx, s.day, s.start)) return { say: [`${SHORT_DAYS[s.day]} ${s.start} has already passed (today is ${LONG_DAYS[ctx.today]}) — pick a later time for the review.`], ask: { step: { id: 'review_time', suggested: suggestReview(await ctx.readPlan()) } } };
    const out = await ctx.call('set_review_time', { day: DAY_NAMES[s.day], start: s.start, end });
    if (!out.ok) return { say: [`That clashes: ${out.message}`], ask: { step: { id: 'review_time', suggested: 'Friday 16:00' } } };
    return { say: [`${name} set for ${SHORT_DAYS[s.day]} ${s.start}–${end}; the calendar export has it with a reminder.`] };
  }

  function describeBlocks(plan: WeekPlan): string {
    if (plan.blocks.length === 0) return 'There are no blocks yet.';
    return `Your blocks: ${joinAnd(plan.blocks.map((b) => `${quote(b.title)} ${blockTime(b, plan.timeZone)}`))}.`;
  }

  // ---------------------------------------------------------------- answers to each question

  async function handleAnswer(step: Step, answer: string, reading: Reading, ctx: FlowContext): Promise<Handled> {
    const skip = reading.intent === 'skip' || reading.intent === 'no';
    // "yes"/"ok" to an open question is not an answer to save.
    if (reading.intent === 'yes' && ['vision.work', 'vision.self', 'vision.relationships', 'rocks', 'rocks.more', 'environment', 'catchup'].includes(step.id)) {
      return { say: [pick(['Go ahead — in your own words.', 'Great — tell me.', 'Sure, go on.'], answer)], ask: { step } };
    }
    switch (step.id) {
      case 'vision.work':
      case 'vision.self':
      case 'vision.relationships': {
        const area = VISION_AREA[step.id];
        if (skip) {
          if (step.id === 'vision.work' && !Object.keys(reading.vision).length) return { say: [pick(['No problem — we can shape the vision another week.', 'Fine, we’ll leave the vision for another time.'], answer)] };
          return { say: [`Okay, we’ll leave ${AREA_LABEL[area]} open.`] };
        }
        const parts = Object.keys(reading.vision).length ? reading.vision : { [area]: tidyItem(answer) };
        const plan = await ctx.readPlan();
        const merged = mergeVision(plan.vision, parts);
        const out = await ctx.call('set_vision', { ...merged });
        if (!out.ok) return { say: [`I couldn’t save that: ${out.message}`], ask: { step } };
        const named = (Object.keys(parts) as (keyof Vision)[]).map((k) => `${AREA_LABEL[k]}: ${quote(parts[k]!)}`);
        return { say: [`${pick(['Saved', 'Got it', 'Noted'], answer)} — ${joinAnd(named)}.`] };
      }
      case 'catchup': {
        const prev = await ctx.readPlan(previousWeekKey(ctx.week.weekKey));
        const open = unfinished(prev);
        const refs = skip ? ({ kind: 'ok', value: [] } as const) : parseRockRefs(answer, open.map((r) => r.title));
        if (refs.kind === 'unclear') return missed(ctx, step, `I didn’t catch which ones — e.g. ${quote('1 and 3')}, ${quote('all')} or ${quote('no')}.`);
        if (refs.value.length === 0) return { say: ['Fresh start, then.'] };
        const brought: string[] = [];
        const say: string[] = [];
        for (const i of refs.value) {
          const rock = open[i]!;
          const out = await ctx.call('carry_over_rocks', { rocks: [{ rockId: rock.id }], toWeek: ctx.week.weekKey }, { ...ctx.week, weekKey: prev.weekKey });
          if (out.ok) brought.push(quote(rock.title));
          else say.push(`${quote(rock.title)} stays behind: ${out.message}`);
        }
        if (brought.length) say.unshift(`Brought over ${joinAnd(brought)}.`);
        return { say };
      }
      case 'rocks':
        if (skip) return { say: ['Okay, no rocks for now — the plan works best with them, so come back to it.'] };
        return takeRocks(ctx, step, answer);
      case 'rocks.more': {
        if (skip) {
          const n = activeRocks(await ctx.readPlan()).length;
          return { say: [`${n} rock${n === 1 ? '' : 's'} it is — fewer rocks, more focus.`] };
        }
        return takeRocks(ctx, step, answer);
      }
      case 'rocks.trim':
        return trimRocks(ctx, step, answer, reading);
      case 'environment': {
        if (skip) return { say: ['Fine — we’ll leave the room as it is this week.'] };
        const items = readList(answer).filter((i) => !isOnlyTime(i));
        if (items.length === 0) return missed(ctx, step, 'I didn’t catch a change there.');
        const plan = await ctx.readPlan();
        const room = MAX_ENVIRONMENT_CHANGES - plan.environment.length;
        const take = items.slice(0, Math.max(0, room));
        const added: string[] = [];
        const say: string[] = [];
        for (const text of take) {
          const out = await ctx.call('add_environment_commitment', { text });
          if (out.ok) added.push(quote(text));
          else say.push(`${quote(text)} wasn’t added: ${out.message}`);
        }
        if (added.length) say.unshift(`${pick(['Environment set', 'Good — you’ll do', 'Noted'], answer)}: ${joinAnd(added)}.`);
        if (items.length > take.length) say.push(`I kept the first ${take.length} — a few changes you actually keep beat a long list.`);
        return { say };
      }
      case 'deep_work': {
        const plan = await ctx.readPlan();
        const rock = plan.rocks.find((r) => r.title === step.rock && r.status === 'planned');
        if (!rock) return { say: [] };
        if (skip || /\bnot deep work\b/i.test(answer)) return { say: [`Okay, no deep work booked for ${quote(rock.title)}.`] };
        // Recovery or an appointment given here is booked as what it is, and the question stays.
        if (reading.slots.kind === 'slots' && RECOVERY_RE.test(withoutTimeContext(answer).replace(/\b(?:i'?m|i am|im|i'?ll be|we'?re|being|since)\s+off\b/gi, ' ')) && !/\bdeep\b|\bfocus\b/i.test(answer) && matchRocks(answer, [rock]).length === 0) {
          const h = await takeSlots(ctx, { id: 'recovery' }, answer, 'recovery', recoveryTitle(answer), null, 'That sounds like recovery, so I booked it as recovery');
          return { say: h.say, ask: { step } };
        }
        if (reading.slots.kind === 'slots' && APPOINTMENT_RE.test(withoutTimeContext(answer))) {
          const h = await takeSlots(ctx, step, answer, 'other', otherTitle(answer), null, `${quote(otherTitle(answer))} is an appointment, so it’s a regular block`);
          return { say: h.say, ask: { step } };
        }
        const perRock = await slotsPerRock(ctx, answer);
        if (perRock) return perRock;
        if (/\b(45|minutes?|blocks?)\b/i.test(answer) && reading.slots.kind === 'unclear') {
          ctx.quickReplies.push('Not deep work', 'Skip');
          const free = freeSlots(plan, ctx, 90, 2);
          ctx.quickReplies.unshift(...free.map(slotText));
          return {
            say: [`Fair enough. Deep work needs at least 45 minutes to get past the warm-up; if that won’t happen this week, say ${quote('not deep work')} or ${quote('skip')} — or pick one longer slot like ${joinAnd(free.map(slotText))}.`],
            ask: { step },
            missed: true,
          };
        }
        // "deck tue 9-11, report wed 2-4": times for several rocks at once, each to its own.
        const open = activeRocks(plan).filter((r) => r.status === 'planned');
        if (rockSpans(answer, open).filter((x) => readTimeSlots(x.text, {}).kind === 'slots').length >= 2) return takeRockTimes(ctx, answer, open, 2);
        return takeSlots(ctx, step, answer, 'deep_work', rock.title, rock.id, `Deep work for ${quote(rock.title)}`);
      }
      case 'recovery': {
        if (skip) return { say: ['Okay. Still take a short break every 60–90 minutes of focus — rest on purpose keeps deep work deep.'] };
        // "yoga tue and thu 6-7pm, long walk sunday 10-12": each activity keeps its own title.
        const parts = answer.split(/\s*[,;]\s*|\s+(?:and|also|plus|then)\s+(?=[a-z ]{0,20}\b(?:gym|walk|run|yoga|swim|hike|nap|break|lunch|off|climbing|sauna|family)\b)/i).filter((p) => p.trim());
        const titled = parts.map((p) => ({ p, title: recoveryTitle(p), slots: readTimeSlots(p, { lean: 'pm' }) }));
        if (parts.length > 1 && titled.every((x) => x.slots.kind === 'slots') && new Set(titled.map((x) => x.title)).size > 1) {
          const say: string[] = [];
          for (const x of titled) {
            const h = await takeSlots(ctx, step, x.p, 'recovery', x.title, null, `${x.title === 'Unplug' ? 'Recovery' : x.title} booked`);
            say.push(...h.say);
          }
          return { say };
        }
        return takeSlots(ctx, step, answer, 'recovery', recoveryTitle(answer), null, 'Recovery booked');
      }
      case 'review_offer':
      case 'review_time': {
        if (skip) return { say: [`${pick(['Fine', 'Okay'], answer)} — any short review before Monday works.`] };
        if (reading.intent === 'yes' && step.id === 'review_time') return setReview(ctx, step.suggested.replace('Friday', 'fri'));
        if (reading.intent === 'yes') return setReview(ctx, 'fri 16:00-16:30');
        // "thursday instead": the suggested time, on that day.
        if (reading.slots.kind === 'unclear' && step.id === 'review_time' && daysIn(answer, readerToday(ctx)).length && !/\d|morning|afternoon|evening|lunch|noon/.test(answer)) return setReview(ctx, `${answer} at ${step.suggested.replace(/^\S+\s+/, '')}`);
        if (reading.slots.kind === 'unclear' && !/\d|morning|afternoon|evening|lunch|noon/.test(answer)) return missed(ctx, step, 'What time should the review be?');
        return setReview(ctx, answer);
      }
      case 'confirm': {
        const plan = await ctx.readPlan();
        const rock = step.rock ? plan.rocks.find((r) => r.title === step.rock) : undefined;
        const title = step.title ?? step.rock ?? (step.kind === 'recovery' ? 'Unplug' : 'Block');
        const label = step.kind === 'deep_work' ? `Deep work for ${quote(title)}` : step.kind === 'recovery' ? 'Recovery booked' : `${quote(title)} booked`;
        const what = { kind: step.kind, title, ...(step.rock ? { rock: step.rock } : {}) };
        const t = normalize(answer);
        /** Books (or, for a move, moves the block to) the chosen slots. */
        const place = async (slots: ProposedSlot[]): Promise<Handled> => {
          if (!step.move) return settle(ctx, label, await book(ctx, slots, step.kind, title, rock?.id ?? null), what, step.of);
          const to = slots[0]!;
          if (isPast(ctx, to.day, to.start)) return offerLater(ctx, [to], { ...what, move: step.move }, null);
          const out = await ctx.call('move_time_block', { blockId: step.move, day: DAY_NAMES[to.day], start: to.start, end: to.end });
          return { say: [out.ok ? `Moved ${quote(title)} to ${slotText(to)}.` : `I couldn’t move it: ${out.message}`] };
        };
        if (step.later) {
          // The offer for a slot that had passed: "yes" takes the same time later this week, "next week" the same slot next week.
          if (/\bnext week\b|\bnext one\b|\bthe (?:second|other) one\b/.test(t) || (step.slots.length === 0 && reading.intent === 'yes')) {
            if (step.move) return { say: [`${quote(title)} belongs to this week’s plan, so it stays where it is — give me a day and time this week to move it.`] };
            return { say: await bookNextWeek(ctx, step.later, step.kind, title) };
          }
          // "thursday then": the offered times on the day they name.
          const days = reading.slots.kind === 'unclear' ? daysIn(answer, ctx.today) : [];
          if (days.length) return place(days.map((day) => ({ day, start: step.later![0]!.start, end: step.later![0]!.end })));
          if (reading.slots.kind === 'slots') {
            if (step.move) return place(flatten(reading.slots.slots));
            if (step.of) return handleAnswer(step.of, answer, reading, ctx);
            return place(flatten(reading.slots.slots));
          }
          if (step.slots.length && (reading.intent === 'yes' || /^(?:first|the first|this week|that one|that works|the (?:thu|fri|mon|tue|wed|sat|sun)\w* one)\b/.test(t))) {
            // Something may have been booked there since the offer (a whole plan in one message): take the next free day then.
            const fresh = await laterSlots(ctx, step.later, step.move);
            const same = fresh.length === step.slots.length && fresh.every((f, i) => slotText(f) === slotText(step.slots[i]!));
            if (same || !fresh.length) return place(step.slots);
            const h = await place(fresh);
            return { ...h, say: [`${joinAnd(step.slots.map(slotText))} is taken now, so I used ${joinAnd(fresh.map(slotText))}.`, ...h.say] };
          }
          if (skip) return { say: [step.move ? 'Okay, it stays where it is.' : 'Okay, nothing booked.'] };
          return missed(ctx, step, `Say ${quote('yes')}${step.slots.length ? ` for ${joinAnd(step.slots.map(slotText))}` : ''}, ${quote('next week')}, or another day and time.`);
        }
        let slots: ProposedSlot[] | null = null;
        const isPm = (xs: ProposedSlot[]) => xs.every((x) => x.start >= '12:00');
        const wantsPm = /\b(evening|evenings|pm|p\.m\.|night|afternoon|later|after work)\b/.test(t);
        const wantsAm = /\b(morning|mornings|am|a\.m\.|early)\b/.test(t);
        if (step.alt && reading.slots.kind === 'unclear' && (wantsPm || wantsAm)) slots = wantsPm === isPm(step.slots) ? step.slots : step.alt;
        else if (reading.intent === 'yes' || /^(first|the first)\b/.test(t)) slots = step.slots;
        else if (step.alt && /^(no|nope|the other|second)\b/.test(t) && reading.slots.kind === 'unclear') slots = step.alt;
        if (slots) return place(slots);
        if (reading.slots.kind === 'slots' && step.of) return handleAnswer(step.of, answer, reading, ctx);
        if (skip) return { say: ['Okay, nothing booked.'] };
        // Anything else: book the first reading and go on with what they said.
        return place(step.slots);
      }
      case 'when': {
        if (skip) return { say: ['Okay, leaving it out.'] };
        return takeSlots(ctx, step, answer, step.kind, step.title, null, `${quote(step.title)} added`);
      }
      default:
        return { say: [] };
    }
  }

  const flow: Flow = {
    putBack: revert,
    async intro(ctx) {
      const plan = await ctx.readPlan();
      // A new session for a week that is already planned: straight to what should change.
      if (plan.rocks.length > 0 && plan.blocks.length > 0 && !(await flow.next(ctx))) {
        return [`${weekSummary(plan)} It’s planned — tell me what to change: move, add or drop blocks, reorder, rename or drop rocks, or change your vision, environment or review time.`];
      }
      const lines = [`Let’s plan week ${ctx.week.weekKey}: priorities first, then your environment, deep work and recovery. Answer in your own words — you can skip anything, ask me anything, or correct me.`];
      if (plan.vision && plan.rocks.length === 0) {
        const prev = await ctx.readPlan(previousWeekKey(ctx.week.weekKey));
        if (prev.rocks.length === 0) lines.push('Welcome back. No backlog to clear — we start fresh with this week.');
      }
      if (ctx.today >= 3 && ctx.today <= 6 && weekKeyFor(new Date(), ctx.week.timeZone) === ctx.week.weekKey) {
        lines.push(`It’s late in the week — say ${quote('plan next week')} if you’d rather plan ${nextWeekKey(ctx.week.weekKey)}.`);
        ctx.quickReplies.push('Plan next week');
      }
      return lines;
    },

    async handle(step, answer, ctx) {
      const plan = await ctx.readPlan();
      const titles = activeRocks(plan).map((r) => r.title);
      const environment = plan.environment.map((e) => e.text);
      const reading = understand(answer, { pending: step?.id ?? null, today: readerToday(ctx), rockTitles: titles, environment });
      const again = step ? { ask: { step } } : {};
      // Undo and corrections after an edit (or once the plan is done) put the edit back, not the last question's answer.
      const afterEdit = () => {
        if (!step) return true;
        const prev = ctx.exchanges.at(-2);
        return !!prev && understand(prev.answer, { pending: prev.question?.id ?? null, rockTitles: titles, environment }).intent === 'edit';
      };
      switch (reading.intent) {
        case 'other_language':
          return { say: [ENGLISH_ONLY], ...again };
        case 'question': {
          // "what are my rocks?" before there are any asks what a rock is.
          const empty = (reading.mine === 'rocks' && !activeRocks(plan).length) || (reading.mine === 'vision' && !plan.vision) || (reading.mine === 'environment' && !plan.environment.length);
          if (reading.mine && !empty) return { say: [describePart(plan, reading.mine)], ...again };
          return { say: [answerQuestion(reading.topic ?? 'general', step)], ...again };
        }
        case 'week': {
          const target = reading.week === 'next' ? nextWeekKey(weekKeyFor(ctx.now(), ctx.week.timeZone)) : weekKeyFor(ctx.now(), ctx.week.timeZone);
          const wanted = reading.week === 'next' && ctx.week.weekKey !== target ? target : reading.week === 'this' ? target : ctx.week.weekKey;
          if (wanted === ctx.week.weekKey) return { say: [`We’re already on week ${wanted}.`], ...again };
          ctx.switchWeek(wanted);
          return { say: [`Sure — let’s plan week ${wanted} instead.`] };
        }
        case 'back': {
          if (afterEdit()) {
            if (!ctx.undoable.length) return { say: ['There’s nothing to undo.'], ...again };
            const back = await revert(ctx, ctx.undoable);
            return { say: [back.length ? `Undone — ${joinAnd(back)}.` : 'There’s nothing more I can undo.'], ...again };
          }
          await revert(ctx, ctx.lastChanges);
          const prev = [...ctx.exchanges].reverse().find((e, i) => i > 0 && e.question);
          return { say: ['Okay, going back.'], ...(prev?.question ? { ask: { step: prev.question } } : again) };
        }
        case 'correction': {
          const prev = [...ctx.exchanges].slice(0, -1).reverse().find((e) => e.question);
          const corrected = answer
            .replace(/^\s*(?:(?:no+|nope|wait|actually|sorry|hmm|oops|ugh)\b[,.!]*\s*)*(?:i said|i meant|i mean|it'?s|its|that'?s wrong|thats wrong|that'?s not right|not what i (?:said|meant)|you got (?:it|that) wrong|make it|make that|change (?:it|that) to)?[,.!:]*\s*/i, '')
            .replace(/\binstead\b/i, '')
            .replace(/^(?:make|change)\s+/i, '')
            .trim();
          if (afterEdit()) {
            // A correction of an edit: "no, thu 10-12" re-books what was moved; anything else puts it back, then applies what the correction says.
            const fixed = await correctBlocks(ctx, corrected, step);
            if (fixed) return fixed;
            const back = await revert(ctx, ctx.undoable);
            const sorry = back.length ? `Sorry — undone: ${joinAnd(back)}.` : 'Sorry — there was nothing to undo.';
            const instead = corrected ? understand(corrected, { pending: step?.id ?? null, rockTitles: titles, environment }) : null;
            if (instead?.intent !== 'edit' || !instead.edit) return { say: [sorry], ...again };
            const h = await applyEdit(ctx, instead.edit);
            return { say: [sorry, ...h.say], ...(h.ask ? { ask: h.ask } : again) };
          }
          const target = prev?.question ?? step;
          const fixedBlocks = await correctBlocks(ctx, corrected, target);
          if (fixedBlocks) return fixedBlocks;
          await revert(ctx, ctx.lastChanges);
          if (!target) return { say: ['Okay, I undid that.'] };
          if (!corrected || /^(wrong|not right|that'?s wrong)$/i.test(corrected)) return { say: ['Sorry — I undid that.'], ask: { step: target } };
          const r2 = understand(corrected, { pending: target.id, rockTitles: [] });
          const h = await handleAnswer(target, corrected, { ...r2, intent: r2.intent === 'correction' ? 'answer' : r2.intent }, ctx);
          return { say: ['Sorry about that — fixed.', ...h.say], ...(h.ask ? { ask: h.ask } : {}) };
        }
        case 'edit': {
          if (step?.id === 'rocks.trim' && reading.edit?.op === 'drop_rocks') return trimRocks(ctx, step, answer, reading);
          const h = await applyEdit(ctx, reading.edit!);
          if (h.ask) return h;
          // "move my review to 4pm" answers the review question too.
          const answered = (step?.id === 'review_time' || step?.id === 'review_offer') && reading.edit?.op === 'review_time' && (await ctx.readPlan()).review !== null;
          const special = step && !answered && ['confirm', 'rocks.trim', 'when', 'review_time', 'review_offer'].includes(step.id);
          return { say: h.say, ...(special ? again : {}) };
        }
        case 'chitchat': {
          // A greeting opening a message needs no answer of its own.
          if (!step && /^(?:hi|hey|hello|yo|good morning|morning|hiya)\b/.test(normalize(answer))) return { say: [] };
          if (!step) return { say: /\bthank|thx|\bty\b|cheers/.test(normalize(answer)) ? [pick(['Glad to help.', 'Any time.', 'You’re welcome.'], answer)] : [] };
          if (/\bthank|thx|ty\b|cheers/.test(normalize(answer))) return { say: [pick(['You’re welcome.', 'Any time.'], answer)], ...again };
          if (step.id === 'deep_work') return handleAnswer(step, answer, { ...reading, intent: 'answer' }, ctx);
          return missed(ctx, step, pick(['I hear you.', 'Fair enough.', 'Okay.'], answer));
        }
        default: {
          // A message carrying several parts of the plan ("rocks: … / phone away / deep work tue 9-11 …").
          const many = await takeWholePlan(ctx, answer, step);
          if (many) return many;
          if (!step) return { say: [], missed: true };
          return handleAnswer(step, answer, reading, ctx);
        }
      }
    },

    async next(ctx) {
      const plan = await ctx.readPlan();
      const ex = ctx.exchanges;

      // Vision: asked once per missing part, only for a first-time (or vision-less) plan.
      const declined = (e: Exchange) => isDeclined(e.answer, e.question?.id ?? null);
      const askedVision = ex.some((e) => e.question && e.question.id.startsWith('vision.'));
      const workSkip = ex.some((e) => e.question?.id === 'vision.work' && declined(e) && !plan.vision?.work);
      // A week with rocks from an earlier session is past the vision: a new session to edit it doesn't
      // start over. Rocks given in this session ("plan next week? rocks are …") don't count.
      const made = new Set([...ctx.rocksMade, ...ctx.changes.flatMap((c) => (c.kind === 'rock' ? [c.id] : []))]);
      const rocksBefore = plan.rocks.some((r) => !made.has(r.id));
      if (!workSkip && (!plan.vision || askedVision) && (!rocksBefore || askedVision)) {
        for (const id of ['vision.work', 'vision.self', 'vision.relationships'] as const) {
          const area = VISION_AREA[id];
          if (plan.vision?.[area]) continue;
          const answered = ex.some((e) => e.question?.id === id && declined(e));
          const tries = ex.filter((e) => e.question?.id === id).length;
          if (answered || tries >= 3) continue;
          if (!plan.vision && id === 'vision.work') return { step: { id }, lead: 'First, your 12-month celebration vision — all three parts in one message is fine.' };
          return { step: { id } };
        }
      }

      const active = activeRocks(plan);
      if (active.length === 0 && !lastAnswer(ex, 'catchup')) {
        const prev = await ctx.readPlan(previousWeekKey(plan.weekKey));
        if (unfinished(prev).length > 0) return { step: { id: 'catchup' }, lead: catchupList(prev) };
      }

      const rocksAnswer = lastAnswer(ex, 'rocks');
      const rocksSkipped = ex.some((e) => e.question?.id === 'rocks' && declined(e));
      void rocksAnswer;
      if (active.length === 0 && !rocksSkipped) {
        return { step: { id: 'rocks' }, lead: 'Now the big rocks: they go in first, before the pebbles and sand.' };
      }
      const carried = active.filter((r) => r.carryCount > 0);
      if (!rocksAnswer && carried.length === active.length && active.length < MAX_ACTIVE_ROCKS) {
        return { step: { id: 'rocks' }, lead: `${joinAnd(carried.map((r) => quote(r.title)))} ${carried.length === 1 ? 'is' : 'are'} already in. Add up to ${MAX_ACTIVE_ROCKS - active.length} more.` };
      }
      const more = lastAnswer(ex, 'rocks.more');
      if (active.length > 0 && active.length < MIN_SUGGESTED_ROCKS && !ex.some((e) => e.question?.id === 'rocks.more' && declined(e)) && (!more || ex.filter((e) => e.question?.id === 'rocks.more').length < 3) && !plan.blocks.some((b) => b.kind === 'deep_work')) {
        return { step: { id: 'rocks.more' }, lead: `${MIN_SUGGESTED_ROCKS} to ${MAX_ACTIVE_ROCKS} rocks is the sweet spot; you have ${active.length}.` };
      }

      // An edit or a question sent while the environment was asked ("oh and one more rock: …") answers nothing.
      const envAnswer = ex.some((e) => e.question?.id === 'environment' && ['answer', 'skip', 'no', 'yes'].includes(understand(e.answer, { pending: 'environment', rockTitles: [] }).intent));
      // Still missing after rocks came with their deep work ("deck (tue 9-11)"): asked until recovery is in too.
      if (plan.environment.length === 0 && !envAnswer && !plan.blocks.some((b) => b.kind === 'recovery')) {
        return { step: { id: 'environment' }, lead: pick(['Next, your environment: make focus the easy choice.', 'Now, your surroundings — small changes make focus easier.'], plan.weekKey) };
      }

      const planned = activeRocks(plan).filter((r) => r.status === 'planned');
      for (let i = 0; i < planned.length; i++) {
        const rock = planned[i]!;
        if (plan.blocks.some((b) => b.kind === 'deep_work' && b.rockId === rock.id)) continue;
        // Declined, or booked in the next week instead of a slot that had passed.
        const no = ex.some(
          (e) =>
            (e.question?.id === 'deep_work' && e.question.rock === rock.title && (declined(e) || /not deep work/i.test(e.answer))) ||
            (e.question?.id === 'confirm' && e.question.rock === rock.title && !!e.question.later && /\bnext week\b/i.test(e.answer)),
        );
        const tries = ex.filter((e) => e.question?.id === 'deep_work' && e.question.rock === rock.title).length;
        if (!no && tries < 4) {
          const first = !ex.some((e) => e.question?.id === 'deep_work');
          return { step: { id: 'deep_work', rock: rock.title }, lead: first ? 'Now commit to deep work — rocks first, in protected blocks.' : undefined };
        }
      }

      const recovery = ex.filter((e) => e.question?.id === 'recovery');
      if (!plan.blocks.some((b) => b.kind === 'recovery') && !recovery.some(declined) && recovery.length < 4) {
        return { step: { id: 'recovery' }, lead: 'Now recovery: plan breaks and time off on purpose — and a micro-break every 60–90 minutes of focus.' };
      }

      const hasReview = plan.review !== null;
      // An edit or a question sent while the review question was pending did not answer it.
      const titles = activeRocks(plan).map((r) => r.title);
      const reviewAsked = ex.filter(
        (e) => (e.question?.id === 'review_time' || e.question?.id === 'review_offer') && !['edit', 'question', 'back'].includes(understand(e.answer, { pending: e.question.id, rockTitles: titles }).intent),
      );
      if (!hasReview && reviewAsked.length === 0 && ctx.today <= 4) {
        const suggested = suggestReview(plan);
        return { step: { id: 'review_time', suggested }, lead: `${weekSummary(plan)} Last thing: the Friday review, where you close the week.` };
      }
      return null;
    },

    async finished(ctx) {
      // A message read with no question pending means the plan was already complete: an edit
      // that ends with a follow-up ("yes" to a moved slot) needs no summary again.
      if (ctx.exchanges.slice(0, -1).some((e, i) => e.question === null && (i > 0 || /\d|,|\n/.test(e.answer) || e.answer.length >= 80))) return [];
      const plan = await ctx.readPlan();
      // The review question already showed the summary.
      const shown = ctx.exchanges.some((e) => e.question?.id === 'review_time');
      return [`${shown ? '' : `${weekSummary(plan)} `}Your week is planned — change anything by just saying it, and on Friday start a review session.`];
    },

    async closing(ctx) {
      const plan = await ctx.readPlan();
      return [pick([`Your week is planned. Anything to change? You can move, add or drop blocks and rocks any time — e.g. ${quote('move the tue block to wed 9-11')}.`, `All set for ${plan.weekKey}. Tell me if something should move or go.`, `That’s the plan. If anything changes, just say it — ${quote('drop X')}, ${quote('move Y to thu 2-4')}.`], String(plan.blocks.length + plan.rocks.length))];
    },
  };
  return flow;
}

/** Answers "what are my rocks?", "when is my review?", "what's my plan?" from the stored plan. */
function describePart(plan: WeekPlan, part: PlanPart): string {
  const rocks = activeRocks(plan);
  const rockLine = rocks.length ? `Your rocks: ${rocks.map((r, i) => `${i + 1}. ${r.title}${r.status === 'done' ? ' (done)' : ''}`).join(', ')}.` : 'No rocks yet this week.';
  const blocks = [...plan.blocks].sort((a, b) => a.start.localeCompare(b.start));
  const blockLine = blocks.length ? `Your blocks: ${blocks.map((b) => `${quote(b.title)} ${blockTime(b, plan.timeZone)}`).join(', ')}.` : 'No blocks booked yet.';
  const reviewLine = plan.review ? `Your review is ${blockTime(plan.review, plan.timeZone)}.` : 'No review time set yet — Friday 16:00 is the default.';
  const envLine = plan.environment.length ? `Your environment: ${joinAnd(plan.environment.map((e) => quote(e.text)))}.` : 'No environment changes yet.';
  const v = plan.vision;
  const visionLine = v && (v.work || v.self || v.relationships) ? `Your vision — ${joinAnd((['work', 'self', 'relationships'] as const).filter((k) => v[k]).map((k) => `${AREA_LABEL[k]}: ${quote(v[k])}`))}.` : 'No vision saved yet.';
  switch (part) {
    case 'rocks':
      return rockLine;
    case 'blocks':
      return blockLine;
    case 'review':
      return reviewLine;
    case 'environment':
      return envLine;
    case 'vision':
      return visionLine;
    case 'plan':
      return [weekSummary(plan), rockLine, blockLine, envLine, reviewLine].join(' ');
  }
}

/** Where each rock is named in a text, by a word no other rock has; in order of mention. */
function rockSpans(text: string, rocks: Rock[]): Array<{ text: string; rock: Rock }> {
  const t = normalize(text);
  const tokens = [...t.matchAll(/[\p{L}\p{N}]+/gu)].map((m) => ({ at: m.index!, end: m.index! + m[0].length, stem: stem(m[0]) }));
  const mentions = rocks
    .map((rock) => {
      const own = words(rock.title)
        .map(stem)
        .filter((w) => !rocks.some((o) => o !== rock && words(o.title).map(stem).includes(w)));
      const hits = tokens.filter((k) => own.includes(k.stem));
      return { rock, at: hits[0]?.at ?? -1, end: hits.at(-1)?.end ?? -1 };
    })
    .filter((m) => m.at >= 0)
    .sort((a, b) => a.at - b.at);
  if (mentions.length === 0) return [];
  // Times after the names ("deck tue 9-11") or before them ("tue 9-11 for the deck").
  const firstTime = t.search(/\d/);
  const namesFirst = firstTime < 0 || mentions[0]!.at < firstTime;
  return mentions.map((m, i) =>
    namesFirst ? { rock: m.rock, text: t.slice(m.at, mentions[i + 1]?.at ?? t.length) } : { rock: m.rock, text: t.slice(i === 0 ? 0 : mentions[i - 1]!.end, i === mentions.length - 1 ? t.length : m.end) },
  );
}

function suggestReview(plan: WeekPlan): string {
  for (const start of ['16:00', '15:00', '17:00', '14:00', '12:00']) {
    const end = addMinutes(start, 30);
    const clash = plan.blocks.some((b) => {
      const s = instantToLocal(b.start, plan.timeZone);
      const e = instantToLocal(b.end, plan.timeZone);
      return s.dayIndex === 4 && s.hhmm < end && e.hhmm > start;
    });
    if (!clash) return `Friday ${start}`;
  }
  return 'Friday 16:00';
}

const toMinutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
const fromMinutes = (m: number) => (m >= 24 * 60 ? '24:00' : `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`);

/** "12", "5pm", "noon" as an end time after a block's start (minutes since midnight), or null. */
function endTimeAfter(text: string, startMin: number): number | null {
  if (/noon|midday/.test(text)) return 12 * 60;
  const m = /^(\d{1,2})(?::(\d{2}))?\s*(am|pm)?$/.exec(text.trim());
  if (!m) return null;
  let h = Number(m[1]) % 12;
  if (m[3] === 'pm' || (!m[3] && Number(m[1]) === 12)) h += 12;
  if (m[3] === 'pm' && Number(m[1]) === 12) h = 12;
  let t = h * 60 + Number(m[2] ?? 0);
  // No am/pm: the first such time after the start ("extend the 9-11 block to 1" is 13:00).
  if (!m[3] && t <= startMin && t + 12 * 60 <= 24 * 60) t += 12 * 60;
  return t;
}

function addMinutes(hhmm: string, minutes: number): string {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  const t = Math.min(24 * 60, h * 60 + m + minutes);
  return `${String(Math.floor(t / 60)).padStart(2, '0')}:${String(t % 60).padStart(2, '0')}`;
}

function recoveryTitle(text: string): string {
  const m = /\b(gym|walk|run|yoga|swim|workout|hike|climbing|nap|meditation|pilates|sauna|family time|date night|reading)(?:s|ning|ming|ing)?\b/i.exec(text);
  if (m) return m[1]!.charAt(0).toUpperCase() + m[1]!.slice(1).toLowerCase();
  return 'Unplug';
}

function otherTitle(text: string): string {
  const m = APPOINTMENT_RE.exec(text);
  if (m) return m[1]!.charAt(0).toUpperCase() + m[1]!.slice(1).toLowerCase();
  const t = text.replace(/\b(on|at|from|every|this|next)\b.*$/i, '').trim();
  return tidyItem(t || 'Block');
}

const TIME_WORDS = /\b(mon|tue|tues|wed|weds|thu|thur|thurs|fri|sat|sun)[a-z]*\b|\b(am|pm|morning|afternoon|evening|night|weekdays?|weekends?|every|day|daily|at|from|to|til|till|until|and|on|noon|lunch|after|before|all)\b|\d{1,2}(?::\d{2})?(?:am|pm)?|[-–—:,.]/gi;
const withoutTimeWords = (item: string) => item.replace(TIME_WORDS, ' ').replace(/\s+/g, ' ').trim();
function isOnlyTime(item: string): boolean {
  return /\d/.test(item) && withoutTimeWords(item) === '';
}

/** Items named in a text: numbers ("1, 2 and 4") or, per comma/"and" part, the one item it fits best. */
function pickItems(text: string, items: string[]): string[] {
  // "keep the first five", "top 3".
  const firstN = /\b(?:first|top)\s+(\d|two|three|four|five)\b/i.exec(text);
  if (firstN) return items.slice(0, Number(firstN[1]) || ['two', 'three', 'four', 'five'].indexOf(firstN[1]!.toLowerCase()) + 2);
  const nums = [...text.matchAll(/(?<![\p{L}\d])#?(\d{1,2})(?!\d)/gu)].map((m) => Number(m[1]) - 1).filter((i) => i >= 0 && i < items.length);
  if (nums.length) return [...new Set(nums)].sort((a, b) => a - b).map((i) => items[i]!);
  const out = new Set<string>();
  for (const part of text.split(/\s*(?:,|;|\band\b|&|\bplus\b)\s*/i).filter((p) => p.trim())) {
    const said = new Set(words(part).map(stem));
    let best: { item: string; share: number } | null = null;
    for (const item of items) {
      const w = words(item).map(stem);
      const share = w.length ? w.filter((x) => said.has(x)).length / w.length : 0;
      if (share >= 0.5 && (!best || share > best.share)) best = { item, share };
    }
    if (best) out.add(best.item);
  }
  return items.filter((i) => out.has(i));
}

function daysNamed(text: string): number[] {
  return daysIn(text);
}

function catchupList(prev: WeekPlan): string {
  const lines = unfinished(prev).map((r, i) => `${i + 1}. ${r.title}${r.carryCount >= 2 ? ` (rolled over ${r.carryCount}× — shrink, split or drop it)` : ''}`);
  return `Last week (${prev.weekKey}) left these unfinished — no backlog, just an offer:\n${lines.join('\n')}`;
}

export type { Exchange };
