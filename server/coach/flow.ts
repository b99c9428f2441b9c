// What a coach flow (plan or review) works with during one turn.

import type { ToolContext, ToolOutcome } from '../plan/toolbox.ts';
import type { WeekPlan } from '../plan/types.ts';
import type { Change, Exchange } from './conversation.ts';
import type { Step } from './questions.ts';

export interface FlowContext {
  /** The week this session works on (a flow may switch it: "plan next week"). */
  week: ToolContext;
  /** Calls a plan tool; on success the plan.updated event has been emitted and the change recorded. */
  call(name: string, args: Record<string, unknown>, week?: ToolContext): Promise<ToolOutcome>;
  readPlan(weekKey?: string): Promise<WeekPlan>;
  /** Earlier exchanges plus the current one once handled. */
  exchanges: Exchange[];
  /** Today as a day of the planned week: -1 before the week starts, 7 after it ended. */
  today: number;
  now(): Date;
  /** Local "HH:MM" now (meaningful when `today` is inside the week). */
  nowHhmm: string;
  /** Changes made by the previous answer (what a correction replaces). */
  lastChanges: Change[];
  /** Changes of the newest answer not yet undone (what "undo" puts back, even after a question in between). */
  undoable: Change[];
  /** Records that this answer undid `undoable`, so the next "undo" goes one further back. */
  markUndone(): void;
  /** Ids of the rocks created earlier in this session (before this turn). */
  rocksMade: string[];
  /** Changes made in this turn so far. */
  changes: Change[];
  /** Misses in a row on the question being answered, before this message. */
  misses: number;
  /** Switches the session to another week from the next question on. */
  switchWeek(weekKey: string): void;
  /** Suggestions shown as buttons under this answer. */
  quickReplies: string[];
}

/** What handling an answer produced: words to say and what to ask next. */
export interface Handled {
  say: string[];
  /** Ask this instead of the derived next step (a re-ask, a pushback variant, a follow-up). */
  ask?: { step: Step; text?: string; lead?: string };
  /** The answer gave nothing usable for the question (counts towards offering choices). */
  missed?: boolean;
}

export interface Flow {
  /** Opening words for a session's first turn. */
  intro(ctx: FlowContext): Promise<string[]>;
  handle(step: Step | null, answer: string, ctx: FlowContext): Promise<Handled>;
  /** The next question from the plan and the exchanges; null when the flow is complete. */
  next(ctx: FlowContext): Promise<{ step: Step; lead?: string } | null>;
  /** Said when the flow is complete and the person writes again. */
  closing(ctx: FlowContext): Promise<string[]>;
  /** Said once, on the turn the flow becomes complete. */
  finished?(ctx: FlowContext): Promise<string[]>;
  /** Puts back plan changes (newest first); returns what came back, in words. */
  putBack?(ctx: FlowContext, changes: Change[]): Promise<string[]>;
}

/** The latest exchange that answered `id` (and `rock`, for rock steps). */
export function lastAnswer(exchanges: Exchange[], id: Step['id'], rock?: string): Exchange | undefined {
  return exchanges.findLast(({ question: q }) => !!q && q.id === id && (rock === undefined || ('rock' in q && q.rock === rock)));
}

/** Joins short phrases: "a", "a and b", "a, b and c". */
export function joinAnd(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

export const quote = (s: string) => `“${s}”`;

/** A stable pick from variants, so the voice varies from turn to turn without randomness in tests. */
export function pick<T>(variants: readonly T[], seed: string): T {
  let h = 0;
  for (let i = 0; i < seed.length; i++) h = (h * 31 + seed.charCodeAt(i)) >>> 0;
  return variants[h % variants.length]!;
}
