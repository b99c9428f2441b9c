import { randomUUID } from 'node:crypto';
import {
  MAX_LISTED_SESSIONS,
  type CancelResult,
  PREVIEW_CHARS,
  SESSION_KINDS,
  type CreateSessionBody,
  type SessionKind,
  type SessionListItem,
  type SessionRole,
  type SessionStatus,
  type SessionView,
} from '../contract/index.ts';
import type { PrismaClient, SqlExecutor } from '../db/database.ts';
import type { SessionLog } from './port.ts';
import type { RunStore } from './run-store.ts';
import type { Author, CancelledBy, NotFound, SessionEvent, TurnRequestInput } from './types.ts';

export type { SessionRole };

/** Who is acting: enough to check access and to sign what they write. */
export interface Actor {
  id: string;
  displayName: string;
}

export type HandoffResult = { kind: 'accepted' } | { kind: 'held_by_other'; holder: string } | { kind: 'not_held' } | NotFound;

export type CreateOutcome = { kind: 'created'; session: SessionView } | { kind: 'limit_reached'; max: number };

export const DEFAULT_MAX_SESSIONS_PER_USER = 500;

export type PostOutcome = { kind: 'accepted'; seq: number; duplicate: boolean } | NotFound;

const NOT_FOUND: NotFound = { kind: 'not_found' };

/** Session use cases with ownership: another user's session is indistinguishable from a missing one. */
export class SessionService {
  constructor(
    private readonly prisma: PrismaClient,
    /** Prepared statements for what every session request asks first (roleOf). */
    private readonly sql: SqlExecutor,
    private readonly log: SessionLog,
    private readonly runs: Pick<RunStore, 'requestCancel'>,
    private readonly limits: { maxSessionsPerUser: number } = { maxSessionsPerUser: DEFAULT_MAX_SESSIONS_PER_USER },
  ) {}

  /**
   * Creates a session unless the user already has the maximum. Count-then-insert can
   * overshoot by the number of concurrent creates of one user; the cap exists to bound
   * storage per account, and a handful over it does not matter.
   */
  async create(userId: string, input: CreateSessionBody): Promise<CreateOutcome> {
    const max = this.limits.maxSessionsPerUser;
    if ((await this.prisma.session.count({ where: { userId } })) >= max) return { kind: 'limit_reached', max };
    const row = await this.prisma.session.create({
      data: { id: randomUUID(), userId, title: input.title ?? '', kind: input.kind ?? 'plan', weekKey: input.weekKey ?? null },
    });
    return { kind: 'created', session: view(row, 'owner') };
  }

  /** The caller's own sessions and those shared with them, newest first, each with its status and the latest message (one statement; deltas are skipped by type). */
  async list(userId: string): Promise<SessionListItem[]> {
    const rows = await this.prisma.$queryRaw<ListRow[]>`
      SELECT s.id, s."userId", s.title, s.kind, s."weekKey", s."createdAt", s."lastSeq", s."activeRunId", s."lastUserSeq", s."answeredSeq",
             last.type AS "lastType", last.data AS "lastData", last.at AS "lastAt"
      FROM "Session" s
      LEFT JOIN LATERAL (
        SELECT e.type, e.data, e.at FROM "Event" e
        WHERE e."sessionId" = s.id AND e.type IN ('user.message', 'assistant.end')
        ORDER BY e.seq DESC LIMIT 1
      ) last ON true
      WHERE s."userId" = ${userId}
         OR EXISTS (SELECT 1 FROM "SessionPartner" p WHERE p."sessionId" = s.id AND p."userId" = ${userId})
      ORDER BY s."createdAt" DESC
      LIMIT ${MAX_LISTED_SESSIONS}`;
    return rows.map((row) => listItem(row, row.userId === userId ? 'owner' : 'partner'));
  }

  /** Renames a session; another user's is not_found. */
  async rename(userId: string, sessionId: string, title: string): Promise<SessionView | NotFound> {
    const r = await this.prisma.session.updateMany({ where: { id: sessionId, userId }, data: { title } });
    if (r.count !== 1) return NOT_FOUND;
    return this.get(userId, sessionId);
  }

  /** SL16: deletes the session, its events and runs; its sockets close on every instance. */
  async delete(userId: string, sessionId: string): Promise<{ kind: 'deleted' } | NotFound> {
    if (!(await this.owns(userId, sessionId))) return NOT_FOUND;
    return (await this.log.deleteSession(sessionId)) ? { kind: 'deleted' } : NOT_FOUND;
  }

  /** SL15: retry, continue or open; the coach answers it like a user message. */
  async requestTurn(
    userId: string,
    sessionId: string,
    input: TurnRequestInput,
  ): Promise<{ kind: 'accepted'; seq: number; duplicate: boolean } | { kind: 'not_allowed' } | NotFound> {
    if (!(await this.canAccess(userId, sessionId))) return NOT_FOUND;
    const r = await this.log.appendTurnRequest(sessionId, input);
    if (r.kind === 'not_found' || r.kind === 'not_allowed') return r;
    if (r.kind === 'duplicate') return { kind: 'accepted', seq: r.seq, duplicate: true };
    // The runner of this instance claims it when the commit's notification arrives.
    return { kind: 'accepted', seq: r.event.seq, duplicate: false };
  }

  async get(userId: string, sessionId: string): Promise<SessionView | NotFound> {
    const row = await this.prisma.session.findFirst({ where: { id: sessionId, OR: [{ userId }, { partners: { some: { userId } } }] } });
    return row ? view(row, row.userId === userId ? 'owner' : 'partner') : NOT_FOUND;
  }

  /** Owner-only actions (invites, removing partners, pairing into it). */
  async owns(userId: string, sessionId: string): Promise<boolean> {
    return (await this.prisma.session.count({ where: { id: sessionId, userId } })) === 1;
  }

  /** Owner or partner; anyone else (and a malformed id) gets undefined, answered as 404. */
  async roleOf(userId: string, sessionId: string): Promise<SessionRole | undefined> {
    if (!UUID.test(sessionId)) return undefined;
    // One prepared statement: every message, cancel and read asks this first.
    const rows = await this.sql.query<{ owns: boolean; partner: boolean }>(
      `
      SELECT s."userId" = $2 AS owns,
        EXISTS (SELECT 1 FROM "SessionPartner" p WHERE p."sessionId" = s.id AND p."userId" = $2) AS partner
      FROM "Session" s WHERE s.id = $1`,
      [sessionId, userId],
      'fc_session_role',
    );
    const row = rows[0];
    if (!row) return undefined;
    if (row.owns) return 'owner';
    return row.partner ? 'partner' : undefined;
  }

  async canAccess(userId: string, sessionId: string): Promise<boolean> {
    return (await this.roleOf(userId, sessionId)) !== undefined;
  }

  /** The owner of a session the caller may see (the partner's view of the week's plan). */
  async ownerOf(userId: string, sessionId: string): Promise<{ ownerId: string; weekKey: string | null } | NotFound> {
    if (!(await this.canAccess(userId, sessionId))) return NOT_FOUND;
    const row = await this.prisma.session.findUnique({ where: { id: sessionId }, select: { userId: true, weekKey: true } });
    return row ? { ownerId: row.userId, weekKey: row.weekKey } : NOT_FOUND;
  }

  async events(userId: string, sessionId: string, after: number, limit: number): Promise<{ events: SessionEvent[]; lastSeq: number } | NotFound> {
    if (!(await this.canAccess(userId, sessionId))) return NOT_FOUND;
    const [events, lastSeq] = await Promise.all([this.log.read(sessionId, after, limit), this.log.lastSeq(sessionId)]);
    if (!Array.isArray(events) || typeof lastSeq !== 'number') return NOT_FOUND;
    return { events, lastSeq };
  }

  async postMessage(actor: Actor, sessionId: string, input: { clientMessageId: string; text: string }): Promise<PostOutcome> {
    const role = await this.roleOf(actor.id, sessionId);
    if (!role) return NOT_FOUND;
    const r = await this.log.appendUserMessage(sessionId, { ...input, author: authorOf(actor, role) });
    if (r.kind === 'not_found') return NOT_FOUND;
    if (r.kind === 'duplicate') return { kind: 'accepted', seq: r.seq, duplicate: true };
    // The runner hears of the committed message and claims the turn itself.
    return { kind: 'accepted', seq: r.event.seq, duplicate: false };
  }

  async cancel(userId: string, sessionId: string, by?: CancelledBy): Promise<{ kind: CancelResult } | NotFound> {
    if (!(await this.canAccess(userId, sessionId))) return NOT_FOUND;
    const r = await this.runs.requestCancel(sessionId, by);
    return r.kind === 'not_found' ? NOT_FOUND : { kind: r.kind };
  }

  /**
   * A human takes over: `handoff.started` is written and an answer the coach is streaming
   * is stopped, so the person does not talk over it. Taking over what you already hold is
   * accepted again without a second event.
   */
  async takeover(actor: Actor, sessionId: string): Promise<HandoffResult> {
    const role = await this.roleOf(actor.id, sessionId);
    if (!role) return NOT_FOUND;
    const r = await this.log.setHandoff(sessionId, authorOf(actor, role), false);
    if (r.kind === 'not_found') return NOT_FOUND;
    if (r.kind === 'unchanged' && r.holder !== actor.id) return { kind: 'held_by_other', holder: r.holder ?? '' };
    await this.runs.requestCancel(sessionId);
    return { kind: 'accepted' };
  }

  /** Hands the session back to the coach, which then answers the newest waiting message. */
  async handback(actor: Actor, sessionId: string): Promise<HandoffResult> {
    const role = await this.roleOf(actor.id, sessionId);
    if (!role) return NOT_FOUND;
    const r = await this.log.setHandoff(sessionId, authorOf(actor, role), true);
    if (r.kind === 'not_found') return NOT_FOUND;
    if (r.kind === 'unchanged') return { kind: 'not_held' };
    // The runner hears of the committed handoff.ended and claims the waiting turn itself.
    return { kind: 'accepted' };
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function authorOf(actor: Actor, role: SessionRole): Author {
  return { userId: actor.id, displayName: actor.displayName, role };
}

function view(row: { id: string; title: string; kind: string; weekKey: string | null; createdAt: Date; lastSeq: number }, role: SessionRole): SessionView {
  return {
    id: row.id,
    title: row.title,
    kind: kindOf(row.kind),
    weekKey: row.weekKey,
    createdAt: row.createdAt.toISOString(),
    lastSeq: row.lastSeq,
    role,
    shared: role === 'partner',
  };
}

interface ListRow {
  id: string;
  userId: string;
  title: string;
  kind: string;
  weekKey: string | null;
  createdAt: Date;
  lastSeq: number;
  activeRunId: string | null;
  lastUserSeq: number;
  answeredSeq: number;
  lastType: string | null;
  lastData: unknown;
  lastAt: Date | null;
}

function listItem(row: ListRow, role: SessionRole): SessionListItem {
  const data = (typeof row.lastData === 'string' ? JSON.parse(row.lastData) : row.lastData) as Record<string, unknown> | null;
  const text = typeof data?.text === 'string' ? data.text.trim() : '';
  const preview = row.lastType && text ? { role: row.lastType === 'user.message' ? ('user' as const) : ('coach' as const), text: clip(text) } : null;
  const lastUserSeq = Number(row.lastUserSeq);
  const answeredSeq = Number(row.answeredSeq);
  const status: SessionStatus = row.activeRunId
    ? 'answering'
    : lastUserSeq > answeredSeq
      ? 'waiting'
      : Number(row.lastSeq) === 0
        ? 'new'
        : row.lastType === 'assistant.end' && data?.status !== 'complete'
          ? 'stopped'
          : 'your_turn';
  const createdAt = new Date(row.createdAt);
  return {
    ...view({ ...row, createdAt, lastSeq: Number(row.lastSeq) }, role),
    status,
    preview,
    lastActiveAt: (row.lastAt ? new Date(row.lastAt) : createdAt).toISOString(),
  };
}

/** The last line of a message, cut to PREVIEW_CHARS on a word boundary where one is near. */
function clip(text: string): string {
  const lines = text.split(/\n+/).map((l) => l.trim()).filter(Boolean);
  const last = lines[lines.length - 1] ?? '';
  if (last.length <= PREVIEW_CHARS) return last;
  const cut = last.slice(0, PREVIEW_CHARS - 1);
  const space = cut.lastIndexOf(' ');
  return `${space > PREVIEW_CHARS * 0.6 ? cut.slice(0, space) : cut}…`;
}
/** Rows only ever hold a contract kind; anything else (a hand-edited row) reads as a plan. */
const kindOf = (kind: string): SessionKind => (SESSION_KINDS as readonly string[]).includes(kind) ? (kind as SessionKind) : 'plan';
