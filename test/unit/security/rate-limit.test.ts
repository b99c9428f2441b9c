import { describe, expect, it } from 'vitest';
import { KeyedRateLimiter, TokenBucket } from '../../../server/http/rate-limit.ts';

const clock = () => {
  let t = 1_000;
  return { now: () => t, advance: (ms: number) => (t += ms) };
};

describe('TokenBucket', () => {
  it('allows a burst, then refuses with the wait until the next token', () => {
    const c = clock();
    const b = new TokenBucket(3, 2, c.now); // 3 at once, 2 per second
    expect([b.take(), b.take(), b.take()].every((r) => r.ok)).toBe(true);
    expect(b.take()).toEqual({ ok: false, retryAfterMs: 500 });
    c.advance(499);
    expect(b.take().ok).toBe(false);
    c.advance(1);
    expect(b.take().ok).toBe(true);
  });

  it('refills continuously but never above capacity', () => {
    const c = clock();
    const b = new TokenBucket(2, 1, c.now);
    b.take();
    b.take();
    c.advance(60_000);
    expect(b.isFull()).toBe(true);
    expect([b.take(), b.take(), b.take()].map((r) => r.ok)).toEqual([true, true, false]);
  });

  it('refund gives a token back, capped at capacity', () => {
    const c = clock();
    const b = new TokenBucket(1, 0, c.now);
    expect(b.take().ok).toBe(true);
    expect(b.take()).toEqual({ ok: false, retryAfterMs: Number.POSITIVE_INFINITY });
    b.refund();
    b.refund();
    expect(b.take().ok).toBe(true);
    expect(b.take().ok).toBe(false);
  });
});

describe('KeyedRateLimiter', () => {
  it('keeps keys independent', () => {
    const c = clock();
    const l = new KeyedRateLimiter({ burst: 1, refillPerMinute: 1 }, c.now);
    expect(l.take('a').ok).toBe(true);
    expect(l.take('a').ok).toBe(false);
    expect(l.take('b').ok).toBe(true);
    c.advance(60_000);
    expect(l.take('a').ok).toBe(true);
  });

  it('stays bounded however many keys an attacker invents, forgetting refilled buckets first', () => {
    const c = clock();
    const l = new KeyedRateLimiter({ burst: 2, refillPerMinute: 60 }, c.now, 100);
    l.take('victim');
    l.take('victim');
    for (let i = 0; i < 1_000; i++) l.take(`k${i}`);
    expect(l.size).toBeLessThanOrEqual(100);
    // Refilled buckets are equivalent to fresh ones, so dropping them loses nothing.
    c.advance(10_000);
    for (let i = 0; i < 50; i++) l.take(`n${i}`);
    expect(l.size).toBeLessThanOrEqual(100);
  });

  it('a limited key is not reset by eviction while full buckets can be dropped instead', () => {
    const c = clock();
    const l = new KeyedRateLimiter({ burst: 1, refillPerMinute: 0.001 }, c.now, 10);
    expect(l.take('attacker').ok).toBe(true);
    // Nine keys whose buckets are full again (a refund after a successful login, say).
    for (let i = 0; i < 9; i++) {
      l.take(`user${i}`);
      l.refund(`user${i}`);
    }
    // The eleventh key forces an eviction: the full buckets go, the limited one stays.
    l.take('newcomer');
    expect(l.size).toBe(2);
    expect(l.take('attacker').ok).toBe(false);
  });
});
