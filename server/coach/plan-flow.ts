// The planning conversation: vision (first time) → big rocks → environment → deep work
// for each rock → recovery → summary and the Friday review. Where it stands is derived
// from the stored plan plus earlier answers, never from memory held between turns.

import { blockMinutes, SHORT_DAYS } from '../plan/describe.ts';
import { activeRocks, MAX_ACTIVE_ROCKS, MAX_ENVIRONMENT_CHANGES, MAX_VISION_PART_CHARS, MIN_SUGGESTED_ROCKS } from '../plan/rules.ts';
import type { BlockKind, Rock, WeekPlan } from '../plan/types.ts';
import { DAY_NAMES, previousWeekKey } from '../plan/week.ts';
import type { Exchange } from './conversation.ts';
import { joinAnd, lastAnswer, quote, type Flow, type FlowContext, type Handled } from './flow.ts';
import { isDecline, isSkip, parseAnswer, parseList, parseRockRefs, parseTimeSlots, type SlotTrouble } from './parse.ts';
import type { Step } from './questions.ts';

// Pebbles and sand: short items about inboxes and reactive work. "Prepare the board meeting"
// is a rock; "team meetings" is sand.
const SAND_RE = /\b(e-?mails?|inbox(es)?|slack|messages|admin(istration)?|paperwork|expenses|invoices|meetings|calls|errands|notifications|timesheets?)\b/i;
const MAX_SAND_WORDS = 4;

function isSand(item: string): boolean {
  return SAND_RE.test(item) && item.split(/\s+/).length <= MAX_SAND_WORDS;
}

const SAND_NOTE = 'Everything else — email, admin, reactive meetings — is pebbles and sand: it fits around the rocks, so leave it off this list.';

function visionAnswerOk(text: string): boolean {
  return isSkip(text) || (text.trim().length > 0 && text.trim().length <= MAX_VISION_PART_CHARS);
}

function indexOf(exchanges: Exchange[], ex: Exchange | undefined): number {
  return ex ? exchanges.lastIndexOf(ex) : -1;
}

function answeredAfter(exchanges: Exchange[], id: Step['id'], after: number): Exchange | undefined {
  const ex = lastAnswer(exchanges, id);
  return ex && indexOf(exchanges, ex) > after ? ex : undefined;
}

function unfinished(plan: WeekPlan): Rock[] {
  return plan.rocks.filter((r) => r.status === 'planned');
}

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

const SLOT_HELP: Record<SlotTrouble, string> = {
  no_time: 'I need a start and an end time',
  no_day: 'I need a day',
  bad_time: 'that time doesn’t exist on a clock',
};

/** Books blocks for every day of every slot; reports what was booked and why the rest wasn't. */
async function bookSlots(
  ctx: FlowContext,
  answer: string,
  kind: BlockKind,
  title: string,
  rockId: string | null,
): Promise<{ kind: 'unclear'; why: SlotTrouble } | { kind: 'booked'; booked: string[]; failed: Map<string, string[]> }> {
  const slots = parseTimeSlots(answer);
  if (slots.kind === 'unclear') return slots;
  const booked: string[] = [];
  const failed = new Map<string, string[]>(); // reason → days
  for (const slot of slots.value) {
    for (const day of slot.days) {
      if (ctx.aborted()) return { kind: 'booked', booked, failed };
      const out = await ctx.call('add_time_block', { day: DAY_NAMES[day], start: slot.start, end: slot.end, kind, title, ...(rockId ? { rockId } : {}) });
      if (out.ok) {
        booked.push(`${SHORT_DAYS[day]} ${slot.start}–${slot.end}`);
      } else {
        const days = failed.get(out.message) ?? [];
        days.push(`${SHORT_DAYS[day]} ${slot.start}–${slot.end}`);
        failed.set(out.message, days);
      }
    }
  }
  return { kind: 'booked', booked, failed };
}

function failureLines(failed: Map<string, string[]>): string[] {
  return [...failed].map(([reason, days]) => `Not booked: ${joinAnd(days)}. ${reason}`);
}

export function createPlanFlow(): Flow {
  async function addRocks(ctx: FlowContext, titles: string[]): Promise<{ added: string[]; failures: string[] }> {
    const added: string[] = [];
    const failures: string[] = [];
    for (const title of titles) {
      if (ctx.aborted()) break;
      const out = await ctx.call('add_rock', { title });
      if (out.ok) added.push(title);
      else failures.push(`${quote(title)} wasn’t added: ${out.message}`);
    }
    return { added, failures };
  }

  /** Shared by the rocks and rocks.more answers. */
  async function takeRocks(ctx: FlowContext, step: Step, answer: string): Promise<Handled> {
    const plan = await ctx.readPlan();
    const active = activeRocks(plan).length;
    const list = parseList(answer);
    if (list.kind === 'unclear') {
      return { say: ['I didn’t catch any rocks there.'], ask: { step, lead: `List them, e.g. ${quote('Ship the pricing page, draft the Q1 plan, run 3 times')}.` } };
    }
    const sand = list.value.filter(isSand);
    const rocks = list.value.filter((i) => !isSand(i));
    const sandLine = sand.length ? `${joinAnd(sand.map(quote))} ${sand.length === 1 ? 'is' : 'are'} pebbles and sand — ${sand.length === 1 ? 'it fits' : 'they fit'} around the rocks, so I left ${sand.length === 1 ? 'it' : 'them'} off.` : '';
    if (rocks.length === 0) {
      return { say: [sandLine], ask: { step: { id: 'rocks' }, text: 'Which 3 to 5 outcomes would make this week a win? Those are your big rocks this week.' } };
    }
    if (active + rocks.length > MAX_ACTIVE_ROCKS) {
      const room = MAX_ACTIVE_ROCKS - active;
      return {
        say: [
          `That’s ${rocks.length}${active ? ` on top of ${active} already planned` : ''}. A week holds at most ${MAX_ACTIVE_ROCKS} big rocks — more than that and none get real attention.`,
          'The others are pebbles: they fit around the rocks.',
        ],
        ask: {
          step: { id: 'rocks' },
          text: room >= MIN_SUGGESTED_ROCKS ? `Which 3 to 5 matter most? Those are your big rocks this week.` : `Which ${room} matter${room === 1 ? 's' : ''} most? Those join your big rocks this week.`,
        },
      };
    }
    const { added, failures } = await addRocks(ctx, rocks);
    const say: string[] = [];
    if (added.length) say.push(`Big rocks in: ${joinAnd(added.map(quote))}.`);
    say.push(...failures);
    if (sandLine) say.push(sandLine);
    else if (added.length && step.id === 'rocks') say.push(SAND_NOTE);
    return { say };
  }

  const flow: Flow = {
    async intro(ctx) {
      const plan = await ctx.readPlan();
      const lines = [`Let’s plan week ${ctx.week.weekKey}: priorities first, then your environment, deep work and recovery. One question at a time.`];
      if (plan.vision && plan.rocks.length === 0) {
        const prev = await ctx.readPlan(previousWeekKey(ctx.week.weekKey));
        if (prev.rocks.length === 0) lines.push('Welcome back. No backlog to clear — we start fresh with this week.');
      }
      return lines;
    },

    async handle(step, answer, ctx) {
      switch (step.id) {
        case 'vision.work':
        case 'vision.self': {
          if (!visionAnswerOk(answer)) return { say: ['That’s a lot — keep it to a sentence or two.'], ask: { step } };
          if (step.id === 'vision.work' && isSkip(answer)) return { say: ['No problem — we can shape the vision another week.'] };
          if (isSkip(answer)) return { say: ['Okay, we’ll leave that part open.'] };
          return { say: [step.id === 'vision.work' ? 'That’s worth working towards.' : 'Good.'] };
        }
        case 'vision.relationships': {
          if (!visionAnswerOk(answer)) return { say: ['That’s a lot — keep it to a sentence or two.'], ask: { step } };
          const part = (ex: Exchange | undefined) => (ex && !isSkip(ex.answer) ? ex.answer.trim() : '');
          const work = lastAnswer(ctx.exchanges, 'vision.work');
          const self = lastAnswer(ctx.exchanges, 'vision.self');
          const out = await ctx.call('set_vision', { work: part(work), self: part(self), relationships: isSkip(answer) ? '' : answer.trim() });
          return { say: [out.ok ? 'Saved your 12-month vision — it’s the “why” behind this week’s rocks.' : `I couldn’t save the vision: ${out.message}`] };
        }
        case 'catchup': {
          const prev = await ctx.readPlan(previousWeekKey(ctx.week.weekKey));
          const open = unfinished(prev);
          const refs = isDecline(answer) ? ({ kind: 'ok', value: [] } as const) : parseRockRefs(answer, open.map((r) => r.title));
          if (refs.kind === 'unclear') {
            return { say: [`I didn’t catch which ones — e.g. ${quote('1 and 3')}, ${quote('all')} or ${quote('no')}.`], ask: { step, lead: catchupList(prev) } };
          }
          if (refs.value.length === 0) return { say: ['Fresh start, then.'] };
          const brought: string[] = [];
          const say: string[] = [];
          for (const i of refs.value) {
            if (ctx.aborted()) break;
            const rock = open[i];
            if (!rock) continue;
            const out = await ctx.call('carry_over_rocks', { rocks: [{ rockId: rock.id }], toWeek: ctx.week.weekKey }, { ...ctx.week, weekKey: prev.weekKey });
            if (out.ok) brought.push(quote(rock.title));
            else say.push(`${quote(rock.title)} stays behind: ${out.message} You can add a smaller version as a new rock.`);
          }
          if (brought.length) say.unshift(`Brought over ${joinAnd(brought)}.`);
          return { say };
        }
        case 'rocks':
          if (isSkip(answer)) return { say: ['Okay, no rocks for now — the plan works best with them, so come back to it.'] };
          return takeRocks(ctx, step, answer);
        case 'rocks.more': {
          if (isDecline(answer)) {
            const n = activeRocks(await ctx.readPlan()).length;
            return { say: [`${n} rock${n === 1 ? '' : 's'} it is — fewer rocks, more focus.`] };
          }
          return takeRocks(ctx, step, answer);
        }
        case 'environment': {
          if (isDecline(answer)) return { say: ['Fine — we’ll leave the room as it is this week.'] };
          const list = parseList(answer);
          if (list.kind === 'unclear') return { say: ['I didn’t catch a change there.'], ask: { step } };
          const existing = (await ctx.readPlan()).environment.length;
          if (existing + list.value.length > MAX_ENVIRONMENT_CHANGES) {
            return {
              say: [`That’s ${list.value.length}. Pick up to ${MAX_ENVIRONMENT_CHANGES - existing} — a few changes you actually keep beat a long list.`],
              ask: { step },
            };
          }
          const added: string[] = [];
          const say: string[] = [];
          for (const text of list.value) {
            if (ctx.aborted()) break;
            const out = await ctx.call('add_environment_commitment', { text });
            if (out.ok) added.push(text.charAt(0).toLowerCase() + text.slice(1));
            else say.push(`${quote(text)} wasn’t added: ${out.message}`);
          }
          if (added.length) say.unshift(`Environment set: ${joinAnd(added)}.`);
          return { say };
        }
        case 'deep_work': {
          const plan = await ctx.readPlan();
          const rock = plan.rocks.find((r) => r.title === step.rock && r.status === 'planned');
          if (!rock) return { say: [] };
          if (isDecline(answer)) return { say: [`Okay, no deep work booked for ${quote(rock.title)} yet.`] };
          const result = await bookSlots(ctx, answer, 'deep_work', rock.title, rock.id);
          if (result.kind === 'unclear') return { say: [`Sorry — ${SLOT_HELP[result.why]}.`], ask: { step } };
          const say = result.booked.length ? [`Deep work for ${quote(rock.title)} booked: ${joinAnd(result.booked)}.`] : [];
          say.push(...failureLines(result.failed));
          return result.booked.length ? { say } : { say, ask: { step, lead: 'Let’s try another time.' } };
        }
        case 'recovery': {
          if (isDecline(answer)) return { say: ['Okay. Still take a short break every 60–90 minutes of focus — rest on purpose keeps deep work deep.'] };
          const result = await bookSlots(ctx, answer, 'recovery', 'Unplug', null);
          if (result.kind === 'unclear') return { say: [`Sorry — ${SLOT_HELP[result.why]}.`], ask: { step } };
          const say = result.booked.length ? [`Recovery booked: ${joinAnd(result.booked)}.`] : [];
          say.push(...failureLines(result.failed));
          return result.booked.length ? { say } : { say, ask: { step, lead: 'Let’s try another time.' } };
        }
        case 'review_offer': {
          const yes = parseAnswer(answer);
          if (yes.kind === 'ok' && yes.value === 'yes') {
            return { say: ['Good. The calendar export has it on Friday 16:00–16:30 with a reminder. Then start a review session and we’ll go rock by rock.'] };
          }
          return { say: ['Fine — any short review before Monday works. It’s what makes next week’s plan honest.'] };
        }
        default:
          return { say: [] };
      }
    },

    async next(ctx) {
      const plan = await ctx.readPlan();
      const ex = ctx.exchanges;

      if (!plan.vision) {
        const work = lastAnswer(ex, 'vision.work');
        if (!work || !visionAnswerOk(work.answer)) return { step: { id: 'vision.work' }, lead: 'First, your 12-month celebration vision.' };
        if (!isSkip(work.answer)) {
          const at = indexOf(ex, work);
          const self = answeredAfter(ex, 'vision.self', at);
          if (!self || !visionAnswerOk(self.answer)) return { step: { id: 'vision.self' } };
          const rel = answeredAfter(ex, 'vision.relationships', indexOf(ex, self));
          if (!rel || !visionAnswerOk(rel.answer)) return { step: { id: 'vision.relationships' } };
        }
      }

      const active = activeRocks(plan);
      if (active.length === 0 && !lastAnswer(ex, 'catchup')) {
        const prev = await ctx.readPlan(previousWeekKey(plan.weekKey));
        if (unfinished(prev).length > 0) return { step: { id: 'catchup' }, lead: catchupList(prev) };
      }

      const rocksAnswer = lastAnswer(ex, 'rocks');
      if (!rocksAnswer || (active.length === 0 && !isSkip(rocksAnswer.answer))) {
        const carried = active.filter((r) => r.carryCount > 0);
        const lead = carried.length
          ? `${joinAnd(carried.map((r) => quote(r.title)))} ${carried.length === 1 ? 'is' : 'are'} already in. Add up to ${MAX_ACTIVE_ROCKS - active.length} more.`
          : 'Now the big rocks: they go in first, before the pebbles and sand.';
        return { step: { id: 'rocks' }, lead };
      }
      const more = lastAnswer(ex, 'rocks.more');
      if (active.length > 0 && active.length < MIN_SUGGESTED_ROCKS && !(more && isDecline(more.answer))) {
        return { step: { id: 'rocks.more' }, lead: `3 to 5 rocks is the sweet spot; you have ${active.length}.` };
      }

      const env = lastAnswer(ex, 'environment');
      if (plan.environment.length === 0 && !(env && isDecline(env.answer))) {
        return { step: { id: 'environment' }, lead: 'Next, optimise your environment.' };
      }

      for (const rock of active.filter((r) => r.status === 'planned')) {
        const booked = plan.blocks.some((b) => b.kind === 'deep_work' && b.rockId === rock.id);
        const skipped = lastAnswer(ex, 'deep_work', rock.title);
        if (!booked && !(skipped && isDecline(skipped.answer))) {
          const first = !plan.blocks.some((b) => b.kind === 'deep_work');
          return { step: { id: 'deep_work', rock: rock.title }, lead: first ? 'Now commit to deep work — rocks first, in protected blocks.' : undefined };
        }
      }

      const recovery = lastAnswer(ex, 'recovery');
      if (!plan.blocks.some((b) => b.kind === 'recovery') && !(recovery && isDecline(recovery.answer))) {
        return { step: { id: 'recovery' }, lead: 'Last piece: recovery. Plan breaks and time off on purpose — and a micro-break every 60–90 minutes of focus.' };
      }

      if (!lastAnswer(ex, 'review_offer')) {
        return { step: { id: 'review_offer' }, lead: `${weekSummary(plan)} Rocks first; email, admin and meetings fit around them.` };
      }
      return null;
    },

    async closing(ctx) {
      const plan = await ctx.readPlan();
      return [`${weekSummary(plan)} Your week is planned. On Friday, start a review session and we’ll close the week together.`];
    },
  };
  return flow;
}

function catchupList(prev: WeekPlan): string {
  const lines = unfinished(prev).map((r, i) => `${i + 1}. ${r.title}${r.carryCount >= 2 ? ` (rolled over ${r.carryCount}× — shrink, split or drop it)` : ''}`);
  return `Last week (${prev.weekKey}) left these unfinished — no backlog, just an offer:\n${lines.join('\n')}`;
}
