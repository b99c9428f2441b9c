// The LLM-backed FOCUS coach: context from the log → model stream → text to the user, tool calls
// to the plan toolbox, tool results back to the model, until the model answers without tools.

import { AgentError, type Agent, type AgentTurn } from '../agent/port.ts';
import { LlmError, type LlmMessage, type LlmProvider, type LlmToolCall } from '../llm/port.ts';
import type { PlanToolbox, ToolOutcome } from '../plan/toolbox.ts';
import type { WeekPlan } from '../plan/types.ts';
import { buildContext } from './context.ts';
import { readTurnHistory } from './turn-request.ts';

/** SL15 continue: the cut-off answer is the last assistant message in the context. */
export const CONTINUE_INSTRUCTION =
  'The person asked you to continue your last answer, which was cut off. Go on from exactly where it stopped, mid-sentence if need be; do not repeat any of it and do not greet.';

/** Model calls per answer; each tool round costs one. Bounds cost and latency of a runaway tool loop. */
export const DEFAULT_MAX_STEPS = 6;
/**
 * Input budget for one model call. Small enough for any current chat model's window and to keep
 * each turn cheap; the plan and the newest turns always fit.
 */
export const DEFAULT_CONTEXT_TOKEN_BUDGET = 12_000;
export const DEFAULT_SESSION_KIND = 'plan';

/** Written when the step limit ends an answer, so the user knows the model did not get to sum up. */
export const STEP_LIMIT_NOTE =
  'I stopped here to keep this answer short — the plan shows exactly what was saved. Say "continue" if you want me to carry on.';

export interface LlmCoachDeps {
  provider: LlmProvider;
  tools: PlanToolbox;
  /**
   * The week a session plans or reviews (sessions are pinned to one week). Asked only for a
   * turn without a context: the runner reads the session once per turn (turn.context).
   */
  weekFor(userId: string, sessionId: string): { weekKey: string; timeZone: string } | Promise<{ weekKey: string; timeZone: string }>;
  /** The week's plan, in the user's zone. */
  loadPlan(userId: string, weekKey: string, timeZone: string): Promise<WeekPlan>;
  /** Session kind ("plan", "review", …); defaults to "plan". Asked only for a turn without a context, like weekFor. */
  kindFor?(sessionId: string): string | Promise<string>;
  maxSteps?: number;
  tokenBudget?: number;
  systemPrompt?: string;
  now?: () => Date;
  /** Where unexpected tool failures are reported (pino-compatible, e.g. fastify's logger). Default: console. */
  logger?: { error(obj: object, msg: string): void };
}

export function createLlmCoach(deps: LlmCoachDeps): Agent {
  const maxSteps = deps.maxSteps ?? DEFAULT_MAX_STEPS;
  const tokenBudget = deps.tokenBudget ?? DEFAULT_CONTEXT_TOKEN_BUDGET;
  const now = deps.now ?? (() => new Date());
  const logger = deps.logger ?? { error: (obj: object, msg: string) => console.error(msg, obj) };

  return {
    async respond(turn: AgentTurn): Promise<void> {
      const { signal } = turn;
      // The runner read the session once for this turn; only a turn without that context reads it here.
      const { weekKey, timeZone } = turn.context ?? (await deps.weekFor(turn.userId, turn.sessionId));
      const plan = await deps.loadPlan(turn.userId, weekKey, timeZone);
      const kind = turn.context?.kind ?? (await deps.kindFor?.(turn.sessionId)) ?? DEFAULT_SESSION_KIND;
      if (signal.aborted) return;

      // SL15: retried answers vanish; a continued one stays (cut off) and the model is told to go on.
      const { history, continuing } = readTurnHistory(turn.history, 'extend');
      const messages: LlmMessage[] = buildContext({
        history,
        plan,
        kind,
        systemPrompt: deps.systemPrompt,
        tokenBudget,
        now: now(),
      });
      if (continuing) messages.push({ role: 'system', content: CONTINUE_INSTRUCTION });
      const toolDefs = deps.tools.definitions();
      const toolCtx = { userId: turn.userId, weekKey, timeZone };
      let written = '';
      /** `startsStep`: text from separate steps ("Let me add that." / "Done.") must not run together. */
      const write = (text: string, startsStep: boolean) => {
        const sep = startsStep && written && !/\s$/.test(written) && !/^\s/.test(text) ? '\n\n' : '';
        turn.write(sep + text);
        written += sep + text;
      };

      for (let step = 0; step < maxSteps; step++) {
        let stepText = '';
        let calls: LlmToolCall[] = [];
        try {
          for await (const part of deps.provider.stream({ messages, tools: toolDefs, signal })) {
            if (signal.aborted) return;
            if (part.type === 'text') {
              write(part.text, stepText === '');
              stepText += part.text;
            } else if (part.type === 'tool_calls') {
              calls = part.calls;
            }
          }
        } catch (err) {
          if (signal.aborted) return; // a stop is not a failure; the runner records cancelled/interrupted
          throw toAgentError(err);
        }
        if (signal.aborted) return;
        if (calls.length === 0) return;

        messages.push({ role: 'assistant', content: stepText, toolCalls: calls });
        for (const call of calls) {
          // Start no new plan change after a stop.
          if (signal.aborted) return;
          const outcome = await executeSafely(deps.tools, call, toolCtx, logger);
          if (outcome.ok && outcome.plan) {
            // Emitted even if a stop arrived while the tool ran: the change is saved, and clients
            // must not be left showing the old plan.
            await emitPlanUpdate(turn, weekKey, outcome.plan);
          }
          messages.push({ role: 'tool', toolCallId: call.id, content: outcome.message });
        }
        if (signal.aborted) return;
      }
      // Every step ended in tool calls: the model never got to sum up.
      write(STEP_LIMIT_NOTE, true);
    },
  };
}

async function executeSafely(
  tools: PlanToolbox,
  call: LlmToolCall,
  ctx: { userId: string; weekKey: string; timeZone: string },
  logger: NonNullable<LlmCoachDeps['logger']>,
): Promise<ToolOutcome> {
  try {
    return await tools.execute(call.name, call.arguments, ctx);
  } catch (err) {
    logger.error({ err, tool: call.name, userId: ctx.userId, weekKey: ctx.weekKey }, 'coach tool failed unexpectedly');
    // An unexpected tool failure (e.g. the database) is reported to the model as "not saved",
    // so it tells the person instead of claiming success. Details stay in server logs, not in the prompt.
    return { ok: false, message: `Error: "${call.name}" failed unexpectedly and nothing was saved. Tell the person it did not work and suggest trying again.` };
  }
}

async function emitPlanUpdate(turn: AgentTurn, weekKey: string, plan: WeekPlan): Promise<void> {
  try {
    await turn.emit('plan.updated', { weekKey, plan });
  } catch (err) {
    // After a stop the runner may refuse writes; that is expected, anything else is a real failure.
    if (!turn.signal.aborted) throw err;
  }
}

const AGENT_CODES: Record<LlmError['code'], AgentError['code']> = {
  upstream_http: 'upstream_failed',
  rate_limited: 'rate_limited',
  timeout: 'timeout',
  malformed: 'malformed_response',
  connection: 'upstream_failed',
  aborted: 'upstream_failed',
};

/** LlmError → AgentError with the same readable reason; anything else is a bug and is rethrown. */
export function toAgentError(err: unknown): unknown {
  if (err instanceof LlmError) return new AgentError(AGENT_CODES[err.code], err.reason);
  return err;
}
