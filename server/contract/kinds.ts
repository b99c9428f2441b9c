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
  'assistant.meta',
  'turn.requested',
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
  /** A turn.request that SL15 refused; the frame echoes its requestId. */
  'turn_not_allowed',
  'internal',
] as const;
export type WsErrorCode = (typeof WS_ERROR_CODES)[number];

/** What POST /api/sessions/:id/cancel (and the WebSocket `cancel`) found. */
export const CANCEL_RESULTS = ['cancel_recorded', 'no_active_run'] as const;
export type CancelResult = (typeof CANCEL_RESULTS)[number];

/** Kinds of time block. */
export const BLOCK_KINDS = ['deep_work', 'recovery', 'other'] as const;
export type BlockKindName = (typeof BLOCK_KINDS)[number];

/** Rock statuses a person may set directly ("carried" comes only from carrying a rock over). */
export const EDITABLE_ROCK_STATUSES = ['planned', 'done', 'dropped'] as const;

/** Who made a plan change (`plan.updated.by.kind`). */
export const PLAN_AUTHOR_KINDS = ['user', 'coach'] as const;
export type PlanAuthorKind = (typeof PLAN_AUTHOR_KINDS)[number];

/** 422 codes of the plan edits (server/plan/rules.ts), and 412's. */
export const PLAN_RULE_CODES = [
  'deep_work_too_short',
  'blocks_overlap',
  'too_many_rocks',
  'invalid_time',
  'title_empty',
  'title_too_long',
  'text_too_long',
  'too_many_blocks',
  'unknown_rock',
  'too_many_environment_changes',
  'carry_limit',
  'not_carryable',
  'invalid_status',
] as const;
export type PlanRuleCode = (typeof PLAN_RULE_CODES)[number];
export const PLAN_CHANGED = 'plan_changed';
/**
 * A turn the coach is asked for without a new user message (SL15): `retry` answers the same
 * message again, `continue` resumes a stopped answer, `open` lets the coach speak first.
 */
export const TURN_REQUEST_MODES = ['retry', 'continue', 'open'] as const;
export type TurnRequestMode = (typeof TURN_REQUEST_MODES)[number];

/**
 * Where a conversation stands (GET /api/sessions): `new` (nothing said yet), `answering` (a run
 * is active), `waiting` (a turn nobody has answered yet), `stopped` (the latest answer was
 * cancelled, interrupted or failed), `your_turn` (the coach finished and waits for you).
 */
export const SESSION_STATUSES = ['new', 'answering', 'waiting', 'stopped', 'your_turn'] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];
/** A person's place in a session: its owner, or a partner the owner invited (handoff). */
export const SESSION_ROLES = ['owner', 'partner'] as const;
export type SessionRole = (typeof SESSION_ROLES)[number];
