import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HEADS_PER_NOTICE } from '../../server/db/notify-registry.ts';
import { eventFrame, eventsFrame } from '../../server/session/frames.ts';
import { SessionHub } from '../../server/session/hub.ts';
import type { SessionEvent } from '../../server/session/types.ts';
import type { LogNotification } from '../../server/session/types.ts';
import { nth } from '../support/nth.ts';
import { claim, delta, deltaInput, readAll, waitFor, type StoreFixture } from './store-fixture.ts';

export type { StoreFixture as LogFixture } from './store-fixture.ts';

/** ONE contract for the SessionLog port of every adapter (memory, PGlite, Postgres). */
export function sessionLogContract(name: string, makeFixture: () => Promise<StoreFixture>) {
  describe(`session log contract: ${name}`, () => {
    let fx: StoreFixture;
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

    it('SL3: the frame of a read event is that event: stored text, sent as is, parses to what the writer got', async () => {
      const id = await fx.newSession();
      // Text that JSON escapes (quotes, backslash, control and non-ASCII characters), nesting and numbers.
      const tricky = { text: 'say "hi"\\ \n\ttab \u0001 é ✓ 🙂 \u2028', nested: { list: [1, 2.5, -3, true, null], empty: {} }, n: 12345678901 };
      const appended = await fx.log.append(id, 'plan.updated', tricky);
      await fx.log.appendUserMessage(id, { clientMessageId: 'frame-c1', text: 'über </script> "quoted"' });
      if (appended.kind !== 'appended') throw new Error('append failed');
      const events = await readAll(fx.log, id);
      expect(events).toHaveLength(2);
      expect(nth(events, 0)).toEqual(appended.event);
      expect(nth(events, 0).data).toEqual(tricky);
      for (const e of events) {
        const plain = { seq: e.seq, type: e.type, at: e.at, data: e.data };
        expect(JSON.parse(eventFrame(e))).toEqual(plain);
        expect(JSON.parse(eventsFrame([e, e]))).toEqual({ type: 'events', events: [plain, plain] });
        expect(JSON.parse(JSON.stringify(e))).toEqual(plain);
      }
    });

    it('SL4: a replay across many page boundaries delivers exactly the log, one by one and in batches, frames equal to the events', async () => {
      const id = await fx.newSession();
      for (let i = 0; i < 23; i++) await fx.log.append(id, 'plan.updated', { i, text: `p "${i}"` });
      const log = await readAll(fx.log, id);
      // Pages of 4 events: the replay after seq 2 reads six pages, each while the one before is sent.
      const hub = new SessionHub(fx.log, () => {}, 4);
      const replay = (batched: boolean) =>
        new Promise<{ frames: string[]; lastSeq: number }>((resolve, reject) => {
          const frames: string[] = [];
          const sub = hub.subscribe(id, 2, {
            event: (e) => frames.push(eventFrame(e)) > 0,
            ...(batched ? { eventBatch: (events: SessionEvent[]) => frames.push(eventsFrame(events)) > 0 } : {}),
            ready: (lastSeq) => {
              hub.unsubscribe(sub);
              resolve({ frames, lastSeq });
            },
            error: reject,
          });
        });
      try {
        const expected = log.slice(2).map((e) => ({ seq: e.seq, type: e.type, at: e.at, data: e.data }));
        const single = await replay(false);
        expect(single.lastSeq).toBe(23);
        expect(single.frames.map((f) => JSON.parse(f))).toEqual(expected);
        const batched = await replay(true);
        expect(batched.lastSeq).toBe(23);
        expect(batched.frames.flatMap((f) => (JSON.parse(f) as { events: unknown[] }).events)).toEqual(expected);
      } finally {
        hub.close();
      }
    });

    it('SL2: a read event has the same at as its write returned (bulk reads format at their own way), to the millisecond', async () => {
      const id = await fx.newSession();
      const written = [];
      // Enough events that some commit times end in zero microseconds (a shorter fraction in the text).
      for (let i = 0; i < 40; i++) {
        const r = await fx.log.append(id, 'plan.updated', { i });
        if (r.kind !== 'appended') throw new Error(r.kind);
        written.push(r.event);
      }
      expect(await readAll(fx.log, id)).toEqual(written);
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

    it('SL8: a writer hears each of its own commits once, with the data, and no pointer back', async () => {
      const id = await fx.newSession();
      const seen: LogNotification[] = [];
      const off = fx.log.onNotification((n) => {
        if (n.kind === 'events' && n.sessionId === id) seen.push(n);
      });
      await fx.log.append(id, 'plan.updated', { x: 1 });
      await fx.log.append(id, 'plan.updated', { x: 2 });
      // Long enough for our own NOTIFY to come back through LISTEN, were it not skipped.
      await new Promise((r) => setTimeout(r, 300));
      off();
      expect(seen.map((n) => (n.kind === 'events' ? [n.seq, n.events?.length] : []))).toEqual([
        [1, 1],
        [2, 1],
      ]);
    });

    it('SL8: one group commit across many sessions reaches a peer as pointers for every session', async () => {
      if (!fx.peer) return;
      const peer = await fx.peer();
      const count = HEADS_PER_NOTICE + 5;
      const ids = await Promise.all(Array.from({ length: count }, () => fx.newSession()));
      const runIds = await Promise.all(
        ids.map(async (id) => {
          await fx.log.appendUserMessage(id, { clientMessageId: 'a', text: 'hi' });
          const c = await claim(fx.log, id);
          if (c.kind !== 'claimed') throw new Error(c.kind);
          return c.event.data.runId as string;
        }),
      );
      const want = new Set(ids);
      const heard = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${want.size} sessions never announced`)), 5_000);
        const off = peer.onNotification((n) => {
          if (n.kind === 'events' && n.seq === 3 && n.events === undefined) want.delete(n.sessionId);
          if (want.size === 0) {
            clearTimeout(timer);
            off();
            resolve();
          }
        });
      });
      const out = await fx.log.appendDeltas(runIds.map((r) => deltaInput(r, 'x')));
      expect(out.every((o) => o.kind === 'appended')).toBe(true);
      await heard;
    });

    it('SL17: the history read skips the deltas of ended answers, and keeps those of a running one', async () => {
      const id = await fx.newSession();
      await fx.log.appendUserMessage(id, { clientMessageId: 'a', text: 'first' });
      const c1 = await claim(fx.log, id);
      if (c1.kind !== 'claimed') throw new Error(c1.kind);
      const run1 = c1.event.data.runId as string;
      await delta(fx.log, run1, 'Hello ');
      await delta(fx.log, run1, 'there');
      await fx.log.endRun(run1, 'complete');
      await fx.log.appendUserMessage(id, { clientMessageId: 'b', text: 'second' });
      const c2 = await claim(fx.log, id);
      if (c2.kind !== 'claimed') throw new Error(c2.kind);
      await delta(fx.log, c2.event.data.runId as string, 'Partial');
      const all = await readAll(fx.log, id);
      const history = await fx.log.readHistory(id, all.length);
      if (!Array.isArray(history)) throw new Error('not found');
      expect(history.map((e) => e.type)).toEqual(['user.message', 'assistant.start', 'assistant.end', 'user.message', 'assistant.start', 'assistant.delta']);
      expect(history.find((e) => e.type === 'assistant.end')?.data.text).toBe('Hello there');
      // Everything it returns is exactly the log's event, and the cut-off is honoured.
      for (const e of history) expect(all[e.seq - 1]).toEqual(e);
      const early = await fx.log.readHistory(id, 3);
      expect(Array.isArray(early) && early.map((e) => e.type)).toEqual(['user.message', 'assistant.start', 'assistant.delta']);
      expect(await fx.log.readHistory(randomUUID(), 10)).toEqual({ kind: 'not_found' });
    });

    it('SL17: in a long session the history holds every answer\'s end and only the running answer\'s deltas, at any cut-off', async () => {
      const id = await fx.newSession();
      const answer = async (n: number, texts: string[], end: boolean) => {
        await fx.log.appendUserMessage(id, { clientMessageId: `m${n}`, text: `turn ${n}` });
        const c = await claim(fx.log, id);
        if (c.kind !== 'claimed') throw new Error(c.kind);
        const runId = c.event.data.runId as string;
        for (const t of texts) await delta(fx.log, runId, t);
        if (end) await fx.log.endRun(runId, 'complete');
      };
      await answer(1, ['a', 'b', 'c'], true);
      await answer(2, [], true);
      await answer(3, ['d', 'e'], true);
      await answer(4, ['f', 'g'], false);
      const all = await readAll(fx.log, id);
      // What the history must be at every cut-off: drop a delta when its answer's end is in.
      const expected = (upto: number) => {
        const seen = all.filter((e) => e.seq <= upto);
        const ended = new Set(seen.filter((e) => e.type === 'assistant.end').map((e) => e.data.messageId));
        return seen.filter((e) => e.type !== 'assistant.delta' || !ended.has(e.data.messageId));
      };
      for (let upto = 1; upto <= all.length; upto++) expect(await fx.log.readHistory(id, upto)).toEqual(expected(upto));
      expect((await fx.log.readHistory(id, all.length) as Array<{ type: string }>).map((e) => e.type)).toEqual([
        ...['user.message', 'assistant.start', 'assistant.end'],
        ...['user.message', 'assistant.start', 'assistant.end'],
        ...['user.message', 'assistant.start', 'assistant.end'],
        ...['user.message', 'assistant.start', 'assistant.delta', 'assistant.delta'],
      ]);
    });

    it('SL19: a held session claims no run and is no orphan; the hand-back lets the coach answer', async () => {
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

    it('SL19: two people taking over at once produce one handoff.started', async () => {
      const id = await fx.newSession();
      const people = [0, 1, 2, 3].map((i) => ({ userId: randomUUID(), displayName: `P${i}`, role: 'partner' as const }));
      const results = await Promise.all(people.map((p) => fx.log.setHandoff(id, p, false)));
      expect(results.filter((r) => r.kind === 'changed')).toHaveLength(1);
      expect((await readAll(fx.log, id)).filter((e) => e.type === 'handoff.started')).toHaveLength(1);
    });
  });
}
