import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nth } from '../support/nth.ts';
import { claim, delta, deltaInput, readAll, startedRun, waitFor, type StoreFixture } from './store-fixture.ts';

/** ONE contract for the RunStore port of every adapter (memory, PGlite, Postgres). */
export function runStoreContract(name: string, makeFixture: () => Promise<StoreFixture>) {
  describe(`run store contract: ${name}`, () => {
    let fx: StoreFixture;
    beforeAll(async () => {
      fx = await makeFixture();
    });
    afterAll(async () => {
      await fx?.cleanup();
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
      for (const t of ['Hel', 'lo, ', 'wörld ✓']) expect((await delta(fx.log, runId, t)).kind).toBe('appended');
      const end = await fx.log.endRun(runId, 'complete');
      expect(end.kind === 'ended' && end.event.data).toEqual({ messageId: c.event.data.messageId, status: 'complete', text: 'Hello, wörld ✓' });
      expect(await fx.log.endRun(runId, 'complete')).toEqual({ kind: 'already_ended' });
      expect(await delta(fx.log, runId, 'late')).toEqual({ kind: 'run_stopped' });
      const events = await readAll(fx.log, id);
      const deltas = events.filter((e) => e.type === 'assistant.delta').map((e) => e.data.text).join('');
      expect(deltas).toBe('Hello, wörld ✓');
      expect(events.filter((e) => e.type === 'assistant.end')).toHaveLength(1);
      // The turn is answered, and the session is free for the next one.
      expect((await claim(fx.log, id)).kind).toBe('nothing_to_answer');
    });

    it('SL6 + SL12: an end told its run\'s committed text (EndHow) records that text as given, once, and frees the session', async () => {
      const { sessionId: id, runId, messageId } = await startedRun(fx);
      for (const t of ['Big ', 'rocks ', 'first ✓']) expect((await delta(fx.log, runId, t)).kind).toBe('appended');
      // The caller's word is taken: the run's instance saw every delta's outcome (RunBuffer.finish),
      // so the log does not read the deltas back. A different text shows which one was recorded.
      const end = await fx.log.endRun(runId, 'complete', undefined, { text: 'as the flusher counted' });
      expect(end.kind === 'ended' && end.event.data).toEqual({ messageId, status: 'complete', text: 'as the flusher counted' });
      expect(await fx.log.endRun(runId, 'complete', undefined, { text: 'again' })).toEqual({ kind: 'already_ended' });
      const events = await readAll(fx.log, id);
      expect(events.filter((e) => e.type === 'assistant.end').map((e) => e.data.text)).toEqual(['as the flusher counted']);
      expect((await claim(fx.log, id)).kind).toBe('nothing_to_answer');
    });

    it('SL6 + SL12: a failed end told its text keeps the readable reason; an empty answer ends with empty text', async () => {
      const { runId, messageId } = await startedRun(fx);
      const end = await fx.log.endRun(runId, 'failed', 'The model service returned HTTP 500.', { text: '' });
      expect(end.kind === 'ended' && end.event.data).toEqual({
        messageId,
        status: 'failed',
        text: '',
        reason: 'The model service returned HTTP 500.',
      });
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
      const out = await fx.log.appendDeltas(runIds.map((runId, i) => deltaInput(runId, `text ${i}`)));
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
      const writes = Array.from({ length: 20 }, (_, i) => delta(fx.log, runId, `t${i} `));
      const cancel = fx.log.requestCancel(id);
      const [cancelled] = await Promise.all([cancel, ...writes]);
      expect(cancelled.kind).toBe('cancel_recorded');
      expect(await stopSeen).toBe(true);
      expect(await fx.log.renewLeases([runId], 5_000)).toEqual([{ kind: 'renewed', stopRequested: true }]);
      expect(await delta(fx.log, runId, 'after')).toEqual({ kind: 'run_stopped' });
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
      await delta(fx.log, runId, 'Sure, ');
      const second = await fx.log.appendUserMessage(id, { clientMessageId: 'b', text: 'actually, wait' });
      expect(second.kind === 'appended' && second.stoppedRunId).toBe(runId);
      expect(await delta(fx.log, runId, 'late')).toEqual({ kind: 'run_stopped' });
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
      await delta(fx.log, runId, 'partial');
      expect(await fx.log.endRun(runId, 'interrupted', 'lost', { onlyIfExpired: true })).toEqual({ kind: 'already_ended' });
      await new Promise((r) => setTimeout(r, 1_100));
      expect(await fx.log.expiredRuns()).toContain(runId);
      const ends = await Promise.all([
        fx.log.endRun(runId, 'interrupted', 'The coach stopped responding.', { onlyIfExpired: true }),
        fx.log.endRun(runId, 'interrupted', 'The coach stopped responding.', { onlyIfExpired: true }),
      ]);
      expect(ends.filter((e) => e.kind === 'ended')).toHaveLength(1);
      expect(await fx.log.expiredRuns()).not.toContain(runId);
      expect(await fx.log.renewLeases([runId], 1_000)).toEqual([{ kind: 'lost' }]);
      const events = await readAll(fx.log, id);
      expect(events.at(-1)!.data).toMatchObject({ status: 'interrupted', text: 'partial', reason: 'The coach stopped responding.' });
    });

    it('SL13: one renewal call renews several runs, each outcome in input order (renewed, stop requested, lost)', async () => {
      const runs: string[] = [];
      for (let i = 0; i < 3; i++) {
        const id = await fx.newSession();
        await fx.log.appendUserMessage(id, { clientMessageId: 'a', text: 'hi' });
        // A short lease: only the renewal keeps it alive past the wait below.
        const c = await claim(fx.log, id, 1_000);
        if (c.kind !== 'claimed') throw new Error(c.kind);
        runs.push(c.event.data.runId as string);
        if (i === 1) await fx.log.requestCancel(id);
        if (i === 2) await fx.log.endRun(c.event.data.runId as string, 'complete');
      }
      const unknown = randomUUID();
      expect(await fx.log.renewLeases([unknown, ...runs], 30_000)).toEqual([
        { kind: 'lost' },
        { kind: 'renewed', stopRequested: false },
        { kind: 'renewed', stopRequested: true },
        { kind: 'lost' },
      ]);
      expect(await fx.log.renewLeases([], 30_000)).toEqual([]);
      await new Promise((r) => setTimeout(r, 1_100));
      const expired = await fx.log.expiredRuns();
      expect(expired).not.toContain(nth(runs, 0));
      expect(expired).not.toContain(nth(runs, 1));
    });

    it('SL6 + SL13: a sweeper\'s end racing a zombie\'s delta statements carries exactly the deltas committed before it, and none commits after it', async () => {
      for (let round = 0; round < 8; round++) {
        const id = await fx.newSession();
        await fx.log.appendUserMessage(id, { clientMessageId: 'a', text: 'hi' });
        const c = await claim(fx.log, id, 20);
        if (c.kind !== 'claimed') throw new Error(c.kind);
        const runId = c.event.data.runId as string;
        await new Promise((r) => setTimeout(r, 40));
        // The lease ran out but its instance still writes: separate statements on separate
        // connections, the sweeper's end among them. Some deltas commit before the end, some
        // are refused after it, none lands between the end's read and its write.
        const writes = Array.from({ length: 12 }, (_, i) => delta(fx.log, runId, `t${i} `));
        const end = fx.log.endRun(runId, 'interrupted', 'lost', { onlyIfExpired: true });
        const [ended, ...outcomes] = await Promise.all([end, ...writes]);
        if (ended.kind !== 'ended') throw new Error(ended.kind);
        const events = await readAll(fx.log, id);
        const deltas = events.filter((e) => e.type === 'assistant.delta');
        expect(deltas.every((e) => e.seq < ended.event.seq)).toBe(true);
        expect(ended.event.data.text).toBe(deltas.map((e) => e.data.text).join(''));
        expect(outcomes.filter((o) => o.kind === 'appended')).toHaveLength(deltas.length);
        expect(await delta(fx.log, runId, 'late')).toEqual({ kind: 'run_stopped' });
      }
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
  });
}
