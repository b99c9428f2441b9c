// A pure, incremental model of a session's transcript.
//
// Every function returns a new Transcript and never mutates its input. Structural sharing
// keeps identities stable: a delta replaces only the message it extends (plus the arrays and
// the map that hold it), so a UI can skip every other message by identity, and `messageIds`
// only changes when a message is added, moved or removed — never while text streams.

import type { WeekPlan } from '../../../server/plan/types.ts';
import type { Author, EndStatus, SessionEvent } from './protocol.ts';

export interface UserMessage {
  kind: 'user';
  /** Transcript id: `user:<clientMessageId>`. */
  id: string;
  clientMessageId: string;
  text: string;
  /** pending: queued or sent, not yet in the log; confirmed: its user.message event arrived. */
  status: 'pending' | 'confirmed';
  seq: number | null;
  at: string | null;
  /** Who wrote it, when the server said (shared sessions); null for pending and older messages. */
  author: Author | null;
}

export type AssistantStatus = 'streaming' | EndStatus;

export interface AssistantMessage {
  kind: 'assistant';
  /** Transcript id: the server's messageId (of its first part, when continued). */
  id: string;
  /** The messageId of its latest part: what retry and continue name (SL15). */
  serverId: string;
  /** Text shown before the part now streaming (a continued answer's earlier parts); '' otherwise. */
  base: string;
  /** The device that pressed Stop, when the server named it. */
  stoppedBy: { deviceId: string; label: string } | null;
  runId: string | null;
  text: string;
  status: AssistantStatus;
  /** Readable reason of a failed (or otherwise explained) end. */
  reason: string | null;
  /** A cancel.requested event names this message. */
  cancelRequested: boolean;
  /** It ended because someone pressed Stop (status cancelled). */
  stoppedByCancel: boolean;
  startSeq: number;
  endSeq: number | null;
  startedAt: string;
  endedAt: string | null;
  /** Suggested replies the coach attached to this message (`assistant.meta` quickReplies); shown as buttons. */
  quickReplies?: readonly string[];
}

export type TranscriptMessage = UserMessage | AssistantMessage;

export interface PlanSnapshot {
  weekKey: string;
  plan: WeekPlan;
  seq: number;
}

export interface Gap {
  /** The last seq applied: the log must be read again from here. */
  afterSeq: number;
  /** The seq that arrived instead of afterSeq + 1. */
  receivedSeq: number;
}

export interface Transcript {
  /** Highest seq applied; events are applied only in order, so 1..lastSeq are all in. */
  readonly lastSeq: number;
  /** Confirmed messages in log order, then pending user messages in the order sent. */
  readonly messages: readonly TranscriptMessage[];
  /** Ids of `messages`, same order; unchanged while a message's text streams. */
  readonly messageIds: readonly string[];
  readonly byId: ReadonlyMap<string, TranscriptMessage>;
  /** The assistant message still streaming, if any. */
  readonly activeMessageId: string | null;
  /** The latest plan.updated. */
  readonly plan: PlanSnapshot | null;
  /** The human who has taken the session over (handoff.started), until handoff.ended. */
  readonly handoff: Author | null;
  /** Set when an event arrived past lastSeq + 1; cleared once the missing events are applied. */
  readonly gap: Gap | null;
  /** Server messageIds of continuations → the transcript id of the answer they continue (SL15). */
  readonly aliases: ReadonlyMap<string, string>;
  /** A retry or continue in the log whose answer has not started yet: the next start takes its place. */
  readonly pendingRequest: { mode: 'retry' | 'continue'; targetId: string } | null;
  /** Some turn (a message or a request) exists: the coach has been asked to speak. */
  readonly begun: boolean;
  /** Persisted events this client did not understand (newer or malformed); counted, not shown. */
  readonly ignoredEvents: number;
  /** Internal: how many of `messages` are confirmed (pending ones follow). */
  readonly confirmedCount: number;
}

export type ApplyOutcome = 'applied' | 'duplicate' | 'gap';

export interface ApplyResult {
  transcript: Transcript;
  outcome: ApplyOutcome;
}

const EMPTY_IDS: readonly string[] = Object.freeze([]);

export function createTranscript(): Transcript {
  return {
    lastSeq: 0,
    messages: [],
    messageIds: EMPTY_IDS,
    byId: new Map(),
    activeMessageId: null,
    plan: null,
    handoff: null,
    gap: null,
    aliases: new Map(),
    pendingRequest: null,
    begun: false,
    ignoredEvents: 0,
    confirmedCount: 0,
  };
}

function newAssistant(id: string, runId: string | null, seq: number, at: string): AssistantMessage {
  return {
    kind: 'assistant',
    id,
    serverId: id,
    base: '',
    stoppedBy: null,
    runId,
    text: '',
    status: 'streaming',
    reason: null,
    cancelRequested: false,
    stoppedByCancel: false,
    startSeq: seq,
    endSeq: null,
    startedAt: at,
    endedAt: null,
  };
}

export function userMessageId(clientMessageId: string): string {
  return `user:${clientMessageId}`;
}

/** Adds a user message that is queued or sent but not yet in the log. No-op if already known. */
export function addPending(t: Transcript, clientMessageId: string, text: string): Transcript {
  const id = userMessageId(clientMessageId);
  if (t.byId.has(id)) return t;
  const msg: UserMessage = { kind: 'user', id, clientMessageId, text, status: 'pending', seq: null, at: null, author: null };
  const byId = new Map(t.byId);
  byId.set(id, msg);
  return { ...t, messages: [...t.messages, msg], messageIds: [...t.messageIds, id], byId };
}

/** Applies many events; stops at the first gap. */
export function applyEvents(t: Transcript, events: readonly SessionEvent[]): ApplyResult {
  let cur = t;
  let outcome: ApplyOutcome = 'duplicate';
  for (const ev of events) {
    const r = applyEvent(cur, ev);
    cur = r.transcript;
    if (r.outcome === 'gap') return { transcript: cur, outcome: 'gap' };
    if (r.outcome === 'applied') outcome = 'applied';
  }
  return { transcript: cur, outcome };
}

/**
 * Applies one persisted event. seq ≤ lastSeq is a duplicate (replay overlap) and changes nothing;
 * seq > lastSeq + 1 is a gap: nothing is applied and `gap` says where to read from. A folded
 * delta (`fromSeq`) applies only when fromSeq = lastSeq + 1; anything else is a gap (resync).
 */
export function applyEvent(t: Transcript, ev: SessionEvent): ApplyResult {
  if (ev.seq <= t.lastSeq) return { transcript: t, outcome: 'duplicate' };
  // A folded delta (compacted replay, SL18) covers fromSeq…seq; it must start right after lastSeq.
  const firstSeq = ev.type === 'assistant.delta' && ev.data.fromSeq !== undefined ? ev.data.fromSeq : ev.seq;
  if (firstSeq !== t.lastSeq + 1) {
    const gap: Gap = { afterSeq: t.lastSeq, receivedSeq: ev.seq };
    const same = t.gap !== null && t.gap.afterSeq === gap.afterSeq && t.gap.receivedSeq === gap.receivedSeq;
    return { transcript: same ? t : { ...t, gap }, outcome: 'gap' };
  }
  const base: Transcript = t.gap === null ? { ...t, lastSeq: ev.seq } : { ...t, lastSeq: ev.seq, gap: null };
  return { transcript: reduce(base, ev), outcome: 'applied' };
}

function reduce(t: Transcript, ev: SessionEvent): Transcript {
  switch (ev.type) {
    case 'user.message':
      return confirmUser({ ...t, begun: true, pendingRequest: null }, ev.seq, ev.at, ev.data.clientMessageId, ev.data.text, ev.data.author ?? null);
    case 'turn.requested': {
      const target = ev.data.messageId === undefined ? null : (t.aliases.get(ev.data.messageId) ?? ev.data.messageId);
      const mode = ev.data.mode;
      const pendingRequest = target !== null && (mode === 'retry' || mode === 'continue') && t.byId.has(target) ? { mode, targetId: target } : null;
      return { ...t, begun: true, pendingRequest };
    }
    case 'handoff.started':
      return { ...t, handoff: ev.data.by };
    case 'handoff.ended':
      return { ...t, handoff: null };
    case 'assistant.start': {
      const existing = t.byId.get(ev.data.messageId);
      if (existing || t.aliases.has(ev.data.messageId)) return t; // a second start for the same message would break SL12; keep the first
      const req = t.pendingRequest;
      const target = req ? t.byId.get(req.targetId) : undefined;
      const base = { ...t, pendingRequest: null };
      if (req && target?.kind === 'assistant' && req.mode === 'continue') {
        // SL15: the continuation streams into the stopped answer's bubble.
        const aliases = new Map(t.aliases);
        aliases.set(ev.data.messageId, target.id);
        const resumed: AssistantMessage = {
          ...target,
          serverId: ev.data.messageId,
          runId: ev.data.runId,
          base: target.text,
          status: 'streaming',
          reason: null,
          cancelRequested: false,
          stoppedByCancel: false,
          stoppedBy: null,
          endSeq: null,
          endedAt: null,
        };
        return { ...replace({ ...base, aliases }, resumed), activeMessageId: target.id };
      }
      const msg = newAssistant(ev.data.messageId, ev.data.runId, ev.seq, ev.at);
      // SL15: a retried answer gives its place to the new one.
      const without = req && target?.kind === 'assistant' && req.mode === 'retry' ? removeMessage(base, target.id) : base;
      return { ...insertConfirmed(without, msg), activeMessageId: msg.id };
    }
    case 'assistant.delta': {
      const cur = assistantOrPlaceholder(t, ev.data.messageId, ev.seq, ev.at);
      if (cur.msg.status !== 'streaming') return t; // SL10: nothing after a stop; be safe
      return replace(cur.t, { ...cur.msg, text: cur.msg.text + ev.data.text });
    }
    case 'assistant.end': {
      const cur = assistantOrPlaceholder(t, ev.data.messageId, ev.seq, ev.at);
      if (cur.msg.status !== 'streaming') return t; // SL12: exactly one end; keep the first
      const next: AssistantMessage = {
        ...cur.msg,
        // SL6: the end's text is the concatenation of the deltas; it is authoritative (after the earlier parts).
        text: cur.msg.base + ev.data.text,
        status: ev.data.status,
        reason: ev.data.reason ?? null,
        stoppedByCancel: ev.data.status === 'cancelled',
        endSeq: ev.seq,
        endedAt: ev.at,
      };
      const out = replace(cur.t, next);
      return out.activeMessageId === next.id ? { ...out, activeMessageId: null } : out;
    }
    case 'cancel.requested': {
      const msg = t.byId.get(t.aliases.get(ev.data.messageId) ?? ev.data.messageId);
      if (!msg || msg.kind !== 'assistant' || msg.cancelRequested) return t;
      return replace(t, { ...msg, cancelRequested: true, stoppedBy: ev.data.by ?? null });
    }
    case 'plan.updated':
      return { ...t, plan: { weekKey: ev.data.weekKey, plan: ev.data.plan, seq: ev.seq } };
    case 'unknown':
      return withQuickReplies(t, ev.rawType, ev.data) ?? { ...t, ignoredEvents: t.ignoredEvents + 1 };
  }
}

/** The coach's note on one of its messages (`assistant.meta`) carries quick replies; the rest of it is for the coach. */
function withQuickReplies(t: Transcript, rawType: string, data: unknown): Transcript | null {
  if (rawType !== 'assistant.meta' || typeof data !== 'object' || data === null) return null;
  const { messageId, quickReplies } = data as { messageId?: unknown; quickReplies?: unknown };
  if (typeof messageId !== 'string' || !Array.isArray(quickReplies)) return null;
  const msg = t.byId.get(t.aliases.get(messageId) ?? messageId);
  if (!msg || msg.kind !== 'assistant') return null;
  const replies = quickReplies.filter((r): r is string => typeof r === 'string' && r.trim() !== '').slice(0, 6);
  return replace(t, { ...msg, quickReplies: replies });
}

function confirmUser(t: Transcript, seq: number, at: string, clientMessageId: string, text: string, author: Author | null): Transcript {
  const id = userMessageId(clientMessageId);
  const existing = t.byId.get(id);
  const confirmed: UserMessage = { kind: 'user', id, clientMessageId, text, status: 'confirmed', seq, at, author };
  if (existing && existing.kind === 'user' && existing.status === 'confirmed') return t; // SL5 says never; be safe
  const without = existing ? removeMessage(t, id) : t;
  return insertConfirmed(without, confirmed);
}

/** Appends after the confirmed messages, before the pending ones. */
function insertConfirmed(t: Transcript, msg: TranscriptMessage): Transcript {
  const at = t.confirmedCount;
  const messages = [...t.messages.slice(0, at), msg, ...t.messages.slice(at)];
  const messageIds = [...t.messageIds.slice(0, at), msg.id, ...t.messageIds.slice(at)];
  const byId = new Map(t.byId);
  byId.set(msg.id, msg);
  return { ...t, messages, messageIds, byId, confirmedCount: at + 1 };
}

function removeMessage(t: Transcript, id: string): Transcript {
  const i = t.messageIds.indexOf(id);
  if (i < 0) return t;
  const byId = new Map(t.byId);
  byId.delete(id);
  return {
    ...t,
    messages: t.messages.filter((_, j) => j !== i),
    messageIds: t.messageIds.filter((_, j) => j !== i),
    byId,
    confirmedCount: i < t.confirmedCount ? t.confirmedCount - 1 : t.confirmedCount,
  };
}

/** Replaces a message in place (same id, same position); `messageIds` keeps its identity. */
function replace(t: Transcript, msg: TranscriptMessage): Transcript {
  let i = -1;
  for (let j = t.messageIds.length - 1; j >= 0; j--) {
    if (t.messageIds[j] === msg.id) {
      i = j;
      break;
    }
  }
  if (i < 0) return t;
  const messages = t.messages.slice();
  messages[i] = msg;
  const byId = new Map(t.byId);
  byId.set(msg.id, msg);
  return { ...t, messages, byId };
}

/** A delta or end for a message whose start we never saw (cannot happen without a gap); still show it. */
function assistantOrPlaceholder(
  t: Transcript,
  messageId: string,
  seq: number,
  at: string,
): { t: Transcript; msg: AssistantMessage } {
  const existing = t.byId.get(t.aliases.get(messageId) ?? messageId);
  if (existing && existing.kind === 'assistant') return { t, msg: existing };
  const msg = newAssistant(messageId, null, seq, at);
  return { t: { ...insertConfirmed(t, msg), activeMessageId: messageId }, msg };
}

export function pendingUserMessages(t: Transcript): UserMessage[] {
  return t.messages.slice(t.confirmedCount).filter((m): m is UserMessage => m.kind === 'user');
}
