import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DeltaBatcher, FLUSH_INTERVAL_MS } from '../../../server/runs/delta-batcher.ts';

describe('DeltaBatcher', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('SL7: many tokens inside one interval become one append, at most one per FLUSH_INTERVAL_MS', async () => {
    expect(FLUSH_INTERVAL_MS).toBeLessThanOrEqual(40);
    const appended: Array<{ text: string; at: number }> = [];
    const b = new DeltaBatcher(async (text) => (appended.push({ text, at: Date.now() }), 'appended'), () => {}, () => {});
    for (let i = 0; i < 100; i++) b.write(`t${i} `);
    expect(appended).toEqual([]);
    await vi.advanceTimersByTimeAsync(FLUSH_INTERVAL_MS);
    expect(appended).toHaveLength(1);
    // Tokens every 5 ms for 400 ms: about one write per interval, never more.
    for (let t = 0; t < 400; t += 5) {
      b.write('x');
      await vi.advanceTimersByTimeAsync(5);
    }
    await b.flush();
    const gaps = appended.slice(1).map((a, i) => a.at - appended[i].at);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(FLUSH_INTERVAL_MS - 5);
    expect(appended.length).toBeLessThanOrEqual(1 + Math.ceil(400 / FLUSH_INTERVAL_MS) + 1);
    expect(appended.map((a) => a.text).join('')).toBe(Array.from({ length: 100 }, (_, i) => `t${i} `).join('') + 'x'.repeat(80));
  });

  it('SL10: a rejected append stops the batcher: buffered text is dropped and nothing more is written', async () => {
    const appended: string[] = [];
    let stops = 0;
    let reject = false;
    const b = new DeltaBatcher(
      async (text) => {
        if (reject) return 'run_stopped';
        appended.push(text);
        return 'appended';
      },
      () => stops++,
      () => {},
    );
    b.write('a');
    await b.flush();
    reject = true;
    b.write('b');
    await b.flush();
    b.write('c');
    await vi.advanceTimersByTimeAsync(FLUSH_INTERVAL_MS * 3);
    await b.flush();
    expect(appended).toEqual(['a']);
    expect(stops).toBe(1);
    expect(b.isStopped).toBe(true);
  });

  it('writes commit strictly in order even when an append is slow', async () => {
    const order: string[] = [];
    const b = new DeltaBatcher(
      async (text) => {
        await new Promise((r) => setTimeout(r, text === 'first' ? 100 : 1));
        order.push(text);
        return 'appended';
      },
      () => {},
      () => {},
    );
    b.write('first');
    void b.flush();
    b.write('second');
    const done = b.flush();
    await vi.advanceTimersByTimeAsync(200);
    await done;
    expect(order).toEqual(['first', 'second']);
  });
});
