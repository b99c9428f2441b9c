import type { LlmToolDef } from '../llm/port.ts';
import type { WeekPlan } from './types.ts';

/** Result of one coach tool call. `message` is what the model sees, success or rejection. */
export interface ToolOutcome {
  ok: boolean;
  message: string;
  /** The plan after a successful change (the caller emits plan.updated with it). */
  plan?: WeekPlan;
  /** The id of what a successful add created (rock, block, environment change), so a caller can undo it. */
  created?: string;
}

export interface ToolContext {
  userId: string;
  /** The week being planned, e.g. "2026-W48". */
  weekKey: string;
  timeZone: string;
}

/** The only way the coach (offline or LLM) changes a plan: validated tool calls. */
export interface PlanToolbox {
  definitions(): LlmToolDef[];
  /** `rawArgs` is the JSON text from the model; invalid JSON or arguments are rejected with a reason. */
  execute(name: string, rawArgs: string, ctx: ToolContext): Promise<ToolOutcome>;
}
