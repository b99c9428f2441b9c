// Wire frames of the session WebSocket and a defensive parser for what the server sends.
// Nothing here trusts the server: every field is checked, and anything that does not fit
// comes back as an "invalid" frame instead of an exception.

// Shapes, names and codes come from the server's contract. Only the plain-value files
// (kinds, close codes) are imported as values, so no schema library reaches the bundle.
import type { Author, ClientFrame, EventData } from '../../../server/contract/index.ts';
import { END_STATUSES, SESSION_ROLES, TURN_REQUEST_MODES, type EndStatus, type SessionRole, type TurnRequestMode } from '../../../server/contract/kinds.ts';
import { MAX_DISPLAY_NAME_CHARS } from '../../../server/contract/limits.ts';
import type { WeekPlan } from '../../../server/plan/types.ts';

export type { Author, ClientFrame, EndStatus, TurnRequestMode };
export { END_STATUSES, TURN_REQUEST_MODES };
export {
  CLOSE_CLIENT_RESYNC,
  CLOSE_NORMAL,
  CLOSE_NOT_FOUND,
  CLOSE_SIGNED_OUT,
  CLOSE_SLOW_CONSUMER,
  TERMINAL_CLOSE_CODES,
} from '../../../server/contract/close-codes.ts';

interface EventBase {
  /** Per-session sequence number, 1, 2, 3, … (SL1). */
  seq: number;
  /** ISO-8601 commit time. */
  at: string;
}

export interface UserMessageEvent extends EventBase {
  type: 'user.message';
  data: EventData<'user.message'>;
}
export interface HandoffEvent extends EventBase {
  type: 'handoff.started' | 'handoff.ended';
  data: EventData<'handoff.started'>;
}
export interface AssistantStartEvent extends EventBase {
  type: 'assistant.start';
  data: EventData<'assistant.start'>;
}
export interface AssistantDeltaEvent extends EventBase {
  type: 'assistant.delta';
  /** `fromSeq`: a compacted replay folded the deltas fromSeq…seq of this message into this one (SL18). */
  data: EventData<'assistant.delta'>;
}
export interface AssistantEndEvent extends EventBase {
  type: 'assistant.end';
  data: EventData<'assistant.end'>;
}
export interface CancelRequestedEvent extends EventBase {
  type: 'cancel.requested';
  /** `by`: the device that pressed Stop (its presence deviceId and label), when the server says. */
  data: EventData<'cancel.requested'>;
}
/** SL15: retry, continue or open — a turn asked for without a user message. */
export interface TurnRequestedEvent extends EventBase {
  type: 'turn.requested';
  data: EventData<'turn.requested'>;
}
export interface PlanUpdatedEvent extends EventBase {
  type: 'plan.updated';
  /** The plan is passed through as sent; only its envelope is checked. */
  data: Omit<EventData<'plan.updated'>, 'plan'> & { plan: WeekPlan };
}
/**
 * A persisted event this client does not understand: a newer type, or a known type whose
 * data is malformed. It still occupies its seq, so the transcript advances past it.
 */
export interface UnknownEvent extends EventBase {
  type: 'unknown';
  rawType: string;
  data: unknown;
  /** Set when the type is known but its data did not validate. */
  malformed?: string;
}

export type KnownEvent =
  | UserMessageEvent
  | AssistantStartEvent
  | AssistantDeltaEvent
  | AssistantEndEvent
  | CancelRequestedEvent
  | PlanUpdatedEvent
  | TurnRequestedEvent
  | HandoffEvent;
export type SessionEvent = KnownEvent | UnknownEvent;

export type ServerFrame =
  | { kind: 'event'; event: SessionEvent }
  /** A replay batch (`?replay=batch`): consecutive events, applied in order. */
  | { kind: 'events'; events: SessionEvent[] }
  | { kind: 'ready'; lastSeq: number }
  /** `requestId` echoes a refused turn.request. */
  | { kind: 'error'; code: string; message: string; requestId?: string }
  | { kind: 'pong' }
  /** Shape not fixed yet: exposed raw. */
  | { kind: 'presence'; raw: Record<string, unknown> }
  /** An ephemeral frame type this client does not know: ignored. */
  | { kind: 'ignored'; type: string }
  | { kind: 'invalid'; reason: string; raw: unknown };


export function encodeClientFrame(frame: ClientFrame): string {
  return JSON.stringify(frame);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
function isNonEmptyString(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0;
}
function isSeq(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 1;
}
function isLastSeq(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

type DataCheck = (d: Record<string, unknown>) => string | null;

const DATA_CHECKS: Record<KnownEvent['type'], DataCheck> = {
  'user.message': (d) =>
    !isNonEmptyString(d.clientMessageId) ? 'clientMessageId' : typeof d.text !== 'string' ? 'text' : null,
  'assistant.start': (d) =>
    !isNonEmptyString(d.messageId) ? 'messageId' : !isNonEmptyString(d.runId) ? 'runId' : null,
  'assistant.delta': (d) =>
    !isNonEmptyString(d.messageId)
      ? 'messageId'
      : typeof d.text !== 'string'
        ? 'text'
        : d.fromSeq !== undefined && !isSeq(d.fromSeq)
          ? 'fromSeq'
          : null,
  'assistant.end': (d) =>
    !isNonEmptyString(d.messageId)
      ? 'messageId'
      : !END_STATUSES.includes(d.status as EndStatus)
        ? 'status'
        : typeof d.text !== 'string'
          ? 'text'
          : d.reason !== undefined && d.reason !== null && typeof d.reason !== 'string'
            ? 'reason'
            : null,
  'cancel.requested': (d) =>
    !isNonEmptyString(d.messageId) ? 'messageId' : !isNonEmptyString(d.runId) ? 'runId' : null,
  'plan.updated': (d) => (!isNonEmptyString(d.weekKey) ? 'weekKey' : !isRecord(d.plan) ? 'plan' : null),
  'turn.requested': (d) =>
    !isNonEmptyString(d.requestId)
      ? 'requestId'
      : !TURN_REQUEST_MODES.includes(d.mode as TurnRequestMode)
        ? 'mode'
        : d.mode !== 'open' && !isNonEmptyString(d.messageId)
          ? 'messageId'
          : null,
  'handoff.started': (d) => (parseAuthor(d.by) ? null : 'by'),
  'handoff.ended': (d) => (parseAuthor(d.by) ? null : 'by'),
};

export function parseAuthor(v: unknown): Author | undefined {
  if (!isRecord(v) || !isNonEmptyString(v.userId) || typeof v.displayName !== 'string') return undefined;
  if (!SESSION_ROLES.includes(v.role as SessionRole)) return undefined;
  return { userId: v.userId, displayName: v.displayName.trim().slice(0, MAX_DISPLAY_NAME_CHARS) || 'Someone', role: v.role as SessionRole };
}

function pickData(type: KnownEvent['type'], d: Record<string, unknown>): KnownEvent['data'] {
  switch (type) {
    case 'user.message': {
      const author = parseAuthor(d.author);
      return author ? { clientMessageId: d.clientMessageId as string, text: d.text as string, author } : { clientMessageId: d.clientMessageId as string, text: d.text as string };
    }
    case 'handoff.started':
    case 'handoff.ended':
      return { by: parseAuthor(d.by)! };
    case 'assistant.start':
      return { messageId: d.messageId as string, runId: d.runId as string };
    case 'cancel.requested': {
      const out: CancelRequestedEvent['data'] = { messageId: d.messageId as string, runId: d.runId as string };
      const by = d.by;
      if (isRecord(by) && isNonEmptyString(by.deviceId) && typeof by.label === 'string') out.by = { deviceId: by.deviceId, label: by.label };
      return out;
    }
    case 'turn.requested': {
      const out: TurnRequestedEvent['data'] = { requestId: d.requestId as string, mode: d.mode as TurnRequestMode };
      if (isNonEmptyString(d.messageId)) out.messageId = d.messageId;
      return out;
    }
    case 'assistant.delta':
      return isSeq(d.fromSeq)
        ? { messageId: d.messageId as string, text: d.text as string, fromSeq: d.fromSeq }
        : { messageId: d.messageId as string, text: d.text as string };
    case 'assistant.end': {
      const out: AssistantEndEvent['data'] = {
        messageId: d.messageId as string,
        status: d.status as EndStatus,
        text: d.text as string,
      };
      if (typeof d.reason === 'string') out.reason = d.reason;
      return out;
    }
    case 'plan.updated':
      return { weekKey: d.weekKey as string, plan: d.plan as unknown as WeekPlan };
  }
}

function parseEvent(obj: Record<string, unknown>): ServerFrame {
  const { seq, type, at, data } = obj;
  if (!isSeq(seq)) return { kind: 'invalid', reason: 'seq must be a positive integer', raw: obj };
  if (typeof type !== 'string') return { kind: 'invalid', reason: 'type must be a string', raw: obj };
  const atStr = typeof at === 'string' ? at : '';
  const check = Object.hasOwn(DATA_CHECKS, type) ? DATA_CHECKS[type as KnownEvent['type']] : undefined;
  if (!check) {
    return { kind: 'event', event: { seq, at: atStr, type: 'unknown', rawType: type, data } };
  }
  const problem = isRecord(data) ? check(data) : 'data';
  if (problem !== null || !isRecord(data)) {
    return {
      kind: 'event',
      event: { seq, at: atStr, type: 'unknown', rawType: type, data, malformed: `bad ${problem ?? 'data'}` },
    };
  }
  const known = type as KnownEvent['type'];
  if (known === 'assistant.delta' && isSeq(data.fromSeq) && data.fromSeq >= seq) {
    return { kind: 'invalid', reason: 'fromSeq must be below seq', raw: obj };
  }
  return { kind: 'event', event: { seq, at: atStr, type: known, data: pickData(known, data) } as KnownEvent };
}

/** Parses one server frame (a WebSocket message's data). Never throws. */
export function parseServerFrame(raw: unknown): ServerFrame {
  let value: unknown = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch {
      return { kind: 'invalid', reason: 'not JSON', raw };
    }
  }
  if (!isRecord(value)) return { kind: 'invalid', reason: 'not an object', raw };
  if ('seq' in value) return parseEvent(value);
  switch (value.type) {
    case 'ready':
      return isLastSeq(value.lastSeq)
        ? { kind: 'ready', lastSeq: value.lastSeq }
        : { kind: 'invalid', reason: 'ready without lastSeq', raw: value };
    case 'error':
      return {
        kind: 'error',
        code: typeof value.code === 'string' ? value.code : 'unknown',
        message: typeof value.message === 'string' ? value.message : '',
        ...(isNonEmptyString(value.requestId) ? { requestId: value.requestId } : {}),
      };
    case 'pong':
      return { kind: 'pong' };
    case 'events': {
      if (!Array.isArray(value.events)) return { kind: 'invalid', reason: 'events must be an array', raw: value };
      const events: SessionEvent[] = [];
      for (const item of value.events) {
        const parsed = isRecord(item) ? parseEvent(item) : undefined;
        // Stop at a broken entry: the next frame then shows a gap and the client resyncs.
        if (parsed?.kind !== 'event') break;
        events.push(parsed.event);
      }
      return { kind: 'events', events };
    }
    case 'presence':
      return { kind: 'presence', raw: value };
    default:
      return typeof value.type === 'string'
        ? { kind: 'ignored', type: value.type }
        : { kind: 'invalid', reason: 'no type', raw: value };
  }
}
