// Presence announcements of one session reach the other instances in the order they were
// made, even when the database commits concurrent NOTIFYs out of order.
import { describe, expect, it } from 'vitest';
import { decodeNotice } from '../../../server/db/notify-registry.ts';
import { PresenceTracker } from '../../../server/session/presence.ts';

/** A NOTIFY that is "committed" (delivered) after a delay chosen per call: the first one is slow. */
function slowFirstDatabase() {
  const delivered: Array<{ s: string; d: unknown[] }> = [];
  const delays = [40, 0, 0, 0];
  let calls = 0;
  return {
    delivered,
    db: {
      feed: { onPayload: () => () => {}, onResync: () => () => {} },
      notify: (payload: string) => {
        const delay = delays[calls++] ?? 0;
        return new Promise<void>((resolve) =>
          setTimeout(() => {
            const n = decodeNotice(payload);
            if (n?.kind === 'presence') delivered.push(JSON.parse(n.body));
            resolve();
          }, delay),
        );
      },
    },
  };
}

describe('presence announcements', () => {
  it('a tab opened and closed at once is announced open, then closed — never the other way round', async () => {
    const { db, delivered } = slowFirstDatabase();
    const tracker = new PresenceTracker(db, 'instance-a');
    try {
      const leave = tracker.join('s1', { deviceId: 'd1', label: 'Phone', userId: 'u1', name: 'Sam', role: 'owner' }, () => {});
      leave();
      for (let i = 0; i < 50 && delivered.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
      expect(delivered.map((m) => [m.s, m.d.length])).toEqual([
        ['s1', 1],
        ['s1', 0],
      ]);
    } finally {
      tracker.close();
    }
  });

  it('another session is not held up by a slow one', async () => {
    const { db, delivered } = slowFirstDatabase();
    const tracker = new PresenceTracker(db, 'instance-a');
    try {
      tracker.join('slow', { deviceId: 'd1', label: 'Phone', userId: 'u1', name: 'Sam', role: 'owner' }, () => {});
      tracker.join('fast', { deviceId: 'd2', label: 'Laptop', userId: 'u2', name: 'Alex', role: 'partner' }, () => {});
      for (let i = 0; i < 50 && delivered.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
      expect(delivered.map((m) => m.s)).toEqual(['fast', 'slow']);
    } finally {
      tracker.close();
    }
  });

  it('after close, a socket that leaves (or an announcement still queued) writes nothing: shutdown closes the pool next', async () => {
    const { db, delivered } = slowFirstDatabase();
    const calls: string[] = [];
    const counting = { ...db, notify: (p: string) => (calls.push(p), db.notify(p)) };
    const tracker = new PresenceTracker(counting, 'instance-a');
    const leave = tracker.join('s1', { deviceId: 'd1', label: 'Phone', userId: 'u1', name: 'Sam', role: 'owner' }, () => {});
    await new Promise((r) => setTimeout(r, 5));
    expect(calls).toHaveLength(1);
    // The first join's NOTIFY is slow (40 ms): the second join's is queued behind it when close comes.
    const leaveToo = tracker.join('s1', { deviceId: 'd2', label: 'Laptop', userId: 'u1', name: 'Sam', role: 'owner' }, () => {});
    tracker.close();
    leave();
    leaveToo();
    await new Promise((r) => setTimeout(r, 80));
    expect(calls).toHaveLength(1);
    expect(delivered).toHaveLength(1);
  });
});
