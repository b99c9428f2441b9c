// The built-in FOCUS coach: a deterministic guided conversation that needs no model.
// Stateless between turns — it reads where it stands from the stored plan and from the
// question its last reply ended with (turn.history) — and it changes the plan only through
// the PlanToolbox, emitting plan.updated after every successful change.

import type { Agent, AgentTurn } from '../agent/port.ts';
import type { PlanStore } from '../plan/store.ts';
import type { PlanToolbox, ToolContext, ToolOutcome } from '../plan/toolbox.ts';
import { instantToLocal, nextWeekKey, previousWeekKey, weekKeyFor } from '../plan/week.ts';
import { readConversation, type CoachFlow } from './conversation.ts';
import type { Flow, FlowContext } from './flow.ts';
import { createPlanFlow } from './plan-flow.ts';
import { askText } from './questions.ts';
import { createReviewFlow } from './review-flow.ts';
import { speak } from './speak.ts';

export type { CoachFlow } from './conversation.ts';
export { SESSION_KIND_EVENT } from './conversation.ts';

/** What the server knows about the session (its row has `kind` and `weekKey`). */
export interface CoachSessionInfo {
  kind?: CoachFlow;
  weekKey?: string;
}

export interface OfflineCoachOptions {
  tools: PlanToolbox;
  store: PlanStore;
  /** Delay between streamed words. */
  paceMs: number;
  now?: () => Date;
  timeZoneFor(userId: string): string | Promise<string>;
  /**
   * Session kind and week, e.g. from the session row. Without it the kind comes from a
   * `session.kind` event in the history, else from the first message ("Friday review" → review).
   */
  sessionFor?(turn: AgentTurn): CoachSessionInfo | undefined | Promise<CoachSessionInfo | undefined>;
}

const REVIEW_REQUEST_RE = /\b(review|reflect|reflection|retro(spective)?)\b/i;
const SATURDAY_INDEX = 5;
const WEDNESDAY_INDEX = 2;

/**
 * Planning on a weekend plans the coming week; a review early in the week (Mon–Wed)
 * looks back at the week before. Based on the session's first message, so every turn of
 * a session agrees on its week even across midnight.
 */
export function defaultWeekKey(kind: CoachFlow, startedAt: string, timeZone: string): string {
  const { dayIndex } = instantToLocal(startedAt, timeZone);
  const current = weekKeyFor(startedAt, timeZone);
  if (kind === 'plan') return dayIndex >= SATURDAY_INDEX ? nextWeekKey(current) : current;
  return dayIndex <= WEDNESDAY_INDEX ? previousWeekKey(current) : current;
}

export function createOfflineCoach(options: OfflineCoachOptions): Agent {
  const now = options.now ?? (() => new Date());
  const flows: Record<CoachFlow, Flow> = { plan: createPlanFlow(), review: createReviewFlow() };

  return {
    async respond(turn: AgentTurn): Promise<void> {
      const { signal } = turn;
      if (signal.aborted) return;
      const conversation = readConversation(turn.history);
      const timeZone = await options.timeZoneFor(turn.userId);
      const info = (await options.sessionFor?.(turn)) ?? {};
      const kind: CoachFlow = info.kind ?? conversation.kindMarker ?? (REVIEW_REQUEST_RE.test(conversation.firstUserText ?? '') ? 'review' : 'plan');
      const startedAt = conversation.startedAt ?? now().toISOString();
      const week: ToolContext = { userId: turn.userId, weekKey: info.weekKey ?? defaultWeekKey(kind, startedAt, timeZone), timeZone };

      const ctx: FlowContext = {
        week,
        exchanges: [...conversation.past],
        aborted: () => signal.aborted,
        readPlan: (weekKey = week.weekKey) => options.store.getWeek(turn.userId, weekKey, timeZone),
        async call(name, args, target = week): Promise<ToolOutcome> {
          // A stop is final: make no further changes once the turn is aborted.
          if (signal.aborted) return { ok: false, message: 'Stopped.' };
          const out = await options.tools.execute(name, JSON.stringify(args), target);
          if (out.ok && out.plan) {
            await turn.emit('plan.updated', { weekKey: out.plan.weekKey, plan: out.plan });
            // Carrying also changes the source week (its rocks become "carried").
            if (out.plan.weekKey !== target.weekKey) {
              const source = await options.store.getWeek(turn.userId, target.weekKey, timeZone);
              await turn.emit('plan.updated', { weekKey: source.weekKey, plan: source });
            }
          }
          return out;
        },
      };
      const flow = flows[kind];
      const said: string[] = [];
      let lead: string | undefined;
      let question: string | undefined;

      const current = conversation.current;
      if (current?.question) {
        ctx.exchanges.push(current);
        const handled = await flow.handle(current.question, current.answer, ctx);
        if (signal.aborted) return;
        said.push(...handled.say);
        if (handled.ask) {
          lead = handled.ask.lead;
          question = handled.ask.text ?? askText(handled.ask.step);
        }
      } else if (conversation.past.length === 0) {
        said.push(...(await flow.intro(ctx)));
      }

      if (question === undefined) {
        const next = await flow.next(ctx);
        if (next) {
          if (!current?.question && conversation.past.length > 0) said.push('Let’s pick up where we left off.');
          lead = next.lead;
          question = askText(next.step);
        } else if (!current?.question) {
          said.push(...(await flow.closing(ctx)));
        }
      }

      if (signal.aborted) return;
      if (said.every((s) => !s) && question === undefined) said.push(...(await flow.closing(ctx)));
      const paragraphs = [said.filter(Boolean).join(' '), lead ?? '', question ?? ''].filter((p) => p.trim() !== '');
      await speak(paragraphs.join('\n\n'), turn.write, options.paceMs, signal);
    },
  };
}
