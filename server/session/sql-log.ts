import { randomBytes } from 'node:crypto';
import type { Database, PrismaClient, SqlExecutor, SqlTransaction } from '../db/database.ts';
import { decodeNotice, sqlNotifyHead, sqlNotifyHeads, sqlNotifyRunEnded, sqlNotifyRunStop, sqlNotifySessionDeleted } from '../db/notify-registry.ts';
import { EventCache, DEFAULT_EVENT_CACHE_BYTES } from './event-cache.ts';
import { storedEvent } from './frames.ts';
import { Listeners } from './listeners.ts';
import type { DeltaInput, EndHow, SessionStore } from './run-store.ts';
import { STOP_ON_CANCEL, STOP_ON_USER_MESSAGE } from './stop-policy.ts';
import type {
  AppendOutcome,
  Author,
  HandoffOutcome,
  UserMessageInput,
  CancelOutcome,
  ClaimOutcome,
  ClaimRequest,
  DeltaOutcome,
  EndOutcome,
  EndStatus,
  LogNotification,
  NotFound,
  RenewOutcome,
  ReportedEndStatus,
  CancelledBy,
  SessionEvent,
  TurnRequestInput,
  TurnRequestOutcome,
  UserMessageOutcome,
} from './types.ts';

type Row = { seq: number; type: string; data: unknown; at: Date | string };

const NOT_FOUND: NotFound = { kind: 'not_found' };
const DEADLOCK_RETRIES = 3;
const CLAIM_RETRIES = 3;
const AT = `to_char(e.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at`;
/**
 * `at` for bulk reads: the UTC timestamp as JSON, which Postgres writes in one fixed ISO
 * layout whatever the session's DateStyle (`"YYYY-MM-DDTHH:MM:SS[.ffffff]"`, trailing zeros
 * of the fraction dropped). Cheaper per row than to_char; `isoAt` finishes it in JS.
 */
const AT_JSON = `to_json(e.at AT TIME ZONE 'UTC')::text AS at`;
type EndRow = Row & { sessionId: string; status: EndStatus };
/**
 * SL12: ends a run and appends its `assistant.end`, whose text is the run's deltas (SL6):
 * `$6` when the run's instance knows them (EndHow), else read back here — the CASE leaves
 * that subquery unrun when `$6` is given.
 */
const END_RUN_SQL = `
  WITH t AS (
    SELECT CASE WHEN $6::text IS NOT NULL THEN $6::text ELSE (
      SELECT coalesce(string_agg(ev.data->>'text', '' ORDER BY ev.seq), '')
      FROM "Run" run0
      JOIN "Event" ev ON ev."sessionId" = run0."sessionId" AND ev.seq > run0."triggerSeq"
        AND ev.type = 'assistant.delta' AND ev.data->>'messageId' = run0."messageId"
      WHERE run0.id = $2
    ) END AS text
  ), r AS (
    UPDATE "Run" SET "endedAt" = clock_timestamp(), status = COALESCE("stopReason", $1::text)
    WHERE id = $2 AND "endedAt" IS NULL
      AND ($3::boolean = false OR "leaseExpiresAt" < clock_timestamp())
    RETURNING id, "sessionId", "messageId", status
  ), s AS (
    UPDATE "Session" SET "lastSeq" = "lastSeq" + 1,
      "activeRunId" = CASE WHEN "activeRunId" = r.id THEN NULL ELSE "activeRunId" END
    FROM r WHERE "Session".id = r."sessionId"
    RETURNING "Session".id, "Session"."lastSeq", r."messageId", r.status
  ), e AS (
    INSERT INTO "Event" ("sessionId", seq, type, data, at)
    SELECT s.id, s."lastSeq", 'assistant.end',
           jsonb_build_object('messageId', s."messageId", 'status', s.status, 'text', t.text)
           || CASE WHEN $4::text IS NOT NULL AND s.status = $1::text
                   THEN jsonb_build_object('reason', $4::text) ELSE '{}'::jsonb END,
           clock_timestamp()
    FROM s, t
    RETURNING seq, type, data, at
  )
  SELECT e.seq, e.type, e.data, ${AT}, s.id AS "sessionId", s.status,
    ${sqlNotifyHead('$5::text', 's.id', 'e.seq')}::text,
    ${sqlNotifyRunEnded('s.id')}::text
  FROM e, s`;
/** Origin tag of this process's notifications: `$n::text` in statements below. */
const ORIGIN_BYTES = 6;

function toEvent(r: Row): SessionEvent {
  // The SQL formats `at` as ISO text already; converting a Date per row is measurable on replay.
  const at = typeof r.at === 'string' ? r.at : r.at.toISOString();
  // Data selected as text (`data::text`) becomes the event's frame as is (frames.ts).
  if (typeof r.data === 'string') return storedEvent(Number(r.seq), r.type, at, r.data);
  return { seq: Number(r.seq), type: r.type, at, data: r.data as Record<string, unknown> };
}

/** AT_JSON's text as AT's ISO form: milliseconds truncated, as to_char's `MS` does, so both agree. */
export function isoAt(json: string): string {
  const fraction = json.charCodeAt(20) === 46 /* "." */ ? json.slice(21, -1) : '';
  return `${json.slice(1, 20)}.${`${fraction}000`.slice(0, 3)}Z`;
}

function isRetryable(err: unknown): boolean {
  const text = String((err as { message?: string })?.message ?? err);
  return /deadlock detected|could not serialize|40P01|40001/.test(text);
}

/**
 * The session log and run store on PostgreSQL or PGlite (same SQL). Every write is ONE
 * statement — counter bump, insert and pg_notify commit together (SL1, SL2, SL8) — except
 * an end, which locks its rows first (endRun). A stop is recorded on the session row, which
 * every delta statement updates, so that is where a delta is refused (SL10). Notifications
 * carry this instance's origin tag: its own commits were already published with their
 * data, so its listener skips them instead of reading them back.
 */
export class SqlSessionLog implements SessionStore {
  private readonly prisma: PrismaClient;
  private readonly sql: SqlExecutor;
  /** The streaming lane: delta statements only (Database.streamSql). */
  private readonly streamSql: SqlExecutor;
  private readonly transaction: SqlTransaction;
  private readonly listeners = new Listeners<LogNotification>();
  private readonly unsubscribe: Array<() => void> = [];
  readonly origin = randomBytes(ORIGIN_BYTES).toString('hex');
  /** Committed events of recent sessions (SL20); null when turned off. */
  private readonly cache: EventCache | null;

  constructor(db: Database, opts: { eventCacheBytes?: number } = {}) {
    this.prisma = db.prisma;
    this.sql = db.sql;
    this.streamSql = db.streamSql;
    this.transaction = db.transaction;
    const cacheBytes = opts.eventCacheBytes ?? DEFAULT_EVENT_CACHE_BYTES;
    this.cache = cacheBytes > 0 ? new EventCache(cacheBytes) : null;
    this.unsubscribe.push(
      db.feed.onPayload((payload) => this.onPayload(payload)),
      db.feed.onResync(() => {
        // A deletion may be among the notifications missed while the listener was away.
        this.cache?.clear();
        this.notify({ kind: 'resync' });
      }),
    );
  }

  /** Sessions and bytes held by the event cache (SL20), for tests and metrics. */
  get eventCacheSize(): { sessions: number; bytes: number } {
    return this.cache?.size ?? { sessions: 0, bytes: 0 };
  }

  private onPayload(payload: string) {
    const n = decodeNotice(payload);
    if (!n) return;
    if (n.kind === 'session_heads') {
      if (n.origin === this.origin) return;
      for (const h of n.heads) this.notify({ kind: 'events', sessionId: h.sessionId, seq: h.seq });
    } else if (n.kind === 'run_stop') this.notify({ kind: 'stop', runId: n.runId });
    else if (n.kind === 'run_ended') this.notify({ kind: 'run_ended', sessionId: n.sessionId });
    else if (n.kind === 'session_deleted') {
      this.cache?.drop(n.sessionId);
      this.notify({ kind: 'session_deleted', sessionId: n.sessionId });
    }
  }

  private notify(n: LogNotification) {
    this.listeners.emit(n);
  }

  onNotification(listener: (n: LogNotification) => void) {
    return this.listeners.add(listener);
  }

  /**
   * Runs one write. If it fails, it may still have committed (a connection lost after
   * COMMIT), and its notification would be skipped as our own: tell readers of these
   * sessions to look at the log instead.
   */
  private async write<T>(sessionIds: readonly string[], fn: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        if (attempt < DEADLOCK_RETRIES && isRetryable(err)) continue;
        for (const sessionId of new Set(sessionIds)) this.notify({ kind: 'events', sessionId, seq: Number.MAX_SAFE_INTEGER });
        throw err;
      }
    }
  }

  private published(sessionId: string, event: SessionEvent) {
    // The statement has returned, so the event is committed (SL2): it may extend the cache.
    this.cache?.committed(sessionId, event);
    this.notify({ kind: 'events', sessionId, seq: event.seq, events: [event] });
  }

  async createSession(input: { id: string; userId: string; title: string; kind?: string }): Promise<void> {
    await this.prisma.session.create({ data: { id: input.id, userId: input.userId, title: input.title, kind: input.kind ?? 'plan' } });
  }

  async appendUserMessage(sessionId: string, input: UserMessageInput): Promise<UserMessageOutcome> {
    const data = JSON.stringify({ clientMessageId: input.clientMessageId, text: input.text, ...(input.author ? { author: input.author } : {}) });
    let rows: Array<Row & { stoppedRunId: string | null; activeRunId: string | null }>;
    try {
      rows = await this.write([sessionId], () =>
        this.sql.query<Row & { stoppedRunId: string | null; activeRunId: string | null }>(
          `
        WITH stop AS (
          UPDATE "Run" SET "stopRequestedAt" = clock_timestamp(), "stopReason" = $5::text
          WHERE id = (SELECT "activeRunId" FROM "Session" WHERE id = $1)
            AND "endedAt" IS NULL AND "stopRequestedAt" IS NULL
          RETURNING id
        ), s AS (
          UPDATE "Session" SET "lastSeq" = "lastSeq" + 1, "lastUserSeq" = "lastSeq" + 1,
            "stoppedRunId" = COALESCE((SELECT id FROM stop LIMIT 1), "stoppedRunId")
          -- Evaluated before the row is touched: the run row is locked first, as every stop does.
          WHERE id = $1 AND (SELECT count(*) FROM stop) >= 0
          RETURNING id, "lastSeq", "activeRunId"
        ), e AS (
          INSERT INTO "Event" ("sessionId", seq, type, data, at, "clientMessageId")
          SELECT s.id, s."lastSeq", 'user.message', $2::jsonb, clock_timestamp(), $3 FROM s
          RETURNING seq, type, data, at
        )
        SELECT e.seq, e.type, e.data, ${AT}, (SELECT id FROM stop LIMIT 1) AS "stoppedRunId",
          (SELECT "activeRunId" FROM s) AS "activeRunId",
          ${sqlNotifyHead('$4::text', '$1::text', 'e.seq')}::text,
          (SELECT count(${sqlNotifyRunStop('id')}) FROM stop) AS stops
        FROM e`,
          [sessionId, data, input.clientMessageId, this.origin, STOP_ON_USER_MESSAGE],
          'fc_user_message',
        ),
      );
    } catch (err) {
      // SL5: the unique (sessionId, clientMessageId) index rejected a retry; the whole
      // statement rolled back, so no seq was consumed and no run was stopped.
      const existing = await this.prisma.event.findUnique({
        where: { sessionId_clientMessageId: { sessionId, clientMessageId: input.clientMessageId } },
        select: { seq: true },
      });
      if (existing) return { kind: 'duplicate', seq: existing.seq };
      throw err;
    }
    const row = rows[0];
    if (!row) return NOT_FOUND;
    const event = toEvent(row);
    this.published(sessionId, event);
    // The stop CTE read the active run from the statement's snapshot; the session row it then
    // updated is the latest one. They differ when a claim committed while this statement waited
    // for the row: that run is stopped now, in a statement that sees it (SL10, SL14).
    const stoppedRunId = row.stoppedRunId ?? (row.activeRunId ? await this.stopRunClaimedMeanwhile(sessionId, event.seq) : null);
    if (stoppedRunId) this.notify({ kind: 'stop', runId: stoppedRunId });
    return { kind: 'appended', event, stoppedRunId };
  }

  private async stopRunClaimedMeanwhile(sessionId: string, seq: number): Promise<string | null> {
    const rows = await this.write([sessionId], () =>
      this.sql.query<{ id: string }>(
        `
      WITH r AS (
        UPDATE "Run" SET "stopRequestedAt" = clock_timestamp(), "stopReason" = $3::text
        WHERE id = (SELECT "activeRunId" FROM "Session" WHERE id = $1)
          AND "endedAt" IS NULL AND "stopRequestedAt" IS NULL AND "triggerSeq" < $2
        RETURNING id, "sessionId"
      ), s AS (
        UPDATE "Session" SET "stoppedRunId" = r.id FROM r WHERE "Session".id = r."sessionId"
      )
      SELECT r.id, ${sqlNotifyRunStop('r.id')}::text AS notified FROM r`,
        [sessionId, seq, STOP_ON_USER_MESSAGE],
        'fc_stop_claimed_meanwhile',
      ),
    );
    return rows[0]?.id ?? null;
  }

  /**
   * SL15 in one statement: the turn is taken only while nothing runs or waits, and (retry,
   * continue) only for the latest answer — the ended run claimed for the newest turn — or
   * (open) only before the first turn. It counts as a user turn, so SL11 claims it.
   */
  async appendTurnRequest(sessionId: string, input: TurnRequestInput): Promise<TurnRequestOutcome> {
    const data: Record<string, unknown> = { requestId: input.requestId, mode: input.mode };
    if (input.mode !== 'open') data.messageId = input.messageId;
    let rows: Row[];
    try {
      rows = await this.write([sessionId], () =>
        this.sql.query<Row>(`
        WITH s AS (
          UPDATE "Session" SET "lastSeq" = "lastSeq" + 1, "lastUserSeq" = "lastSeq" + 1
          WHERE id = $1 AND "activeRunId" IS NULL AND "lastUserSeq" <= "answeredSeq"
            AND CASE WHEN $4::text = 'open' THEN "lastUserSeq" = 0 AND "answeredSeq" = 0
              ELSE EXISTS (
                SELECT 1 FROM "Run" r
                WHERE r."sessionId" = $1 AND r."triggerSeq" = "Session"."answeredSeq"
                  AND r."messageId" = $5::text AND r."endedAt" IS NOT NULL
                  AND ($4::text = 'retry' OR r.status <> 'complete'))
            END
          RETURNING id, "lastSeq"
        ), e AS (
          INSERT INTO "Event" ("sessionId", seq, type, data, at, "clientMessageId")
          SELECT s.id, s."lastSeq", 'turn.requested', $2::jsonb, clock_timestamp(), $3 FROM s
          RETURNING seq, type, data, at
        )
        SELECT e.seq, e.type, e.data, ${AT}, ${sqlNotifyHead('$6::text', '$1::text', 'e.seq')}::text
        FROM e`, [sessionId, JSON.stringify(data), input.requestId, input.mode, input.messageId ?? '', this.origin]),
      );
    } catch (err) {
      // SL5 for requests: a resent requestId hits the unique index; the statement rolled back.
      const seq = await this.seqOfClientId(sessionId, input.requestId);
      if (seq !== null) return { kind: 'duplicate', seq };
      throw err;
    }
    if (rows[0]) {
      const event = toEvent(rows[0]);
      this.published(sessionId, event);
      return { kind: 'appended', event };
    }
    // A resend usually fails the conditions (its own turn is now pending or answered) before the index.
    const seq = await this.seqOfClientId(sessionId, input.requestId);
    if (seq !== null) return { kind: 'duplicate', seq };
    return (await this.lastSeq(sessionId)) === NOT_FOUND ? NOT_FOUND : { kind: 'not_allowed' };
  }

  private async seqOfClientId(sessionId: string, clientMessageId: string): Promise<number | null> {
    const existing = await this.prisma.event.findUnique({
      where: { sessionId_clientMessageId: { sessionId, clientMessageId } },
      select: { seq: true },
    });
    return existing ? existing.seq : null;
  }

  /** SL16: events and runs go with the row (ON DELETE CASCADE); the notice reaches every instance at COMMIT. */
  async deleteSession(sessionId: string): Promise<boolean> {
    const rows = await this.write([], () =>
      this.sql.query<{ id: string }>(`
      WITH d AS (DELETE FROM "Session" WHERE id = $1 RETURNING id)
      SELECT d.id, ${sqlNotifySessionDeleted('d.id')}::text FROM d`, [sessionId]),
    );
    this.cache?.drop(sessionId);
    if (!rows[0]) return false;
    this.notify({ kind: 'session_deleted', sessionId });
    return true;
  }

  async append(sessionId: string, type: string, data: Record<string, unknown>): Promise<AppendOutcome> {
    const json = JSON.stringify(data);
    const rows = await this.write([sessionId], () =>
      this.sql.query<Row>(
        `
      WITH s AS (
        UPDATE "Session" SET "lastSeq" = "lastSeq" + 1 WHERE id = $1 RETURNING id, "lastSeq"
      ), e AS (
        INSERT INTO "Event" ("sessionId", seq, type, data, at)
        SELECT s.id, s."lastSeq", $2, $3::jsonb, clock_timestamp() FROM s
        RETURNING seq, type, data, at
      )
      SELECT e.seq, e.type, e.data, ${AT}, ${sqlNotifyHead('$4::text', '$1::text', 'e.seq')}::text FROM e`,
        [sessionId, type, json, this.origin],
        'fc_append',
      ),
    );
    if (!rows[0]) return NOT_FOUND;
    const event = toEvent(rows[0]);
    this.published(sessionId, event);
    return { kind: 'appended', event };
  }

  async read(sessionId: string, afterSeq: number, limit: number): Promise<SessionEvent[] | NotFound> {
    // SL20: what the cache holds from afterSeq + 1 on is served from memory; the rest (and
    // always what follows the cached run, e.g. other instances' commits) from the log.
    const cached = this.cache?.get(sessionId, afterSeq, limit) ?? [];
    if (cached.length > 0 && cached.length === limit) return cached;
    const epoch = this.cache?.epoch ?? 0;
    const from = cached.length > 0 ? cached[cached.length - 1]!.seq : afterSeq;
    // Replays and remote fan-out read here: the data comes as its stored text, so an event's
    // frame is that text (frames.ts) rather than a re-serialization.
    // Rows as arrays: 10,000 keyed row objects per replay were a measurable part of its time.
    // Joined from the session row, so an existing session always answers with a row (all NULL
    // when no event follows `from`) and a missing one with none: a read at the tail — the last
    // of every replay — needs no second query to tell "nothing new" from "not found".
    const rows = await this.sql.queryArrays<[number | null, string, string, string]>(
      `
      SELECT e.seq, e.type, e.data, e.at FROM "Session" s
      LEFT JOIN LATERAL (
        SELECT seq, type, data::text AS data, ${AT_JSON} FROM "Event" e
        WHERE e."sessionId" = s.id AND e.seq > $2::int
        ORDER BY e.seq LIMIT $3::int
      ) e ON true
      WHERE s.id = $1`,
      [sessionId, from, limit - cached.length],
      'fc_read',
    );
    if (rows.length === 0) {
      // Deleted (SL16), perhaps before its notice arrived: nothing of it is served any more.
      this.cache?.drop(sessionId);
      return NOT_FOUND;
    }
    const events: SessionEvent[] = [];
    for (const [seq, type, data, at] of rows) if (seq !== null) events.push(storedEvent(Number(seq), type, isoAt(at), data));
    this.cache?.add(sessionId, from, events, epoch);
    return cached.length === 0 ? events : cached.concat(events);
  }

  async readHistory(sessionId: string, uptoSeq: number): Promise<SessionEvent[] | NotFound> {
    // Every event but the deltas of ended answers. Those deltas are most of a long session and
    // are not read at all: the other events come from Event_history_idx (deltas stay out of it),
    // and only the deltas after the first answer still open, if there is one, are looked at.
    // An answer's deltas follow its assistant.start, so every delta before that start is one
    // of an ended answer.
    const rows = await this.sql.query<Row>(
      `
      WITH marks AS (
        SELECT seq, type, data->>'messageId' AS m FROM "Event"
        WHERE "sessionId" = $1 AND seq <= $2::int AND type IN ('assistant.start', 'assistant.end')
      ), open AS (
        SELECT min(seq) AS after FROM marks
        WHERE type = 'assistant.start' AND m NOT IN (SELECT m FROM marks WHERE type = 'assistant.end')
      )
      SELECT seq, type, data, ${AT} FROM "Event" e
      WHERE "sessionId" = $1 AND seq <= $2::int AND type <> 'assistant.delta'
      UNION ALL
      SELECT seq, type, data, ${AT} FROM "Event" e
      WHERE "sessionId" = $1 AND seq <= $2::int AND seq > (SELECT after FROM open) AND type = 'assistant.delta'
        AND (data->>'messageId') NOT IN (SELECT m FROM marks WHERE type = 'assistant.end')
      ORDER BY seq`,
      [sessionId, uptoSeq],
      'fc_read_history',
    );
    if (rows.length === 0 && (await this.lastSeq(sessionId)) === NOT_FOUND) return NOT_FOUND;
    return rows.map(toEvent);
  }

  async lastSeq(sessionId: string): Promise<number | NotFound> {
    const rows = await this.sql.query<{ lastSeq: number }>(`SELECT "lastSeq" FROM "Session" WHERE id = $1`, [sessionId], 'fc_last_seq');
    return rows[0] ? Number(rows[0].lastSeq) : NOT_FOUND;
  }

  async claimRun(req: ClaimRequest, attempt = 0): Promise<ClaimOutcome> {
    const rows = await this.write([req.sessionId], () =>
      this.sql.query<Row & { triggerSeq: number }>(
        `
      WITH s AS (
        UPDATE "Session" SET "activeRunId" = $1, "answeredSeq" = "lastUserSeq", "lastSeq" = "lastSeq" + 1
        WHERE id = $2 AND "activeRunId" IS NULL AND "lastUserSeq" > "answeredSeq" AND "handoffUserId" IS NULL
        RETURNING id, "lastSeq", "lastUserSeq"
      ), r AS (
        INSERT INTO "Run" (id, "sessionId", "messageId", "instanceId", "triggerSeq", "leaseExpiresAt")
        SELECT $1, s.id, $3, $4, s."lastUserSeq",
               clock_timestamp() + $5::int * interval '1 millisecond'
        FROM s
        RETURNING id
      ), e AS (
        INSERT INTO "Event" ("sessionId", seq, type, data, at)
        SELECT s.id, s."lastSeq", 'assistant.start',
               jsonb_build_object('messageId', $3::text, 'runId', r.id), clock_timestamp()
        FROM s, r
        RETURNING seq, type, data, at
      )
      SELECT e.seq, e.type, e.data, ${AT}, s."lastUserSeq" AS "triggerSeq",
        ${sqlNotifyHead('$6::text', 's.id', 'e.seq')}::text
      FROM e, s`,
        [req.runId, req.sessionId, req.messageId, req.instanceId, req.leaseMs, this.origin],
        'fc_claim',
      ),
    );
    const row = rows[0];
    if (row) {
      const event = toEvent(row);
      this.published(req.sessionId, event);
      return { kind: 'claimed', event, triggerSeq: Number(row.triggerSeq) };
    }
    const head = await this.prisma.session.findUnique({
      where: { id: req.sessionId },
      select: { activeRunId: true, lastUserSeq: true, answeredSeq: true, handoffUserId: true },
    });
    if (!head) return NOT_FOUND;
    if (head.activeRunId) return { kind: 'busy', activeRunId: head.activeRunId };
    if (head.handoffUserId && head.lastUserSeq > head.answeredSeq) return { kind: 'handed_off' };
    // The run we collided with ended between our statement and this read: claim again.
    if (head.lastUserSeq > head.answeredSeq && attempt < CLAIM_RETRIES) return this.claimRun(req, attempt + 1);
    return head.lastUserSeq > head.answeredSeq ? { kind: 'busy', activeRunId: '' } : { kind: 'nothing_to_answer' };
  }

  async setHandoff(sessionId: string, by: Author, release: boolean): Promise<HandoffOutcome> {
    // One statement: the holder changes and its event is written together, so two people
    // pressing "Take over" at once produce one handoff.started.
    const rows = await this.write([sessionId], () =>
      this.sql.query<Row>(
        `
      WITH s AS (
        UPDATE "Session" SET "lastSeq" = "lastSeq" + 1,
          "handoffUserId" = CASE WHEN $2::boolean THEN NULL ELSE $3::text END
        WHERE id = $1 AND (CASE WHEN $2::boolean THEN "handoffUserId" IS NOT NULL ELSE "handoffUserId" IS NULL END)
        RETURNING id, "lastSeq"
      ), e AS (
        INSERT INTO "Event" ("sessionId", seq, type, data, at)
        SELECT s.id, s."lastSeq", CASE WHEN $2::boolean THEN 'handoff.ended' ELSE 'handoff.started' END,
               jsonb_build_object('by', $4::jsonb), clock_timestamp()
        FROM s
        RETURNING seq, type, data, at
      )
      SELECT e.seq, e.type, e.data, ${AT}, ${sqlNotifyHead('$5::text', '$1::text', 'e.seq')}::text FROM e`,
        [sessionId, release, by.userId, JSON.stringify(by), this.origin],
      ),
    );
    if (rows[0]) {
      const event = toEvent(rows[0]);
      this.published(sessionId, event);
      return { kind: 'changed', event };
    }
    const head = await this.prisma.session.findUnique({ where: { id: sessionId }, select: { handoffUserId: true } });
    return head ? { kind: 'unchanged', holder: head.handoffUserId } : NOT_FOUND;
  }

  async appendDeltas(batch: ReadonlyArray<DeltaInput>): Promise<DeltaOutcome[]> {
    if (batch.length === 0) return [];
    // SL10 is checked on the session row, which the statement updates anyway (the seq
    // counter): the run row is not written, so a delta costs one row version, not two. The
    // end assembles the text from the deltas (endRun), so nothing accumulates per delta.
    const rows = await this.write(
      batch.map((d) => d.sessionId),
      () =>
        this.streamSql.query<Row & { sessionId: string }>(
          // Each CTE carries what the next needs through RETURNING rather than joining two
          // CTEs: a CTE is estimated at one row, so such a join is planned as a nested loop
          // and costs O(runs²) — with 200 runs, most of the statement's time.
          `
      WITH input AS (
        SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS t(run_id, session_id, message_id, text)
      ), s AS (
        UPDATE "Session" SET "lastSeq" = "lastSeq" + 1 FROM input
        WHERE "Session".id = input.session_id AND "Session"."activeRunId" = input.run_id
          AND "Session"."stoppedRunId" IS DISTINCT FROM input.run_id
        RETURNING "Session".id, "Session"."lastSeq", input.message_id, input.text AS delta
      ), e AS (
        INSERT INTO "Event" ("sessionId", seq, type, data, at)
        SELECT s.id, s."lastSeq", 'assistant.delta',
               jsonb_build_object('messageId', s.message_id, 'text', s.delta), clock_timestamp()
        FROM s
        RETURNING "sessionId", seq, type, data, at
      ), n AS (${sqlNotifyHeads('$5::text', 'e')})
      SELECT e."sessionId", e.seq, e.type, e.data::text AS data, ${AT}, n.sent
      FROM e CROSS JOIN n`,
          [batch.map((d) => d.runId), batch.map((d) => d.sessionId), batch.map((d) => d.messageId), batch.map((d) => d.text), this.origin],
          'fc_append_deltas',
        ),
    );
    // One delta per session per statement (the port's rule), so the session names the run.
    const bySession = new Map(rows.map((row) => [row.sessionId, row]));
    return batch.map((d) => {
      const row = bySession.get(d.sessionId);
      if (!row) return { kind: 'run_stopped' } as const;
      const event = toEvent(row);
      this.published(row.sessionId, event);
      return { kind: 'appended', event } as const;
    });
  }

  async requestCancel(sessionId: string, by?: CancelledBy): Promise<CancelOutcome> {
    const rows = await this.write([sessionId], () =>
      this.sql.query<Row & { runId: string }>(
        `
      WITH r AS (
        UPDATE "Run" SET "stopRequestedAt" = clock_timestamp(), "stopReason" = $3::text
        WHERE id = (SELECT "activeRunId" FROM "Session" WHERE id = $1)
          AND "endedAt" IS NULL AND "stopRequestedAt" IS NULL
        RETURNING id, "sessionId", "messageId"
      ), s AS (
        UPDATE "Session" SET "lastSeq" = "lastSeq" + 1, "stoppedRunId" = r.id FROM r WHERE "Session".id = r."sessionId"
        RETURNING "Session".id, "Session"."lastSeq"
      ), e AS (
        INSERT INTO "Event" ("sessionId", seq, type, data, at)
        SELECT s.id, s."lastSeq", 'cancel.requested',
               jsonb_build_object('messageId', r."messageId", 'runId', r.id) || $4::jsonb, clock_timestamp()
        FROM s, r
        RETURNING seq, type, data, at
      )
      SELECT e.seq, e.type, e.data, ${AT}, r.id AS "runId",
        ${sqlNotifyHead('$2::text', 's.id', 'e.seq')}::text,
        ${sqlNotifyRunStop('r.id')}::text
      FROM e, s, r`,
        [sessionId, this.origin, STOP_ON_CANCEL, JSON.stringify(by ? { by: { deviceId: by.deviceId, label: by.label } } : {})],
        'fc_cancel',
      ),
    );
    const row = rows[0];
    if (!row) return (await this.lastSeq(sessionId)) === NOT_FOUND ? NOT_FOUND : { kind: 'no_active_run' };
    const event = toEvent(row);
    this.published(sessionId, event);
    this.notify({ kind: 'stop', runId: row.runId });
    return { kind: 'cancel_recorded', runId: row.runId, event };
  }

  /**
   * SL6 + SL12. The end's text is the run's deltas, read by the end statement. For the
   * run's own instance (the port's rule: its deltas are settled first) that read has them
   * all. A sweeper's end (`onlyIfExpired`) may meet a zombie instance still writing: it first
   * locks the run row, then the session row, which every delta statement updates — once it
   * holds that, no delta of the run is in flight, and none can commit after (the end takes
   * the run off the session). Run before session is the order every stop takes its rows, so
   * an end and a stop never wait on each other in a cycle.
   */
  async endRun(runId: string, status: ReportedEndStatus, reason?: string, how?: EndHow): Promise<EndOutcome> {
    const onlyIfExpired = how !== undefined && 'onlyIfExpired' in how;
    const text = how !== undefined && 'text' in how ? how.text : null;
    const params = [status, runId, onlyIfExpired, reason ?? null, this.origin, text];
    const rows = await this.write([], () =>
      onlyIfExpired
        ? this.transaction(async (tx) => {
            const locked = await tx.query<{ id: string }>(
              `
        WITH r AS (SELECT "sessionId" FROM "Run" WHERE id = $1 AND "endedAt" IS NULL FOR UPDATE)
        SELECT id FROM "Session" WHERE id = (SELECT "sessionId" FROM r) FOR UPDATE`,
              [runId],
              'fc_end_lock',
            );
            // A new statement, so a new snapshot: every delta of the run is committed and in it.
            return locked[0] ? tx.query<EndRow>(END_RUN_SQL, params, 'fc_end_run') : [];
          })
        : this.sql.query<EndRow>(END_RUN_SQL, params, 'fc_end_run'),
    );
    const row = rows[0];
    if (!row) return { kind: 'already_ended' };
    const event = toEvent(row);
    this.published(row.sessionId, event);
    this.notify({ kind: 'run_ended', sessionId: row.sessionId });
    return { kind: 'ended', sessionId: row.sessionId, event, status: row.status };
  }

  /**
   * One statement for many runs. It never waits for a row lock: a multi-row statement that
   * waits while holding other run rows could form a cycle with an end or a stop (a stall of
   * deadlock_timeout). Rows locked right now (an end or a stop in progress; flushes do not
   * touch run rows) are skipped here and renewed one by one afterwards; a one-row statement
   * can wait without forming a cycle.
   */
  async renewLeases(runIds: readonly string[], leaseMs: number): Promise<RenewOutcome[]> {
    if (runIds.length === 0) return [];
    const rows = await this.sql.query<{ id: string; renewed: boolean; stopRequested: boolean | null }>(
      `
      WITH live AS (
        SELECT id FROM "Run" WHERE id = ANY($2::text[]) AND "endedAt" IS NULL
      ), free AS (
        SELECT id FROM "Run" WHERE id IN (SELECT id FROM live) FOR UPDATE SKIP LOCKED
      ), u AS (
        UPDATE "Run" SET "leaseExpiresAt" = clock_timestamp() + $1::int * interval '1 millisecond'
        FROM free WHERE "Run".id = free.id AND "Run"."endedAt" IS NULL
        RETURNING "Run".id, ("Run"."stopRequestedAt" IS NOT NULL) AS "stopRequested"
      )
      SELECT live.id, u.id IS NOT NULL AS renewed, u."stopRequested" FROM live LEFT JOIN u ON u.id = live.id`,
      [leaseMs, runIds],
      'fc_renew',
    );
    const outcomes = new Map<string, RenewOutcome>();
    const busy: string[] = [];
    for (const r of rows) {
      if (r.renewed) outcomes.set(r.id, { kind: 'renewed', stopRequested: Boolean(r.stopRequested) });
      else busy.push(r.id);
    }
    await Promise.all(busy.map(async (id) => outcomes.set(id, await this.renewOne(id, leaseMs))));
    return runIds.map((id) => outcomes.get(id) ?? { kind: 'lost' });
  }

  private async renewOne(runId: string, leaseMs: number): Promise<RenewOutcome> {
    const rows = await this.sql.query<{ stopRequested: boolean }>(
      `
      UPDATE "Run" SET "leaseExpiresAt" = clock_timestamp() + $1::int * interval '1 millisecond'
      WHERE id = $2 AND "endedAt" IS NULL
      RETURNING ("stopRequestedAt" IS NOT NULL) AS "stopRequested"`,
      [leaseMs, runId],
      'fc_renew_one',
    );
    return rows[0] ? { kind: 'renewed', stopRequested: Boolean(rows[0].stopRequested) } : { kind: 'lost' };
  }

  async expiredRuns(): Promise<string[]> {
    const rows = await this.sql.query<{ id: string }>(`
      SELECT id FROM "Run" WHERE "endedAt" IS NULL AND "leaseExpiresAt" < clock_timestamp() LIMIT 100`, []);
    return rows.map((r) => r.id);
  }

  async orphanedTurns(olderThanMs: number): Promise<string[]> {
    const rows = await this.sql.query<{ id: string }>(`
      SELECT s.id FROM "Session" s
      JOIN "Event" e ON e."sessionId" = s.id AND e.seq = s."lastUserSeq"
      WHERE s."activeRunId" IS NULL AND s."handoffUserId" IS NULL AND s."lastUserSeq" > s."answeredSeq"
        AND e.at < clock_timestamp() - $1::int * interval '1 millisecond'
      LIMIT 100`, [olderThanMs]);
    return rows.map((r) => r.id);
  }

  async close(): Promise<void> {
    for (const u of this.unsubscribe) u();
    this.listeners.clear();
  }
}
