// The built-in FOCUS coach: needs no model. Stateless between turns — it reads where it
// stands from the stored plan and from its notes in the session log (conversation.ts) —
// and it changes the plan only through the PlanToolbox, emitting plan.updated after every
// successful change. Each message is read by read/understand.ts and answered by a flow's
// policy (plan-flow.ts, review-flow.ts).
//
// Steering (SPEC.md SL14): messages sent while an answer streamed are all read, in order,
// each against the question pending at that point; an interrupted answer's question is
// known from its note even when its text was cut off.

import type { Agent, AgentTurn } from '../agent/port.ts';
import { MAX_QUICK_REPLIES } from '../contract/events.ts';
import { directEditsSinceLastAnswer } from '../plan/describe-changes.ts';
import type { PlanStore } from '../plan/store.ts';
import type { PlanToolbox, ToolContext, ToolOutcome } from '../plan/toolbox.ts';
import { activeRocks } from '../plan/rules.ts';
import type { WeekPlan } from '../plan/types.ts';
import { instantToLocal, nextWeekKey, parseWeekKey, previousWeekKey, weekBounds, weekKeyFor } from '../plan/week.ts';
import { ASSISTANT_META_EVENT, readConversation, type Change, type CoachNote, type CoachFlow } from './conversation.ts';
import type { Flow, FlowContext } from './flow.ts';
import { createPlanFlow } from './plan-flow.ts';
import { understand } from './read/understand.ts';
import { askText, sameStep, type Step } from './questions.ts';
import { createReviewFlow } from './review-flow.ts';
import { speak } from './speak.ts';
import { readTurnHistory, retriedAnswerIds, skipShownPrefix } from './turn-request.ts';

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
  /**
   * Moves the session to the week the person switched to ("plan next week"), so direct edits
   * of that week reach the session (plan.updated goes to the sessions of a week).
   */
  pinWeek?(sessionId: string, weekKey: string): Promise<void>;
}

const REVIEW_REQUEST_RE = /\b(review|reflect|reflection|retro(spective)?)\b/i;
const NEXT_WEEK_RE = /\bnext week\b/i;
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

/** Where today falls in a week: its day index, -1 before the week, 7 after it. */
function todayIn(weekKey: string, now: Date, timeZone: string): { today: number; nowHhmm: string } {
  const bounds = weekBounds(weekKey, timeZone);
  const local = instantToLocal(now, timeZone);
  if (now.getTime() < Date.parse(bounds.start)) return { today: -1, nowHhmm: local.hhmm };
  if (now.getTime() >= Date.parse(bounds.end)) return { today: 7, nowHhmm: local.hhmm };
  return { today: local.dayIndex, nowHhmm: local.hhmm };
}

/** Tools whose changes are recorded from the plan as it was before the call. */
const UNDOABLE = new Set(['set_vision', 'update_rock', 'remove_rock', 'remove_time_block', 'move_time_block', 'remove_environment_commitment', 'set_review_time']);

/** What a successful call changed, with what it replaced, so "undo" can put it back. */
function undoRecord(name: string, args: Record<string, unknown>, before: WeekPlan, created: string | undefined): Change[] {
  const rock = before.rocks.find((x) => x.id === args.rockId);
  const block = before.blocks.find((x) => x.id === args.blockId);
  const place = (id: string) => activeRocks(before).findIndex((r) => r.id === id);
  switch (name) {
    case 'set_vision':
      return [{ kind: 'vision', before: before.vision }];
    case 'update_rock': {
      if (!rock) return [];
      const out: Change[] = [];
      if (typeof args.status === 'string' && args.status !== rock.status) out.push({ kind: 'rock_status', id: rock.id, before: rock.status });
      if (typeof args.title === 'string' && args.title !== rock.title) out.push({ kind: 'rock_title', id: rock.id, before: rock.title });
      if (typeof args.position === 'number') out.push({ kind: 'rock_order', id: rock.id, before: place(rock.id) });
      return out;
    }
    case 'remove_rock':
      return rock ? [{ kind: 'rock_removed', id: rock.id, title: rock.title, status: rock.status, place: place(rock.id) }] : [];
    case 'remove_time_block':
      return block ? [{ kind: 'block_removed', block: { kind: block.kind, title: block.title, start: block.start, end: block.end, rockId: block.rockId } }] : [];
    case 'move_time_block':
      return block && created ? [{ kind: 'block_moved', id: created, before: { start: block.start, end: block.end } }] : [];
    case 'remove_environment_commitment': {
      const e = before.environment.find((x) => x.id === args.environmentId);
      return e ? [{ kind: 'environment_removed', text: e.text }] : [];
    }
    case 'set_review_time':
      return [{ kind: 'review', before: before.review }];
    default:
      return [];
  }
}

export function createOfflineCoach(options: OfflineCoachOptions): Agent {
  const now = options.now ?? (() => new Date());
  const flows: Record<CoachFlow, Flow> = { plan: createPlanFlow(), review: createReviewFlow() };

  return {
    async respond(turn: AgentTurn): Promise<void> {
      const { signal } = turn;
      if (signal.aborted) return;
      // SL15: retried answers vanish; a continued one is answered again and only its unseen rest is written.
      const { history, continuing } = readTurnHistory(turn.history, 'regenerate');
      const write = continuing ? skipShownPrefix(turn.write, continuing.shown) : turn.write;
      const conversation = readConversation(history);
      // The runner read the session once for this turn (turn.context); only a turn without it reads here.
      const context = turn.context;
      const timeZone = context?.timeZone ?? (await options.timeZoneFor(turn.userId));
      const info: CoachSessionInfo = context ? { kind: context.kind === 'review' ? 'review' : 'plan', weekKey: context.weekKey } : ((await options.sessionFor?.(turn)) ?? {});
      const firstText = conversation.firstUserText ?? '';
      const kind: CoachFlow = info.kind ?? conversation.kindMarker ?? (REVIEW_REQUEST_RE.test(firstText) ? 'review' : 'plan');
      const startedAt = conversation.startedAt ?? now().toISOString();
      let weekKey = conversation.weekKey ?? info.weekKey ?? defaultWeekKey(kind, startedAt, timeZone);
      // "hey can we plan NEXT week?" as the very first message picks the week up front.
      if (!conversation.weekKey && conversation.past.length === 0 && kind === 'plan' && NEXT_WEEK_RE.test(firstText)) {
        const next = nextWeekKey(weekKeyFor(now(), timeZone));
        if (parseWeekKey(next)) weekKey = next;
      }
      const week: ToolContext = { userId: turn.userId, weekKey, timeZone };
      const changes: Change[] = [];
      const plans = new Map<string, Promise<WeekPlan>>();
      const quickReplies: string[] = [];
      let undid = false;
      let switchedTo: string | undefined = weekKey !== (conversation.weekKey ?? info.weekKey) ? weekKey : undefined;
      const lastAsked = conversation.lastNote?.asked ?? null;

      const ctx: FlowContext = {
        week,
        exchanges: [...conversation.past],
        ...todayIn(week.weekKey, now(), timeZone),
        now,
        lastChanges: conversation.lastNote?.changes ?? [],
        undoable: conversation.undoable,
        rocksMade: conversation.rocksMade,
        markUndone() {
          undid = true;
        },
        changes,
        misses: 0,
        quickReplies,
        switchWeek(key) {
          week.weekKey = key;
          switchedTo = key;
          Object.assign(ctx, todayIn(key, now(), timeZone));
        },
        // Reads within a turn are cached until the next change: a turn reads the plan often.
        readPlan(key = week.weekKey) {
          let p = plans.get(key);
          if (!p) {
            p = options.store.getWeek(turn.userId, key, timeZone);
            plans.set(key, p);
            p.catch(() => plans.delete(key));
          }
          return p.then((x) => structuredClone(x));
        },
        async call(name, args, target = week): Promise<ToolOutcome> {
          // No abort check here: a message is read whole or not at all (SL14). A stop is
          // honoured between messages, so one message never leaves half its changes.
          const before = UNDOABLE.has(name) ? await options.store.getWeek(turn.userId, target.weekKey, timeZone) : null;
          const out = await options.tools.execute(name, JSON.stringify(args), target);
          plans.clear();
          if (out.ok && out.plan) {
            if (before) changes.push(...undoRecord(name, args, before, out.created));
            else if (out.created) changes.push({ kind: name === 'add_rock' ? 'rock' : name === 'add_environment_commitment' ? 'environment' : 'block', id: out.created });
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
      // SL15 Retry: for the person the replaced answer never happened, so what it changed is put
      // back first and the same message is answered against the same plan (not counted twice).
      const retried = new Set(retriedAnswerIds(turn.history));
      if (retried.size > 0) {
        const replaced = [...turn.history]
          .filter((e) => e.type === ASSISTANT_META_EVENT && retried.has(String(e.data.messageId)))
          .sort((a, b) => a.seq - b.seq)
          .flatMap((e) => {
            const note = e.data.coach as Partial<CoachNote> | undefined;
            return Array.isArray(note?.changes) ? note.changes : [];
          });
        if (replaced.length > 0 && flows.plan.putBack) {
          await flows.plan.putBack(ctx, replaced);
          // Not an "undo" the person asked for, and nothing this answer did.
          undid = false;
          changes.length = 0;
        }
      }
      /** A new session of a planned week may open with an edit ("drop the budget"): that is read, not skipped as a greeting. */
      const opensWithEdit = async (text: string): Promise<boolean> => {
        if (kind !== 'plan') return false;
        const plan = await ctx.readPlan();
        if (plan.rocks.length === 0) return false;
        const intent = understand(text, { pending: null, rockTitles: activeRocks(plan).map((r) => r.title), environment: plan.environment.map((e) => e.text) }).intent;
        return intent === 'edit' || intent === 'question';
      };
      const said: string[] = [];
      // Direct edits since the last answer (the week grid, another device): say so first.
      const edits = directEditsSinceLastAnswer(turn.history);
      if (edits.length > 0) said.push(`I see you ${edits.join('; ')} — noted.`);
      let lead: string | undefined;
      let asked: Step | null = null;
      let askedText: string | undefined;
      let misses = 0;
      let leadFromAnswer = false;
      const read: CoachNote['read'] = [];

      if (conversation.past.length === 0 && conversation.unread.length > 0) said.push(...(await flow.intro(ctx)));

      // Every unread message, in order, each against the question pending when it was read.
      let pending: Step | null = conversation.pending;
      let prevMisses = conversation.lastNote?.misses ?? 0;
      const first = conversation.past.length === 0;
      for (const [i, msg] of conversation.unread.entries()) {
        if (signal.aborted) break;
        // The session's opening message ("hi, let's plan") answers nothing.
        const question = first && i === 0 && pending === null ? null : pending;
        ctx.exchanges.push({ question, answer: msg.text, seq: msg.seq });
        read.push({ seq: msg.seq, question });
        if (first && i === 0 && question === null && !/\d|,|\n/.test(msg.text) && msg.text.length < 80 && !(await opensWithEdit(msg.text))) continue;
        ctx.misses = question && sameStep(lastAsked, question) ? prevMisses : 0;
        const handled = await flow.handle(question, msg.text, ctx);
        said.push(...handled.say);
        misses = handled.missed && question ? ctx.misses + 1 : 0;
        prevMisses = misses;
        if (handled.ask) {
          pending = handled.ask.step;
          lead = handled.ask.lead;
          leadFromAnswer = lead !== undefined;
          askedText = handled.ask.text;
        } else {
          leadFromAnswer = false;
          pending = null;
          lead = undefined;
          askedText = undefined;
        }
        if (!pending) {
          const next = await flow.next(ctx);
          pending = next?.step ?? null;
          lead = next?.lead;
        }
      }
      // Stopped or steered before reading anything: the next answer reads it all.
      if (signal.aborted && read.length === 0) return;
      if (conversation.unread.length === 0 || (pending === null && read.length && read.every((r) => r.question === null))) {
        const next = await flow.next(ctx);
        pending = next?.step ?? null;
        lead = next?.lead;
      }
      asked = pending;
      // The same question again right away needs no second introduction.
      if (asked && sameStep(lastAsked, asked) && lead && !leadFromAnswer && !askedText && conversation.unread.length > 0 && read.every((r) => r.question && sameStep(r.question, asked!))) lead = undefined;

      let question = asked ? (askedText ?? askText(asked)) : undefined;
      // The turn that completes the plan sums it up, once.
      if (!asked && lastAsked !== null && read.some((r) => r.question !== null) && flow.finished) said.push(...(await flow.finished(ctx)));
      if (!asked && said.length === 0) said.push(...(await flow.closing(ctx)));
      // Never the same reply three times in a row: a repeated question gets fresh words around it.
      if (asked && sameStep(lastAsked, asked) && misses >= 2 && question) question = `${question} (Or say “skip”.)`;
      if (asked && (asked.id === 'confirm' || asked.id === 'review_time' || asked.id === 'review_offer')) quickReplies.unshift('Yes');
      if (asked && !quickReplies.includes('Skip') && misses >= 1) quickReplies.push('Skip');

      // Written even when stopped mid-read: what was read is recorded, so the next answer
      // reads only the rest and never applies a message twice (SL14).
      if (switchedTo && switchedTo !== info.weekKey) await options.pinWeek?.(turn.sessionId, switchedTo);
      const note: CoachNote = { asked, read, changes, misses, ...(switchedTo ? { weekKey: switchedTo } : {}), ...(undid ? { undid } : {}) };
      await turn.emit(ASSISTANT_META_EVENT, { messageId: turn.messageId, quickReplies: [...new Set(quickReplies)].slice(0, MAX_QUICK_REPLIES), coach: note });
      if (signal.aborted) return;
      const paragraphs = [said.filter(Boolean).join(' '), lead ?? '', question ?? ''].filter((p) => p.trim() !== '');
      await speak(paragraphs.join('\n\n'), write, options.paceMs, signal);
    },
  };
}
