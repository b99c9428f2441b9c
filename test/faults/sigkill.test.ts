import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, createSession, signup, textOf, WsTestClient, type Account } from '../support/client.ts';
import { createPostgresDatabase, POSTGRES_URL } from '../support/db.ts';
import { spawnServer, type ServerProcess } from '../support/process.ts';
import { nth } from '../support/nth.ts';

describe.skipIf(!POSTGRES_URL)('fault: SIGKILL of one of two instances mid-answer', () => {
  let url: string;
  let drop: () => Promise<void>;
  let a: ServerProcess;
  let b: ServerProcess;
  let alice: Account;

  beforeAll(async () => {
    ({ url, drop } = await createPostgresDatabase());
    const env = { DATABASE_URL: url, COACH: 'demo', COACH_PACE_MS: '20' };
    [a, b] = await Promise.all([spawnServer({ ...env, INSTANCE_ID: 'a' }), spawnServer({ ...env, INSTANCE_ID: 'b' })]);
    alice = await signup(a.url);
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await drop?.();
  });

  it('SL4+SL13: clients of the killed instance reconnect to the other, resume gap-free, and the message ends interrupted within 5 s', async () => {
    const sessionId = await createSession(a.url, alice);
    const clients = await Promise.all([0, 1].map(() => WsTestClient.connect(b.wsUrl, sessionId, alice)));
    await Promise.all(clients.map((c) => c.waitForFrame('ready')));
    const first = nth(clients, 0);
    first.send({ type: 'user.message', clientMessageId: 'm1', text: 'long answer please' });
    await first.waitFor((c) => c.events.filter((e) => e.type === 'assistant.delta').length >= 3, 20_000, 'deltas');

    b.kill();
    const killedAt = Date.now();
    await Promise.all(clients.map((c) => c.waitFor((x) => x.closed, 5_000, 'socket close')));

    const resumed = await Promise.all(clients.map((c) => WsTestClient.connect(a.wsUrl, sessionId, alice, { after: c.lastSeq })));
    const ends = await Promise.all(resumed.map((r) => r.waitForEvent('assistant.end', undefined, 8_000)));
    expect(Date.now() - killedAt).toBeLessThan(5_000);
    for (const [i, end] of ends.entries()) {
      expect(end.data.status).toBe('interrupted');
      const stitched = [...nth(clients, i).events, ...nth(resumed, i).events];
      expect(stitched.map((e) => e.seq)).toEqual(stitched.map((_, k) => k + 1));
      expect(textOf(stitched, String(end.data.messageId))).toBe(end.data.text);
    }
    // Both clients hold exactly the server's transcript.
    const server = await api(a.url, alice, 'GET', `/api/sessions/${sessionId}/events?limit=1000`);
    expect([...first.events, ...nth(resumed, 0).events]).toEqual(server.body.events);
    await Promise.all(resumed.map((r) => r.close()));
  });
});
