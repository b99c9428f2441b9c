import { describe, expect } from 'vitest';
import { createSession } from '../support/client.ts';
import { deltaText, readLog } from '../support/event-log.ts';
import { NodeSessionClient } from '../support/node-session-client.ts';
import { PRIVATE_POSTGRES_AVAILABLE } from '../support/private-postgres.ts';
import { twoInstanceTest } from '../support/two-instances.ts';

const it = twoInstanceTest({ database: 'private', env: { COACH_PACE_MS: '20' } });
const A = 0;
const B = 1;

describe.skipIf(!PRIVATE_POSTGRES_AVAILABLE)('fault: SIGKILL of one of two instances mid-answer', () => {
  it('SL4+SL13: web clients of the killed instance fail over to the other, resume gap-free, and the message ends interrupted within 5 s', async ({ instances, alice, databaseUrl }) => {
    const sessionId = await createSession(instances.url(A), alice);
    // Both clients are on B; once B is gone the router (a load balancer) sends them to A.
    const clients = [0, 1].map(() =>
      new NodeSessionClient({ sessionId, cookie: alice.cookie, route: instances.route(B), client: { backoff: { baseMs: 100, maxMs: 500 } } }).connect(),
    );
    try {
      await Promise.all(clients.map((c) => c.waitFor((x) => x.live, 10_000, 'live on B')));
      const cmid = clients[0]!.client.send('long answer please')!;
      const deltas = (c: NodeSessionClient) => c.applied.filter((e) => e.type === 'assistant.delta').length;
      await clients[0]!.waitFor((c) => deltas(c) >= 3, 20_000, 'deltas');

      instances.kill(B);
      const killedAt = Date.now();
      const ended = (c: NodeSessionClient) => c.applied.some((e) => e.type === 'assistant.end');
      await Promise.all(clients.map((c) => c.waitFor(ended, 10_000, 'the end, on A')));

      const log = await readLog(databaseUrl, sessionId);
      const end = log.find((e) => e.type === 'assistant.end')!;
      expect(end.data.status).toBe('interrupted');
      // SL13 is about the commit: the sweeper on A ends the run within 5 s of B's death.
      expect(Date.parse(end.at) - killedAt).toBeLessThan(5_000);
      expect(deltaText(log, String(end.data.messageId))).toBe(end.data.text);
      expect(log.filter((e) => e.type === 'user.message').map((e) => e.data.clientMessageId)).toEqual([cmid]);
      for (const c of clients) {
        // Each lost its socket to the kill and resumed on A: every event once, in order, equal to the log.
        expect(c.closeCodes[0]).toBe(1006);
        expect(c.socketsOpened).toBeGreaterThanOrEqual(2);
        expect(c.applied).toEqual(log);
        expect(c.client.getMessage(String(end.data.messageId))).toMatchObject({ status: 'interrupted', text: end.data.text });
      }
    } finally {
      for (const c of clients) c.dispose();
    }
  });
});
