import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemoAgent } from '../../server/agent/demo-agent.ts';
import type { SessionEvent } from '../../server/session/types.ts';
import { api, createSession, signup, WsTestClient, type Account } from '../support/client.ts';
import { openTestDatabase, POSTGRES_URL } from '../support/db.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { nth } from '../support/nth.ts';

const FLAP_EVERY_MS = 500;
/** ~30 s answer: 600 words, 50 ms apart. */
const ANSWER_WORDS = 600;
const WORD_PACE_MS = 50;

describe.skipIf(!POSTGRES_URL)('fault: a client that disconnects every 500 ms through a 30 s answer', () => {
  let server: TestServer;
  let cleanup: () => Promise<void>;
  let alice: Account;

  beforeAll(async () => {
    const t = await openTestDatabase('postgres');
    cleanup = t.cleanup;
    server = await startTestServer({ db: t.db, agent: () => createDemoAgent({ paceMs: WORD_PACE_MS, words: ANSWER_WORDS }) });
    alice = await signup(server.url);
  });
  afterAll(async () => {
    await server?.close();
    await cleanup?.();
  });

  it('SL4: ends with exactly the server transcript, each event once, in order', async () => {
    const sessionId = await createSession(server.url, alice);
    const kept: SessionEvent[] = [];
    let client = await WsTestClient.connect(server.wsUrl, sessionId, alice);
    await client.waitForFrame('ready');
    client.send({ type: 'user.message', clientMessageId: 'flap', text: 'a long one' });
    let reconnects = 0;
    const deadline = Date.now() + 60_000;
    for (;;) {
      await new Promise((r) => setTimeout(r, FLAP_EVERY_MS));
      kept.push(...client.events);
      const done = client.events.some((e) => e.type === 'assistant.end');
      client.kill();
      if (done) break;
      if (Date.now() > deadline) throw new Error('answer did not end in 60 s');
      client = await WsTestClient.connect(server.wsUrl, sessionId, alice, { after: kept.at(-1)?.seq ?? 0 });
      reconnects++;
    }
    expect(reconnects).toBeGreaterThan(40);
    const all: SessionEvent[] = [];
    for (let after = 0; ; ) {
      const page = await api(server.url, alice, 'GET', `/api/sessions/${sessionId}/events?after=${after}&limit=1000`);
      all.push(...page.body.events);
      if (page.body.events.length < 1000) break;
      after = nth(all, -1).seq;
    }
    expect(kept).toEqual(all);
    expect(kept.at(-1)!.data.status).toBe('complete');
  });
});
