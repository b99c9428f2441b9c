import { describe, expect, it } from 'vitest';
import { Backoff, backoffCeilingMs, backoffDelayMs, MAX_BACKOFF_MS } from '../../../web/src/session-client/backoff.ts';
import { Outbox, outboxKey } from '../../../web/src/session-client/outbox.ts';
import { MemoryStorage } from './fake-websocket.ts';

describe('backoff', () => {
  it('ceiling doubles from the base and is capped', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((n) => backoffCeilingMs(n, 500, 30_000))).toEqual([
      500, 1000, 2000, 4000, 8000, 16000, 30000, 30000,
    ]);
    expect(backoffCeilingMs(5000)).toBe(MAX_BACKOFF_MS);
  });

  it('full jitter scales the ceiling by random()', () => {
    expect(backoffDelayMs(3, { random: () => 0.25 })).toBe(500);
    expect(backoffDelayMs(3, { random: () => 0 })).toBe(0);
    expect(backoffDelayMs(3, { random: () => 0.999 })).toBe(1998);
    expect(backoffDelayMs(40, { random: () => 0.5 })).toBe(15_000);
  });

  it('Backoff counts attempts and resets', () => {
    const seq = [0.5, 0.5, 0.5, 0.1];
    const b = new Backoff({ random: () => seq.shift() ?? 0 });
    expect([b.next(), b.next(), b.next()]).toEqual([250, 500, 1000]);
    expect(b.attempt).toBe(3);
    b.reset();
    expect(b.attempt).toBe(0);
    expect(b.next()).toBe(50);
  });
});

describe('outbox', () => {
  let n = 0;
  const uuid = () => `id-${++n}`;

  it('persists entries per session and survives a new instance (reload)', () => {
    const storage = new MemoryStorage();
    const a = new Outbox({ sessionId: 's1', storage, uuid, now: () => 1000 });
    const e = a.enqueue('hello');
    new Outbox({ sessionId: 's2', storage, uuid }).enqueue('other session');
    const b = new Outbox({ sessionId: 's1', storage, uuid });
    expect(b.list()).toEqual([{ clientMessageId: e.clientMessageId, text: 'hello', queuedAt: 1000 }]);
    expect(b.remove(e.clientMessageId)).toBe(true);
    expect(storage.getItem(outboxKey('s1'))).toBeNull();
    expect(new Outbox({ sessionId: 's2', storage, uuid }).size).toBe(1);
  });

  it('does not drop another tab’s entry when removing its own', () => {
    const storage = new MemoryStorage();
    const tabA = new Outbox({ sessionId: 's', storage, uuid });
    const tabB = new Outbox({ sessionId: 's', storage, uuid });
    const a = tabA.enqueue('from A');
    const b = tabB.enqueue('from B');
    tabA.remove(a.clientMessageId);
    expect(new Outbox({ sessionId: 's', storage, uuid }).list().map((x) => x.clientMessageId)).toEqual([b.clientMessageId]);
  });

  it('tolerates corrupt storage and failing storage', () => {
    const storage = new MemoryStorage();
    storage.setItem(outboxKey('s'), '{not json');
    expect(new Outbox({ sessionId: 's', storage, uuid }).size).toBe(0);
    storage.setItem(outboxKey('s'), JSON.stringify([{ clientMessageId: 'ok', text: 't', queuedAt: 1 }, { text: 'no id' }]));
    expect(new Outbox({ sessionId: 's', storage, uuid }).list().map((e) => e.clientMessageId)).toEqual(['ok']);

    const full = {
      getItem: () => null,
      setItem: () => {
        throw new Error('QuotaExceededError');
      },
      removeItem: () => {},
    };
    const box = new Outbox({ sessionId: 's', storage: full, uuid });
    box.enqueue('one');
    box.enqueue('two');
    expect(box.list().map((e) => e.text)).toEqual(['one', 'two']);
  });
});
