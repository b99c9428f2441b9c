// Every size and range of the wire contract. Plain values with no schema library behind
// them, so the web app can import them without growing its bundle.

/** Highest value a PostgreSQL `integer` column holds: seqs, offsets and counters stop here. */
export const MAX_INT32 = 2_147_483_647;
/** The last millisecond JavaScript dates reach (±8.64e15 ms from 1970): timestamps in ms stay within 0 … this. */
export const MAX_EPOCH_MS = 8.64e15;
/** A session's events are numbered 1, 2, 3, … up to this (SL1); `after` cursors run 0 … this. */
export const MAX_SEQ = MAX_INT32;

/** JSON bodies of the API (and Durable Streams requests that are not key-authenticated appends). */
export const BODY_LIMIT_BYTES = 64 * 1024;
/** A key-authenticated append to (or initial body of) a generic Durable Stream. */
export const MAX_APPEND_BYTES = 16 * 1024 * 1024;

export const MAX_MESSAGE_CHARS = 8_000;
export const MAX_TITLE_CHARS = 200;
export const MAX_CLIENT_MESSAGE_ID_CHARS = 100;
export const MAX_EVENTS_PAGE = 1_000;
export const DEFAULT_EVENTS_PAGE = 500;

export const MIN_PASSWORD_CHARS = 8;
export const MAX_PASSWORD_CHARS = 200;
export const MAX_EMAIL_CHARS = 254;
export const MAX_DEVICE_NAME_CHARS = 120;
export const MAX_TIME_ZONE_CHARS = 64;
/** Pairing codes are 10 characters; room for the dashes and spaces a person may type between groups. */
export const PAIRING_CODE_CHARS = 10;
export const MAX_PAIRING_CODE_INPUT_CHARS = PAIRING_CODE_CHARS * 2;
/** Ids are UUIDs (36 characters); anything longer is not one of ours. */
export const MAX_ID_CHARS = 64;

/** Session WebSocket frames: bigger ones get `frame_too_large`; above 4× the socket is closed (1009). */
export const MAX_FRAME_BYTES = 64 * 1024;
/** Events per `events` frame in a batched replay (`replay=batch|compact`). */
export const REPLAY_BATCH_EVENTS = 250;
/** A socket this far behind is closed with 4008 and resumes from its last seq. */
export const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

export const MAX_STREAM_PATH_CHARS = 512;

/** Active big rocks per week (a sixth is 422 too_many_rocks). */
export const MAX_ACTIVE_ROCKS = 5;
/** Rock, block and environment-change titles (longer ones are 422 title_too_long): they must fit on a calendar. */
export const MAX_PLAN_TITLE_CHARS = 120;
/** Each of the vision's three parts (work, self, relationships). */
export const MAX_VISION_PART_CHARS = 500;

/** A session list preview: the last line of the latest message, cut to this many characters. */
export const PREVIEW_CHARS = 140;
/** GET /api/sessions lists at most this many, newest first. */
export const MAX_LISTED_SESSIONS = 200;
/** A cancel.requested names the device that pressed Stop by a label of at most this many characters. */
export const MAX_DEVICE_LABEL_CHARS = 120;
/** Presence labels and names are cut to this many characters (by the server, and again by clients). */
export const MAX_PRESENCE_LABEL_CHARS = 60;
/** The name others see in a shared session. */
export const MAX_DISPLAY_NAME_CHARS = 60;
/** Invite codes: 16 Crockford base32 characters (80 bits); room for typed dashes and spaces. */
export const INVITE_CODE_CHARS = 16;
export const MAX_INVITE_CODE_INPUT_CHARS = INVITE_CODE_CHARS * 2;
/** Push subscription endpoints are URLs chosen by push services; the longest seen are a few hundred characters. */
export const MAX_PUSH_ENDPOINT_CHARS = 2_048;
