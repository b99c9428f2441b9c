// What a coach flow (plan or review) works with during one turn.

import type { ToolContext, ToolOutcome } from '../plan/toolbox.ts';
import type { WeekPlan } from '../plan/types.ts';
import type { Exchange } from './conversation.ts';
import type { Step } from './questions.ts';

export interface FlowContext {
  /** The week this session works on. */
  week: ToolContext;
  /** Calls a plan tool; on success the plan.updated event has been emitted. */
  call(name: string, args: Record<string, unknown>, week?: ToolContext): Promise<ToolOutcome>;
  readPlan(weekKey?: string): Promise<WeekPlan>;
  /** Earlier exchanges plus the current one once handled. */
  exchanges: Exchange[];
  /** True once the turn was stopped: flows make no further changes. */
  aborted(): boolean;
}

/** What handling an answer produced: words to say and what to ask next. */
export interface Handled {
  say: string[];
  /** Ask this instead of the derived next step (a re-ask, a pushback variant, a follow-up). */
  ask?: { step: Step; text?: string; lead?: string };
}

export interface Flow {
  /** Opening words for a session's first turn. */
  intro(ctx: FlowContext): Promise<string[]>;
  handle(step: Step, answer: string, ctx: FlowContext): Promise<Handled>;
  /** The next question from the plan and the exchanges; null when the flow is complete. */
  next(ctx: FlowContext): Promise<{ step: Step; lead?: string } | null>;
  /** Said when the flow is complete and the person writes again. */
  closing(ctx: FlowContext): Promise<string[]>;
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
