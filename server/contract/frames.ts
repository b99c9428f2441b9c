// Session WebSocket frames (docs/protocol.md): what clients send and the ephemeral frames the server sends.
import { Type, type Static } from '@sinclair/typebox';
import { SESSION_ROLES, TURN_REQUEST_MODES, WS_ERROR_CODES } from './kinds.ts';
import { SessionEventEnvelope } from './events.ts';
import { MAX_CLIENT_MESSAGE_ID_CHARS, MAX_INT32, MAX_MESSAGE_CHARS, REPLAY_BATCH_EVENTS } from './limits.ts';
import { Int, Seq, StringEnum } from './schema-kit.ts';

// Client → server. Unknown properties of a frame are ignored (only HTTP bodies are strict).
export const UserMessageFrame = Type.Object({
  type: Type.Literal('user.message'),
  clientMessageId: Type.String({ minLength: 1, maxLength: MAX_CLIENT_MESSAGE_ID_CHARS }),
  /** Must contain something other than whitespace. */
  text: Type.String({ minLength: 1, maxLength: MAX_MESSAGE_CHARS, pattern: '\\S' }),
});
export const CancelFrame = Type.Object({ type: Type.Literal('cancel') });
export const PingFrame = Type.Object({ type: Type.Literal('ping') });
/** SL15: retry or continue the latest answer (`messageId`), or let the coach open the conversation. */
export const TurnRequestFrame = Type.Object({
  type: Type.Literal('turn.request'),
  requestId: Type.String({ minLength: 1, maxLength: MAX_CLIENT_MESSAGE_ID_CHARS }),
  mode: StringEnum(TURN_REQUEST_MODES),
  messageId: Type.Optional(Type.String({ minLength: 1, maxLength: MAX_CLIENT_MESSAGE_ID_CHARS })),
});
export type TurnRequestFrame = Static<typeof TurnRequestFrame>;
export const ClientFrame = Type.Union([UserMessageFrame, CancelFrame, PingFrame, TurnRequestFrame]);
export type ClientFrame = Static<typeof ClientFrame>;
export const CLIENT_FRAMES = { 'user.message': UserMessageFrame, cancel: CancelFrame, ping: PingFrame, 'turn.request': TurnRequestFrame } as const;

// Server → client, ephemeral (never stored, no seq).
export const ReadyFrame = Type.Object({ type: Type.Literal('ready'), lastSeq: Seq() });
export const ErrorFrame = Type.Object({
  type: Type.Literal('error'),
  code: StringEnum(WS_ERROR_CODES),
  message: Type.String(),
  /** Echoed for a refused user.message, so a client can drop it from its outbox. */
  clientMessageId: Type.Optional(Type.String()),
  /** Echoed for a refused turn.request (`turn_not_allowed`). */
  requestId: Type.Optional(Type.String()),
});
export const PongFrame = Type.Object({ type: Type.Literal('pong') });
export const PresenceDevice = Type.Object({
  deviceId: Type.String(),
  /** Untrusted text: the name the device gave, else one derived from its User-Agent. */
  label: Type.String(),
  connections: Int(1, MAX_INT32),
  /** Whose device it is, their name (untrusted text) and role in the session. */
  userId: Type.Optional(Type.String()),
  name: Type.Optional(Type.String()),
  role: Type.Optional(StringEnum(SESSION_ROLES)),
});
export const PresenceFrame = Type.Object({ type: Type.Literal('presence'), you: Type.String(), devices: Type.Array(PresenceDevice) });
export type ReadyFrame = Static<typeof ReadyFrame>;
export type ErrorFrame = Static<typeof ErrorFrame>;
export type PongFrame = Static<typeof PongFrame>;
export type PresenceDevice = Static<typeof PresenceDevice>;
export type PresenceFrame = Static<typeof PresenceFrame>;
export type EphemeralFrame = ReadyFrame | ErrorFrame | PongFrame | PresenceFrame;

/**
 * How the replay is framed: `event` one frame per event (default, older clients), `batch`
 * `events` frames of up to REPLAY_BATCH_EVENTS consecutive events, `compact` the same with
 * consecutive deltas of one message folded into one (SL18).
 */
export const REPLAY_MODES = ['event', 'batch', 'compact'] as const;
export type ReplayMode = (typeof REPLAY_MODES)[number];

/** Replay only (`replay=batch|compact`): persisted events in seq order, applied one by one. */
export const EventsFrame = Type.Object({ type: Type.Literal('events'), events: Type.Array(SessionEventEnvelope, { maxItems: REPLAY_BATCH_EVENTS }) });
export type EventsFrame = Static<typeof EventsFrame>;

/** `GET /api/sessions/:id/ws?after=N&replay=event|batch|compact`. */
export const WsQuery = Type.Object({ after: Type.Optional(Seq()), replay: Type.Optional(StringEnum(REPLAY_MODES)) }, { additionalProperties: false });
