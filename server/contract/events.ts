// Persisted session events (docs/protocol.md, "Server → client"): the envelope and each type's data.
import { Type, type Static } from '@sinclair/typebox';
import { END_STATUSES, SESSION_ROLES, TURN_REQUEST_MODES, type EventType } from './kinds.ts';
import { Int, IsoTime, StringEnum } from './schema-kit.ts';
import { MAX_CLIENT_MESSAGE_ID_CHARS, MAX_MESSAGE_CHARS, MAX_SEQ } from './limits.ts';

const Id = Type.String({ minLength: 1 });

/** Who wrote a message or took a session over. `displayName` is untrusted text. */
export const Author = Type.Object({ userId: Id, displayName: Type.String(), role: StringEnum(SESSION_ROLES) });
export type Author = Static<typeof Author>;

export const UserMessageData = Type.Object({
  clientMessageId: Type.String({ minLength: 1, maxLength: MAX_CLIENT_MESSAGE_ID_CHARS }),
  text: Type.String({ maxLength: MAX_MESSAGE_CHARS }),
  /** Set on every message written through HTTP or the WebSocket. */
  author: Type.Optional(Author),
});
/** handoff.started / handoff.ended (SL19): who took over, or who handed back. */
export const HandoffData = Type.Object({ by: Author });
export const AssistantStartData = Type.Object({ messageId: Id, runId: Id });
export const AssistantDeltaData = Type.Object({
  messageId: Id,
  text: Type.String(),
  /** Only in a compacted replay: this delta stands for the deltas fromSeq…seq (SL18). */
  fromSeq: Type.Optional(Int(1, MAX_SEQ)),
});
export const AssistantEndData = Type.Object({
  messageId: Id,
  status: StringEnum(END_STATUSES),
  /** Concatenated deltas of the message, in seq order (SL6). */
  text: Type.String(),
  reason: Type.Optional(Type.String()),
});
/** `by`: the device that pressed Stop (its presence deviceId and label), so others can say "Stopped from …". */
export const CancelRequestedData = Type.Object({
  messageId: Id,
  runId: Id,
  by: Type.Optional(Type.Object({ deviceId: Type.String(), label: Type.String() })),
});
/** SL15: a retry, continue or open; the next assistant.start answers it. `messageId` for retry and continue. */
export const TurnRequestedData = Type.Object({
  requestId: Type.String({ minLength: 1, maxLength: MAX_CLIENT_MESSAGE_ID_CHARS }),
  mode: StringEnum(TURN_REQUEST_MODES),
  messageId: Type.Optional(Id),
});
/** Who changed the plan: a person (with the login that did it, as in presence) or the coach. */
export const PlanAuthor = Type.Union([
  Type.Object({ kind: Type.Literal('user'), deviceId: Type.Optional(Type.String()) }),
  Type.Object({ kind: Type.Literal('coach') }),
]);
export type PlanAuthor = Static<typeof PlanAuthor>;
/**
 * `plan` is the WeekPlan of server/plan/types.ts (with `version`); only its envelope is part of
 * the frame check. `by` is on every event written since direct edits exist (older logs lack it).
 */
export const PlanUpdatedData = Type.Object({
  weekKey: Type.String({ minLength: 1 }),
  plan: Type.Object({}),
  by: Type.Optional(PlanAuthor),
  /** A person's write: what it changed, in words. */
  changes: Type.Optional(Type.Array(Type.String())),
});

/** Max suggestions on one coach message. */
export const MAX_QUICK_REPLIES = 5;
/**
 * The built-in coach's note on one of its messages, written before the message's text:
 * `quickReplies` are shown as buttons under the latest coach message (pressing one sends its
 * text as a user.message); `coach` is the coach's own state (not for display, SL14).
 */
export const AssistantMetaData = Type.Object({
  messageId: Id,
  quickReplies: Type.Array(Type.String({ minLength: 1, maxLength: 120 }), { maxItems: MAX_QUICK_REPLIES }),
  coach: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
});

export const EVENT_DATA = {
  'user.message': UserMessageData,
  'assistant.start': AssistantStartData,
  'assistant.delta': AssistantDeltaData,
  'assistant.end': AssistantEndData,
  'cancel.requested': CancelRequestedData,
  'plan.updated': PlanUpdatedData,
  'assistant.meta': AssistantMetaData,
  'turn.requested': TurnRequestedData,
  'handoff.started': HandoffData,
  'handoff.ended': HandoffData,
} as const satisfies Record<EventType, unknown>;

export type EventData<T extends EventType> = Static<(typeof EVENT_DATA)[T]>;

/** The envelope every persisted event has; `data` depends on `type`. */
export const SessionEventEnvelope = Type.Object({
  /** Per-session sequence number, 1, 2, 3, … (SL1). */
  seq: Int(1, MAX_SEQ),
  type: Type.String({ minLength: 1 }),
  /** ISO-8601 commit time (SL2). */
  at: IsoTime(),
  data: Type.Record(Type.String(), Type.Unknown()),
});

/** A persisted event as it travels: any type (clients ignore types they do not know). */
export type WireEvent = Static<typeof SessionEventEnvelope>;

/** A persisted event of a known type, with its data typed. */
export type TypedEvent<T extends EventType> = { seq: number; type: T; at: string; data: EventData<T> };
