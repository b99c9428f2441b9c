import { randomUUID } from 'node:crypto';
import {
  MAX_LISTED_SESSIONS,
  PREVIEW_CHARS,
  SESSION_KINDS,
  type CreateSessionBody,
  type SessionKind,
  type SessionListItem,
  type SessionStatus,
  type SessionView,
} from '../contract/index.ts';
import type { PrismaClient } from '../db/database.ts';
import type { SessionLog } from './port.ts';
import type { RunStore } from './run-store.ts';
import type { CancelledBy, NotFound, SessionEvent, TurnRequestInput } from './types.ts';


export type CreateOutcome = { kind: 'created'; session: SessionView } | { kind: 'limit_reached'; max: number };

export const DEFAULT_MAX_SESSIONS_PER_USER = 500;

export type PostOutcome = { kind: 'accepted'; seq: number; duplicate: boolean } | NotFound;

const NOT_FOUND: NotFound = { kind: 'not_found' };

/** Session use cases with ownership: another user's session is indistinguishable from a missing one. */
export class SessionService {
  constructor(
    private readonly prisma: PrismaClient,
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
    return { kind: 'created', session: view(row) };
  }

  /** Newest first, each with its status and the latest message (one statement; deltas are skipped by type). */
  async list(userId: string): Promise<SessionListItem[]> {
    const rows = await this.prisma.$queryRaw<ListRow[]>`
      SELECT s.id, s.title, s.kind, s."weekKey", s."createdAt", s."lastSeq", s."activeRunId", s."lastUserSeq", s."answeredSeq",
             last.type AS "lastType", last.data AS "lastData", last.at AS "lastAt"
      FROM "Session" s
      LEFT JOIN LATERAL (
        SELECT e.type, e.data, e.at FROM "Event" e
        WHERE e."sessionId" = s.id AND e.type IN ('user.message', 'assistant.end')
        ORDER BY e.seq DESC LIMIT 1
      ) last ON true
      WHERE s."userId" = ${userId}
      ORDER BY s."createdAt" DESC
      LIMIT ${MAX_LISTED_SESSIONS}`;
    return rows.map(listItem);
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
    if (!(await this.owns(userId, sessionId))) return NOT_FOUND;
    const r = await this.log.appendTurnRequest(sessionId, input);
    if (r.kind === 'not_found' || r.kind === 'not_allowed') return r;
    if (r.kind === 'duplicate') return { kind: 'accepted', seq: r.seq, duplicate: true };
    // The runner of this instance claims it when the commit's notification arrives.
    return { kind: 'accepted', seq: r.event.seq, duplicate: false };
  }

  async get(userId: string, sessionId: string): Promise<SessionView | NotFound> {
    const row = await this.prisma.session.findFirst({ where: { id: sessionId, userId } });
    return row ? view(row) : NOT_FOUND;
  }

  async owns(userId: string, sessionId: string): Promise<boolean> {
    return (await this.prisma.session.count({ where: { id: sessionId, userId } })) === 1;
  }

  async events(userId: string, sessionId: string, after: number, limit: number): Promise<{ events: SessionEvent[]; lastSeq: number } | NotFound> {
    if (!(await this.owns(userId, sessionId))) return NOT_FOUND;
    const [events, lastSeq] = await Promise.all([this.log.read(sessionId, after, limit), this.log.lastSeq(sessionId)]);
    if (!Array.isArray(events) || typeof lastSeq !== 'number') return NOT_FOUND;
    return { events, lastSeq };
  }

  async postMessage(userId: string, sessionId: string, input: { clientMessageId: string; text: string }): Promise<PostOutcome> {
    if (!(await this.owns(userId, sessionId))) return NOT_FOUND;
    const r = await this.log.appendUserMessage(sessionId, input);
    if (r.kind === 'not_found') return NOT_FOUND;
    if (r.kind === 'duplicate') return { kind: 'accepted', seq: r.seq, duplicate: true };
    // The runner hears of the committed message and claims the turn itself.
    return { kind: 'accepted', seq: r.event.seq, duplicate: false };
  }

  async cancel(userId: string, sessionId: string, by?: CancelledBy): Promise<{ kind: 'cancel_recorded' | 'no_active_run' } | NotFound> {
    if (!(await this.owns(userId, sessionId))) return NOT_FOUND;
    const r = await this.runs.requestCancel(sessionId, by);
    return r.kind === 'not_found' ? NOT_FOUND : { kind: r.kind };
  }
}

function view(row: { id: string; title: string; kind: string; weekKey: string | null; createdAt: Date; lastSeq: number }): SessionView {
  return { id: row.id, title: row.title, kind: kindOf(row.kind), weekKey: row.weekKey, createdAt: row.createdAt.toISOString(), lastSeq: row.lastSeq };
}

interface ListRow {
  id: string;
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

function listItem(row: ListRow): SessionListItem {
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
    ...view({ ...row, createdAt, lastSeq: Number(row.lastSeq) }),
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
