// Token buckets, in memory. Each instance keeps its own, so with N replicas an attacker
// gets at most N times the rate; that is still far below what brute force needs
// (docs/security.md), and it keeps the limiter free of a database round trip.

import type { FastifyReply } from 'fastify';
import type { BucketSpec } from '../config.ts';
import { ApiError } from './errors.ts';

export type Clock = () => number;
const monotonicMs: Clock = () => performance.now();

export type TakeOutcome = { ok: true } | { ok: false; retryAfterMs: number };

/** `capacity` tokens at most, refilled continuously at `refillPerSecond`. */
export class TokenBucket {
  private tokens: number;
  private updatedAtMs: number;

  constructor(
    readonly capacity: number,
    readonly refillPerSecond: number,
    private readonly now: Clock = monotonicMs,
  ) {
    this.tokens = capacity;
    this.updatedAtMs = now();
  }

  private refill(): void {
    const t = this.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((t - this.updatedAtMs) / 1000) * this.refillPerSecond);
    this.updatedAtMs = t;
  }

  take(cost = 1): TakeOutcome {
    this.refill();
    if (this.tokens >= cost) {
      this.tokens -= cost;
      return { ok: true };
    }
    const missing = cost - this.tokens;
    const retryAfterMs = this.refillPerSecond > 0 ? Math.ceil((missing / this.refillPerSecond) * 1000) : Number.POSITIVE_INFINITY;
    return { ok: false, retryAfterMs };
  }

  /** Gives a token back (e.g. a login that turned out to be legitimate). */
  refund(amount = 1): void {
    this.refill();
    this.tokens = Math.min(this.capacity, this.tokens + amount);
  }

  /** True when the bucket has refilled completely: it is then the same as a fresh one and may be forgotten. */
  isFull(): boolean {
    this.refill();
    return this.tokens >= this.capacity;
  }
}

/** Keeps at most this many keys; beyond it full buckets are dropped, then the oldest. */
export const MAX_TRACKED_KEYS = 50_000;

/** One bucket per key (an IP, an email, a user id). Memory stays bounded whatever keys an attacker invents. */
export class KeyedRateLimiter {
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly refillPerSecond: number;

  constructor(
    private readonly spec: BucketSpec,
    private readonly now: Clock = monotonicMs,
    private readonly maxKeys = MAX_TRACKED_KEYS,
  ) {
    this.refillPerSecond = spec.refillPerMinute / 60;
  }

  private bucket(key: string): TokenBucket {
    let b = this.buckets.get(key);
    if (!b) {
      if (this.buckets.size >= this.maxKeys) this.evict();
      b = new TokenBucket(this.spec.burst, this.refillPerSecond, this.now);
      this.buckets.set(key, b);
    }
    return b;
  }

  private evict(): void {
    for (const [k, b] of this.buckets) if (b.isFull()) this.buckets.delete(k);
    // Still full of active keys: forget the oldest quarter (Map iterates in insertion order).
    if (this.buckets.size >= this.maxKeys) {
      let drop = Math.ceil(this.maxKeys / 4);
      for (const k of this.buckets.keys()) {
        if (drop-- <= 0) break;
        this.buckets.delete(k);
      }
    }
  }

  take(key: string, cost = 1): TakeOutcome {
    return this.bucket(key).take(cost);
  }

  refund(key: string, amount = 1): void {
    this.buckets.get(key)?.refund(amount);
  }

  get size(): number {
    return this.buckets.size;
  }
}

/** Throws a 429 with Retry-After when `key` is over its limit. */
export function enforce(limiter: KeyedRateLimiter, key: string, reply: FastifyReply, what: string): void {
  const r = limiter.take(key);
  if (r.ok) return;
  const retryAfterS = Math.max(1, Math.ceil(r.retryAfterMs / 1000));
  reply.header('retry-after', String(retryAfterS));
  throw new ApiError(429, 'rate_limited', `Too many ${what}. Try again in ${retryAfterS} s.`);
}
