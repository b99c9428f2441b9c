import type { Database, PrismaClient, SqlExecutor } from '../db/database.ts';
import { NOTIFY_CHANNEL } from '../db/notify-channel.ts';
import { decodeNotification } from './notification.ts';
import { Listeners } from './listeners.ts';
import type { SessionLog } from './port.ts';
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
  SessionEvent,
  UserMessageOutcome,
} from './types.ts';

type Row = { seq: number; type: string; data: unknown; at: Date | string };

const NOT_FOUND: NotFound = { kind: 'not_found' };
/** The channel as an SQL literal, spliced into statements (a constant, never user input). */
const CHANNEL = `'${NOTIFY_CHANNEL}'`;
const DEADLOCK_RETRIES = 3;
const CLAIM_RETRIES = 3;

function toEvent(r: Row): SessionEvent {
  const data = typeof r.data === 'string' ? JSON.parse(r.data) : r.data;
  // The SQL formats `at` as ISO text already; converting a Date per row is measurable on replay.
  return { seq: Number(r.seq), type: r.type, at: typeof r.at === 'string' ? r.at : r.at.toISOString(), data: data as Record<string, unknown> };
}

function isRetryable(err: unknown): boolean {
  const text = String((err as { message?: string })?.message ?? err);
  return /deadlock detected|could not serialize|40P01|40001/.test(text);
}

/**
 * The session log on PostgreSQL or PGlite (same SQL). Every write is ONE statement:
 * counter bump, insert and pg_notify commit together (SL1, SL2, SL8), and the run row
 * is locked first wherever a stop must be honoured (SL10).
 */
export class SqlSessionLog implements SessionLog {
  private readonly prisma: PrismaClient;
  private readonly sql: SqlExecutor;
  private readonly listeners = new Listeners<LogNotification>();
  private readonly unsubscribe: Array<() => void> = [];

  constructor(db: Database) {
    this.prisma = db.prisma;
    this.sql = db.sql;
    this.unsubscribe.push(
      db.feed.onPayload((payload) => {
        const n = decodeNotification(payload);
        if (n) this.notify(n);
      }),
      db.feed.onResync(() => this.notify({ kind: 'resync' })),
    );
  }

  private notify(n: LogNotification) {
    this.listeners.emit(n);
  }

  onNotification(listener: (n: LogNotification) => void) {
    return this.listeners.add(listener);
  }

  private async retry<T>(fn: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        if (attempt >= DEADLOCK_RETRIES || !isRetryable(err)) throw err;
      }
    }
  }

  private published(sessionId: string, event: SessionEvent) {
    this.notify({ kind: 'events', sessionId, seq: event.seq, events: [event] });
  }

  async createSession(input: { id: string; userId: string; title: string; kind?: string }): Promise<void> {
    await this.prisma.session.create({ data: { id: input.id, userId: input.userId, title: input.title, kind: input.kind ?? 'plan' } });
  }

  async appendUserMessage(sessionId: string, input: UserMessageInput): Promise<UserMessageOutcome> {
    const data = JSON.stringify({ clientMessageId: input.clientMessageId, text: input.text, ...(input.author ? { author: input.author } : {}) });
    let rows: Array<Row & { stoppedRunId: string | null }>;
    try {
      rows = await this.retry(
        () => this.sql.query<Row & { stoppedRunId: string | null }>(`
        WITH stop AS (
          UPDATE "Run" SET "stopRequestedAt" = clock_timestamp(), "stopReason" = 'interrupted'
          WHERE id = (SELECT "activeRunId" FROM "Session" WHERE id = $1)
            AND "endedAt" IS NULL AND "stopRequestedAt" IS NULL
          RETURNING id
        ), s AS (
          UPDATE "Session" SET "lastSeq" = "lastSeq" + 1, "lastUserSeq" = "lastSeq" + 1
          WHERE id = $1 AND (SELECT count(*) FROM stop) >= 0
          RETURNING id, "lastSeq"
        ), e AS (
          INSERT INTO "Event" ("sessionId", seq, type, data, at, "clientMessageId")
          SELECT s.id, s."lastSeq", 'user.message', $2::jsonb, clock_timestamp(), $3 FROM s
          RETURNING seq, type, data, at
        )
        SELECT e.seq, e.type, e.data, to_char(e.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at, (SELECT id FROM stop LIMIT 1) AS "stoppedRunId",
          pg_notify(${CHANNEL}, 'e:' || $1::text || ':' || e.seq)::text,
          (SELECT count(pg_notify(${CHANNEL}, 's:' || id)) FROM stop) AS stops
        FROM e`, [sessionId, data, input.clientMessageId]),
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
    if (row.stoppedRunId) this.notify({ kind: 'stop', runId: row.stoppedRunId });
    return { kind: 'appended', event, stoppedRunId: row.stoppedRunId };
  }

  async append(sessionId: string, type: string, data: Record<string, unknown>): Promise<AppendOutcome> {
    const json = JSON.stringify(data);
    const rows = await this.retry(
      () => this.sql.query<Row>(`
      WITH s AS (
        UPDATE "Session" SET "lastSeq" = "lastSeq" + 1 WHERE id = $1 RETURNING id, "lastSeq"
      ), e AS (
        INSERT INTO "Event" ("sessionId", seq, type, data, at)
        SELECT s.id, s."lastSeq", $2, $3::jsonb, clock_timestamp() FROM s
        RETURNING seq, type, data, at
      )
      SELECT e.seq, e.type, e.data, to_char(e.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at, pg_notify(${CHANNEL}, 'e:' || $1::text || ':' || e.seq)::text FROM e`, [sessionId, type, json]),
    );
    if (!rows[0]) return NOT_FOUND;
    const event = toEvent(rows[0]);
    this.published(sessionId, event);
    return { kind: 'appended', event };
  }

  async read(sessionId: string, afterSeq: number, limit: number): Promise<SessionEvent[] | NotFound> {
    const rows = await this.sql.query<Row>(`
      SELECT seq, type, data, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at FROM "Event"
      WHERE "sessionId" = $1 AND seq > $2::int
      ORDER BY seq LIMIT $3::int`, [sessionId, afterSeq, limit]);
    if (rows.length === 0 && (await this.lastSeq(sessionId)) === NOT_FOUND) return NOT_FOUND;
    return rows.map(toEvent);
  }

  async lastSeq(sessionId: string): Promise<number | NotFound> {
    const rows = await this.sql.query<{ lastSeq: number }>(`SELECT "lastSeq" FROM "Session" WHERE id = $1`, [sessionId]);
    return rows[0] ? Number(rows[0].lastSeq) : NOT_FOUND;
  }

  async claimRun(req: ClaimRequest, attempt = 0): Promise<ClaimOutcome> {
    const rows = await this.retry(
      () => this.sql.query<Row & { triggerSeq: number }>(`
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
      SELECT e.seq, e.type, e.data, to_char(e.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at, s."lastUserSeq" AS "triggerSeq",
        pg_notify(${CHANNEL}, 'e:' || s.id || ':' || e.seq)::text
      FROM e, s`, [req.runId, req.sessionId, req.messageId, req.instanceId, req.leaseMs]),
    );
    if (rows[0]) {
      const event = toEvent(rows[0]);
      this.published(req.sessionId, event);
      return { kind: 'claimed', event, triggerSeq: Number(rows[0].triggerSeq) };
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
    const rows = await this.retry(
      () => this.sql.query<Row>(`
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
      SELECT e.seq, e.type, e.data, to_char(e.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at,
        pg_notify(${CHANNEL}, 'e:' || $1::text || ':' || e.seq)::text FROM e`, [sessionId, release, by.userId, JSON.stringify(by)]),
    );
    if (rows[0]) {
      const event = toEvent(rows[0]);
      this.published(sessionId, event);
      return { kind: 'changed', event };
    }
    const head = await this.prisma.session.findUnique({ where: { id: sessionId }, select: { handoffUserId: true } });
    return head ? { kind: 'unchanged', holder: head.handoffUserId } : NOT_FOUND;
  }

  async appendDelta(runId: string, text: string): Promise<DeltaOutcome> {
    const [outcome] = await this.appendDeltas([{ runId, text }]);
    if (!outcome) throw new Error('appendDeltas answered no outcome for one delta');
    return outcome;
  }

  async appendDeltas(batch: ReadonlyArray<{ runId: string; text: string }>): Promise<DeltaOutcome[]> {
    if (batch.length === 0) return [];
    const rows = await this.retry(() =>
      this.sql.query<Row & { runId: string; sessionId: string }>(
        `
      WITH input AS (
        SELECT * FROM unnest($1::text[], $2::text[]) AS t(run_id, text)
      ), r AS (
        UPDATE "Run" SET text = "Run".text || input.text FROM input
        WHERE "Run".id = input.run_id AND "Run"."endedAt" IS NULL AND "Run"."stopRequestedAt" IS NULL
        RETURNING "Run".id, "Run"."sessionId", "Run"."messageId", input.text AS delta
      ), s AS (
        UPDATE "Session" SET "lastSeq" = "lastSeq" + 1 FROM r WHERE "Session".id = r."sessionId"
        RETURNING "Session".id, "Session"."lastSeq"
      ), e AS (
        INSERT INTO "Event" ("sessionId", seq, type, data, at)
        SELECT s.id, s."lastSeq", 'assistant.delta',
               jsonb_build_object('messageId', r."messageId", 'text', r.delta), clock_timestamp()
        FROM s JOIN r ON r."sessionId" = s.id
        RETURNING "sessionId", seq, type, data, at
      )
      SELECT r.id AS "runId", e."sessionId", e.seq, e.type, e.data,
        to_char(e.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at,
        pg_notify(${CHANNEL}, 'e:' || e."sessionId" || ':' || e.seq)::text
      FROM e JOIN r ON r."sessionId" = e."sessionId"`,
        [batch.map((d) => d.runId), batch.map((d) => d.text)],
      ),
    );
    const byRun = new Map(rows.map((row) => [row.runId, row]));
    return batch.map((d) => {
      const row = byRun.get(d.runId);
      if (!row) return { kind: 'run_stopped' } as const;
      const event = toEvent(row);
      this.published(row.sessionId, event);
      return { kind: 'appended', event } as const;
    });
  }

  async requestCancel(sessionId: string): Promise<CancelOutcome> {
    const rows = await this.retry(
      () => this.sql.query<Row & { runId: string }>(`
      WITH r AS (
        UPDATE "Run" SET "stopRequestedAt" = clock_timestamp(), "stopReason" = 'cancelled'
        WHERE id = (SELECT "activeRunId" FROM "Session" WHERE id = $1)
          AND "endedAt" IS NULL AND "stopRequestedAt" IS NULL
        RETURNING id, "sessionId", "messageId"
      ), s AS (
        UPDATE "Session" SET "lastSeq" = "lastSeq" + 1 FROM r WHERE "Session".id = r."sessionId"
        RETURNING "Session".id, "Session"."lastSeq"
      ), e AS (
        INSERT INTO "Event" ("sessionId", seq, type, data, at)
        SELECT s.id, s."lastSeq", 'cancel.requested',
               jsonb_build_object('messageId', r."messageId", 'runId', r.id), clock_timestamp()
        FROM s, r
        RETURNING seq, type, data, at
      )
      SELECT e.seq, e.type, e.data, to_char(e.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at, r.id AS "runId",
        pg_notify(${CHANNEL}, 'e:' || s.id || ':' || e.seq)::text,
        pg_notify(${CHANNEL}, 's:' || r.id)::text
      FROM e, s, r`, [sessionId]),
    );
    if (!rows[0]) return (await this.lastSeq(sessionId)) === NOT_FOUND ? NOT_FOUND : { kind: 'no_active_run' };
    const event = toEvent(rows[0]);
    this.published(sessionId, event);
    this.notify({ kind: 'stop', runId: rows[0].runId });
    return { kind: 'cancel_recorded', runId: rows[0].runId, event };
  }

  async endRun(runId: string, status: Exclude<EndStatus, 'cancelled'>, reason?: string, onlyIfExpired = false): Promise<EndOutcome> {
    const rows = await this.retry(
      () => this.sql.query<Row & { sessionId: string; status: EndStatus }>(`
      WITH r AS (
        UPDATE "Run" SET "endedAt" = clock_timestamp(), status = COALESCE("stopReason", $1::text)
        WHERE id = $2 AND "endedAt" IS NULL
          AND ($3::boolean = false OR "leaseExpiresAt" < clock_timestamp())
        RETURNING id, "sessionId", "messageId", status, text
      ), s AS (
        UPDATE "Session" SET "lastSeq" = "lastSeq" + 1,
          "activeRunId" = CASE WHEN "activeRunId" = r.id THEN NULL ELSE "activeRunId" END
        FROM r WHERE "Session".id = r."sessionId"
        RETURNING "Session".id, "Session"."lastSeq"
      ), e AS (
        INSERT INTO "Event" ("sessionId", seq, type, data, at)
        SELECT s.id, s."lastSeq", 'assistant.end',
               jsonb_build_object('messageId', r."messageId", 'status', r.status, 'text', r.text)
               || CASE WHEN $4::text IS NOT NULL AND r.status = $1::text
                       THEN jsonb_build_object('reason', $4::text) ELSE '{}'::jsonb END,
               clock_timestamp()
        FROM s, r
        RETURNING seq, type, data, at
      )
      SELECT e.seq, e.type, e.data, to_char(e.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at, s.id AS "sessionId", r.status,
        pg_notify(${CHANNEL}, 'e:' || s.id || ':' || e.seq)::text,
        pg_notify(${CHANNEL}, 'r:' || s.id)::text
      FROM e, s, r`, [status, runId, onlyIfExpired, reason ?? null]),
    );
    if (!rows[0]) return { kind: 'already_ended' };
    const event = toEvent(rows[0]);
    this.published(rows[0].sessionId, event);
    this.notify({ kind: 'run_ended', sessionId: rows[0].sessionId });
    return { kind: 'ended', event, status: rows[0].status };
  }

  async renewLease(runId: string, leaseMs: number): Promise<RenewOutcome> {
    const rows = await this.sql.query<{ stopRequested: boolean }>(`
      UPDATE "Run" SET "leaseExpiresAt" = clock_timestamp() + $1::int * interval '1 millisecond'
      WHERE id = $2 AND "endedAt" IS NULL
      RETURNING ("stopRequestedAt" IS NOT NULL) AS "stopRequested"`, [leaseMs, runId]);
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
