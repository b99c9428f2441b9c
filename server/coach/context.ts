// Builds the model's input from the durable session log and the saved plan. Pure: same input, same output.

import type { LlmMessage } from '../llm/port.ts';
import type { WeekPlan } from '../plan/types.ts';
import type { SessionEvent } from '../session/types.ts';
import { FOCUS_SYSTEM_PROMPT, guidanceForKind } from './prompt.ts';

/** Rough size estimate for English text with GPT-style tokenisers; good enough to stay under a budget. */
export const CHARS_PER_TOKEN = 4;
/** Per-message framing (role, separators) in the chat format. */
export const MESSAGE_OVERHEAD_TOKENS = 4;
/** The "Earlier: …" line never grows beyond this, so its space can be reserved up front. */
export const MAX_SUMMARY_CHARS = 320;
/** How many omitted user messages are named in the summary line. */
export const MAX_SUMMARY_TOPICS = 4;
export const MAX_TOPIC_CHARS = 48;
/** Reflections older than the newest few add little to planning and cost a lot of context. */
export const MAX_PLAN_REFLECTIONS = 2;

export const CUT_OFF_BY_USER = '[cut off: the user stopped this answer]';
export const CUT_OFF_BY_INTERRUPT = '[cut off: interrupted before it was finished]';
export const CUT_OFF_BY_FAILURE = '[cut off: this answer failed before it was finished]';

export interface ContextInput {
  history: SessionEvent[];
  plan: WeekPlan | null;
  /** Session kind, e.g. "plan" or "review". */
  kind: string;
  /** Replaces the built-in FOCUS prompt (tests, experiments). */
  systemPrompt?: string;
  tokenBudget: number;
  /** Lets the model place blocks relative to today; omitted means "not stated". */
  now?: Date;
}

export function estimateTokens(text: string): number {
  return Math.ceil(text.length / CHARS_PER_TOKEN);
}

export function estimateMessageTokens(m: LlmMessage): number {
  const calls = m.role === 'assistant' && m.toolCalls ? m.toolCalls.reduce((n, c) => n + c.name.length + c.arguments.length, 0) : 0;
  return MESSAGE_OVERHEAD_TOKENS + estimateTokens(m.content) + Math.ceil(calls / CHARS_PER_TOKEN);
}

export function buildContext(input: ContextInput): LlmMessage[] {
  const system: LlmMessage = {
    role: 'system',
    content: `${input.systemPrompt ?? FOCUS_SYSTEM_PROMPT}\n\n${guidanceForKind(input.kind)}`,
  };
  const plan: LlmMessage = { role: 'system', content: describePlan(input.plan, input.now) };
  const conversation = conversationFromLog(input.history);

  const fixed = estimateMessageTokens(system) + estimateMessageTokens(plan);
  const available = input.tokenBudget - fixed;
  const total = conversation.reduce((n, m) => n + estimateMessageTokens(m), 0);
  if (total <= available) return [system, plan, ...conversation];

  // Drop the oldest messages until the rest plus the summary line fits; the newest message always stays.
  const summaryReserve = MESSAGE_OVERHEAD_TOKENS + Math.ceil(MAX_SUMMARY_CHARS / CHARS_PER_TOKEN);
  let kept = total;
  let dropped = 0;
  while (dropped < conversation.length - 1 && kept + summaryReserve > available) {
    kept -= estimateMessageTokens(conversation[dropped]!); // dropped < length - 1
    dropped++;
  }
  // Start the kept part on a user message so no answer appears without its question.
  while (dropped < conversation.length - 1 && conversation[dropped]!.role !== 'user') dropped++;
  const summary: LlmMessage = { role: 'system', content: summarizeDropped(conversation.slice(0, dropped)) };
  return [system, plan, summary, ...conversation.slice(dropped)];
}

/**
 * Rebuilds user and assistant messages from the log. An answer sits where its assistant.start is
 * (its end may come after an interrupting user message). The run being answered now has no end
 * and no text yet, so it is left out.
 */
export function conversationFromLog(history: SessionEvent[]): LlmMessage[] {
  type Answer = { kind: 'answer'; messageId: string; deltas: string; end?: Record<string, unknown> };
  const entries: ({ kind: 'user'; text: string } | Answer)[] = [];
  const answers = new Map<string, Answer>();

  for (const e of [...history].sort((a, b) => a.seq - b.seq)) {
    const d = e.data;
    switch (e.type) {
      case 'user.message':
        if (typeof d.text === 'string' && d.text.trim() !== '') entries.push({ kind: 'user', text: d.text });
        break;
      case 'assistant.start': {
        const a: Answer = { kind: 'answer', messageId: String(d.messageId), deltas: '' };
        answers.set(a.messageId, a);
        entries.push(a);
        break;
      }
      case 'assistant.delta': {
        const a = answers.get(String(d.messageId));
        if (a && typeof d.text === 'string') a.deltas += d.text;
        break;
      }
      case 'assistant.end': {
        const a = answers.get(String(d.messageId));
        if (a) a.end = d;
        break;
      }
      // plan.updated: the saved plan is given in full separately; cancel.requested: the end's status says it.
    }
  }

  const out: LlmMessage[] = [];
  for (const entry of entries) {
    if (entry.kind === 'user') {
      out.push({ role: 'user', content: entry.text });
      continue;
    }
    const text = (typeof entry.end?.text === 'string' ? entry.end.text : entry.deltas).trim();
    const status = entry.end?.status;
    let content: string | null;
    if (status === 'complete') content = text || null;
    else if (status === 'cancelled') content = withMarker(text, CUT_OFF_BY_USER);
    else if (status === 'interrupted') content = withMarker(text, CUT_OFF_BY_INTERRUPT);
    // A failed answer with nothing shown adds nothing; with partial text the person did see it.
    else if (status === 'failed') content = text ? withMarker(text, CUT_OFF_BY_FAILURE) : null;
    // No end: the current run, or a run whose end the sweeper has not written yet.
    else content = text ? withMarker(text, CUT_OFF_BY_INTERRUPT) : null;
    if (content !== null) out.push({ role: 'assistant', content });
  }
  return out;
}

function withMarker(text: string, marker: string): string {
  return text ? `${text} ${marker}` : marker;
}

export function summarizeDropped(dropped: LlmMessage[]): string {
  const topics: string[] = [];
  // Newest omitted questions first: they are the most likely to matter.
  for (const m of [...dropped].reverse()) {
    if (m.role !== 'user' || topics.length >= MAX_SUMMARY_TOPICS) continue;
    const oneLine = m.content.replace(/\s+/g, ' ').trim();
    const topic = oneLine.length > MAX_TOPIC_CHARS ? `${oneLine.slice(0, MAX_TOPIC_CHARS - 1)}…` : oneLine;
    if (topic && !topics.includes(`"${topic}"`)) topics.unshift(`"${topic}"`);
  }
  const head = `Earlier: ${dropped.length} message${dropped.length === 1 ? '' : 's'} omitted`;
  const line = topics.length > 0 ? `${head}; topics: ${topics.join(', ')}` : head;
  return line.length > MAX_SUMMARY_CHARS ? `${line.slice(0, MAX_SUMMARY_CHARS - 1)}…` : line;
}

/** The saved plan as compact JSON, trimmed of fields the model does not need. */
export function describePlan(plan: WeekPlan | null, now?: Date): string {
  const today = now && plan ? `Now: ${formatLocal(now, plan.timeZone)} (${plan.timeZone}).\n` : now ? `Now: ${now.toISOString()}.\n` : '';
  if (!plan) return `${today}Saved plan: none yet for this week.`;
  const compact = {
    weekKey: plan.weekKey,
    timeZone: plan.timeZone,
    vision: plan.vision,
    rocks: [...plan.rocks]
      .sort((a, b) => a.position - b.position)
      .map((r) => ({ id: r.id, title: r.title, status: r.status, ...(r.carryCount > 0 ? { carriedWeeks: r.carryCount } : {}) })),
    blocks: [...plan.blocks]
      .sort((a, b) => a.start.localeCompare(b.start))
      .map((b) => ({
        id: b.id,
        kind: b.kind,
        title: b.title,
        start: b.start,
        end: b.end,
        minutes: Math.round((Date.parse(b.end) - Date.parse(b.start)) / 60_000),
        ...(b.rockId ? { rockId: b.rockId } : {}),
      })),
    environment: plan.environment.map((e) => e.text),
    recentReflections: [...plan.reflections]
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt))
      .slice(-MAX_PLAN_REFLECTIONS).map(({ id: _id, ...r }) => r),
  };
  return `${today}Saved plan for week ${plan.weekKey} (this is exactly what is stored; block times are UTC):\n${JSON.stringify(compact)}`;
}

function formatLocal(now: Date, timeZone: string): string {
  try {
    return new Intl.DateTimeFormat('en-GB', {
      timeZone,
      weekday: 'long',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hour12: false,
    }).format(now);
  } catch {
    // An unknown zone must not break the turn; UTC is still correct information.
    return `${now.toISOString()} UTC`;
  }
}
