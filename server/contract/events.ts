// Persisted session events (docs/protocol.md, "Server → client"): the envelope and each type's data.
import { Type, type Static } from '@sinclair/typebox';
import { END_STATUSES, SESSION_ROLES, type EventType } from './kinds.ts';
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
/** handoff.started / handoff.ended (SL14): who took over, or who handed back. */
export const HandoffData = Type.Object({ by: Author });
export const AssistantStartData = Type.Object({ messageId: Id, runId: Id });
export const AssistantDeltaData = Type.Object({ messageId: Id, text: Type.String() });
export const AssistantEndData = Type.Object({
  messageId: Id,
  status: StringEnum(END_STATUSES),
  /** Concatenated deltas of the message, in seq order (SL6). */
  text: Type.String(),
  reason: Type.Optional(Type.String()),
});
export const CancelRequestedData = Type.Object({ messageId: Id, runId: Id });
/** `plan` is the WeekPlan of server/plan/types.ts; only its envelope is part of the frame check. */
export const PlanUpdatedData = Type.Object({ weekKey: Type.String({ minLength: 1 }), plan: Type.Object({}) });

export const EVENT_DATA = {
  'user.message': UserMessageData,
  'assistant.start': AssistantStartData,
  'assistant.delta': AssistantDeltaData,
  'assistant.end': AssistantEndData,
  'cancel.requested': CancelRequestedData,
  'plan.updated': PlanUpdatedData,
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
