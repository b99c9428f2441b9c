import { describe, expect, it } from 'vitest';
import { MemorySessionLog } from '../../server/session/memory-log.ts';
import { MAX_PENDING_EVENTS, Subscription } from '../../server/session/subscription.ts';
import type { SessionEvent } from '../../server/session/types.ts';

describe('Subscription pending queue', () => {
  it('holds at most MAX_PENDING_EVENTS while a log read is slow, then re-reads the log and delivers every event once', async () => {
    const log = new MemorySessionLog();
    await log.createSession({ id: 's', userId: 'u', title: 't' });
    const total = MAX_PENDING_EVENTS * 3;
    const events: SessionEvent[] = [];
    for (let i = 0; i < total; i++) {
      const r = await log.append('s', 'assistant.delta', { messageId: 'm', text: String(i) });
      if (r.kind === 'appended') events.push(r.event);
    }
    // A log whose first read hangs until released, as during a slow database.
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const slowLog = Object.create(log, {
      read: { value: async (id: string, after: number, limit: number) => (await gate, log.read(id, after, limit)) },
    });
    const got: number[] = [];
    const sub = new Subscription(slowLog, 's', 0, { event: (e) => (got.push(e.seq), true), ready: () => {} });
    const started = sub.start();
    for (const e of events) sub.offer([e]);
    expect(sub.pendingCount).toBeLessThanOrEqual(MAX_PENDING_EVENTS);
    release();
    await started;
    await new Promise((r) => setTimeout(r, 10));
    expect(got).toEqual(events.map((e) => e.seq));
  });
});
