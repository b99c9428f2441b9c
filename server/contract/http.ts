// HTTP bodies, parameters and answers of the API (docs/protocol.md, "HTTP"). Routes pass
// these schemas to Fastify; answers are typed with them. Bodies refuse unknown properties.
import { Type, type Static } from '@sinclair/typebox';
import { BLOCK_KINDS, CANCEL_RESULTS, EDITABLE_ROCK_STATUSES, SESSION_KINDS, SESSION_ROLES, SESSION_STATUSES, TURN_REQUEST_MODES } from './kinds.ts';
import {
  DEFAULT_EVENTS_PAGE,
  MAX_CLIENT_MESSAGE_ID_CHARS,
  MAX_DEVICE_NAME_CHARS,
  MAX_DISPLAY_NAME_CHARS,
  MAX_EMAIL_CHARS,
  MAX_INVITE_CODE_INPUT_CHARS,
  MAX_PUSH_ENDPOINT_CHARS,
  MAX_EVENTS_PAGE,
  MAX_EPOCH_MS,
  MAX_ID_CHARS,
  MAX_INT32,
  MAX_MESSAGE_CHARS,
  MAX_PAIRING_CODE_INPUT_CHARS,
  MAX_PASSWORD_CHARS,
  MAX_SEQ,
  MAX_TIME_ZONE_CHARS,
  MAX_TITLE_CHARS,
  MIN_PASSWORD_CHARS,
} from './limits.ts';
import { SessionEventEnvelope } from './events.ts';
import { FINITE_KEYWORD, Int, IsoTime, OptionalBody, Seq, Strict, StringEnum } from './schema-kit.ts';

export const WEEK_KEY_PATTERN = '^\\d{4}-W\\d{2}$';

// ---- errors -------------------------------------------------------------------------------
export const ErrorBody = Type.Object({
  error: Type.Object({
    code: Type.String(),
    message: Type.String(),
    /** The request field at fault (validation errors). */
    field: Type.Optional(Type.String()),
  }),
});
export type ErrorBody = Static<typeof ErrorBody>;

// ---- parameters ---------------------------------------------------------------------------
/**
 * Ids in paths. Routes answer a malformed id like a foreign one (404), so no format or length
 * here; Fastify's maxParamLength (100) answers longer ones with 414 before routing.
 */
export const IdParams = Type.Object({ id: Type.String() });
export const WeekParams = Type.Object({ weekKey: Type.String({ pattern: WEEK_KEY_PATTERN }) });

// ---- accounts -----------------------------------------------------------------------------
export const User = Type.Object({
  id: Type.String(),
  email: Type.String(),
  timeZone: Type.String(),
  /** The name others see in a shared session: the chosen one, else the email's local part. */
  displayName: Type.Optional(Type.String()),
});
export type User = Static<typeof User>;
export const UserAnswer = Type.Object({ user: User });
/** GET /api/auth/session: who is signed in here, answered 200 either way (a signed-out page load logs no error). */
export const AuthSessionAnswer = Type.Object({ user: Type.Union([User, Type.Null()]) });

const DeviceName = Type.String({ maxLength: MAX_DEVICE_NAME_CHARS });
const TimeZone = Type.String({ maxLength: MAX_TIME_ZONE_CHARS });

export const CredentialsBody = Type.Object(
  {
    email: Type.String({ format: 'email', maxLength: MAX_EMAIL_CHARS }),
    password: Type.String({ minLength: MIN_PASSWORD_CHARS, maxLength: MAX_PASSWORD_CHARS }),
    deviceName: Type.Optional(DeviceName),
    /** IANA zone; sign-up only (login ignores it). */
    timeZone: Type.Optional(TimeZone),
  },
  Strict,
);
export type CredentialsBody = Static<typeof CredentialsBody>;

export const PatchMeBody = Type.Object(
  {
    timeZone: Type.Optional(TimeZone),
    displayName: Type.Optional(Type.String({ minLength: 1, maxLength: MAX_DISPLAY_NAME_CHARS, pattern: '\\S' })),
  },
  { ...Strict, minProperties: 1 },
);
export type PatchMeBody = Static<typeof PatchMeBody>;

export const Device = Type.Object({
  id: Type.String(),
  deviceName: Type.String(),
  createdAt: IsoTime(),
  lastSeenAt: IsoTime(),
  /** The device asking. */
  current: Type.Boolean(),
  /** Where this device gets Web Push notifications (`service` is the push service's origin). */
  pushSubscriptions: Type.Optional(Type.Array(Type.Object({ id: Type.String(), service: Type.String(), createdAt: IsoTime() }))),
});
export type Device = Static<typeof Device>;
export const DeviceList = Type.Object({ devices: Type.Array(Device) });

export const CreatePairingBody = OptionalBody(Type.Object({ sessionId: Type.Optional(Type.String({ maxLength: MAX_ID_CHARS })) }, Strict));
export const Pairing = Type.Object({
  code: Type.String(),
  /** Absolute `/pair/<code>` link. */
  url: Type.String(),
  expiresAt: IsoTime(),
  /** The link as a QR code, SVG markup. */
  qrSvg: Type.String(),
});
export type Pairing = Static<typeof Pairing>;
export const RedeemPairingBody = Type.Object(
  { code: Type.String({ minLength: 1, maxLength: MAX_PAIRING_CODE_INPUT_CHARS }), deviceName: Type.Optional(DeviceName) },
  Strict,
);
export const RedeemPairingAnswer = Type.Object({ user: User, sessionId: Type.Union([Type.String(), Type.Null()]) });
export type RedeemPairingAnswer = Static<typeof RedeemPairingAnswer>;

export const ApiKeyCreated = Type.Object({ id: Type.String(), key: Type.String(), createdAt: IsoTime() });
export const ApiKeyList = Type.Object({ keys: Type.Array(Type.Object({ id: Type.String(), createdAt: IsoTime() })) });

// ---- sessions -----------------------------------------------------------------------------
export const SessionKindSchema = StringEnum(SESSION_KINDS);

export const CreateSessionBody = OptionalBody(
  Type.Object(
    {
      title: Type.Optional(Type.String({ maxLength: MAX_TITLE_CHARS })),
      kind: Type.Optional(SessionKindSchema),
      weekKey: Type.Optional(Type.String({ pattern: WEEK_KEY_PATTERN })),
    },
    Strict,
  ),
);
export type CreateSessionBody = NonNullable<Static<typeof CreateSessionBody>>;

export const SessionView = Type.Object({
  id: Type.String(),
  title: Type.String(),
  kind: SessionKindSchema,
  /** The ISO week the session plans or reviews; null until the coach has run (unless given). */
  weekKey: Type.Union([Type.String(), Type.Null()]),
  createdAt: IsoTime(),
  lastSeq: Seq(),
  /** The caller's place in it; `shared` is true when the caller is a partner. */
  role: Type.Optional(StringEnum(SESSION_ROLES)),
  shared: Type.Optional(Type.Boolean()),
});
export type SessionView = Static<typeof SessionView>;

/** A session in GET /api/sessions: also where it stands and its last line. */
export const SessionListItem = Type.Composite([
  SessionView,
  Type.Object({
    status: StringEnum(SESSION_STATUSES),
    /** The last line of the latest message (at most PREVIEW_CHARS); null before anything was said. */
    preview: Type.Union([Type.Object({ role: StringEnum(['user', 'coach'] as const), text: Type.String() }), Type.Null()]),
    /** When the latest message (or the session, if none) was written. */
    lastActiveAt: IsoTime(),
  }),
]);
export type SessionListItem = Static<typeof SessionListItem>;
export const SessionList = Type.Object({ sessions: Type.Array(SessionListItem) });

/** PATCH /api/sessions/:id. Trimmed; not blank. */
export const RenameSessionBody = Type.Object({ title: Type.String({ minLength: 1, maxLength: MAX_TITLE_CHARS, pattern: '\\S' }) }, Strict);
export type RenameSessionBody = Static<typeof RenameSessionBody>;

/** POST /api/sessions/:id/turns (SL15). `messageId` is required for retry and continue. */
export const TurnRequestBody = Type.Object(
  {
    requestId: Type.String({ minLength: 1, maxLength: MAX_CLIENT_MESSAGE_ID_CHARS }),
    mode: StringEnum(TURN_REQUEST_MODES),
    messageId: Type.Optional(Type.String({ minLength: 1, maxLength: MAX_CLIENT_MESSAGE_ID_CHARS })),
  },
  Strict,
);
export type TurnRequestBody = Static<typeof TurnRequestBody>;

export const EventsQuery = Type.Object(
  {
    after: Seq({ default: 0 }),
    limit: Int(1, MAX_EVENTS_PAGE, { default: DEFAULT_EVENTS_PAGE }),
  },
  Strict,
);
export type EventsQuery = Static<typeof EventsQuery>;
export const EventsAnswer = Type.Object({ events: Type.Array(SessionEventEnvelope), lastSeq: Seq() });

export const PostMessageBody = Type.Object(
  {
    clientMessageId: Type.String({ minLength: 1, maxLength: MAX_CLIENT_MESSAGE_ID_CHARS }),
    text: Type.String({ minLength: 1, maxLength: MAX_MESSAGE_CHARS, pattern: '\\S' }),
  },
  Strict,
);
export type PostMessageBody = Static<typeof PostMessageBody>;
export const PostMessageAnswer = Type.Object({ seq: Int(1, MAX_SEQ), duplicate: Type.Boolean() });
export const CancelAnswer = Type.Object({ result: StringEnum(CANCEL_RESULTS) });

// ---- health -----------------------------------------------------------------------------------
export const DATABASE_KINDS = ['postgres', 'pglite'] as const;
/** GET /healthz: the process is alive (the database is not asked). */
export const Health = Type.Object({ status: Type.Literal('ok'), database: StringEnum(DATABASE_KINDS) });
/** GET /readyz: 200 `ready`; 503 `draining` (shutdown started) or `database unavailable`. */
export const Readiness = Type.Object({ status: StringEnum(['ready', 'draining', 'database unavailable'] as const), database: StringEnum(DATABASE_KINDS) });

// ---- calendar feeds ---------------------------------------------------------------------------
export const FeedCreated = Type.Object({ id: Type.String(), createdAt: IsoTime(), url: Type.String() });

// ---- plan edits (docs/protocol.md, "Editing the plan") -------------------------------------
/** An ISO-8601 instant with a zone: "2026-11-23T09:00:00Z", "2026-11-23T10:00+01:00". */
export const INSTANT_PATTERN = '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?(Z|[+-]\\d{2}:\\d{2})$';
/** Bounds for the schema only; the plan rules give the readable limits (422 title_too_long…). */
export const MAX_PLAN_TEXT_CHARS = 2000;
export const MAX_ROCK_POSITION = 1000;
const Instant = Type.String({ pattern: INSTANT_PATTERN, maxLength: 40 });
const PlanText = Type.String({ maxLength: MAX_PLAN_TEXT_CHARS });
// Null first: with type coercion on, a string branch tried first would turn null into "".
const RockRef = Type.Union([Type.Null(), Type.String({ maxLength: MAX_ID_CHARS })]);

export const BlockParams = Type.Object({ weekKey: Type.String({ pattern: WEEK_KEY_PATTERN }), blockId: Type.String() });
export const RockParams = Type.Object({ weekKey: Type.String({ pattern: WEEK_KEY_PATTERN }), rockId: Type.String() });
export const EnvironmentParams = Type.Object({ weekKey: Type.String({ pattern: WEEK_KEY_PATTERN }), id: Type.String() });

export const CreateBlockBody = Type.Object(
  { kind: StringEnum(BLOCK_KINDS), title: PlanText, start: Instant, end: Instant, rockId: Type.Optional(RockRef) },
  Strict,
);
export type CreateBlockBody = Static<typeof CreateBlockBody>;
/** At least one field; `rockId: null` unlinks the rock. */
export const PatchBlockBody = Type.Object(
  { kind: Type.Optional(StringEnum(BLOCK_KINDS)), title: Type.Optional(PlanText), start: Type.Optional(Instant), end: Type.Optional(Instant), rockId: Type.Optional(RockRef) },
  { ...Strict, minProperties: 1 },
);
export type PatchBlockBody = Static<typeof PatchBlockBody>;
export const CreateRockBody = Type.Object({ title: PlanText }, Strict);
/** `position`: 0 = first; the other rocks move down. */
export const PatchRockBody = Type.Object(
  { title: Type.Optional(PlanText), status: Type.Optional(StringEnum(EDITABLE_ROCK_STATUSES)), position: Type.Optional(Int(0, MAX_ROCK_POSITION)) },
  { ...Strict, minProperties: 1 },
);
export type PatchRockBody = Static<typeof PatchRockBody>;
export const VisionBody = Type.Object({ work: PlanText, self: PlanText, relationships: PlanText }, Strict);
export const EnvironmentBody = Type.Object({ text: PlanText }, Strict);
/** The weekly review slot, exported in the .ics instead of the default Friday slot. */
export const ReviewBody = Type.Object({ start: Instant, end: Instant }, Strict);
/** 200/201 of every plan edit (and 412's `plan`): the WeekPlan of server/plan/types.ts. */
export const PlanAnswer = Type.Object({ plan: Type.Object({ version: Int(0, MAX_INT32) }) });
export const Feed = Type.Object({ id: Type.String(), createdAt: IsoTime() });
export type Feed = Static<typeof Feed>;
export const FeedList = Type.Object({ feeds: Type.Array(Feed) });

// ---- a human in the session (handoff) ------------------------------------------------------
export const PartnerParams = Type.Object({ id: Type.String(), userId: Type.String() });
export const Invite = Type.Object({
  code: Type.String(),
  /** Absolute `/invite/<code>` link (on PUBLIC_URL when set). */
  url: Type.String(),
  expiresAt: IsoTime(),
  /** The link as a QR code, SVG markup. */
  qrSvg: Type.String(),
});
export type Invite = Static<typeof Invite>;
export const RedeemInviteBody = Type.Object({ code: Type.String({ minLength: 1, maxLength: MAX_INVITE_CODE_INPUT_CHARS }) }, Strict);
export const RedeemInviteAnswer = Type.Object({ sessionId: Type.String() });
export const HandoffAnswer = Type.Object({ handoff: StringEnum(['started', 'ended'] as const) });
export const Partner = Type.Object({ userId: Type.String(), displayName: Type.String(), createdAt: IsoTime() });
export type Partner = Static<typeof Partner>;
export const PartnerList = Type.Object({ partners: Type.Array(Partner) });

// ---- Web Push and reminders ------------------------------------------------------------------
export const VapidPublicKey = Type.Object({ publicKey: Type.String() });
/** A browser's PushSubscription.toJSON(); `expirationTime` is accepted and ignored. */
export const PushSubscriptionBody = Type.Object(
  {
    endpoint: Type.String({ minLength: 1, maxLength: MAX_PUSH_ENDPOINT_CHARS }),
    expirationTime: Type.Optional(Type.Union([Type.Number({ minimum: 0, maximum: MAX_EPOCH_MS, [FINITE_KEYWORD]: true }), Type.Null()])),
    keys: Type.Object({ p256dh: Type.String({ minLength: 1, maxLength: 200 }), auth: Type.String({ minLength: 1, maxLength: 100 }) }, Strict),
  },
  Strict,
);
export type PushSubscriptionBody = Static<typeof PushSubscriptionBody>;
export const PushSubscriptionCreated = Type.Object({ id: Type.String() });
export type PushSubscriptionView = NonNullable<Device['pushSubscriptions']>[number];

export const HHMM_PATTERN = '^([01]\\d|2[0-3]):[0-5]\\d$';
const Hhmm = Type.String({ pattern: HHMM_PATTERN });
/** `weekday`: 0–7 (0 and 7 Sunday, 1 Monday) or a day name ("friday", "Fri"); `time` local "HH:MM". */
export const WeeklyTime = Type.Object({ weekday: Type.Union([Int(0, 7), Type.String({ minLength: 3, maxLength: 9 })]), time: Hhmm }, Strict);
export type WeeklyTime = Static<typeof WeeklyTime>;
export const QuietHours = Type.Object({ from: Hhmm, to: Hhmm }, Strict);
export type QuietHours = Static<typeof QuietHours>;
/** Both reminders are named, `null` to turn one off: a body missing one is 400, not a silent "off". */
export const RemindersBody = Type.Object(
  {
    review: Type.Union([WeeklyTime, Type.Null()]),
    planning: Type.Union([WeeklyTime, Type.Null()]),
    quietHours: Type.Optional(Type.Union([QuietHours, Type.Null()])),
  },
  Strict,
);
export type RemindersBody = Static<typeof RemindersBody>;
export const Reminders = Type.Object({
  review: Type.Union([WeeklyTime, Type.Null()]),
  planning: Type.Union([WeeklyTime, Type.Null()]),
  quietHours: Type.Union([QuietHours, Type.Null()]),
  timeZone: Type.String(),
  /** When each reminder fires next, or null when it is off. */
  next: Type.Object({ review: Type.Union([IsoTime(), Type.Null()]), planning: Type.Union([IsoTime(), Type.Null()]) }),
});
export type Reminders = Static<typeof Reminders>;
