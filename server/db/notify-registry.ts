// The one LISTEN/NOTIFY channel and everything said on it. Payloads are pointers, never
// data (SL8): a reader that needs the data reads it from the store. Every prefix, every
// encoder and the one decoder live here, so no module invents its own format.
//
//   h:<origin>|<session>:<seq>|<session>:<seq>…   session logs committed up to seq (one per
//                                                  statement, however many sessions it wrote)
//   e:<session>:<seq>                               the same for one session, without origin
//                                                  (older instances during a rolling deploy)
//   s:<run>                                         a stop was recorded for this run (SL10)
//   r:<session>                                     the session's active run ended
//   d:<session>                                     the session was deleted (SL16): close its sockets
//   x:<stream>:<tailSeq>                            a Durable Stream moved; -1 = deleted
//   x:<origin>|<stream>:<tailSeq>|…                 Durable Streams moved by one group commit
//                                                  (one notice per commit, split like h:)
//   p:<json>                                        presence announcement (ephemeral)
//   k:<session>:<user>                              the owner removed a partner: close their sockets
//   w:<user> <week> <user|coach> [device]           a week's plan changed (week pages without a session)

/** The channel every instance LISTENs on. */
export const NOTIFY_CHANNEL = 'focus_coach';
/** The channel as an SQL literal, spliced into statements (a constant, never user input). */
export const NOTIFY_CHANNEL_SQL = `'${NOTIFY_CHANNEL}'`;

export const NOTICE_PREFIX = {
  sessionHeads: 'h:',
  legacySessionHead: 'e:',
  runStop: 's:',
  runEnded: 'r:',
  sessionDeleted: 'd:',
  streamMoved: 'x:',
  presence: 'p:',
  partnerRemoved: 'k:',
  weekChanged: 'w:',
} as const;

/**
 * Session heads per `h:` payload. A head is at most ~48 bytes (UUID, colon, seq, bar), so
 * 150 of them stay far below Postgres's 8000-byte payload limit.
 */
export const HEADS_PER_NOTICE = 150;

export interface SessionHead {
  sessionId: string;
  seq: number;
}

export interface StreamHead {
  streamId: string;
  tailSeq: number;
}

/** Who changed a week's plan, as the `w:` pointer carries it (the contract's PlanAuthor). */
export type WeekAuthor = { kind: 'user'; deviceId?: string } | { kind: 'coach' };

/** A week's plan changed: read the plan to see how. */
export interface WeekPointer {
  userId: string;
  weekKey: string;
  by: WeekAuthor;
}

export type Notice =
  /** `origin` names the writer (null from the legacy form), so a writer can skip its own commits. */
  | { kind: 'session_heads'; origin: string | null; heads: SessionHead[] }
  | { kind: 'run_stop'; runId: string }
  | { kind: 'run_ended'; sessionId: string }
  | { kind: 'session_deleted'; sessionId: string }
  | { kind: 'stream_moved'; streamId: string; tailSeq: number }
  /** `origin` names the writer, so it can skip the streams it already woke in-process. */
  | { kind: 'streams_moved'; origin: string; heads: StreamHead[] }
  | { kind: 'presence'; body: string }
  /** The owner removed a partner: every instance closes that partner's sockets on the session. */
  | { kind: 'partner_removed'; sessionId: string; userId: string }
  | ({ kind: 'week_changed' } & WeekPointer);

function head(text: string): SessionHead | undefined {
  const i = text.lastIndexOf(':');
  const seq = Number(text.slice(i + 1));
  if (i <= 0 || !Number.isInteger(seq)) return undefined;
  return { sessionId: text.slice(0, i), seq };
}

/** Decodes any payload on the channel; undefined for anything malformed or unknown. */
export function decodeNotice(payload: string): Notice | undefined {
  const prefix = payload.slice(0, 2);
  const rest = payload.slice(2);
  switch (prefix) {
    case NOTICE_PREFIX.sessionHeads: {
      const parts = rest.split('|');
      const origin = parts[0];
      if (!origin || parts.length < 2) return undefined;
      const heads: SessionHead[] = [];
      for (const p of parts.slice(1)) {
        const h = head(p);
        if (!h) return undefined;
        heads.push(h);
      }
      return { kind: 'session_heads', origin, heads };
    }
    case NOTICE_PREFIX.legacySessionHead: {
      const h = head(rest);
      return h ? { kind: 'session_heads', origin: null, heads: [h] } : undefined;
    }
    case NOTICE_PREFIX.runStop:
      return rest ? { kind: 'run_stop', runId: rest } : undefined;
    case NOTICE_PREFIX.runEnded:
      return rest ? { kind: 'run_ended', sessionId: rest } : undefined;
    case NOTICE_PREFIX.sessionDeleted:
      return rest ? { kind: 'session_deleted', sessionId: rest } : undefined;
    case NOTICE_PREFIX.streamMoved: {
      if (rest.includes('|')) {
        const [origin, ...parts] = rest.split('|');
        const heads: StreamHead[] = [];
        for (const p of parts) {
          const h = head(p);
          if (!h) return undefined;
          heads.push({ streamId: h.sessionId, tailSeq: h.seq });
        }
        return origin && heads.length > 0 ? { kind: 'streams_moved', origin, heads } : undefined;
      }
      const h = head(rest);
      return h ? { kind: 'stream_moved', streamId: h.sessionId, tailSeq: h.seq } : undefined;
    }
    case NOTICE_PREFIX.presence:
      return rest ? { kind: 'presence', body: rest } : undefined;
    case NOTICE_PREFIX.partnerRemoved: {
      const [sessionId, userId, extra] = rest.split(':');
      return sessionId && userId && extra === undefined ? { kind: 'partner_removed', sessionId, userId } : undefined;
    }
    case NOTICE_PREFIX.weekChanged: {
      const [userId, weekKey, by, deviceId, extra] = rest.split(' ');
      if (!userId || !weekKey || extra !== undefined) return undefined;
      if (by === 'coach' && deviceId === undefined) return { kind: 'week_changed', userId, weekKey, by: { kind: 'coach' } };
      if (by === 'user') return { kind: 'week_changed', userId, weekKey, by: deviceId ? { kind: 'user', deviceId } : { kind: 'user' } };
      return undefined;
    }
    default:
      return undefined;
  }
}

// SQL encoders: expressions that build payloads inside the writing statement, so the
// notification is part of the same transaction and is delivered at COMMIT (SL2, SL8).

/** `pg_notify` of one session head; `origin`, `session` and `seq` are SQL expressions. */
export function sqlNotifyHead(origin: string, session: string, seq: string): string {
  return `pg_notify(${NOTIFY_CHANNEL_SQL}, '${NOTICE_PREFIX.sessionHeads}' || ${origin} || '|' || ${session} || ':' || ${seq})`;
}

/**
 * A SELECT yielding `sent`: one `pg_notify` per HEADS_PER_NOTICE rows of `rows` (a CTE
 * with `sessionId` and `seq` columns). Reference it in FROM so it runs exactly once.
 */
export function sqlNotifyHeads(origin: string, rows: string): string {
  return `SELECT count(pg_notify(${NOTIFY_CHANNEL_SQL}, '${NOTICE_PREFIX.sessionHeads}' || ${origin} || '|' || heads)) AS sent FROM (
      SELECT string_agg(c."sessionId" || ':' || c.seq, '|') AS heads FROM (
        SELECT "sessionId", seq, (row_number() OVER () - 1) / ${HEADS_PER_NOTICE} AS chunk FROM ${rows}
      ) c GROUP BY c.chunk
    ) g`;
}

export function sqlNotifyRunStop(run: string): string {
  return `pg_notify(${NOTIFY_CHANNEL_SQL}, '${NOTICE_PREFIX.runStop}' || ${run})`;
}

export function sqlNotifyRunEnded(session: string): string {
  return `pg_notify(${NOTIFY_CHANNEL_SQL}, '${NOTICE_PREFIX.runEnded}' || ${session})`;
}

export function sqlNotifySessionDeleted(session: string): string {
  return `pg_notify(${NOTIFY_CHANNEL_SQL}, '${NOTICE_PREFIX.sessionDeleted}' || ${session})`;
}

export function sqlNotifyStreamMoved(stream: string, tailSeq: string): string {
  return `pg_notify(${NOTIFY_CHANNEL_SQL}, '${NOTICE_PREFIX.streamMoved}' || ${stream} || ':' || ${tailSeq})`;
}

/**
 * A SELECT yielding `sent`: one `pg_notify` of `x:<origin>|<stream>:<tailSeq>|…` per
 * HEADS_PER_NOTICE rows of `rows` (a CTE with `id` and `tailSeq` columns), like
 * sqlNotifyHeads. Reference it in FROM so it runs exactly once.
 */
export function sqlNotifyStreamsMoved(origin: string, rows: string): string {
  return `SELECT count(pg_notify(${NOTIFY_CHANNEL_SQL}, '${NOTICE_PREFIX.streamMoved}' || ${origin} || '|' || heads)) AS sent FROM (
      SELECT string_agg(c.id || ':' || c."tailSeq", '|') AS heads FROM (
        SELECT id, "tailSeq", (row_number() OVER () - 1) / ${HEADS_PER_NOTICE} AS chunk FROM ${rows}
      ) c GROUP BY c.chunk
    ) g`;
}

/** A presence announcement's payload (sent with Database.notify). */
export function encodePresence(body: unknown): string {
  return `${NOTICE_PREFIX.presence}${JSON.stringify(body)}`;
}

/** `k:<session>:<user>` (sent with Database.notify when an owner removes a partner). */
export function encodePartnerRemoved(sessionId: string, userId: string): string {
  return `${NOTICE_PREFIX.partnerRemoved}${sessionId}:${userId}`;
}

/** `w:<user> <week> <user|coach> [device]` (sent with Database.notify after a plan write); ids are UUIDs, far under 8000 bytes. */
export function encodeWeekChanged(p: WeekPointer): string {
  const by = p.by.kind === 'user' && p.by.deviceId ? `user ${p.by.deviceId}` : p.by.kind;
  return `${NOTICE_PREFIX.weekChanged}${p.userId} ${p.weekKey} ${by}`;
}
