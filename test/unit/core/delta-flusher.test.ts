import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DeltaFlusher, FLUSH_INTERVAL_MS, MAX_INFLIGHT_FLUSHES } from '../../../server/runs/delta-flusher.ts';
import type { DeltaOutcome } from '../../../server/session/types.ts';
import { nth } from '../../support/nth.ts';

type Batch = ReadonlyArray<{ runId: string; sessionId: string; text: string }>;

/** A log double recording every statement (batch) with the fake clock's time. */
function recordingLog(opts: { stopped?: Set<string>; delayMs?: number } = {}) {
  const statements: Array<{ at: number; batch: Batch }> = [];
  return {
    statements,
    async appendDeltas(batch: Batch): Promise<DeltaOutcome[]> {
      statements.push({ at: Date.now(), batch: [...batch] });
      if (opts.delayMs) await new Promise((r) => setTimeout(r, opts.delayMs));
      return batch.map((d) =>
        opts.stopped?.has(d.runId) ? { kind: 'run_stopped' } : { kind: 'appended', event: { seq: 1, type: 'assistant.delta', at: '', data: {} } },
      );
    },
  };
}

describe('DeltaFlusher (SL7 group commit)', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('SL7: many tokens from many runs become one statement per interval, one delta per run', async () => {
    expect(FLUSH_INTERVAL_MS).toBeLessThanOrEqual(40);
    const log = recordingLog();
    const f = new DeltaFlusher(log);
    const runs = ['a', 'b', 'c'].map((id) => f.open({ runId: id, sessionId: `s-${id}`, messageId: 'm' }, () => {}, () => {}));
    // 400 ms of tokens every 5 ms from each run.
    for (let t = 0; t < 400; t += 5) {
      runs.forEach((r, i) => r.write(`${i}`));
      await vi.advanceTimersByTimeAsync(5);
    }
    await Promise.all([...runs.map((r) => r.flush()), vi.advanceTimersByTimeAsync(100)]);
    for (const s of log.statements) expect(new Set(s.batch.map((d) => d.runId)).size).toBe(s.batch.length);
    const gaps = log.statements.slice(1).map((s, i) => s.at - nth(log.statements, i).at);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(FLUSH_INTERVAL_MS);
    expect(log.statements.length).toBeLessThanOrEqual(Math.ceil(400 / FLUSH_INTERVAL_MS) + 2);
    // Every run's text arrives complete and in order.
    for (const [i, id] of ['a', 'b', 'c'].entries()) {
      const text = log.statements.flatMap((s) => s.batch.filter((d) => d.runId === id).map((d) => d.text)).join('');
      expect(text).toBe(String(i).repeat(80));
    }
  });

  it('an idle run flushes almost at once (leading edge), not a whole interval later', async () => {
    const log = recordingLog();
    const f = new DeltaFlusher(log);
    const r = f.open({ runId: 'a', sessionId: 's', messageId: 'm' }, () => {}, () => {});
    const t0 = Date.now();
    r.write('hello');
    await vi.advanceTimersByTimeAsync(2);
    expect(log.statements).toHaveLength(1);
    expect(nth(log.statements, 0).at - t0).toBeLessThan(FLUSH_INTERVAL_MS);
  });

  it('two runs of one session never share a statement (the counter bump is per session row)', async () => {
    const log = recordingLog();
    const f = new DeltaFlusher(log);
    const a = f.open({ runId: 'a', sessionId: 'same', messageId: 'm' }, () => {}, () => {});
    const b = f.open({ runId: 'b', sessionId: 'same', messageId: 'm' }, () => {}, () => {});
    a.write('x');
    b.write('y');
    await Promise.all([a.flush(), b.flush(), vi.advanceTimersByTimeAsync(100)]);
    expect(log.statements.map((s) => s.batch.map((d) => d.runId))).toEqual([['a'], ['b']]);
  });

  it('SL10: a run the log reports stopped drops its buffer, is told once, and writes nothing more', async () => {
    const stopped = new Set<string>();
    const log = recordingLog({ stopped });
    const f = new DeltaFlusher(log);
    let stops = 0;
    const r = f.open({ runId: 'a', sessionId: 's', messageId: 'm' }, () => stops++, () => {});
    const other = f.open({ runId: 'b', sessionId: 's2', messageId: 'm' }, () => {}, () => {});
    r.write('first');
    await Promise.all([r.flush(), vi.advanceTimersByTimeAsync(50)]);
    stopped.add('a');
    r.write('second');
    other.write('keeps going');
    await Promise.all([r.flush(), other.flush(), vi.advanceTimersByTimeAsync(50)]);
    r.write('third');
    await vi.advanceTimersByTimeAsync(100);
    await Promise.all([r.flush(), vi.advanceTimersByTimeAsync(50)]);
    const aTexts = log.statements.flatMap((s) => s.batch.filter((d) => d.runId === 'a').map((d) => d.text));
    expect(aTexts).toEqual(['first', 'second']);
    expect(stops).toBe(1);
    expect(r.isStopped).toBe(true);
    expect(log.statements.flatMap((s) => s.batch.filter((d) => d.runId === 'b').map((d) => d.text))).toEqual(['keeps going']);
  });

  it('flush() waits for text written during a slow statement to commit too', async () => {
    const log = recordingLog({ delayMs: 30 });
    const f = new DeltaFlusher(log);
    const r = f.open({ runId: 'a', sessionId: 's', messageId: 'm' }, () => {}, () => {});
    r.write('one ');
    await vi.advanceTimersByTimeAsync(2);
    r.write('two');
    let done = false;
    const p = r.flush().then(() => (done = true));
    await vi.advanceTimersByTimeAsync(31);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(100);
    await p;
    expect(log.statements.map((s) => nth(s.batch, 0).text)).toEqual(['one ', 'two']);
  });

  it('a failed statement reports the error to each run in it', async () => {
    const f = new DeltaFlusher({ appendDeltas: async () => Promise.reject(new Error('db down')) });
    const errors: string[] = [];
    const r = f.open({ runId: 'a', sessionId: 's', messageId: 'm' }, () => {}, (e) => errors.push((e as Error).message));
    r.write('x');
    await Promise.all([r.flush(), vi.advanceTimersByTimeAsync(10)]);
    expect(errors).toEqual(['db down']);
  });

  it('SL6 + SL7: the next statement goes out while a slow one commits, without any run or session in both, and each run keeps its order', async () => {
    let inflight = 0;
    let maxInflight = 0;
    const statements: Array<{ at: number; runs: string[]; sessions: string[]; inflightAtStart: string[]; sessionsInflightAtStart: string[] }> = [];
    const inflightRuns = new Set<string>();
    const inflightSessions = new Set<string>();
    const texts = new Map<string, string>();
    const f = new DeltaFlusher({
      async appendDeltas(batch) {
        statements.push({
          at: Date.now(),
          runs: batch.map((d) => d.runId),
          sessions: batch.map((d) => d.sessionId),
          inflightAtStart: [...inflightRuns],
          sessionsInflightAtStart: [...inflightSessions],
        });
        inflight++;
        maxInflight = Math.max(maxInflight, inflight);
        for (const d of batch) {
          inflightRuns.add(d.runId);
          inflightSessions.add(d.sessionId);
        }
        // A commit slower than the flush interval.
        await new Promise((r) => setTimeout(r, FLUSH_INTERVAL_MS * 3));
        for (const d of batch) {
          inflightRuns.delete(d.runId);
          inflightSessions.delete(d.sessionId);
          texts.set(d.runId, (texts.get(d.runId) ?? '') + d.text);
        }
        inflight--;
        return batch.map(() => ({ kind: 'appended', event: { seq: 1, type: 'assistant.delta', at: '', data: {} } }) as const);
      },
    });
    const ids = ['a', 'b', 'c', 'd'];
    // c and d share a session (an answer ending while the next starts).
    const runs = ids.map((id) => f.open({ runId: id, sessionId: id === 'd' ? 's-c' : `s-${id}`, messageId: 'm' }, () => {}, () => {}));
    const expected = new Map(ids.map((id) => [id, '']));
    // Runs write at staggered moments, so a statement in flight never holds all of them.
    for (let t = 0; t < 400; t += 5) {
      const i = (t / 5) % ids.length;
      const token = `${ids[i]}${t};`;
      nth(runs, i).write(token);
      expected.set(nth(ids, i), `${expected.get(nth(ids, i))}${token}`);
      await vi.advanceTimersByTimeAsync(5);
    }
    await Promise.all([...runs.map((r) => r.flush()), vi.advanceTimersByTimeAsync(1_000)]);
    expect(maxInflight).toBe(MAX_INFLIGHT_FLUSHES);
    for (const s of statements) {
      // No run or session of a statement in flight is in the next one (its deltas would race
      // on two connections; two statements locking the same rows could deadlock).
      expect(s.runs.filter((r) => s.inflightAtStart.includes(r))).toEqual([]);
      expect(s.sessions.filter((x) => s.sessionsInflightAtStart.includes(x))).toEqual([]);
      expect(new Set(s.sessions).size).toBe(s.sessions.length);
    }
    const gaps = statements.slice(1).map((s, i) => s.at - nth(statements, i).at);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(FLUSH_INTERVAL_MS);
    for (const id of ids) expect(texts.get(id)).toBe(expected.get(id));
  });

  it('SL6: a failed statement stops its runs: told once, nothing they write later is sent, flush() resolves; other runs go on', async () => {
    let fail = true;
    const sent: Batch[] = [];
    const f = new DeltaFlusher({
      async appendDeltas(batch) {
        if (fail) throw new Error('db down');
        sent.push([...batch]);
        return batch.map(() => ({ kind: 'appended', event: { seq: 1, type: 'assistant.delta', at: '', data: {} } }) as const);
      },
    });
    const errors: string[] = [];
    let stops = 0;
    const r = f.open({ runId: 'a', sessionId: 's', messageId: 'm' }, () => stops++, (e) => errors.push((e as Error).message));
    r.write('lost');
    await Promise.all([r.flush(), vi.advanceTimersByTimeAsync(10)]);
    expect(errors).toEqual(['db down']);
    expect(r.isStopped).toBe(true);
    fail = false;
    const other = f.open({ runId: 'b', sessionId: 's2', messageId: 'm' }, () => {}, () => {});
    r.write('after the failure');
    other.write('fine');
    await Promise.all([r.flush(), other.flush(), vi.advanceTimersByTimeAsync(100)]);
    expect(sent.flat().map((d) => d.runId)).toEqual(['b']);
    expect(errors).toEqual(['db down']);
    expect(stops).toBe(0);
  });

  it('SL6: finish() sends what was written, refuses later writes, and resolves only once no statement carrying the run is in flight', async () => {
    const log = recordingLog({ delayMs: 50 });
    const f = new DeltaFlusher(log);
    const r = f.open({ runId: 'a', sessionId: 's', messageId: 'm' }, () => {}, () => {});
    r.write('one ');
    await vi.advanceTimersByTimeAsync(2); // the first statement is in flight
    r.write('two');
    let finished = false;
    const done = r.finish().then(() => (finished = true));
    r.write(' late');
    await vi.advanceTimersByTimeAsync(49);
    expect(finished).toBe(false); // the first statement has not returned
    await vi.advanceTimersByTimeAsync(200);
    await done;
    expect(log.statements.map((st) => st.batch.map((d) => d.text).join(''))).toEqual(['one ', 'two']);
    r.write('after');
    await vi.advanceTimersByTimeAsync(100);
    expect(log.statements).toHaveLength(2);
    expect(f.activeRuns).toBe(0);
  });
  it('SL6: finish() resolves to exactly the text of the deltas the log appended, in order — not what a stop refused', async () => {
    const stopped = new Set<string>();
    const log = recordingLog({ stopped });
    const f = new DeltaFlusher(log);
    const r = f.open({ runId: 'a', sessionId: 's', messageId: 'm' }, () => {}, () => {});
    const other = f.open({ runId: 'b', sessionId: 's2', messageId: 'm' }, () => {}, () => {});
    r.write('one ');
    other.write('x');
    await Promise.all([r.flush(), vi.advanceTimersByTimeAsync(30)]);
    r.write('two');
    await Promise.all([r.flush(), vi.advanceTimersByTimeAsync(30)]);
    stopped.add('a'); // the log refuses the run's next delta (SL10)
    r.write(' refused');
    other.write('y');
    await Promise.all([r.flush(), other.flush(), vi.advanceTimersByTimeAsync(30)]);
    const [text, otherText] = await Promise.all([r.finish(), other.finish(), vi.advanceTimersByTimeAsync(30)]);
    expect(text).toBe('one two');
    expect(otherText).toBe('xy');
    const sentForA = log.statements.flatMap((st) => st.batch.filter((d) => d.runId === 'a').map((d) => d.text));
    expect(sentForA).toEqual(['one ', 'two', ' refused']);
  });

  it('SL6: after a failed statement finish() resolves to undefined — that statement may have committed, so the end must read the log', async () => {
    let fail = false;
    const f = new DeltaFlusher({
      async appendDeltas(batch) {
        if (fail) throw new Error('connection lost');
        return batch.map(() => ({ kind: 'appended', event: { seq: 1, type: 'assistant.delta', at: '', data: {} } }) as const);
      },
    });
    const r = f.open({ runId: 'a', sessionId: 's', messageId: 'm' }, () => {}, () => {});
    const quiet = f.open({ runId: 'b', sessionId: 's2', messageId: 'm' }, () => {}, () => {});
    r.write('kept');
    await Promise.all([r.flush(), vi.advanceTimersByTimeAsync(30)]);
    fail = true;
    r.write(' unknown');
    await Promise.all([r.flush(), vi.advanceTimersByTimeAsync(30)]);
    const [text, quietText] = await Promise.all([r.finish(), quiet.finish(), vi.advanceTimersByTimeAsync(30)]);
    expect(text).toBeUndefined();
    expect(quietText).toBe(''); // a run that wrote nothing knows its text: none
  });
});
