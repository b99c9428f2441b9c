import { describe, expect, it } from 'vitest';
import { EventCache } from '../../server/session/event-cache.ts';
import type { SessionEvent } from '../../server/session/types.ts';

const ev = (seq: number, text = `t${seq}`): SessionEvent => ({ seq, type: 'assistant.delta', at: '2026-01-01T00:00:00.000Z', data: { messageId: 'm', text } });
const range = (from: number, to: number): SessionEvent[] => Array.from({ length: to - from + 1 }, (_, i) => ev(from + i));
const seqs = (events: SessionEvent[]) => events.map((e) => e.seq);

describe('EventCache (SL20)', () => {
  it('serves a run starting exactly at after + 1, at most limit, and nothing for an offset outside the run', () => {
    const c = new EventCache();
    c.add('s', 4, range(5, 10), c.epoch);
    expect(seqs(c.get('s', 4, 100))).toEqual([5, 6, 7, 8, 9, 10]);
    expect(seqs(c.get('s', 6, 2))).toEqual([7, 8]);
    // Events 1…4 are not cached: a reader from 0 must get them from the log, so nothing is served.
    expect(c.get('s', 0, 100)).toEqual([]);
    expect(c.get('s', 10, 100)).toEqual([]);
    expect(c.get('other', 0, 100)).toEqual([]);
  });

  it('SL20: never bridges a hole — events beyond one are not joined to the run', () => {
    const c = new EventCache();
    c.add('s', 0, range(1, 5), c.epoch);
    // A local commit of 7 arrives before 6 (two statements returned out of order).
    c.committed('s', ev(7));
    expect(seqs(c.get('s', 0, 100))).toEqual([1, 2, 3, 4, 5]);
    expect(c.get('s', 5, 100)).toEqual([]);
    c.committed('s', ev(6));
    c.committed('s', ev(7));
    expect(seqs(c.get('s', 0, 100))).toEqual([1, 2, 3, 4, 5, 6, 7]);
    // A read with a hole inside it keeps only the part that continues the run.
    c.add('s', 7, [ev(8), ev(9), ev(11)], c.epoch);
    expect(seqs(c.get('s', 0, 100))).toEqual(range(1, 9).map((e) => e.seq));
  });

  it('SL20: a read beyond a hole replaces the run; an older one beyond a hole is ignored; touching ranges join', () => {
    const c = new EventCache();
    c.add('s', 9, range(10, 20), c.epoch);
    c.add('s', 0, range(1, 5), c.epoch); // 6…9 unknown: not joined
    expect(seqs(c.get('s', 9, 100))).toEqual(range(10, 20).map((e) => e.seq));
    expect(c.get('s', 0, 100)).toEqual([]);
    c.add('s', 3, range(4, 12), c.epoch); // reaches lo - 1: joins in front
    expect(seqs(c.get('s', 3, 100))).toEqual(range(4, 20).map((e) => e.seq));
    c.add('s', 29, range(30, 31), c.epoch); // 21…29 unknown: newer run replaces the old one
    expect(c.get('s', 3, 100)).toEqual([]);
    expect(seqs(c.get('s', 29, 100))).toEqual([30, 31]);
  });

  it('a local commit never starts a run (only reads do), and extends one only by the next seq', () => {
    const c = new EventCache();
    c.committed('s', ev(1));
    expect(c.size.sessions).toBe(0);
    c.add('s', 0, [ev(1)], c.epoch);
    c.committed('s', ev(1));
    c.committed('s', ev(2));
    expect(seqs(c.get('s', 0, 100))).toEqual([1, 2]);
  });

  it('older events that would push a run past its share are not put in front of it (they would be trimmed off at once)', () => {
    const c = new EventCache(40_000); // 10,000 bytes per session, ~400 bytes per event here
    c.add('s', 100, range(101, 115), c.epoch);
    c.add('s', 90, range(91, 100), c.epoch); // 15 + 10 events: over the share
    expect(c.get('s', 90, 100)).toEqual([]);
    expect(seqs(c.get('s', 100, 100))).toEqual(range(101, 115).map((e) => e.seq));
    c.add('s', 97, range(98, 100), c.epoch); // 18 events: within it
    expect(seqs(c.get('s', 97, 100))).toEqual(range(98, 115).map((e) => e.seq));
  });

  it('a read that found nothing starts an empty run that the next local commits extend', () => {
    const c = new EventCache();
    c.add('s', 3, [], c.epoch);
    expect(c.get('s', 3, 10)).toEqual([]);
    c.committed('s', ev(5)); // not the next seq: ignored
    c.committed('s', ev(4));
    c.committed('s', ev(5));
    expect(seqs(c.get('s', 3, 10))).toEqual([4, 5]);
    // Nothing below the run's start is claimed: a reader from 0 goes to the log.
    expect(c.get('s', 0, 10)).toEqual([]);
  });

  it('drop and clear forget sessions, and a read that started before them cannot put its events back', () => {
    const c = new EventCache();
    c.add('s', 0, range(1, 3), c.epoch);
    c.add('t', 0, range(1, 3), c.epoch);
    const before = c.epoch;
    c.drop('s');
    expect(c.get('s', 0, 10)).toEqual([]);
    c.add('s', 0, range(1, 3), before);
    expect(c.get('s', 0, 10)).toEqual([]);
    expect(seqs(c.get('t', 0, 10))).toEqual([1, 2, 3]);
    const beforeClear = c.epoch;
    c.clear();
    c.add('t', 0, range(1, 3), beforeClear);
    expect(c.size).toEqual({ sessions: 0, bytes: 0 });
  });

  it('stays within its byte budget: a session keeps its newest events gap-free, and the least recently read session goes first', () => {
    const c = new EventCache(40_000); // 10,000 bytes per session, ~400 bytes per event here
    c.add('a', 0, range(1, 200), c.epoch);
    const a = c.get('a', 0, 1000);
    expect(a).toEqual([]); // the oldest were trimmed
    let lo = 1;
    while (c.get('a', lo - 1, 1).length === 0) lo++;
    const kept = c.get('a', lo - 1, 1000);
    expect(seqs(kept)).toEqual(range(lo, 200).map((e) => e.seq));
    expect(c.size.bytes).toBeLessThanOrEqual(10_000);
    c.add('b', 0, range(1, 20), c.epoch);
    c.get('a', lo - 1, 1); // 'a' read most recently: 'b' is now the oldest
    const later = ['c', 'd', 'e', 'f', 'g', 'h'];
    for (const id of later) {
      c.add(id, 0, range(1, 20), c.epoch);
      expect(c.size.bytes).toBeLessThanOrEqual(40_000);
    }
    // Evicted: 'b' first, then 'a', then the later ones in the order they came; the newest stay.
    const present = ['b', 'a', ...later].map((id) => c.get(id, 0, 100).length > 0 || c.get(id, lo - 1, 1).length > 0);
    const firstKept = present.indexOf(true);
    expect(firstKept).toBeGreaterThan(0);
    expect(present.slice(firstKept).every(Boolean)).toBe(true);
    expect(seqs(c.get('h', 0, 100))).toEqual(range(1, 20).map((e) => e.seq));
  });
});
