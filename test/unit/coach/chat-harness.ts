// Drives an Agent the way the session runner does: a growing session log, one run per
// user message, assistant text collected from write() and stored as delta + end events.

import type { Agent, AgentTurn, TurnContext } from '../../../server/agent/port.ts';
import type { SessionEvent } from '../../../server/session/types.ts';

export class Chat {
  readonly history: SessionEvent[] = [];
  readonly emitted: Array<{ type: string; data: Record<string, unknown> }> = [];
  /** Every write() of the last turn, in order. */
  lastWrites: string[] = [];
  /** What the runner would have read for the turn (turn.context); unset: the agent reads it itself. */
  context: TurnContext | undefined;
  private runs = 0;

  constructor(
    public agent: Agent,
    readonly userId = 'user-1',
    public clock = '2026-11-22T18:00:00.000Z',
  ) {}

  private push(type: string, data: Record<string, unknown>): void {
    this.history.push({ seq: this.history.length + 1, type, at: this.clock, data });
  }

  async say(text: string, opts: { signal?: AbortSignal; onWrite?: (t: string) => void } = {}): Promise<string> {
    const n = ++this.runs;
    this.push('user.message', { clientMessageId: `c${n}`, text });
    const messageId = `m${n}`;
    this.push('assistant.start', { messageId, runId: `r${n}` });
    let out = '';
    this.lastWrites = [];
    const turn: AgentTurn = {
      sessionId: 's1',
      userId: this.userId,
      runId: `r${n}`,
      messageId,
      history: [...this.history],
      ...(this.context ? { context: this.context } : {}),
      signal: opts.signal ?? new AbortController().signal,
      write: (t) => {
        out += t;
        this.lastWrites.push(t);
        opts.onWrite?.(t);
      },
      emit: async (type, data) => {
        this.emitted.push({ type, data });
        this.push(type, data);
      },
    };
    await this.agent.respond(turn);
    if (out) this.push('assistant.delta', { messageId, text: out });
    this.push('assistant.end', { messageId, status: opts.signal?.aborted ? 'cancelled' : 'complete', text: out });
    return out;
  }
}

/** The last paragraph of a reply: the coach's question. */
export function lastParagraph(reply: string): string {
  const parts = reply.trim().split(/\n\s*\n/);
  return parts.at(-1) ?? ''; // split always yields at least one part
}
