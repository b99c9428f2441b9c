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

interface MemSession {
  events: SessionEvent[];
  byClientMessageId: Map<string, number>;
  lastUserSeq: number;
  answeredSeq: number;
  activeRunId: string | null;
  handoffUserId: string | null;
}

interface MemRun {
  id: string;
  sessionId: string;
  messageId: string;
  leaseExpiresAt: number;
  stopReason: 'cancelled' | 'interrupted' | null;
  ended: boolean;
  text: string;
}

const NOT_FOUND: NotFound = { kind: 'not_found' };

/**
 * In-process adapter: the reference semantics for the contract suite, and a
 * baseline for benchmarks. Every method runs to completion without awaiting in
 * the middle, which gives it the same atomicity as one SQL statement.
 */
export class MemorySessionLog implements SessionLog {
  private readonly sessions = new Map<string, MemSession>();
  private readonly runs = new Map<string, MemRun>();
  private readonly listeners = new Listeners<LogNotification>();
  private lastAt = 0;

  constructor(private readonly now: () => number = Date.now) {}

  private commit(sessionId: string, s: MemSession, type: string, data: Record<string, unknown>): SessionEvent {
    // SL2: `at` never decreases along a session, even if the wall clock steps back.
    this.lastAt = Math.max(this.lastAt, this.now());
    const event: SessionEvent = { seq: s.events.length + 1, type, at: new Date(this.lastAt).toISOString(), data };
    s.events.push(event);
    queueMicrotask(() => this.notify({ kind: 'events', sessionId, seq: event.seq, events: [event] }));
    return event;
  }

  private notify(n: LogNotification) {
    this.listeners.emit(n);
  }

  onNotification(listener: (n: LogNotification) => void) {
    return this.listeners.add(listener);
  }

  async createSession(input: { id: string; userId: string; title: string; kind?: string }): Promise<void> {
    if (this.sessions.has(input.id)) throw new Error(`session ${input.id} exists`);
    this.sessions.set(input.id, { events: [], byClientMessageId: new Map(), lastUserSeq: 0, answeredSeq: 0, activeRunId: null, handoffUserId: null });
  }

  private stop(s: MemSession, reason: 'cancelled' | 'interrupted'): MemRun | undefined {
    const run = s.activeRunId ? this.runs.get(s.activeRunId) : undefined;
    if (!run || run.ended || run.stopReason) return undefined;
    run.stopReason = reason;
    queueMicrotask(() => this.notify({ kind: 'stop', runId: run.id }));
    return run;
  }

  async appendUserMessage(sessionId: string, input: UserMessageInput): Promise<UserMessageOutcome> {
    const s = this.sessions.get(sessionId);
    if (!s) return NOT_FOUND;
    const dup = s.byClientMessageId.get(input.clientMessageId);
    if (dup !== undefined) return { kind: 'duplicate', seq: dup };
    const stopped = this.stop(s, 'interrupted');
    const data: Record<string, unknown> = { clientMessageId: input.clientMessageId, text: input.text };
    if (input.author) data.author = { ...input.author };
    const event = this.commit(sessionId, s, 'user.message', data);
    s.byClientMessageId.set(input.clientMessageId, event.seq);
    s.lastUserSeq = event.seq;
    return { kind: 'appended', event, stoppedRunId: stopped?.id ?? null };
  }

  async append(sessionId: string, type: string, data: Record<string, unknown>): Promise<AppendOutcome> {
    const s = this.sessions.get(sessionId);
    if (!s) return NOT_FOUND;
    return { kind: 'appended', event: this.commit(sessionId, s, type, data) };
  }

  async read(sessionId: string, afterSeq: number, limit: number): Promise<SessionEvent[] | NotFound> {
    const s = this.sessions.get(sessionId);
    if (!s) return NOT_FOUND;
    return s.events.slice(Math.max(0, afterSeq), Math.max(0, afterSeq) + limit);
  }

  async lastSeq(sessionId: string): Promise<number | NotFound> {
    const s = this.sessions.get(sessionId);
    return s ? s.events.length : NOT_FOUND;
  }

  async claimRun(req: ClaimRequest): Promise<ClaimOutcome> {
    const s = this.sessions.get(req.sessionId);
    if (!s) return NOT_FOUND;
    if (s.activeRunId) return { kind: 'busy', activeRunId: s.activeRunId };
    if (s.lastUserSeq <= s.answeredSeq) return { kind: 'nothing_to_answer' };
    if (s.handoffUserId) return { kind: 'handed_off' };
    s.activeRunId = req.runId;
    s.answeredSeq = s.lastUserSeq;
    this.runs.set(req.runId, {
      id: req.runId,
      sessionId: req.sessionId,
      messageId: req.messageId,
      leaseExpiresAt: this.now() + req.leaseMs,
      stopReason: null,
      ended: false,
      text: '',
    });
    const event = this.commit(req.sessionId, s, 'assistant.start', { messageId: req.messageId, runId: req.runId });
    return { kind: 'claimed', event, triggerSeq: s.lastUserSeq };
  }

  async setHandoff(sessionId: string, by: Author, release: boolean): Promise<HandoffOutcome> {
    const s = this.sessions.get(sessionId);
    if (!s) return NOT_FOUND;
    if (release ? s.handoffUserId === null : s.handoffUserId !== null) return { kind: 'unchanged', holder: s.handoffUserId };
    s.handoffUserId = release ? null : by.userId;
    const event = this.commit(sessionId, s, release ? 'handoff.ended' : 'handoff.started', { by: { ...by } });
    return { kind: 'changed', event };
  }

  async appendDelta(runId: string, text: string): Promise<DeltaOutcome> {
    const run = this.runs.get(runId);
    if (!run || run.ended || run.stopReason) return { kind: 'run_stopped' };
    const s = this.sessions.get(run.sessionId)!;
    run.text += text;
    return { kind: 'appended', event: this.commit(run.sessionId, s, 'assistant.delta', { messageId: run.messageId, text }) };
  }

  async appendDeltas(batch: ReadonlyArray<{ runId: string; text: string }>): Promise<DeltaOutcome[]> {
    const out: DeltaOutcome[] = [];
    for (const d of batch) out.push(await this.appendDelta(d.runId, d.text));
    return out;
  }

  async requestCancel(sessionId: string): Promise<CancelOutcome> {
    const s = this.sessions.get(sessionId);
    if (!s) return NOT_FOUND;
    const run = this.stop(s, 'cancelled');
    if (!run) return { kind: 'no_active_run' };
    const event = this.commit(sessionId, s, 'cancel.requested', { messageId: run.messageId, runId: run.id });
    return { kind: 'cancel_recorded', runId: run.id, event };
  }

  async endRun(runId: string, status: Exclude<EndStatus, 'cancelled'>, reason?: string, onlyIfExpired = false): Promise<EndOutcome> {
    const run = this.runs.get(runId);
    if (!run || run.ended) return { kind: 'already_ended' };
    if (onlyIfExpired && run.leaseExpiresAt >= this.now()) return { kind: 'already_ended' };
    const s = this.sessions.get(run.sessionId)!;
    run.ended = true;
    const final: EndStatus = run.stopReason ?? status;
    if (s.activeRunId === run.id) s.activeRunId = null;
    const data: Record<string, unknown> = { messageId: run.messageId, status: final, text: run.text };
    if (reason !== undefined && final === status) data.reason = reason;
    const event = this.commit(run.sessionId, s, 'assistant.end', data);
    queueMicrotask(() => this.notify({ kind: 'run_ended', sessionId: run.sessionId }));
    return { kind: 'ended', event, status: final };
  }

  async renewLease(runId: string, leaseMs: number): Promise<RenewOutcome> {
    const run = this.runs.get(runId);
    if (!run || run.ended) return { kind: 'lost' };
    run.leaseExpiresAt = this.now() + leaseMs;
    return { kind: 'renewed', stopRequested: run.stopReason !== null };
  }

  async expiredRuns(): Promise<string[]> {
    const now = this.now();
    return [...this.runs.values()].filter((r) => !r.ended && r.leaseExpiresAt < now).map((r) => r.id);
  }

  async orphanedTurns(olderThanMs: number): Promise<string[]> {
    const cutoff = this.now() - olderThanMs;
    const out: string[] = [];
    for (const [id, s] of this.sessions) {
      if (s.activeRunId || s.handoffUserId || s.lastUserSeq <= s.answeredSeq) continue;
      const lastUser = s.events[s.lastUserSeq - 1];
      if (lastUser && Date.parse(lastUser.at) < cutoff) out.push(id);
    }
    return out;
  }

  async close(): Promise<void> {
    this.listeners.clear();
  }
}
