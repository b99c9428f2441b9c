import { randomUUID } from 'node:crypto';
import { SESSION_KINDS, type CreateSessionBody, type SessionKind, type SessionView } from '../contract/index.ts';
import type { PrismaClient } from '../db/database.ts';
import type { RunManager } from '../runs/run-manager.ts';
import type { SessionLog } from './port.ts';
import type { Author, NotFound, SessionEvent } from './types.ts';

export type SessionRole = 'owner' | 'partner';

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
    private readonly log: SessionLog,
    private readonly runs: RunManager,
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

  /** The caller's own sessions and those shared with them, newest first. */
  async list(userId: string): Promise<SessionView[]> {
    const rows = await this.prisma.session.findMany({
      where: { OR: [{ userId }, { partners: { some: { userId } } }] },
      orderBy: { createdAt: 'desc' },
      take: 200,
    });
    return rows.map((r) => view(r, r.userId === userId ? 'owner' : 'partner'));
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
    const row = await this.prisma.session.findUnique({
      where: { id: sessionId },
      select: { userId: true, partners: { where: { userId }, select: { userId: true } } },
    });
    if (!row) return undefined;
    if (row.userId === userId) return 'owner';
    return row.partners.length > 0 ? 'partner' : undefined;
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
    await this.runs.requestTurn(sessionId);
    return { kind: 'accepted', seq: r.event.seq, duplicate: false };
  }

  async cancel(userId: string, sessionId: string): Promise<{ kind: 'cancel_recorded' | 'no_active_run' } | NotFound> {
    if (!(await this.canAccess(userId, sessionId))) return NOT_FOUND;
    const r = await this.runs.cancel(sessionId);
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
    await this.runs.cancel(sessionId);
    return { kind: 'accepted' };
  }

  /** Hands the session back to the coach, which then answers the newest waiting message. */
  async handback(actor: Actor, sessionId: string): Promise<HandoffResult> {
    const role = await this.roleOf(actor.id, sessionId);
    if (!role) return NOT_FOUND;
    const r = await this.log.setHandoff(sessionId, authorOf(actor, role), true);
    if (r.kind === 'not_found') return NOT_FOUND;
    if (r.kind === 'unchanged') return { kind: 'not_held' };
    await this.runs.requestTurn(sessionId);
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

/** Rows only ever hold a contract kind; anything else (a hand-edited row) reads as a plan. */
const kindOf = (kind: string): SessionKind => (SESSION_KINDS as readonly string[]).includes(kind) ? (kind as SessionKind) : 'plan';
