import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Agent } from '../../server/agent/port.ts';
import { createSession, signup, type Account } from '../support/client.ts';
import { readLog } from '../support/event-log.ts';
import { NodeSessionClient } from '../support/node-session-client.ts';
import { openPrivateTestDatabase, PRIVATE_POSTGRES_AVAILABLE } from '../support/private-postgres.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

/** ~24 MiB of answer: far past MAX_BUFFERED_BYTES (4 MiB) plus what the kernel buffers on loopback. */
const CHUNK = 'x'.repeat(16 * 1024);
const CHUNKS = 1_500;
const CHUNK_PACE_MS = 2;
const CLOSE_SLOW_CONSUMER = 4008;

const floodAgent = (): Agent => ({
  async respond(turn) {
    for (let i = 0; i < CHUNKS && !turn.signal.aborted; i++) {
      turn.write(CHUNK);
      await new Promise((r) => setTimeout(r, CHUNK_PACE_MS));
    }
  },
});

describe.skipIf(!PRIVATE_POSTGRES_AVAILABLE)('fault: a subscriber that stops reading', () => {
  let server: TestServer;
  let databaseUrl: string;
  let cleanup: () => Promise<void>;
  let alice: Account;

  beforeAll(async () => {
    const t = await openPrivateTestDatabase();
    cleanup = t.cleanup;
    databaseUrl = t.url;
    server = await startTestServer({ db: t.db, agent: floodAgent });
    alice = await signup(server.url);
  });
  afterAll(async () => {
    await server?.close();
    await cleanup?.();
  });

  it('stalls nobody else, is closed with 4008 instead of buffering without bound, and the web client resumes to the full transcript', async () => {
    const sessionId = await createSession(server.url, alice);
    const opts = { sessionId, cookie: alice.cookie, route: () => server.url, client: { backoff: { baseMs: 100, maxMs: 400 } } };
    const fast = new NodeSessionClient(opts).connect();
    const slow = new NodeSessionClient(opts).connect();
    try {
      await Promise.all([fast, slow].map((c) => c.waitFor((x) => x.live, 10_000, 'live')));
      // Stop reading at the TCP level: the server's send buffer fills, as with a frozen phone.
      expect(slow.pauseReading(60_000)).toBe(true);

      const startedAt = Date.now();
      fast.client.send('flood');
      await fast.waitFor((c) => c.applied.some((e) => e.type === 'assistant.end'), 90_000, 'the end on the fast client');
      // Nobody stalled: the fast reader got the whole answer about as fast as it was produced.
      expect(Date.now() - startedAt).toBeLessThan(CHUNKS * CHUNK_PACE_MS * 10 + 10_000);
      const end = fast.applied.find((e) => e.type === 'assistant.end')!;
      expect(end.data.status).toBe('complete');
      expect(String(end.data.text).length).toBe(CHUNK.length * CHUNKS);
      // Closed once its socket held more than MAX_BUFFERED_BYTES: the server never buffered the 24 MiB answer for it.
      expect(server.services.metrics.slowConsumerCloses.get()).toBe(1);

      // Reading again, the client drains what the kernel held, sees 4008, reconnects and resumes.
      slow.resumeReading();
      await slow.waitFor((c) => c.applied.some((e) => e.type === 'assistant.end'), 60_000, 'the end on the slow client');
      expect(slow.closeCodes[0]).toBe(CLOSE_SLOW_CONSUMER);
      const log = await readLog(databaseUrl, sessionId);
      expect(fast.applied).toEqual(log);
      expect(slow.applied).toEqual(log);
    } finally {
      fast.dispose();
      slow.dispose();
    }
  });
});
