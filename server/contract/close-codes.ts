// WebSocket close codes of the session socket (docs/protocol.md, "Close codes").

/** The client fell more than MAX_BUFFERED_BYTES behind: reconnect and resume. */
export const CLOSE_SLOW_CONSUMER = 4008;
/** The server could not read the log: reconnect. */
export const CLOSE_SERVER_ERROR = 1011;
/** Graceful shutdown ("service restart"): reconnect (to another instance) and resume. */
export const CLOSE_SERVICE_RESTART = 1012;
/** Signed out (no login, logout, or the device was revoked). Mirrors HTTP 401; not retried. */
export const CLOSE_SIGNED_OUT = 4401;
/** The session does not exist or is not yours. Mirrors HTTP 404; not retried. */
export const CLOSE_NOT_FOUND = 4404;
/** Too many frames, or too many connections for this account. Mirrors HTTP 429: back off, then reconnect. */
export const CLOSE_RATE_LIMITED = 4029;
/** A text frame was not valid UTF-8 (sent by the ws library). */
export const CLOSE_INVALID_PAYLOAD = 1007;
/** A frame far over MAX_FRAME_BYTES (sent by the ws library). */
export const CLOSE_MESSAGE_TOO_BIG = 1009;

// Client → server.
/** The client closes a socket it is done with (disposed, or the browser went offline). */
export const CLOSE_NORMAL = 1000;
/** The client abandons a socket itself (a seq gap, a dead heartbeat, a connect timeout) and resumes on a new one. */
export const CLOSE_CLIENT_RESYNC = 4000;

/** Close codes after which retrying cannot help. */
export const TERMINAL_CLOSE_CODES: readonly number[] = [CLOSE_SIGNED_OUT, CLOSE_NOT_FOUND];
