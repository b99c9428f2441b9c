import { randomBytes, randomUUID } from 'node:crypto';
import type { Database, PrismaClient, SqlExecutor, SqlTransaction } from '../db/database.ts';
import { Prisma } from '../db/generated/client.ts';
import { GroupCommit } from '../db/group-commit.ts';
import { decodeNotice, NOTICE_PREFIX, NOTIFY_CHANNEL, sqlNotifyStreamsMoved } from '../db/notify-registry.ts';
import { DEFAULT_CONTENT_TYPE } from './content-type.ts';
import { configMatches, cutSubOffset } from './create-rules.ts';
import type { DsStore } from './port.ts';
import { judgeProducer, streamSeqAdvances, type ProducerState } from './producer.ts';
import type {
  AppendOutcome,
  AppendRequest,
  CreateOutcome,
  CreateRequest,
  DeleteOutcome,
  DsChange,
  DsUsage,
  DsEntry,
  DsStreamInfo,
  HeadOutcome,
  ReadOutcome,
  ReadRequest,
} from './types.ts';

/** A stream is expired once its absolute expiry or its sliding TTL window has passed (database clock). */
const EXPIRED_SQL = `(("expiresAt" IS NOT NULL AND "expiresAt" <= clock_timestamp())
  OR ("ttlSeconds" IS NOT NULL AND "touchedAt" + "ttlSeconds" * interval '1 second' <= clock_timestamp()))`;
const EXPIRED = Prisma.raw(EXPIRED_SQL);

/** Attempts of a create or append whose statement lost a race and must be judged again. */
const RACE_RETRIES = 5;
const SWEEP_BATCH = 100;
/** Appends per group commit: enough for every writer of a busy instance, few enough that a commit stays short. */
const APPENDS_PER_COMMIT = 256;
/** Payload bytes per group commit (a single larger append still commits, alone). */
const BYTES_PER_COMMIT = 4 * 1024 * 1024;
/** Origin tag of this store's notices: it woke its own readers already and skips them. */
const ORIGIN_BYTES = 6;

/** The owner's stored bytes now (within a commit: including what its earlier statements wrote). */
const OWNER_BYTES = (owner: string) => `(SELECT COALESCE(sum(o.bytes), 0) FROM "DsStream" o WHERE o."ownerId" = ${owner})`;

/**
 * One append, all validation in the UPDATE of the stream row: Postgres re-checks an
 * UPDATE's WHERE against the newest row version after waiting for the row lock, so
 * concurrent appends (and producers) of one stream are serialised. Parameters:
 * $1 owner, $2 path, $3 close-only, $4 close, $5 Stream-Seq, $6–$8 producer id, epoch, seq,
 * $9 content type, $10 data, $11 messages, $12 the owner's byte quota. Bytes go through the driver directly: Prisma's
 * raw-query layer spends seconds per megabyte serialising a bytea parameter.
 */
const APPEND_SQL = `
  WITH s AS (
    UPDATE "DsStream" SET
      "tailSeq" = "tailSeq" + CASE WHEN $3::boolean THEN 0 ELSE 1 END,
      bytes = bytes + COALESCE(octet_length($10::bytea), 0),
      closed = closed OR $4::boolean,
      "lastStreamSeq" = COALESCE($5::text, "lastStreamSeq"),
      producers = CASE WHEN $6::text IS NULL THEN producers
        ELSE jsonb_set(producers, ARRAY[$6::text], jsonb_build_object('e', $7::bigint, 's', $8::bigint)) END,
      "touchedAt" = clock_timestamp()
    WHERE "ownerId" = $1::text AND path = $2::text AND "deletedAt" IS NULL AND NOT ${EXPIRED_SQL}
      AND ($3::boolean OR "contentType" = $9::text)
      AND (NOT closed OR ($3::boolean AND $6::text IS NULL))
      AND ($5::text IS NULL OR "lastStreamSeq" IS NULL OR $5::text > "lastStreamSeq" COLLATE "C")
      AND ($6::text IS NULL OR CASE
            WHEN producers -> $6::text IS NULL THEN $8::bigint = 0
            ELSE ($7::bigint > (producers -> $6::text ->> 'e')::bigint AND $8::bigint = 0)
              OR ($7::bigint = (producers -> $6::text ->> 'e')::bigint
                  AND $8::bigint = (producers -> $6::text ->> 's')::bigint + 1)
          END)
      AND ($12::bigint IS NULL OR $3::boolean OR ${OWNER_BYTES('$1::text')} + octet_length($10::bytea) <= $12::bigint)
    RETURNING id, path, "contentType", "tailSeq", closed, "ttlSeconds", "expiresAt"
  ), e AS (
    INSERT INTO "DsEntry" ("streamId", seq, data, messages)
    SELECT s.id, s."tailSeq", $10::bytea, $11::int FROM s
    WHERE NOT $3::boolean
    RETURNING seq
  )
  SELECT s.id, s.path, s."contentType", s."tailSeq", s.closed, s."ttlSeconds", s."expiresAt" FROM s`;

/**
 * Plain appends of many streams in one statement. A group is one stream's plain appends of
 * one content type: its row's tail moves by the group's size and each entry takes the next
 * seq. Entry bytes travel as ONE bytea ($10), cut by offset and length, so neither driver
 * encodes an array of byte strings. $1–$4, $13–$15 per group: owner, path, content type, count, bytes,
 * the owner's byte quota (a group over it is refused whole; its appends are then judged and retried alone),
 * and the API key hash that names the owner instead of $1 (AppendRequest.apiKeyHash; a key that is not
 * live leaves the owner NULL, so the group matches no stream and its appends are judged: invalid_key);
 * $5–$9 per entry: group (1-based), index in it (1-based), offset, length, messages;
 * $11 origin, $12 whether to NOTIFY here (not when more statements follow in the commit).
 */
const GROUPS_SQL = `
  WITH input AS (
    SELECT t.g, CASE WHEN t.g_key IS NULL THEN t.g_owner ELSE k."userId" END AS g_owner, t.g_path, t.g_type, t.g_count, t.g_bytes, t.g_quota
    FROM unnest($1::text[], $15::text[], $2::text[], $3::text[], $4::int[], $13::bigint[], $14::bigint[]) WITH ORDINALITY AS t(g_owner, g_key, g_path, g_type, g_count, g_bytes, g_quota, g)
    LEFT JOIN "ApiKey" k ON k."keyHash" = t.g_key AND k."revokedAt" IS NULL
  ), s AS (
    UPDATE "DsStream" SET "tailSeq" = "tailSeq" + input.g_count, bytes = bytes + input.g_bytes, "touchedAt" = clock_timestamp()
    FROM input
    WHERE "ownerId" = input.g_owner AND path = input.g_path AND "deletedAt" IS NULL AND NOT ${EXPIRED_SQL}
      AND "contentType" = input.g_type AND NOT closed
      AND (input.g_quota IS NULL OR ${OWNER_BYTES('input.g_owner')} + input.g_bytes <= input.g_quota)
    RETURNING input.g, input.g_count, "DsStream".id, "DsStream".path, "contentType", "tailSeq", closed, "ttlSeconds", "expiresAt"
  ), x AS (
    SELECT * FROM unnest($5::int[], $6::int[], $7::int[], $8::int[], $9::int[]) AS t(x_group, x_index, x_offset, x_length, x_messages)
  ), e AS (
    INSERT INTO "DsEntry" ("streamId", seq, data, messages)
    SELECT s.id, s."tailSeq" - s.g_count + x.x_index, substring($10::bytea FROM x.x_offset + 1 FOR x.x_length), x.x_messages
    FROM s JOIN x ON x.x_group = s.g
  ), n AS (${sqlNotifyStreamsMoved('$11::text', '(SELECT id, "tailSeq" FROM s WHERE $12::boolean) m')})
  SELECT s.g, s.id, s.path, s."contentType", s."tailSeq", s.closed, s."ttlSeconds", s."expiresAt" FROM s CROSS JOIN n`;

/**
 * GROUPS_SQL for a commit that carries one plain append, which is what a commit carries when
 * appends do not overlap: the same checks and writes without the unnest and join machinery,
 * which made the statement take ~0.3 ms longer (measured after an idle gap; bench/limits.md).
 * $1 owner (when $2 is NULL), $2 API key hash, $3 path, $4 content type, $5 data, $6 messages,
 * $7 the owner's byte quota, $8 origin.
 */
const ONE_APPEND_SQL = `
  WITH who AS (
    SELECT CASE WHEN $2::text IS NULL THEN $1::text
      ELSE (SELECT k."userId" FROM "ApiKey" k WHERE k."keyHash" = $2::text AND k."revokedAt" IS NULL) END AS owner
  ), s AS (
    UPDATE "DsStream" SET "tailSeq" = "tailSeq" + 1, bytes = bytes + octet_length($5::bytea), "touchedAt" = clock_timestamp()
    FROM who
    WHERE "ownerId" = who.owner AND path = $3::text AND "deletedAt" IS NULL AND NOT ${EXPIRED_SQL}
      AND "contentType" = $4::text AND NOT closed
      AND ($7::bigint IS NULL OR ${OWNER_BYTES('who.owner')} + octet_length($5::bytea) <= $7::bigint)
    RETURNING "DsStream".id, "DsStream".path, "contentType", "tailSeq", closed, "ttlSeconds", "expiresAt"
  ), e AS (
    INSERT INTO "DsEntry" ("streamId", seq, data, messages) SELECT s.id, s."tailSeq", $5::bytea, $6::int FROM s
  ), n AS (${sqlNotifyStreamsMoved('$8::text', '(SELECT id, "tailSeq" FROM s) m')})
  SELECT s.id, s.path, s."contentType", s."tailSeq", s.closed, s."ttlSeconds", s."expiresAt" FROM s CROSS JOIN n`;

/**
 * A page of a stream in one statement: the stream row (renewing a sliding TTL if $3), then
 * entries after $4, at most $5 of them, stopping once $6 bytes are in. Through the driver,
 * not Prisma: the bytea rows arrive as Buffers without a conversion per row.
 */
const READ_SQL = `
  WITH s AS (
    SELECT id, path, "contentType", "tailSeq", closed, "ttlSeconds", "expiresAt",
      "deletedAt" IS NOT NULL AS deleted, ${EXPIRED_SQL} AS expired
    FROM "DsStream" WHERE "ownerId" = $1 AND path = $2
  ), touched AS (
    UPDATE "DsStream" SET "touchedAt" = clock_timestamp()
    WHERE id = (SELECT id FROM s WHERE NOT s.deleted AND NOT s.expired)
      AND $3::boolean AND "ttlSeconds" IS NOT NULL
    RETURNING id
  )
  SELECT s.*, e.seq, e.data, e.messages
  FROM s LEFT JOIN LATERAL (
    SELECT w.seq, w.data, w.messages FROM (
      SELECT page.*, sum(octet_length(page.data)) OVER (ORDER BY page.seq) - octet_length(page.data) AS before
      FROM (
        SELECT seq, data, messages FROM "DsEntry"
        WHERE "streamId" = s.id AND seq > $4::int AND seq <= s."tailSeq"
        ORDER BY seq LIMIT $5::int
      ) page
    ) w
    WHERE w.before < $6::bigint
  ) e ON NOT s.deleted AND NOT s.expired
  ORDER BY e.seq`;

type ReadRow = InfoRow & { deleted: boolean; expired: boolean; seq: number | null; data: Uint8Array | null; messages: number | null };

/** The one NOTIFY of a commit that ran several statements: $1 origin, $2 stream ids, $3 their tails. */
const NOTIFY_MOVED_SQL = `
  WITH m AS (SELECT * FROM unnest($2::text[], $3::int[]) AS t(id, "tailSeq"))
  ${sqlNotifyStreamsMoved('$1::text', 'm')}`;

/** One stream's plain appends in a commit (indices into the batch, in arrival order). */
interface PlainGroup {
  ownerId: string;
  /** Set when the owner is named by an API key (AppendRequest.apiKeyHash). */
  apiKeyHash: string | null;
  path: string;
  contentType: string;
  maxOwnerBytes: number | null;
  members: number[];
}

const isPlain = (r: AppendRequest) => r.payload !== null && !r.close && r.streamSeq === null && r.producer === null;
/** Appends that group: plain ones of one content type and one quota, and none that is being retried alone. */
const groupable = (a: QueuedAppend, first: QueuedAppend) =>
  !a.alone && isPlain(a.req) && a.req.contentType === first.req.contentType && a.req.maxOwnerBytes === first.req.maxOwnerBytes;

/** An append waiting for a group commit; `alone` after its group was refused once (see GROUPS_SQL). */
interface QueuedAppend {
  req: AppendRequest;
  alone: boolean;
}

/** Splits a batch into plain groups and the appends that need APPEND_SQL, each in stream-key order. */
function planCommit(batch: QueuedAppend[]): { groups: PlainGroup[]; singles: number[] } {
  const reqs = batch.map((q) => q.req);
  const order = reqs.map((_, i) => i).sort((a, b) => streamOrder(reqs[a]!, reqs[b]!) || a - b);
  const groups: PlainGroup[] = [];
  const singles: number[] = [];
  for (let k = 0; k < order.length; ) {
    let end = k + 1;
    while (end < order.length && streamOrder(reqs[order[k]!]!, reqs[order[end]!]!) === 0) end++;
    const stream = order.slice(k, end);
    const first = batch[stream[0]!]!;
    if (stream.every((i) => groupable(batch[i]!, first))) {
      groups.push({ ownerId: first.req.ownerId, apiKeyHash: first.req.apiKeyHash ?? null, path: first.req.path, contentType: first.req.contentType!, maxOwnerBytes: first.req.maxOwnerBytes ?? null, members: stream });
    } else singles.push(...stream);
    k = end;
  }
  return { groups, singles };
}

function groupParams(reqs: AppendRequest[], groups: PlainGroup[], origin: string, notify: boolean): unknown[] {
  const entry = { group: [] as number[], index: [] as number[], offset: [] as number[], length: [] as number[], messages: [] as number[] };
  const parts: Uint8Array[] = [];
  let offset = 0;
  groups.forEach((g, gi) =>
    g.members.forEach((i, k) => {
      const p = reqs[i]!.payload!;
      entry.group.push(gi + 1);
      entry.index.push(k + 1);
      entry.offset.push(offset);
      entry.length.push(p.data.length);
      entry.messages.push(p.messages);
      parts.push(p.data);
      offset += p.data.length;
    }),
  );
  return [
    groups.map((g) => (g.apiKeyHash === null ? g.ownerId : null)),
    groups.map((g) => g.path),
    groups.map((g) => g.contentType),
    groups.map((g) => g.members.length),
    entry.group,
    entry.index,
    entry.offset,
    entry.length,
    entry.messages,
    Buffer.concat(parts),
    origin,
    notify,
    groups.map((g) => g.members.reduce((n, i) => n + reqs[i]!.payload!.data.length, 0)),
    groups.map((g) => g.maxOwnerBytes),
    groups.map((g) => g.apiKeyHash),
  ];
}

function appendParams(req: AppendRequest, ownerId: string): unknown[] {
  const p = req.producer;
  return [
    ownerId,
    req.path,
    req.payload === null,
    req.close,
    req.streamSeq,
    p?.id ?? null,
    p?.epoch ?? null,
    p?.seq ?? null,
    req.contentType,
    req.payload?.data ?? null,
    req.payload?.messages ?? 1,
    req.maxOwnerBytes ?? null,
  ];
}

/**
 * Order of a group commit's statements: by stream key, then arrival. Appends under two keys
 * of one account to one stream form two groups on one row; only one of them is applied (an
 * UPDATE … FROM updates a row once) and the other's appends are judged and retried alone.
 */
function streamOrder(a: AppendRequest, b: AppendRequest): number {
  // Who owns the stream as far as this process knows before the commit: the owner, or the key that names one.
  const ak = a.apiKeyHash !== undefined;
  if (ak !== (b.apiKeyHash !== undefined)) return ak ? 1 : -1;
  const ao = ak ? a.apiKeyHash! : a.ownerId;
  const bo = ak ? b.apiKeyHash! : b.ownerId;
  if (ao !== bo) return ao < bo ? -1 : 1;
  if (a.path !== b.path) return a.path < b.path ? -1 : 1;
  return 0;
}

function isRetryable(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return code === '40P01' || code === '40001' || /deadlock detected|could not serialize/.test(String((err as Error)?.message ?? err));
}

interface InfoRow {
  id: string;
  path: string;
  contentType: string;
  tailSeq: number;
  closed: boolean;
  ttlSeconds: number | null;
  expiresAt: Date | string | null;
}

interface StreamRow extends InfoRow {
  deleted: boolean;
  expired: boolean;
  producers: Record<string, { e: number; s: number }> | string;
  lastStreamSeq: string | null;
  forkedFromId: string | null;
  forkSourcePath: string | null;
  forkSeq: number | null;
  forkSubOffset: number | null;
}

function toInfo(r: InfoRow): DsStreamInfo {
  return {
    id: r.id,
    path: r.path,
    contentType: r.contentType,
    tailSeq: Number(r.tailSeq),
    closed: Boolean(r.closed),
    ttlSeconds: r.ttlSeconds === null ? null : Number(r.ttlSeconds),
    expiresAt: r.expiresAt === null ? null : new Date(r.expiresAt).toISOString(),
  };
}

function producersOf(r: StreamRow): Map<string, ProducerState> {
  const raw = typeof r.producers === 'string' ? (JSON.parse(r.producers) as StreamRow['producers']) : r.producers;
  const out = new Map<string, ProducerState>();
  for (const [id, v] of Object.entries(raw as Record<string, { e: number; s: number }>)) out.set(id, { epoch: Number(v.e), seq: Number(v.s) });
  return out;
}

const toBytes = (d: unknown): Uint8Array => (d instanceof Uint8Array ? d : new Uint8Array(d as ArrayBuffer));

/**
 * Durable Streams on PostgreSQL or PGlite, in the session log's style (server/session/sql-log.ts).
 * Appends are group-committed (GroupCommit): the appends queued while the previous commit
 * ran commit together — validation, tail bumps, entry inserts and ONE pg_notify pointer —
 * and each caller is answered, and this process's readers woken with the committed entries,
 * only after COMMIT. All validation sits in the UPDATE of the stream row, because Postgres
 * re-checks an UPDATE's WHERE against the newest row version after waiting for the row
 * lock: concurrent appends (and producers) are therefore serialised per stream. When the
 * UPDATE matches nothing, a fresh read says why; if that read says "would be accepted now"
 * the state moved under us and the append is simply tried again, alone.
 */
export class SqlDsStore implements DsStore {
  private readonly prisma: PrismaClient;
  private readonly sql: SqlExecutor;
  private readonly transaction: SqlTransaction;
  private readonly origin = randomBytes(ORIGIN_BYTES).toString('hex');
  private readonly appends = new GroupCommit<QueuedAppend, AppendOutcome | undefined>((batch) => this.commitAppends(batch), {
    maxItems: APPENDS_PER_COMMIT,
    maxSize: BYTES_PER_COMMIT,
    sizeOf: (q) => q.req.payload?.data.length ?? 0,
  });
  private readonly changeListeners = new Set<(c: DsChange) => void>();
  private readonly resyncListeners = new Set<() => void>();
  private readonly unsubscribe: Array<() => void> = [];

  constructor(db: Database) {
    this.prisma = db.prisma;
    this.sql = db.sql;
    this.transaction = db.transaction;
    this.unsubscribe.push(
      db.feed.onPayload((payload) => {
        const n = decodeNotice(payload);
        if (n?.kind === 'stream_moved') this.emit({ streamId: n.streamId, tailSeq: n.tailSeq });
        else if (n?.kind === 'streams_moved' && n.origin !== this.origin) for (const h of n.heads) this.emit(h);
      }),
      db.feed.onResync(() => {
        for (const l of this.resyncListeners) l();
      }),
    );
  }

  private emit(change: DsChange) {
    for (const l of this.changeListeners) {
      try {
        l(change);
      } catch {
        // one listener's bug must not starve the others
      }
    }
  }

  onChange(listener: (c: DsChange) => void) {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  onResync(listener: () => void) {
    this.resyncListeners.add(listener);
    return () => this.resyncListeners.delete(listener);
  }

  private async find(ownerId: string, path: string): Promise<StreamRow | undefined> {
    const rows = await this.prisma.$queryRaw<StreamRow[]>`
      SELECT id, path, "contentType", "tailSeq", closed, "ttlSeconds", "expiresAt",
        "deletedAt" IS NOT NULL AS deleted, ${EXPIRED} AS expired, producers, "lastStreamSeq",
        "forkedFromId", "forkSourcePath", "forkSeq", "forkSubOffset"
      FROM "DsStream" WHERE "ownerId" = ${ownerId} AND path = ${path}`;
    return rows[0];
  }

  /** A live stream row, or why there is none; an expired row is purged on sight. */
  private async live(ownerId: string, path: string): Promise<StreamRow | 'not_found' | 'gone'> {
    const row = await this.find(ownerId, path);
    if (!row) return 'not_found';
    if (row.deleted) return 'gone';
    if (row.expired) {
      await this.purgeExpired(row.id);
      return 'not_found';
    }
    return row;
  }

  async create(req: CreateRequest): Promise<CreateOutcome> {
    for (let attempt = 0; ; attempt++) {
      const outcome = await this.tryCreate(req);
      if (outcome !== 'retry') return outcome;
      if (attempt >= RACE_RETRIES) throw Object.assign(new Error('stream create kept racing'), { code: 'DS_CREATE_RACE' });
    }
  }

  private async tryCreate(req: CreateRequest): Promise<CreateOutcome | 'retry'> {
    const existing = await this.live(req.ownerId, req.path);
    if (existing === 'gone') return { kind: 'conflict', message: 'A deleted stream still occupies this path while forks of it exist' };
    if (existing !== 'not_found') {
      const same = configMatches({ ...existing, expiresAtMs: existing.expiresAt === null ? null : new Date(existing.expiresAt).getTime() }, req);
      return same ? { kind: 'exists', stream: toInfo(existing) } : { kind: 'conflict', message: 'The stream exists with a different configuration' };
    }

    let contentType = req.contentType ?? DEFAULT_CONTENT_TYPE;
    let ttlSeconds = req.ttlSeconds;
    let expiresAt: Date | null = req.expiresAt;
    let sourceId: string | null = null;
    let forkSeq = 0;
    let partial: { data: Uint8Array; messages: number } | null = null;
    if (req.fork) {
      const source = await this.live(req.ownerId, req.fork.sourcePath);
      if (source === 'not_found') return { kind: 'source_not_found' };
      if (source === 'gone') return { kind: 'source_gone' };
      if (req.contentType !== null && req.contentType !== source.contentType) {
        return { kind: 'conflict', message: 'A fork must have its source’s content type' };
      }
      contentType = source.contentType;
      sourceId = source.id;
      forkSeq = req.fork.seq ?? Number(source.tailSeq);
      if (forkSeq > Number(source.tailSeq)) return { kind: 'invalid_fork', message: 'Stream-Fork-Offset is beyond the source’s tail' };
      if (req.fork.subOffset > 0) {
        const next = await this.prisma.$queryRaw<Array<{ seq: number; data: Uint8Array; messages: number }>>`
          SELECT seq, data, messages FROM "DsEntry" WHERE "streamId" = ${source.id} AND seq = ${forkSeq + 1}::int`;
        const cut = cutSubOffset(contentType, next[0] && { seq: Number(next[0].seq), data: toBytes(next[0].data), messages: Number(next[0].messages) }, req.fork.subOffset);
        if (!cut.ok) return { kind: 'invalid_fork', message: cut.message };
        partial = cut.partial;
      }
      if (ttlSeconds === null && expiresAt === null) {
        ttlSeconds = source.ttlSeconds === null ? null : Number(source.ttlSeconds);
        expiresAt = source.expiresAt === null ? null : new Date(source.expiresAt);
      }
    }
    // Entries after the inherited prefix: the materialised sub-offset part, then the PUT body.
    const extra = [partial, req.initial].filter((p): p is { data: Uint8Array; messages: number } => p !== null);
    const first = extra[0] ?? null;
    const second = extra[1] ?? null;
    const id = randomUUID();
    let rows: Array<{ id: string }>;
    try {
      rows = await this.prisma.$queryRaw<Array<{ id: string }>>`
        WITH ins AS (
          INSERT INTO "DsStream" (id, "ownerId", path, "contentType", "ttlSeconds", "expiresAt", "touchedAt", closed, "tailSeq",
                                  "forkedFromId", "forkSourcePath", "forkSeq", "forkSubOffset", bytes)
          SELECT ${id}, ${req.ownerId}, ${req.path}, ${contentType}, ${ttlSeconds}::int, ${expiresAt}::timestamptz, clock_timestamp(),
                 ${req.closed}::boolean, ${forkSeq + extra.length}::int, ${sourceId}::text, ${req.fork?.sourcePath ?? null}::text,
                 ${req.fork ? forkSeq : null}::int, ${req.fork ? req.fork.subOffset : null}::int,
                 ${extra.reduce((n, p) => n + p.data.length, 0)}::bigint
                   + (SELECT COALESCE(sum(octet_length(data)), 0) FROM "DsEntry" WHERE "streamId" = ${sourceId}::text AND seq <= ${forkSeq}::int)
          WHERE ${sourceId}::text IS NULL OR EXISTS (SELECT 1 FROM "DsStream" WHERE id = ${sourceId}::text AND "deletedAt" IS NULL)
          ON CONFLICT ("ownerId", path) DO NOTHING
          RETURNING id
        ), inherited AS (
          INSERT INTO "DsEntry" ("streamId", seq, data, messages)
          SELECT ins.id, e.seq, e.data, e.messages FROM ins JOIN "DsEntry" e ON e."streamId" = ${sourceId}::text AND e.seq <= ${forkSeq}::int
          RETURNING 1
        ), extra AS (
          INSERT INTO "DsEntry" ("streamId", seq, data, messages)
          SELECT ins.id, x.seq, x.data, x.messages FROM ins,
            (VALUES (${forkSeq + 1}::int, ${first?.data ?? null}::bytea, ${first?.messages ?? 1}::int),
                    (${forkSeq + 2}::int, ${second?.data ?? null}::bytea, ${second?.messages ?? 1}::int)) AS x(seq, data, messages)
          WHERE x.data IS NOT NULL
          RETURNING 1
        )
        SELECT id FROM ins`;
    } catch (err) {
      // The source was hard-deleted between our read and the insert (foreign key): judge again.
      if (/foreign key|23503/.test(String((err as Error).message))) return 'retry';
      throw err;
    }
    // Nothing inserted: someone created this path, or the source went, in between.
    if (!rows[0]) return 'retry';
    const created = await this.find(req.ownerId, req.path);
    if (!created || created.id !== id) return 'retry';
    return { kind: 'created', stream: toInfo(created) };
  }

  async append(req: AppendRequest): Promise<AppendOutcome> {
    for (let attempt = 0; ; attempt++) {
      const done = await this.appends.submit({ req, alone: attempt > 0 });
      if (done) return done;
      const judged = await this.judgeAppend(req);
      if (judged) return judged;
      if (attempt >= RACE_RETRIES) throw Object.assign(new Error('append kept racing'), { code: 'DS_APPEND_RACE' });
    }
  }

  /**
   * One group commit. Plain appends (no producer, Stream-Seq or close) of one stream are a
   * group: one row bump and its entries, and all groups are ONE statement with its NOTIFY —
   * no explicit transaction. Appends with more to check run APPEND_SQL one by one, in arrival
   * order per stream, in one transaction with the groups' statement and one NOTIFY at the
   * end. Streams are taken in key order, which keeps most pairs of instances from locking
   * rows in opposite orders; when they still do, Postgres reports a deadlock and the whole
   * commit (nothing of which was committed) is tried again.
   */
  private async commitAppends(batch: QueuedAppend[]): Promise<Array<AppendOutcome | undefined>> {
    const reqs = batch.map((q) => q.req);
    const { groups, singles } = planCommit(batch);
    for (let attempt = 0; ; attempt++) {
      const results = new Array<AppendOutcome | undefined>(reqs.length);
      const moved = new Map<string, { stream: DsStreamInfo; entries: DsEntry[] }>();
      const record = (i: number, stream: DsStreamInfo, moving: DsStreamInfo) => {
        results[i] = { kind: 'appended', stream };
        const m = moved.get(moving.id) ?? { stream: moving, entries: [] };
        m.stream = moving;
        const payload = reqs[i]!.payload;
        if (payload) m.entries.push({ seq: stream.tailSeq, data: payload.data, messages: payload.messages });
        moved.set(moving.id, m);
      };
      const runGroups = async (sql: SqlExecutor, notify: boolean) => {
        if (groups.length === 0) return;
        const rows = await sql.query<InfoRow & { g: number }>(GROUPS_SQL, groupParams(reqs, groups, this.origin, notify), 'ds_append_groups');
        for (const row of rows) {
          const members = groups[Number(row.g) - 1]!.members;
          const tail = toInfo(row);
          members.forEach((i, k) => record(i, { ...tail, tailSeq: tail.tailSeq - members.length + 1 + k }, tail));
        }
      };
      const runOne = async (g: PlainGroup) => {
        const req = reqs[g.members[0]!]!;
        const params = [g.apiKeyHash === null ? g.ownerId : null, g.apiKeyHash, g.path, g.contentType, req.payload!.data, req.payload!.messages, g.maxOwnerBytes, this.origin];
        const [row] = await this.sql.query<InfoRow>(ONE_APPEND_SQL, params, 'ds_append_one');
        if (row) record(g.members[0]!, toInfo(row), toInfo(row));
      };
      try {
        if (singles.length === 0 && groups.length === 1 && groups[0]!.members.length === 1) await runOne(groups[0]!);
        else if (singles.length === 0) await runGroups(this.sql, true);
        else {
          await this.transaction(async (tx) => {
            await runGroups(tx, false);
            const owners = await this.keyOwners(tx, singles.map((i) => reqs[i]!));
            for (const i of singles) {
              const req = reqs[i]!;
              const ownerId = req.apiKeyHash === undefined ? req.ownerId : owners.get(req.apiKeyHash);
              // A key that is not live: nothing is written; judged (invalid_key) after the commit.
              if (ownerId === undefined) continue;
              const rows = await tx.query<InfoRow>(APPEND_SQL, appendParams(req, ownerId), 'ds_append');
              if (rows[0]) record(i, toInfo(rows[0]), toInfo(rows[0]));
            }
            const heads = [...moved.values()].map((m) => m.stream);
            // Delivered at COMMIT, so other instances' readers never see an uncommitted tail.
            if (heads.length > 0) await tx.query(NOTIFY_MOVED_SQL, [this.origin, heads.map((h) => h.id), heads.map((h) => h.tailSeq)], 'ds_notify_moved');
          });
        }
      } catch (err) {
        if (attempt < RACE_RETRIES && isRetryable(err)) continue;
        // The COMMIT may still have happened (a connection lost after it); our own readers
        // skip this commit's notice, so they re-read rather than miss it.
        for (const l of this.resyncListeners) l();
        throw Object.assign(new Error(`append commit failed: ${(err as Error)?.message ?? String(err)}`), { code: 'DS_APPEND_COMMIT_FAILED', cause: err });
      }
      for (const [streamId, committed] of moved) this.emit({ streamId, tailSeq: committed.stream.tailSeq, committed });
      return results;
    }
  }

  /** The accounts of the live keys among these requests' `apiKeyHash`es, in one statement. */
  private async keyOwners(sql: SqlExecutor, reqs: AppendRequest[]): Promise<Map<string, string>> {
    const hashes = [...new Set(reqs.flatMap((r) => (r.apiKeyHash === undefined ? [] : [r.apiKeyHash])))];
    if (hashes.length === 0) return new Map();
    const rows = await sql.query<{ keyHash: string; userId: string }>(
      `SELECT "keyHash", "userId" FROM "ApiKey" WHERE "keyHash" = ANY($1::text[]) AND "revokedAt" IS NULL`,
      [hashes],
      'ds_key_owners',
    );
    return new Map(rows.map((r) => [r.keyHash, r.userId]));
  }

  /** Why the append statement matched nothing, judged on fresh state; undefined = it would pass now. */
  private async judgeAppend(req: AppendRequest): Promise<AppendOutcome | undefined> {
    const ownerId = req.apiKeyHash === undefined ? req.ownerId : (await this.keyOwners(this.sql, [req])).get(req.apiKeyHash);
    if (ownerId === undefined) return { kind: 'invalid_key' };
    const s = await this.live(ownerId, req.path);
    if (s === 'not_found') return { kind: 'not_found' };
    if (s === 'gone') return { kind: 'gone' };
    const closeOnly = req.payload === null;
    if (req.producer) {
      const verdict = judgeProducer(producersOf(s).get(req.producer.id), req.producer);
      if (verdict.kind === 'duplicate') return { kind: 'duplicate', stream: toInfo(s), epoch: verdict.epoch, highestSeq: verdict.highestSeq };
      if (verdict.kind !== 'accept') return verdict;
    }
    if (s.closed && !(closeOnly && !req.producer)) return { kind: 'closed', stream: toInfo(s) };
    if (!closeOnly && req.contentType !== s.contentType) return { kind: 'content_type_mismatch', streamContentType: s.contentType };
    if (req.streamSeq !== null && !streamSeqAdvances(s.lastStreamSeq, req.streamSeq)) return { kind: 'stream_seq_conflict' };
    if (req.payload && req.maxOwnerBytes !== undefined) {
      const used = (await this.usage(ownerId)).bytes;
      if (used + req.payload.data.length > req.maxOwnerBytes) return { kind: 'quota_exceeded', usedBytes: used };
    }
    return undefined;
  }

  async read(req: ReadRequest): Promise<ReadOutcome> {
    const after = req.afterSeq === 'tail' ? 0 : req.afterSeq;
    const limit = req.afterSeq === 'tail' ? 0 : req.maxEntries;
    const rows = await this.sql.query<ReadRow>(READ_SQL, [req.ownerId, req.path, req.touch, after, limit, req.maxBytes], 'ds_read');
    const head = rows[0];
    if (!head) return { kind: 'not_found' };
    if (head.deleted) return { kind: 'gone' };
    if (head.expired) {
      await this.purgeExpired(head.id);
      return { kind: 'not_found' };
    }
    const entries: DsEntry[] = [];
    for (const r of rows) if (r.seq !== null && r.data !== null) entries.push({ seq: Number(r.seq), data: toBytes(r.data), messages: Number(r.messages) });
    return { kind: 'ok', stream: toInfo(head), entries };
  }

  async head(ownerId: string, path: string): Promise<HeadOutcome> {
    const s = await this.live(ownerId, path);
    if (s === 'not_found') return { kind: 'not_found' };
    if (s === 'gone') return { kind: 'gone' };
    return { kind: 'ok', stream: toInfo(s) };
  }

  async delete(ownerId: string, path: string): Promise<DeleteOutcome> {
    const s = await this.live(ownerId, path);
    if (s === 'not_found') return { kind: 'not_found' };
    if (s === 'gone') return { kind: 'gone' };
    // Soft-delete while forks inherit from it, else delete outright; one statement either way.
    const rows = await this.prisma.$queryRaw<Array<{ softId: string | null; hardId: string | null; parentId: string | null }>>`
      WITH target AS (
        SELECT d.id, EXISTS (SELECT 1 FROM "DsStream" c WHERE c."forkedFromId" = d.id) AS "hasForks"
        FROM "DsStream" d WHERE d.id = ${s.id} AND d."deletedAt" IS NULL
        FOR UPDATE
      ), soft AS (
        UPDATE "DsStream" SET "deletedAt" = clock_timestamp()
        FROM target WHERE "DsStream".id = target.id AND target."hasForks"
        RETURNING "DsStream".id
      ), hard AS (
        DELETE FROM "DsStream" USING target WHERE "DsStream".id = target.id AND NOT target."hasForks"
        RETURNING "DsStream".id, "DsStream"."forkedFromId"
      )
      SELECT (SELECT id FROM soft) AS "softId", (SELECT id FROM hard) AS "hardId", (SELECT "forkedFromId" FROM hard) AS "parentId",
        pg_notify(${NOTIFY_CHANNEL}, ${NOTICE_PREFIX.streamMoved}::text || ${s.id}::text || ':-1')::text AS n`;
    const r = rows[0];
    if (!r || (!r.softId && !r.hardId)) return (await this.head(ownerId, path)).kind === 'gone' ? { kind: 'gone' } : { kind: 'not_found' };
    this.emit({ streamId: s.id, tailSeq: -1 });
    if (r.softId) return { kind: 'soft_deleted' };
    await this.collectParents(r.parentId);
    return { kind: 'deleted' };
  }

  /** Cascading GC: a soft-deleted parent whose last fork just went is deleted too, and so on up. */
  private async collectParents(parentId: string | null): Promise<void> {
    let next = parentId;
    while (next) {
      const rows = await this.prisma.$queryRaw<Array<{ id: string; forkedFromId: string | null }>>`
        DELETE FROM "DsStream" p
        WHERE p.id = ${next} AND p."deletedAt" IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM "DsStream" c WHERE c."forkedFromId" = p.id)
        RETURNING p.id, p."forkedFromId"`;
      next = rows[0]?.forkedFromId ?? null;
    }
  }

  private async purgeExpired(id: string): Promise<void> {
    const rows = await this.prisma.$queryRaw<Array<{ id: string; forkedFromId: string | null }>>`
      DELETE FROM "DsStream" WHERE id = ${id} AND "deletedAt" IS NULL AND ${EXPIRED}
      RETURNING id, "forkedFromId", pg_notify(${NOTIFY_CHANNEL}, ${NOTICE_PREFIX.streamMoved}::text || id || ':-1')::text AS n`;
    if (rows[0]) await this.collectParents(rows[0].forkedFromId);
  }

  async usage(ownerId: string): Promise<DsUsage> {
    // One row per stream (the (owner, path) index), not every entry: every write keeps `bytes`.
    const rows = await this.sql.query<{ streams: string | number; bytes: string | number }>(
      `SELECT count(*) AS streams, COALESCE(sum(bytes), 0) AS bytes FROM "DsStream" WHERE "ownerId" = $1`,
      [ownerId],
      'ds_usage',
    );
    const r = rows[0];
    return { streams: Number(r?.streams ?? 0), bytes: Number(r?.bytes ?? 0) };
  }

  async sweepExpired(): Promise<number> {
    const rows = await this.prisma.$queryRaw<Array<{ id: string; forkedFromId: string | null }>>`
      DELETE FROM "DsStream" WHERE id IN (
        SELECT id FROM "DsStream" WHERE "deletedAt" IS NULL AND ${EXPIRED} LIMIT ${SWEEP_BATCH}::int
      ) AND ${EXPIRED}
      RETURNING id, "forkedFromId", pg_notify(${NOTIFY_CHANNEL}, ${NOTICE_PREFIX.streamMoved}::text || id || ':-1')::text AS n`;
    for (const r of rows) await this.collectParents(r.forkedFromId);
    return rows.length;
  }

  async close(): Promise<void> {
    for (const u of this.unsubscribe) u();
    this.changeListeners.clear();
    this.resyncListeners.clear();
  }
}
