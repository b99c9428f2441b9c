import { randomUUID } from 'node:crypto';
import { SESSION_KINDS, type CreateSessionBody, type SessionKind, type SessionView } from '../contract/index.ts';
import type { PrismaClient } from '../db/database.ts';
import type { SessionLog } from './port.ts';
import type { RunStore } from './run-store.ts';
import type { NotFound, SessionEvent } from './types.ts';


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

  async list(userId: string): Promise<SessionView[]> {
    const rows = await this.prisma.session.findMany({ where: { userId }, orderBy: { createdAt: 'desc' }, take: 200 });
    return rows.map(view);
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

  async cancel(userId: string, sessionId: string): Promise<{ kind: 'cancel_recorded' | 'no_active_run' } | NotFound> {
    if (!(await this.owns(userId, sessionId))) return NOT_FOUND;
    const r = await this.runs.requestCancel(sessionId);
    return r.kind === 'not_found' ? NOT_FOUND : { kind: r.kind };
  }
}

function view(row: { id: string; title: string; kind: string; weekKey: string | null; createdAt: Date; lastSeq: number }): SessionView {
  return { id: row.id, title: row.title, kind: kindOf(row.kind), weekKey: row.weekKey, createdAt: row.createdAt.toISOString(), lastSeq: row.lastSeq };
}

/** Rows only ever hold a contract kind; anything else (a hand-edited row) reads as a plan. */
const kindOf = (kind: string): SessionKind => (SESSION_KINDS as readonly string[]).includes(kind) ? (kind as SessionKind) : 'plan';
