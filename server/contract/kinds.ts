// The closed sets of names on the wire. Plain values (no schema library) so the web app
// can import them; schemas.ts builds the matching schemas from these same arrays.

export const SESSION_KINDS = ['plan', 'review', 'chat'] as const;
export type SessionKind = (typeof SESSION_KINDS)[number];

/** How an assistant message ended (`assistant.end.status`). */
export const END_STATUSES = ['complete', 'cancelled', 'interrupted', 'failed'] as const;
export type EndStatus = (typeof END_STATUSES)[number];

/** Persisted event types. Clients must ignore types they do not know. */
export const EVENT_TYPES = ['user.message', 'assistant.start', 'assistant.delta', 'assistant.end', 'cancel.requested', 'plan.updated', 'assistant.meta'] as const;
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
