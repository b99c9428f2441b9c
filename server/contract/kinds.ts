// The closed sets of names on the wire. Plain values (no schema library) so the web app
// can import them; schemas.ts builds the matching schemas from these same arrays.

export const SESSION_KINDS = ['plan', 'review', 'chat'] as const;
export type SessionKind = (typeof SESSION_KINDS)[number];

/** How an assistant message ended (`assistant.end.status`). */
export const END_STATUSES = ['complete', 'cancelled', 'interrupted', 'failed'] as const;
export type EndStatus = (typeof END_STATUSES)[number];

/** Persisted event types. Clients must ignore types they do not know. */
export const EVENT_TYPES = [
  'user.message',
  'assistant.start',
  'assistant.delta',
  'assistant.end',
  'cancel.requested',
  'plan.updated',
  'handoff.started',
  'handoff.ended',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** Codes of the ephemeral `error` frame. */
export const WS_ERROR_CODES = [
  'invalid_json',
  'invalid_frame',
  'unknown_type',
  'message_too_long',
  'frame_too_large',
  'rate_limited',
  'no_active_run',
  'not_found',
  'internal',
] as const;
export type WsErrorCode = (typeof WS_ERROR_CODES)[number];

/** What POST /api/sessions/:id/cancel (and the WebSocket `cancel`) found. */
export const CANCEL_RESULTS = ['cancel_recorded', 'no_active_run'] as const;
export type CancelResult = (typeof CANCEL_RESULTS)[number];

/** A person's place in a session: its owner, or a partner the owner invited (handoff). */
export const SESSION_ROLES = ['owner', 'partner'] as const;
export type SessionRole = (typeof SESSION_ROLES)[number];
