// SL15 for coaches: turns asked for without a user message (retry, continue, open).
// The log keeps every attempt; a coach reads it as the person saw it: a retried answer is
// gone, a continued answer is one message, and the request events themselves are not words.

import type { SessionEvent } from '../session/types.ts';

export const TURN_REQUESTED = 'turn.requested';

export interface TurnHistory {
  /** The log rewritten as the person saw the conversation. */
  history: SessionEvent[];
  /**
   * Set when this turn continues a stopped answer: the text already shown. With
   * `current: 'regenerate'` the stopped answer's end is left out, so the message it answered
   * is unanswered again; the coach answers it again and writes only what follows `shown`.
   */
  continuing: { messageId: string; shown: string } | null;
}

/**
 * Rewrites a turn's history (up to and including this run's assistant.start).
 * `current`: how the answer being continued now appears — `extend` keeps its (cut-off) end,
 * for a model told to go on; `regenerate` drops it, for a deterministic coach.
 */
const msgId = (e: SessionEvent) => (typeof e.data.messageId === 'string' ? e.data.messageId : null);

/** Which answers continue which (alias → root), which roots were retried away, and the newest retried root. */
function readAnswerRoots(events: readonly SessionEvent[]) {
  const rootOf = new Map<string, string>();
  const root = (id: string) => rootOf.get(id) ?? id;
  const dropped = new Set<string>();
  let lastRetried: string | null = null;
  let continueTarget: string | null = null;
  let lastStart: string | null = null;
  for (const e of events) {
    if (e.type === TURN_REQUESTED) {
      const target = msgId(e);
      if (e.data.mode === 'retry' && target) {
        dropped.add(root(target));
        lastRetried = root(target);
      }
      continueTarget = e.data.mode === 'continue' && target ? root(target) : null;
    } else if (e.type === 'assistant.start') {
      const id = msgId(e);
      if (id && continueTarget) rootOf.set(id, continueTarget);
      if (id) lastStart = id;
      continueTarget = null;
    } else if (e.type === 'user.message') continueTarget = null;
  }
  return { rootOf, root, dropped, lastRetried, lastStart };
}

/**
 * When this run answers a retry: the ids of the answer it replaces (the retried message and the
 * parts that continued it), so a coach can put back what that answer changed. Otherwise [].
 */
export function retriedAnswerIds(history: readonly SessionEvent[]): string[] {
  if (turnRequestMode(history) !== 'retry') return [];
  const events = [...history].sort((a, b) => a.seq - b.seq);
  const { root, lastRetried } = readAnswerRoots(events);
  if (!lastRetried) return [];
  const ids = new Set<string>();
  for (const e of events) {
    const id = msgId(e);
    if (e.type === 'assistant.start' && id && root(id) === lastRetried) ids.add(id);
  }
  return [...ids];
}

export function readTurnHistory(history: readonly SessionEvent[], current: 'extend' | 'regenerate'): TurnHistory {
  const events = [...history].sort((a, b) => a.seq - b.seq);
  // Pass 1: which answers continue which (alias → root), and which roots were retried away.
  const { rootOf, root, dropped, lastStart } = readAnswerRoots(events);

  // The texts of each root's ends in order: a continued answer is the concatenation of its parts.
  const parts = new Map<string, string[]>();
  const lastEnd = new Map<string, number>();
  for (const e of events) {
    const id = msgId(e);
    if (e.type !== 'assistant.end' || !id) continue;
    const r = root(id);
    parts.set(r, [...(parts.get(r) ?? []), typeof e.data.text === 'string' ? e.data.text : '']);
    lastEnd.set(r, e.seq);
  }

  const currentId = lastStart;
  const currentRoot = currentId && rootOf.has(currentId) ? root(currentId) : null;
  const out: SessionEvent[] = [];
  for (const e of events) {
    if (e.type === TURN_REQUESTED) continue;
    const id = msgId(e);
    if (!id || e.type === 'user.message') {
      out.push(e);
      continue;
    }
    const r = root(id);
    if (dropped.has(r)) continue;
    if (e.type === 'assistant.start' && r !== id) continue; // a continuation is not a new message
    if (e.type === 'assistant.end') {
      if (r === currentRoot && current === 'regenerate') continue;
      if (lastEnd.get(r) !== e.seq) continue; // only the last part's end stands for the whole
      out.push({ ...e, data: { ...e.data, messageId: r, text: (parts.get(r) ?? []).join('') } });
      continue;
    }
    out.push(r === id ? e : { ...e, data: { ...e.data, messageId: r } });
  }
  const continuing = currentRoot ? { messageId: currentRoot, shown: (parts.get(currentRoot) ?? []).join('') } : null;
  return { history: out, continuing };
}

/** The mode of the request this run answers, if it answers one (`open`, `retry`, `continue`). */
export function turnRequestMode(history: readonly SessionEvent[]): string | null {
  const events = [...history].sort((a, b) => a.seq - b.seq);
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i]!;
    if (e.type === 'user.message') return null;
    if (e.type === TURN_REQUESTED) return typeof e.data.mode === 'string' ? e.data.mode : null;
  }
  return null;
}

/**
 * Wraps a writer so that text repeating `shown` is swallowed: a deterministic coach
 * regenerates the whole answer and only what the person has not seen yet goes out.
 * If the new answer departs from what was shown, it is written whole after a paragraph break.
 */
export function skipShownPrefix(write: (text: string) => void, shown: string): (text: string) => void {
  let matched = 0;
  let diverged = shown === '';
  return (text) => {
    if (diverged) return write(text);
    let i = 0;
    while (i < text.length && matched < shown.length && text[i] === shown[matched]) {
      i++;
      matched++;
    }
    if (i === text.length) return;
    diverged = true;
    if (matched === shown.length) return write(text.slice(i));
    // Everything regenerated so far is shown.slice(0, matched) followed by the rest of this chunk.
    write(`\n\n${shown.slice(0, matched)}${text.slice(i)}`);
  };
}
