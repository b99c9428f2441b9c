import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionLog } from '../../server/session/port.ts';
import type { LogNotification, SessionEvent } from '../../server/session/types.ts';
import { nth } from '../support/nth.ts';

export interface LogFixture {
  log: SessionLog;
  /** Creates a session the log can write to and returns its id. */
  newSession(): Promise<string>;
  /** A second log handle on the same storage (another server instance), if the adapter has one. */
  peer?: () => Promise<SessionLog>;
  cleanup(): Promise<void>;
}

const claim = (log: SessionLog, sessionId: string, leaseMs = 5_000) =>
  log.claimRun({ sessionId, runId: randomUUID(), messageId: randomUUID(), instanceId: 'test', leaseMs });

async function readAll(log: SessionLog, sessionId: string): Promise<SessionEvent[]> {
  const r = await log.read(sessionId, 0, 100_000);
  if (!Array.isArray(r)) throw new Error('not found');
  return r;
}

function waitFor<T>(log: SessionLog, pick: (n: LogNotification) => T | undefined, timeoutMs = 3_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error('timed out waiting for a notification'));
    }, timeoutMs);
    const off = log.onNotification((n) => {
      const v = pick(n);
      if (v !== undefined) {
        clearTimeout(timer);
        off();
        resolve(v);
      }
    });
  });
}

/** ONE contract for every session-log adapter (memory, PGlite, Postgres). */
export function sessionLogContract(name: string, makeFixture: () => Promise<LogFixture>) {
  describe(`session log contract: ${name}`, () => {
    let fx: LogFixture;
    beforeAll(async () => {
      fx = await makeFixture();
    });
    afterAll(async () => {
      await fx?.cleanup();
    });

    it('SL1: seq is 1, 2, 3… with no gaps under concurrent writers', async () => {
      const id = await fx.newSession();
      const writers = [fx.log];
      if (fx.peer) writers.push(await fx.peer());
      await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          i % 3 === 0
            ? nth(writers, i % writers.length).appendUserMessage(id, { clientMessageId: `c${i}`, text: `m${i}` })
            : nth(writers, i % writers.length).append(id, 'plan.updated', { i }),
        ),
      );
      const events = await readAll(fx.log, id);
      expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
      expect(await fx.log.lastSeq(id)).toBe(40);
    });

    it('SL2: at is an ISO commit time that never decreases along seq', async () => {
      const id = await fx.newSession();
      const before = Date.now() - 5_000;
      for (let i = 0; i < 5; i++) await fx.log.append(id, 'plan.updated', { i });
      const events = await readAll(fx.log, id);
      expect(events).toHaveLength(5);
      for (const [i, e] of events.slice(1).entries()) expect(Date.parse(e.at)).toBeGreaterThanOrEqual(Date.parse(nth(events, i).at));
      expect(Date.parse(nth(events, 0).at)).toBeGreaterThan(before);
      expect(nth(events, 0).at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    });

    it('SL3: read returns events after N in order, at most limit; unknown session is not_found', async () => {
      const id = await fx.newSession();
      for (let i = 0; i < 10; i++) await fx.log.append(id, 'plan.updated', { i });
      const page = await fx.log.read(id, 3, 4);
      expect(Array.isArray(page) && page.map((e) => e.seq)).toEqual([4, 5, 6, 7]);
      expect(Array.isArray(page) && nth(page, 0).data).toEqual({ i: 3 });
      expect(await fx.log.read(id, 10, 5)).toEqual([]);
      expect(await fx.log.read(randomUUID(), 0, 5)).toEqual({ kind: 'not_found' });
      expect(await fx.log.lastSeq(randomUUID())).toEqual({ kind: 'not_found' });
      expect(await fx.log.append(randomUUID(), 'plan.updated', {})).toEqual({ kind: 'not_found' });
    });

    it('SL5: a retried user message is a duplicate with the first seq, not a second event', async () => {
      const id = await fx.newSession();
      const first = await fx.log.appendUserMessage(id, { clientMessageId: 'same', text: 'hello' });
      expect(first.kind).toBe('appended');
      const results = await Promise.all([
        fx.log.appendUserMessage(id, { clientMessageId: 'same', text: 'hello' }),
        fx.log.appendUserMessage(id, { clientMessageId: 'same', text: 'hello' }),
      ]);
      expect(results).toEqual([
        { kind: 'duplicate', seq: 1 },
        { kind: 'duplicate', seq: 1 },
      ]);
      await fx.log.appendUserMessage(id, { clientMessageId: 'other', text: 'next' });
      const events = await readAll(fx.log, id);
      expect(events.map((e) => [e.seq, e.type, e.data.clientMessageId])).toEqual([
        [1, 'user.message', 'same'],
        [2, 'user.message', 'other'],
      ]);
    });

    it('SL8: committed events are announced with a pointer', async () => {
      const id = await fx.newSession();
      const seen = waitFor(fx.log, (n) => (n.kind === 'events' && n.sessionId === id ? n.seq : undefined));
      await fx.log.append(id, 'plan.updated', { x: 1 });
      expect(await seen).toBe(1);
    });

    it('SL8: a peer instance is told about another instance’s commits', async () => {
      if (!fx.peer) return;
      const peer = await fx.peer();
      const id = await fx.newSession();
      const seen = waitFor(peer, (n) => (n.kind === 'events' && n.sessionId === id && n.events === undefined ? n.seq : undefined));
      await fx.log.append(id, 'plan.updated', { x: 1 });
      expect(await seen).toBe(1);
    });

    it('SL9 + SL11: one active run per session, claimed only for an unanswered user message', async () => {
      const id = await fx.newSession();
      expect((await claim(fx.log, id)).kind).toBe('nothing_to_answer');
      await fx.log.appendUserMessage(id, { clientMessageId: 'a', text: 'plan my week' });
      const results = await Promise.all([claim(fx.log, id), claim(fx.log, id), claim(fx.log, id)]);
      const claimed = results.filter((r) => r.kind === 'claimed');
      expect(claimed).toHaveLength(1);
      expect(results.filter((r) => r.kind === 'busy')).toHaveLength(2);
      const c = nth(claimed, 0);
      if (c.kind !== 'claimed') throw new Error();
      expect(c.event.type).toBe('assistant.start');
      expect(c.triggerSeq).toBe(1);
      expect((await claim(fx.log, randomUUID())).kind).toBe('not_found');
    });

    it('SL6 + SL12: deltas concatenate to the end text; a start ends exactly once', async () => {
      const id = await fx.newSession();
      await fx.log.appendUserMessage(id, { clientMessageId: 'a', text: 'hi' });
      const c = await claim(fx.log, id);
      if (c.kind !== 'claimed') throw new Error(c.kind);
      const runId = c.event.data.runId as string;
      for (const t of ['Hel', 'lo, ', 'wörld ✓']) expect((await fx.log.appendDelta(runId, t)).kind).toBe('appended');
      const end = await fx.log.endRun(runId, 'complete');
      expect(end.kind === 'ended' && end.event.data).toEqual({ messageId: c.event.data.messageId, status: 'complete', text: 'Hello, wörld ✓' });
      expect(await fx.log.endRun(runId, 'complete')).toEqual({ kind: 'already_ended' });
      expect(await fx.log.appendDelta(runId, 'late')).toEqual({ kind: 'run_stopped' });
      const events = await readAll(fx.log, id);
      const deltas = events.filter((e) => e.type === 'assistant.delta').map((e) => e.data.text).join('');
      expect(deltas).toBe('Hello, wörld ✓');
      expect(events.filter((e) => e.type === 'assistant.end')).toHaveLength(1);
      // The turn is answered, and the session is free for the next one.
      expect((await claim(fx.log, id)).kind).toBe('nothing_to_answer');
    });

    it('SL7 + SL10: appendDeltas commits one delta per run in one call, rejecting only the stopped run', async () => {
      const ids = [await fx.newSession(), await fx.newSession(), await fx.newSession()] as const;
      const runIds: string[] = [];
      for (const id of ids) {
        await fx.log.appendUserMessage(id, { clientMessageId: 'a', text: 'hi' });
        const c = await claim(fx.log, id);
        if (c.kind !== 'claimed') throw new Error(c.kind);
        runIds.push(c.event.data.runId as string);
      }
      await fx.log.requestCancel(ids[1]);
      const out = await fx.log.appendDeltas(runIds.map((runId, i) => ({ runId, text: `text ${i}` })));
      expect(out.map((o) => o.kind)).toEqual(['appended', 'run_stopped', 'appended']);
      const [first, , third] = out;
      expect(first?.kind === 'appended' && first.event).toMatchObject({ seq: 3, type: 'assistant.delta', data: { text: 'text 0' } });
      expect(third?.kind === 'appended' && third.event.seq).toBe(3);
      expect(await fx.log.appendDeltas([])).toEqual([]);
      for (const [i, id] of ids.entries()) {
        const events = await readAll(fx.log, id);
        expect(events.map((e) => e.seq)).toEqual(events.map((_, k) => k + 1));
        expect(events.filter((e) => e.type === 'assistant.delta').map((e) => e.data.text)).toEqual(i === 1 ? [] : [`text ${i}`]);
      }
      const end = await fx.log.endRun(nth(runIds, 0), 'complete');
      expect(end.kind === 'ended' && end.event.data.text).toBe('text 0');
    });

    it('SL12: failed runs carry a readable reason', async () => {
      const id = await fx.newSession();
      await fx.log.appendUserMessage(id, { clientMessageId: 'a', text: 'hi' });
      const c = await claim(fx.log, id);
      if (c.kind !== 'claimed') throw new Error(c.kind);
      const end = await fx.log.endRun(c.event.data.runId as string, 'failed', 'The model service returned HTTP 500.');
      expect(end.kind === 'ended' && end.event.data.status).toBe('failed');
      expect(end.kind === 'ended' && end.event.data.reason).toBe('The model service returned HTTP 500.');
    });

    it('SL10: after cancel is recorded no delta of the run is committed, concurrent writers included', async () => {
      const id = await fx.newSession();
      await fx.log.appendUserMessage(id, { clientMessageId: 'a', text: 'hi' });
      const c = await claim(fx.log, id);
      if (c.kind !== 'claimed') throw new Error(c.kind);
      const runId = c.event.data.runId as string;
      const stopSeen = waitFor(fx.log, (n) => (n.kind === 'stop' && n.runId === runId ? true : undefined));
      const writes = Array.from({ length: 20 }, (_, i) => fx.log.appendDelta(runId, `t${i} `));
      const cancel = fx.log.requestCancel(id);
      const [cancelled] = await Promise.all([cancel, ...writes]);
      expect(cancelled.kind).toBe('cancel_recorded');
      expect(await stopSeen).toBe(true);
      expect((await fx.log.renewLease(runId, 5_000))).toEqual({ kind: 'renewed', stopRequested: true });
      expect(await fx.log.appendDelta(runId, 'after')).toEqual({ kind: 'run_stopped' });
      const end = await fx.log.endRun(runId, 'complete');
      expect(end.kind === 'ended' && end.status).toBe('cancelled');
      const events = await readAll(fx.log, id);
      const cancelSeq = events.find((e) => e.type === 'cancel.requested')!.seq;
      expect(events.filter((e) => e.type === 'assistant.delta' && e.seq > cancelSeq)).toEqual([]);
      const text = events.filter((e) => e.type === 'assistant.delta').map((e) => e.data.text).join('');
      expect(events.at(-1)!.data).toMatchObject({ status: 'cancelled', text });
      expect(await fx.log.requestCancel(id)).toEqual({ kind: 'no_active_run' });
    });

    it('SL10: a user message during a run interrupts it and is answered next', async () => {
      const id = await fx.newSession();
      await fx.log.appendUserMessage(id, { clientMessageId: 'a', text: 'first' });
      const c = await claim(fx.log, id);
      if (c.kind !== 'claimed') throw new Error(c.kind);
      const runId = c.event.data.runId as string;
      await fx.log.appendDelta(runId, 'Sure, ');
      const second = await fx.log.appendUserMessage(id, { clientMessageId: 'b', text: 'actually, wait' });
      expect(second.kind === 'appended' && second.stoppedRunId).toBe(runId);
      expect(await fx.log.appendDelta(runId, 'late')).toEqual({ kind: 'run_stopped' });
      expect((await claim(fx.log, id)).kind).toBe('busy');
      const end = await fx.log.endRun(runId, 'complete');
      expect(end.kind === 'ended' && end.event.data).toMatchObject({ status: 'interrupted', text: 'Sure, ' });
      const next = await claim(fx.log, id);
      expect(next.kind === 'claimed' && next.triggerSeq).toBe(second.kind === 'appended' && second.event.seq);
    });

    it('SL13: an expired lease is found and ended as interrupted exactly once', async () => {
      const id = await fx.newSession();
      await fx.log.appendUserMessage(id, { clientMessageId: 'a', text: 'hi' });
      // Long enough that a loaded machine still checks "not expired yet" inside the lease.
      const c = await claim(fx.log, id, 1_000);
      if (c.kind !== 'claimed') throw new Error(c.kind);
      const runId = c.event.data.runId as string;
      await fx.log.appendDelta(runId, 'partial');
      expect(await fx.log.endRun(runId, 'interrupted', 'lost', true)).toEqual({ kind: 'already_ended' });
      await new Promise((r) => setTimeout(r, 1_100));
      expect(await fx.log.expiredRuns()).toContain(runId);
      const ends = await Promise.all([
        fx.log.endRun(runId, 'interrupted', 'The coach stopped responding.', true),
        fx.log.endRun(runId, 'interrupted', 'The coach stopped responding.', true),
      ]);
      expect(ends.filter((e) => e.kind === 'ended')).toHaveLength(1);
      expect(await fx.log.expiredRuns()).not.toContain(runId);
      expect(await fx.log.renewLease(runId, 1_000)).toEqual({ kind: 'lost' });
      const events = await readAll(fx.log, id);
      expect(events.at(-1)!.data).toMatchObject({ status: 'interrupted', text: 'partial', reason: 'The coach stopped responding.' });
    });

    it('SL11: an unanswered user message with no run is an orphaned turn', async () => {
      const id = await fx.newSession();
      await fx.log.appendUserMessage(id, { clientMessageId: 'a', text: 'hi' });
      await new Promise((r) => setTimeout(r, 30));
      expect(await fx.log.orphanedTurns(0)).toContain(id);
      expect(await fx.log.orphanedTurns(60_000)).not.toContain(id);
      await claim(fx.log, id);
      expect(await fx.log.orphanedTurns(0)).not.toContain(id);
    });

    it('SL14: a held session claims no run and is no orphan; the hand-back lets the coach answer', async () => {
      const id = await fx.newSession();
      const alex = { userId: randomUUID(), displayName: 'Alex', role: 'partner' as const };
      const owner = { userId: randomUUID(), displayName: 'Sam', role: 'owner' as const };
      const started = await fx.log.setHandoff(id, alex, false);
      expect(started).toMatchObject({ kind: 'changed', event: { type: 'handoff.started', data: { by: alex } } });
      // Nobody can take over what is already held, and the holder is named.
      expect(await fx.log.setHandoff(id, owner, false)).toEqual({ kind: 'unchanged', holder: alex.userId });
      await fx.log.appendUserMessage(id, { clientMessageId: 'h1', text: 'waiting for Alex', author: owner });
      await new Promise((r) => setTimeout(r, 30));
      expect(await claim(fx.log, id)).toEqual({ kind: 'handed_off' });
      expect(await fx.log.orphanedTurns(0)).not.toContain(id);
      const ended = await fx.log.setHandoff(id, owner, true);
      expect(ended).toMatchObject({ kind: 'changed', event: { type: 'handoff.ended', data: { by: owner } } });
      expect(await fx.log.setHandoff(id, owner, true)).toEqual({ kind: 'unchanged', holder: null });
      expect(await claim(fx.log, id)).toMatchObject({ kind: 'claimed' });
      const events = await readAll(fx.log, id);
      expect(events.map((e) => e.type)).toEqual(['handoff.started', 'user.message', 'handoff.ended', 'assistant.start']);
      expect(events[1]!.data.author).toEqual(owner);
      expect(await fx.log.setHandoff(randomUUID(), owner, false)).toEqual({ kind: 'not_found' });
    });

    it('SL14: two people taking over at once produce one handoff.started', async () => {
      const id = await fx.newSession();
      const people = [0, 1, 2, 3].map((i) => ({ userId: randomUUID(), displayName: `P${i}`, role: 'partner' as const }));
      const results = await Promise.all(people.map((p) => fx.log.setHandoff(id, p, false)));
      expect(results.filter((r) => r.kind === 'changed')).toHaveLength(1);
      expect((await readAll(fx.log, id)).filter((e) => e.type === 'handoff.started')).toHaveLength(1);
    });
  });
}
