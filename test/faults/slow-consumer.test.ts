import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Agent } from '../../server/agent/port.ts';
import { api, createSession, signup, WsTestClient, type Account } from '../support/client.ts';
import { openTestDatabase, POSTGRES_URL } from '../support/db.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

/** ~24 MiB of answer: far past MAX_BUFFERED_BYTES (4 MiB) plus what the kernel buffers on loopback. */
const CHUNK = 'x'.repeat(16 * 1024);
const CHUNKS = 1_500;
const CHUNK_PACE_MS = 2;

const floodAgent = (): Agent => ({
  async respond(turn) {
    for (let i = 0; i < CHUNKS && !turn.signal.aborted; i++) {
      turn.write(CHUNK);
      await new Promise((r) => setTimeout(r, CHUNK_PACE_MS));
    }
  },
});

describe.skipIf(!POSTGRES_URL)('fault: a subscriber that stops reading', () => {
  let server: TestServer;
  let cleanup: () => Promise<void>;
  let alice: Account;

  beforeAll(async () => {
    const t = await openTestDatabase('postgres');
    cleanup = t.cleanup;
    server = await startTestServer({ db: t.db, agent: floodAgent });
    alice = await signup(server.url);
  });
  afterAll(async () => {
    await server?.close();
    await cleanup?.();
  });

  it('stalls nobody else, is closed with 4008 instead of buffering without bound, and resumes to the full transcript', async () => {
    const sessionId = await createSession(server.url, alice);
    const fast = await WsTestClient.connect(server.wsUrl, sessionId, alice);
    const slow = await WsTestClient.connect(server.wsUrl, sessionId, alice);
    await Promise.all([fast.waitForFrame('ready'), slow.waitForFrame('ready')]);
    // Stop reading at the TCP level: the server's send buffer fills, as with a frozen phone.
    const rawSocket = (slow.ws as unknown as { _socket: import('node:net').Socket })._socket;
    rawSocket.pause();

    fast.send({ type: 'user.message', clientMessageId: 'flood', text: 'flood' });
    const startedAt = Date.now();
    const end = await fast.waitForEvent('assistant.end', undefined, 90_000);
    // Nobody stalled: the fast reader got the whole answer about as fast as it was produced.
    expect(Date.now() - startedAt).toBeLessThan(CHUNKS * CHUNK_PACE_MS * 10 + 10_000);
    expect(end.data.status).toBe('complete');
    expect(String(end.data.text).length).toBe(CHUNK.length * CHUNKS);
    // Closed once its socket held more than MAX_BUFFERED_BYTES: the server never buffered the 24 MiB answer for it.
    expect(server.services.metrics.slowConsumerCloses.get()).toBe(1);

    // The client side of a frozen socket learns of the close only after draining; drop it and resume like a reconnecting app.
    const kept = slow.events; // a snapshot: frames parsed after terminate() are not ours any more
    slow.kill();
    const again = await WsTestClient.connect(server.wsUrl, sessionId, alice, { after: kept.at(-1)?.seq ?? 0 });
    await again.waitForEvent('assistant.end', undefined, 30_000);
    const stitched = [...kept, ...again.events];
    const server_ = await api(server.url, alice, 'GET', `/api/sessions/${sessionId}/events?limit=1000`);
    expect(stitched).toEqual(server_.body.events);
    await Promise.all([fast.close(), again.close()]);
  });
});
