// Two instances on one PostgreSQL database. "Your answer is ready" goes only to someone
// away: whether the owner has the session open is presence, and presence crosses
// instances (the owner's socket is on A, the answer runs on B). And a partner removed on
// one instance loses their socket on the other at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemoAgent } from '../../server/agent/demo-agent.ts';
import { openDatabase, type Database } from '../../server/db/database.ts';
import { CLOSE_NOT_FOUND } from '../../server/contract/index.ts';
import { api, createSession, signup, WsTestClient } from '../support/client.ts';
import { createPostgresDatabase, POSTGRES_URL } from '../support/db.ts';
import { FakePushService } from '../support/fake-push.ts';
import { sleep } from '../support/security.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

describe.skipIf(!POSTGRES_URL)('answer notifications, presence and partner removal across instances (PostgreSQL)', () => {
  let drop: () => Promise<void>;
  let fake: FakePushService;
  const open: Array<{ server: TestServer; db: Database }> = [];

  async function instance(url: string, name: string) {
    const db = await openDatabase({ databaseUrl: url, migrate: false });
    const server = await startTestServer({
      db,
      agent: () => createDemoAgent({ paceMs: 5, words: 20 }),
      config: { instanceId: name, push: { allowedOrigins: [fake.origin], contact: 'mailto:ops@focus.example' } },
      overrides: { pushAgent: fake.agent },
    });
    open.push({ server, db });
    return server;
  }

  let a: TestServer;
  let b: TestServer;

  beforeAll(async () => {
    const created = await createPostgresDatabase();
    drop = created.drop;
    fake = await FakePushService.start();
    [a, b] = await Promise.all([instance(created.url, 'instance-a'), instance(created.url, 'instance-b')]);
  }, 60_000);
  afterAll(async () => {
    for (const h of open) {
      await h.server.close();
      await h.db.close();
    }
    await fake?.close();
    await drop?.();
  });

  async function until(pred: () => boolean, what: string) {
    for (let i = 0; i < 100 && !pred(); i++) await sleep(50);
    expect(pred(), what).toBe(true);
  }

  it('the session open on instance A keeps instance B from pushing the answer it ran; closed, B pushes', async () => {
    const alice = await signup(a.url);
    const sub = fake.subscribe();
    expect((await api(a.url, alice, 'POST', '/api/push/subscriptions', { endpoint: sub.endpoint, keys: sub.keys })).status).toBe(201);
    const sessionId = await createSession(a.url, alice, 'Two instances');

    const ws = await WsTestClient.connect(a.wsUrl, sessionId, alice);
    await ws.waitForFrame('ready');
    await until(() => b.services.presence.userPresent(sessionId, alice.userId), 'B hears that Alice has the session open on A');

    // Posted to B, answered by B (an instance answers the messages committed there).
    expect((await api(b.url, alice, 'POST', `/api/sessions/${sessionId}/messages`, { clientMessageId: 'here', text: 'while I watch' })).status).toBe(202);
    await ws.waitFor((c) => c.events.some((e) => e.type === 'assistant.end'), 20_000, 'the answer');
    const runs = await b.services.db.prisma.run.findMany({ where: { sessionId }, select: { instanceId: true } });
    expect(runs).toEqual([{ instanceId: 'instance-b' }]);
    await sleep(2_500);
    expect(fake.for(sub.id)).toHaveLength(0);

    // Tab closed: B hears it, and the next answer it runs is pushed.
    await ws.close();
    await until(() => !b.services.presence.userPresent(sessionId, alice.userId), 'B hears that the tab closed');
    expect((await api(b.url, alice, 'POST', `/api/sessions/${sessionId}/messages`, { clientMessageId: 'away', text: 'tell me later' })).status).toBe(202);
    const ends = async () => (await api(b.url, alice, 'GET', `/api/sessions/${sessionId}/events`)).body.events.filter((e: { type: string }) => e.type === 'assistant.end');
    for (let i = 0; i < 150 && (await ends()).length < 2; i++) await sleep(200);
    expect((await ends()).map((e: { data: { status: string } }) => e.data.status)).toEqual(['complete', 'complete']);
    await fake.waitFor(() => fake.for(sub.id).length === 1, 30_000, 'answer push');
    expect(fake.decrypt(fake.for(sub.id)[0]!)).toMatchObject({ url: `/sessions/${sessionId}`, title: expect.stringContaining('Two instances') });
    await sleep(2_000);
    expect(fake.for(sub.id)).toHaveLength(1);
  }, 60_000);

  it('a partner removed on instance A loses their socket on instance B at once, and B answers 404 after', async () => {
    const owner = await signup(a.url);
    const partner = await signup(b.url);
    const sessionId = await createSession(a.url, owner, 'Shared across instances');
    const invite = await api(a.url, owner, 'POST', `/api/sessions/${sessionId}/invites`);
    expect((await api(b.url, partner, 'POST', '/api/invites/redeem', { code: invite.body.code })).status).toBe(200);
    const ws = await WsTestClient.connect(b.wsUrl, sessionId, partner);
    await ws.waitForFrame('ready');
    const removedAt = Date.now();
    expect((await api(a.url, owner, 'DELETE', `/api/sessions/${sessionId}/partners/${partner.userId}`)).status).toBe(204);
    await ws.waitFor((c) => c.closed, 3_000, 'the close on B');
    expect(ws.closed!.code).toBe(CLOSE_NOT_FOUND);
    expect(Date.now() - removedAt).toBeLessThan(3_000);
    expect((await api(b.url, partner, 'GET', `/api/sessions/${sessionId}`)).status).toBe(404);
    expect((await api(b.url, partner, 'POST', `/api/sessions/${sessionId}/messages`, { clientMessageId: 'late', text: 'still here?' })).status).toBe(404);
  }, 30_000);
});
