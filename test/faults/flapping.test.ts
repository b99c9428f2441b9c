import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemoAgent } from '../../server/agent/demo-agent.ts';
import { createSession, signup, type Account } from '../support/client.ts';
import { readLog } from '../support/event-log.ts';
import { NodeSessionClient } from '../support/node-session-client.ts';
import { openPrivateTestDatabase, PRIVATE_POSTGRES_AVAILABLE } from '../support/private-postgres.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const FLAP_EVERY_MS = 500;
/** ~30 s answer: 600 words, 50 ms apart. */
const ANSWER_WORDS = 600;
const WORD_PACE_MS = 50;

describe.skipIf(!PRIVATE_POSTGRES_AVAILABLE)('fault: a web client that loses its socket every 500 ms through a 30 s answer', () => {
  let server: TestServer;
  let databaseUrl: string;
  let cleanup: () => Promise<void>;
  let alice: Account;

  beforeAll(async () => {
    const t = await openPrivateTestDatabase();
    cleanup = t.cleanup;
    databaseUrl = t.url;
    server = await startTestServer({ db: t.db, agent: () => createDemoAgent({ paceMs: WORD_PACE_MS, words: ANSWER_WORDS }) });
    alice = await signup(server.url);
  });
  afterAll(async () => {
    await server?.close();
    await cleanup?.();
  });

  it('SL4: ends with exactly the server transcript, each event once, in order', async () => {
    const sessionId = await createSession(server.url, alice);
    const c = new NodeSessionClient({ sessionId, cookie: alice.cookie, route: () => server.url, client: { backoff: { baseMs: 100, maxMs: 400 } } }).connect();
    try {
      await c.waitFor((x) => x.live, 10_000, 'live');
      const cmid = c.client.send('a long one')!;
      let drops = 0;
      const deadline = Date.now() + 60_000;
      const ended = () => c.applied.some((e) => e.type === 'assistant.end');
      while (!ended()) {
        if (Date.now() > deadline) throw new Error('answer did not end in 60 s');
        await new Promise((r) => setTimeout(r, FLAP_EVERY_MS));
        if (c.dropSocket()) drops++;
      }
      expect(drops).toBeGreaterThan(40);
      await c.waitFor((x) => x.live, 10_000, 'live');
      const log = await readLog(databaseUrl, sessionId);
      expect(c.applied).toEqual(log);
      expect(log.filter((e) => e.type === 'user.message').map((e) => e.data.clientMessageId)).toEqual([cmid]);
      expect(log.at(-1)!.data.status).toBe('complete');
      const end = log.at(-1)!;
      expect(c.client.getMessage(String(end.data.messageId))).toMatchObject({ status: 'complete', text: end.data.text });
    } finally {
      c.dispose();
    }
  });
});
