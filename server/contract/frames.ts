// Session WebSocket frames (docs/protocol.md): what clients send and the ephemeral frames the server sends.
import { Type, type Static } from '@sinclair/typebox';
import { SESSION_ROLES, WS_ERROR_CODES } from './kinds.ts';
import { MAX_CLIENT_MESSAGE_ID_CHARS, MAX_INT32, MAX_MESSAGE_CHARS } from './limits.ts';
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
export const ClientFrame = Type.Union([UserMessageFrame, CancelFrame, PingFrame]);
export type ClientFrame = Static<typeof ClientFrame>;
export const CLIENT_FRAMES = { 'user.message': UserMessageFrame, cancel: CancelFrame, ping: PingFrame } as const;

// Server → client, ephemeral (never stored, no seq).
export const ReadyFrame = Type.Object({ type: Type.Literal('ready'), lastSeq: Seq() });
export const ErrorFrame = Type.Object({
  type: Type.Literal('error'),
  code: StringEnum(WS_ERROR_CODES),
  message: Type.String(),
  /** Echoed for a refused user.message, so a client can drop it from its outbox. */
  clientMessageId: Type.Optional(Type.String()),
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

/** `GET /api/sessions/:id/ws?after=N`. */
export const WsQuery = Type.Object({ after: Type.Optional(Seq()) }, { additionalProperties: false });
