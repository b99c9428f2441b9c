import { Listeners } from './listeners.ts';
import type { DeltaInput, EndHow, SessionStore } from './run-store.ts';
import { canStop, endStatus, keepsReason, STOP_ON_CANCEL, STOP_ON_USER_MESSAGE, type StopReason } from './stop-policy.ts';
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
  stopReason: StopReason | null;
  ended: boolean;
  /** Committed delta texts; joined once, at the end. */
  texts: string[];
  triggerSeq: number;
  status: EndStatus | null;
}

const NOT_FOUND: NotFound = { kind: 'not_found' };

/**
 * In-process adapter: the reference semantics for the contract suite, and a
 * baseline for benchmarks. Every method runs to completion without awaiting in
 * the middle, which gives it the same atomicity as one SQL statement.
 */
export class MemorySessionLog implements SessionStore {
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

  private stop(s: MemSession, reason: StopReason): MemRun | undefined {
    const run = s.activeRunId ? this.runs.get(s.activeRunId) : undefined;
    if (!run || !canStop(run)) return undefined;
    run.stopReason = reason;
    queueMicrotask(() => this.notify({ kind: 'stop', runId: run.id }));
    return run;
  }

  async appendUserMessage(sessionId: string, input: UserMessageInput): Promise<UserMessageOutcome> {
    const s = this.sessions.get(sessionId);
    if (!s) return NOT_FOUND;
    const dup = s.byClientMessageId.get(input.clientMessageId);
    if (dup !== undefined) return { kind: 'duplicate', seq: dup };
    const stopped = this.stop(s, STOP_ON_USER_MESSAGE);
    const data: Record<string, unknown> = { clientMessageId: input.clientMessageId, text: input.text };
    if (input.author) data.author = { ...input.author };
    const event = this.commit(sessionId, s, 'user.message', data);
    s.byClientMessageId.set(input.clientMessageId, event.seq);
    s.lastUserSeq = event.seq;
    return { kind: 'appended', event, stoppedRunId: stopped?.id ?? null };
  }

  async appendTurnRequest(sessionId: string, input: TurnRequestInput): Promise<TurnRequestOutcome> {
    const s = this.sessions.get(sessionId);
    if (!s) return NOT_FOUND;
    const dup = s.byClientMessageId.get(input.requestId);
    if (dup !== undefined) return { kind: 'duplicate', seq: dup };
    if (s.activeRunId || s.lastUserSeq > s.answeredSeq) return { kind: 'not_allowed' };
    if (input.mode === 'open') {
      if (s.lastUserSeq !== 0 || s.answeredSeq !== 0) return { kind: 'not_allowed' };
    } else {
      // SL15: the latest answer is the run claimed for the newest turn (triggerSeq = answeredSeq).
      const latest = [...this.runs.values()].find((r) => r.sessionId === sessionId && r.triggerSeq === s.answeredSeq);
      if (!latest || latest.messageId !== input.messageId || !latest.ended) return { kind: 'not_allowed' };
      if (input.mode === 'continue' && latest.status === 'complete') return { kind: 'not_allowed' };
    }
    const data: Record<string, unknown> = { requestId: input.requestId, mode: input.mode };
    if (input.mode !== 'open') data.messageId = input.messageId;
    const event = this.commit(sessionId, s, 'turn.requested', data);
    s.byClientMessageId.set(input.requestId, event.seq);
    s.lastUserSeq = event.seq;
    return { kind: 'appended', event };
  }

  async deleteSession(sessionId: string): Promise<boolean> {
    if (!this.sessions.delete(sessionId)) return false;
    for (const [id, r] of this.runs) if (r.sessionId === sessionId) this.runs.delete(id);
    queueMicrotask(() => this.notify({ kind: 'session_deleted', sessionId }));
    return true;
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

  async readHistory(sessionId: string, uptoSeq: number): Promise<SessionEvent[] | NotFound> {
    const s = this.sessions.get(sessionId);
    if (!s) return NOT_FOUND;
    const upto = s.events.slice(0, Math.max(0, uptoSeq));
    const ended = new Set(upto.filter((e) => e.type === 'assistant.end').map((e) => e.data.messageId));
    return upto.filter((e) => e.type !== 'assistant.delta' || !ended.has(e.data.messageId));
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
      texts: [],
      triggerSeq: s.lastUserSeq,
      status: null,
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

  private appendDelta(runId: string, text: string): DeltaOutcome {
    const run = this.runs.get(runId);
    const s = run && this.sessions.get(run.sessionId);
    // As the SQL adapter checks it: on the session, whose active run this must still be.
    if (!run || !s || s.activeRunId !== run.id || !canStop(run)) return { kind: 'run_stopped' };
    run.texts.push(text);
    return { kind: 'appended', event: this.commit(run.sessionId, s, 'assistant.delta', { messageId: run.messageId, text }) };
  }

  async appendDeltas(batch: ReadonlyArray<DeltaInput>): Promise<DeltaOutcome[]> {
    return batch.map((d) => this.appendDelta(d.runId, d.text));
  }

  async requestCancel(sessionId: string, by?: CancelledBy): Promise<CancelOutcome> {
    const s = this.sessions.get(sessionId);
    if (!s) return NOT_FOUND;
    const run = this.stop(s, STOP_ON_CANCEL);
    if (!run) return { kind: 'no_active_run' };
    const data: Record<string, unknown> = { messageId: run.messageId, runId: run.id };
    if (by) data.by = { deviceId: by.deviceId, label: by.label };
    const event = this.commit(sessionId, s, 'cancel.requested', data);
    return { kind: 'cancel_recorded', runId: run.id, event };
  }

  async endRun(runId: string, status: ReportedEndStatus, reason?: string, how?: EndHow): Promise<EndOutcome> {
    const onlyIfExpired = how !== undefined && 'onlyIfExpired' in how;
    const run = this.runs.get(runId);
    const s = run && this.sessions.get(run.sessionId);
    if (!run || !s || run.ended) return { kind: 'already_ended' };
    if (onlyIfExpired && run.leaseExpiresAt >= this.now()) return { kind: 'already_ended' };
    run.ended = true;
    const final = endStatus(run.stopReason, status);
    run.status = final;
    if (s.activeRunId === run.id) s.activeRunId = null;
    const data: Record<string, unknown> = { messageId: run.messageId, status: final, text: how && 'text' in how ? how.text : run.texts.join('') };
    if (reason !== undefined && keepsReason(final, status)) data.reason = reason;
    const event = this.commit(run.sessionId, s, 'assistant.end', data);
    queueMicrotask(() => this.notify({ kind: 'run_ended', sessionId: run.sessionId }));
    return { kind: 'ended', sessionId: run.sessionId, event, status: final };
  }

  async renewLeases(runIds: readonly string[], leaseMs: number): Promise<RenewOutcome[]> {
    return runIds.map((runId) => {
      const run = this.runs.get(runId);
      if (!run || run.ended) return { kind: 'lost' };
      run.leaseExpiresAt = this.now() + leaseMs;
      return { kind: 'renewed', stopRequested: run.stopReason !== null };
    });
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
      const trigger = s.events[s.lastUserSeq - 1];
      if (trigger && Date.parse(trigger.at) < cutoff) out.push(id);
    }
    return out;
  }

  async close(): Promise<void> {
    this.listeners.clear();
  }
}
