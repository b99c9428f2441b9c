// The Friday review: each open rock done, dropped or carried (a rock that already rolled
// over twice is challenged: shrink, split or drop), then what went well, where time went
// and what to drop → record_reflection. Carried rocks land in next week's plan at once,
// so the store, not the conversation, holds each decision.

import { blockMinutes } from '../plan/describe.ts';
import { MAX_CARRY_COUNT } from '../plan/rules.ts';
import type { Rock, WeekPlan } from '../plan/types.ts';
import { instantToLocal, nextWeekKey, previousWeekKey, weekKeyFor } from '../plan/week.ts';
import { joinAnd, lastAnswer, quote, type Flow, type FlowContext, type Handled } from './flow.ts';
import { answerQuestion, ENGLISH_ONLY } from './focus-answers.ts';
import { isSkip, parseChallenge, parseRockOutcome } from './parse.ts';
import { understand } from './read/understand.ts';

function openRocks(plan: WeekPlan): Rock[] {
  return plan.rocks.filter((r) => r.status === 'planned');
}

function note(ctx: FlowContext, id: 'review.went_well' | 'review.time' | 'review.drop', current?: string): string {
  const text = current ?? lastAnswer(ctx.exchanges, id)?.answer ?? '';
  return isSkip(text) ? '' : text.trim();
}

function outcomeSummary(plan: WeekPlan, next: WeekPlan): string[] {
  const titles = (status: Rock['status']) => plan.rocks.filter((r) => r.status === status).map((r) => quote(r.title));
  const lines: string[] = [];
  const done = titles('done');
  const dropped = titles('dropped');
  const carried = next.rocks.filter((r) => r.carriedFromId && plan.rocks.some((p) => p.id === r.carriedFromId)).map((r) => quote(r.title));
  if (done.length) lines.push(`Done: ${joinAnd(done)}.`);
  if (dropped.length) lines.push(`Dropped: ${joinAnd(dropped)}.`);
  if (carried.length) lines.push(`Carried into ${next.weekKey}: ${joinAnd(carried)}.`);
  return lines.length ? [lines.join(' ')] : [];
}

export function createReviewFlow(): Flow {
  async function carry(ctx: FlowContext, rock: Rock, items: Array<{ rockId: string; title?: string }>, said: string): Promise<Handled> {
    const out = await ctx.call('carry_over_rocks', { rocks: items });
    if (!out.ok) return { say: [`I couldn’t carry it: ${out.message}`], ask: { step: { id: 'review.rock', rock: rock.title }, lead: 'Done, dropped, or carried in another form?' } };
    return { say: [said] };
  }

  async function rockFor(ctx: FlowContext, title: string): Promise<Rock | undefined> {
    return openRocks(await ctx.readPlan()).find((r) => r.title === title);
  }

  const flow: Flow = {
    async intro(ctx) {
      const plan = await ctx.readPlan();
      const lines = [`Friday review of week ${plan.weekKey}. We’ll go rock by rock, then look at your time.`];
      // Started before Friday: say which week this is, and offer the other one.
      const current = weekKeyFor(ctx.now(), ctx.week.timeZone);
      if (instantToLocal(ctx.now(), ctx.week.timeZone).dayIndex < 4) {
        const other = plan.weekKey === current ? 'last week' : 'this week';
        lines.push(`It’s not Friday yet — say ${quote(`review ${other}`)} if you meant ${other === 'last week' ? previousWeekKey(current) : current}.`);
        ctx.quickReplies.push(`Review ${other}`);
      }
      const done = plan.rocks.filter((r) => r.status === 'done');
      if (done.length) lines.push(`You already finished ${joinAnd(done.map((r) => quote(r.title)))} — well done.`);
      if (plan.rocks.length === 0) lines.push('No big rocks were planned this week — that’s fine, let’s still look back.');
      return lines;
    },

    async handle(step, answer, ctx) {
      if (!step) return { say: [] };
      // Questions back and other languages get an answer; nothing is recorded from them.
      const reading = understand(answer, { pending: step.id, rockTitles: [] });
      const which = /\b(?:review|do|want|mean|meant)?\s*(this|last|previous|current)\s+week\b/i.exec(answer);
      if (which && answer.trim().split(/\s+/).length <= 6) {
        const current = weekKeyFor(ctx.now(), ctx.week.timeZone);
        const target = /this|current/i.test(which[1] ?? '') ? current : previousWeekKey(current);
        if (target !== ctx.week.weekKey) {
          ctx.switchWeek(target);
          return { say: [`Okay — reviewing week ${target} instead.`] };
        }
      }
      if (reading.intent === 'other_language') return { say: [ENGLISH_ONLY], ask: { step } };
      if (reading.intent === 'question' && !/\b(done|drop|carry|shrink|split)\b/i.test(answer)) return { say: [answerQuestion(reading.topic ?? 'review', step)], ask: { step } };
      const next = nextWeekKey(ctx.week.weekKey);
      switch (step.id) {
        case 'review.rock': {
          const rock = await rockFor(ctx, step.rock);
          if (!rock) return { say: [] };
          const outcome = parseRockOutcome(answer);
          if (outcome.kind === 'unclear') {
            const lead = outcome.why === 'not_done_but_which' ? 'Not finished — carry it into next week, or drop it?' : `Just say ${quote('done')}, ${quote('dropped')} or ${quote('carry')}.`;
            return { say: [], ask: { step, lead } };
          }
          if (outcome.value === 'done') {
            const out = await ctx.call('update_rock', { rockId: rock.id, status: 'done' });
            return { say: [out.ok ? `${quote(rock.title)} — done. Nice.` : `I couldn’t mark it done: ${out.message}`] };
          }
          if (outcome.value === 'dropped') {
            const out = await ctx.call('update_rock', { rockId: rock.id, status: 'dropped' });
            return { say: [out.ok ? 'Dropped. That’s a decision, not a failure.' : `I couldn’t drop it: ${out.message}`] };
          }
          if (rock.carryCount >= MAX_CARRY_COUNT) return { say: [], ask: { step: { id: 'review.challenge', rock: rock.title }, lead: 'Hold on.' } };
          return carry(ctx, rock, [{ rockId: rock.id }], `${quote(rock.title)} carries into ${next}.`);
        }
        case 'review.challenge': {
          const rock = await rockFor(ctx, step.rock);
          if (!rock) return { say: [] };
          const answerParsed = parseChallenge(answer);
          if (answerParsed.kind === 'unclear') {
            const lead =
              answerParsed.why === 'unchanged'
                ? 'Carrying it unchanged a third time won’t help — something about it isn’t working.'
                : answerParsed.why === 'split_needs_two'
                  ? `Name the parts, e.g. ${quote('split into outline and first draft')}.`
                  : `For example ${quote('shrink to outline chapter 1')} or ${quote('drop it')}.`;
            return { say: [], ask: { step, lead } };
          }
          const c = answerParsed.value;
          if (c.kind === 'drop') {
            const out = await ctx.call('update_rock', { rockId: rock.id, status: 'dropped' });
            return { say: [out.ok ? `Dropped ${quote(rock.title)}. Letting go makes room.` : `I couldn’t drop it: ${out.message}`] };
          }
          if (c.kind === 'shrink') return carry(ctx, rock, [{ rockId: rock.id, title: c.title }], `Smaller is better: ${quote(c.title)} carries into ${next}.`);
          return carry(
            ctx,
            rock,
            c.titles.map((title) => ({ rockId: rock.id, title })),
            `Split into ${joinAnd(c.titles.map(quote))}, carried into ${next}.`,
          );
        }
        case 'review.went_well':
          return { say: [isSkip(answer) ? 'Okay.' : 'Good to name it.'] };
        case 'review.time':
          return { say: [isSkip(answer) ? 'Okay.' : 'Noted — that’s useful for next week’s blocks.'] };
        case 'review.drop': {
          const plan = await ctx.readPlan();
          const nextPlan = await ctx.readPlan(next);
          const carried = nextPlan.rocks.filter((r) => r.carriedFromId && plan.rocks.some((p) => p.id === r.carriedFromId)).map((r) => r.title);
          const reflection = {
            wentWell: note(ctx, 'review.went_well'),
            timeNotes: note(ctx, 'review.time'),
            drop: note(ctx, 'review.drop', answer),
            carryOver: carried.join('; '),
          };
          const summary = outcomeSummary(plan, nextPlan);
          const closing = carried.length ? `Next week starts with what you carried — plan it when you’re ready.` : 'Next week starts clean — plan it when you’re ready.';
          if (Object.values(reflection).every((v) => v === '')) {
            return { say: ['Nothing to write down — the rock decisions are saved.', ...summary, closing] };
          }
          const out = await ctx.call('record_reflection', reflection);
          return { say: [out.ok ? 'Review saved.' : `I couldn’t save the review: ${out.message}`, ...summary, closing] };
        }
        default:
          return { say: [] };
      }
    },

    async next(ctx) {
      const plan = await ctx.readPlan();
      for (const rock of openRocks(plan)) {
        const last = lastAnswer(ctx.exchanges, 'review.rock', rock.title);
        const wantsCarry = last && (() => {
          const o = parseRockOutcome(last.answer);
          return o.kind === 'ok' && o.value === 'carry';
        })();
        if (wantsCarry && rock.carryCount >= MAX_CARRY_COUNT) return { step: { id: 'review.challenge', rock: rock.title } };
        return { step: { id: 'review.rock', rock: rock.title } };
      }
      if (!lastAnswer(ctx.exchanges, 'review.went_well')) return { step: { id: 'review.went_well' } };
      if (!lastAnswer(ctx.exchanges, 'review.time')) {
        const deep = plan.blocks.filter((b) => b.kind === 'deep_work');
        const minutes = deep.reduce((s, b) => s + blockMinutes(b), 0);
        const lead = deep.length ? `You planned ${Math.round((minutes / 60) * 10) / 10} h of deep work in ${deep.length} block${deep.length === 1 ? '' : 's'}.` : undefined;
        return { step: { id: 'review.time' }, lead };
      }
      if (!lastAnswer(ctx.exchanges, 'review.drop')) return { step: { id: 'review.drop' } };
      return null;
    },

    async closing(ctx) {
      const plan = await ctx.readPlan();
      const reviewed = plan.reflections.length > 0;
      return [reviewed ? `The review of ${plan.weekKey} is done. Start a plan session for next week whenever you’re ready.` : `The rocks of ${plan.weekKey} are settled. Start a plan session for next week whenever you’re ready.`];
    },
  };
  return flow;
}
