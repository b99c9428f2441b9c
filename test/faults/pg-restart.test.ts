import { describe, expect } from 'vitest';
import { api, createSession } from '../support/client.ts';
import { deltaText, readLog } from '../support/event-log.ts';
import { NodeSessionClient } from '../support/node-session-client.ts';
import { PRIVATE_POSTGRES_AVAILABLE } from '../support/private-postgres.ts';
import { twoInstanceTest } from '../support/two-instances.ts';

// Stops and restarts the test's own PostgreSQL cluster, never the machine's.
const it = twoInstanceTest({ database: 'private', env: { COACH_PACE_MS: '15' } });
const A = 0;
const B = 1;
const OUTAGE_MS = 2_000;

describe.skipIf(!PRIVATE_POSTGRES_AVAILABLE)('fault: PostgreSQL restarts mid-answer', () => {
  it('instances reconnect; a message sent during the outage gets a readable error and lands once afterwards; seq stays gap-free; web clients equal the log', async ({ instances, alice, cluster, databaseUrl }) => {
    const sessionId = await createSession(instances.url(A), alice);
    const opts = { sessionId, cookie: alice.cookie, client: { backoff: { baseMs: 100, maxMs: 1_000 } } };
    const onA = new NodeSessionClient({ ...opts, route: instances.route(A) }).connect();
    const onB = new NodeSessionClient({ ...opts, route: instances.route(B) }).connect();
    const clients = [onA, onB];
    try {
      await Promise.all(clients.map((c) => c.waitFor((x) => x.live, 10_000, 'live')));
      const before = onA.client.send('long answer please')!;
      await onB.waitFor((c) => c.applied.filter((e) => e.type === 'assistant.delta').length >= 3, 20_000, 'deltas on B');

      await cluster!.stop();
      // A write during the outage is answered with an error frame, not left hanging; the client keeps it queued.
      const during = onA.client.send('are you there?')!;
      await onA.waitFor((c) => c.client.getSnapshot().lastError?.code === 'internal', 15_000, 'an internal error frame');
      expect(onA.client.getSnapshot().queued).toBeGreaterThanOrEqual(1);
      await new Promise((r) => setTimeout(r, OUTAGE_MS));
      await cluster!.start();

      // The queued message is resent with the same clientMessageId once the database is back.
      const inLog = (cmid: string) => (c: NodeSessionClient) => c.applied.some((e) => e.type === 'user.message' && e.data.clientMessageId === cmid);
      await onB.waitFor(inLog(during), 40_000, 'the message sent during the outage, on B');
      await onA.waitFor((c) => c.client.getSnapshot().queued === 0, 10_000, 'an empty outbox on A');

      // Both instances are back: a message posted over HTTP on A is answered and seen live on B (LISTEN reconnected).
      let posted = false;
      for (let i = 0; i < 20 && !posted; i++) {
        const r = await api(instances.url(A), alice, 'POST', `/api/sessions/${sessionId}/messages`, { clientMessageId: 'after', text: 'and now?' });
        posted = r.status === 202;
        if (!posted) await new Promise((res) => setTimeout(res, 500));
      }
      expect(posted).toBe(true);
      const settled = (c: NodeSessionClient) => {
        const starts = c.applied.filter((e) => e.type === 'assistant.start').length;
        return inLog('after')(c) && starts > 0 && starts === c.applied.filter((e) => e.type === 'assistant.end').length;
      };
      await Promise.all(clients.map((c) => c.waitFor(settled, 40_000, 'every answer ended')));
      await Promise.all(clients.map((c) => c.waitFor((x) => x.live, 10_000, 'live')));

      const log = await readLog(databaseUrl, sessionId);
      expect(log.map((e) => e.seq)).toEqual(log.map((_, i) => i + 1));
      expect(log.filter((e) => e.type === 'user.message').map((e) => e.data.clientMessageId)).toEqual([before, during, 'after']);
      for (const end of log.filter((e) => e.type === 'assistant.end')) {
        expect(['failed', 'complete', 'interrupted']).toContain(end.data.status);
        if (end.data.status === 'failed') expect(String(end.data.reason)).toMatch(/database/);
        expect(deltaText(log, String(end.data.messageId))).toBe(end.data.text);
      }
      for (const c of clients) {
        await c.waitFor((x) => x.lastSeq === log.length, 10_000, 'caught up');
        expect(c.applied).toEqual(log);
      }
    } finally {
      for (const c of clients) c.dispose();
    }
  });
});
