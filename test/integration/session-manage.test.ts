import { CLOSE_NOT_FOUND } from '../../server/contract/index.ts';
import { REASON_NOT_FOUND } from '../../server/http/routes/ws.ts';
import { createDemoAgent } from '../../server/agent/demo-agent.ts';
import type { Database } from '../../server/db/database.ts';
import { api, createSession, signup, WsTestClient, type Account } from '../support/client.ts';
import { DB_KIND } from '../support/db.ts';
import { describe, expect, test as base } from '../support/fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

// Deleting (SL16) and renaming sessions, and what the session list says about each.

const demo = () => createDemoAgent({ paceMs: 2, words: 12 });
const test = base.override('serverOptions', { agent: demo });

describe(`managing sessions (${DB_KIND})`, () => {
  let server: TestServer;
  let db: Database;
  let alice: Account;
  let bob: Account;

  test.beforeAll(async ({ db: d, server: s }) => {
    db = d;
    server = s;
    [alice, bob] = await Promise.all([signup(server.url), signup(server.url)]);
  });

  test('SL16: DELETE /api/sessions/:id is 204; its events are gone and its open sockets are closed with 4404', async () => {
    const sessionId = await createSession(server.url, alice);
    const c = await WsTestClient.connect(server.wsUrl, sessionId, alice);
    await c.waitForFrame('ready');
    c.send({ type: 'user.message', clientMessageId: 'm1', text: 'Hello' });
    await c.waitForEvent('assistant.end');
    expect(await db.prisma.event.count({ where: { sessionId } })).toBeGreaterThan(0);

    const del = await api(server.url, alice, 'DELETE', `/api/sessions/${sessionId}`);
    expect(del.status).toBe(204);
    await c.waitFor((x) => x.closed, 5_000, 'socket closed');
    expect(c.closed!.code).toBe(4404);
    expect(await db.prisma.event.count({ where: { sessionId } })).toBe(0);
    expect(await db.prisma.run.count({ where: { sessionId } })).toBe(0);
    expect((await api(server.url, alice, 'GET', `/api/sessions/${sessionId}`)).status).toBe(404);
    expect((await api(server.url, alice, 'GET', `/api/sessions/${sessionId}/events`)).status).toBe(404);
    expect((await api(server.url, alice, 'DELETE', `/api/sessions/${sessionId}`)).status).toBe(404);
    expect(await WsTestClient.refusal(server.wsUrl, sessionId, alice)).toEqual({ code: CLOSE_NOT_FOUND, reason: REASON_NOT_FOUND, frames: 0 });
  });

  test('SL16: deleting frees a slot, and another user’s session is 404 and stays', async () => {
    const sessionId = await createSession(server.url, alice);
    expect((await api(server.url, bob, 'DELETE', `/api/sessions/${sessionId}`)).status).toBe(404);
    expect((await api(server.url, alice, 'GET', `/api/sessions/${sessionId}`)).status).toBe(200);
    expect((await api(server.url, alice, 'DELETE', '/api/sessions/not-a-uuid')).status).toBe(404);
    const before = (await api(server.url, alice, 'GET', '/api/sessions')).body.sessions.length;
    expect((await api(server.url, alice, 'DELETE', `/api/sessions/${sessionId}`)).status).toBe(204);
    expect((await api(server.url, alice, 'GET', '/api/sessions')).body.sessions.length).toBe(before - 1);
  });

  test('SL16: deleting a session while the coach answers ends nothing badly: the socket closes and no run is left', async () => {
    const slow = await startTestServer({ db, agent: () => createDemoAgent({ paceMs: 30, words: 200 }) });
    try {
      const sessionId = await createSession(slow.url, alice);
      const c = await WsTestClient.connect(slow.wsUrl, sessionId, alice);
      await c.waitForFrame('ready');
      c.send({ type: 'user.message', clientMessageId: 'm1', text: 'Hello' });
      await c.waitForEvent('assistant.delta');
      expect((await api(slow.url, alice, 'DELETE', `/api/sessions/${sessionId}`)).status).toBe(204);
      await c.waitFor((x) => x.closed, 5_000, 'socket closed');
      expect(c.closed!.code).toBe(4404);
      await expect.poll(() => slow.services.runs.activeRunCount, { timeout: 5_000 }).toBe(0);
      expect(await db.prisma.event.count({ where: { sessionId } })).toBe(0);
    } finally {
      await slow.close();
    }
  });

  test('PATCH /api/sessions/:id renames; a blank or long title is 400; another user’s is 404', async () => {
    const sessionId = await createSession(server.url, alice, 'Weekly plan');
    const r = await api(server.url, alice, 'PATCH', `/api/sessions/${sessionId}`, { title: '  Launch week  ' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ id: sessionId, title: 'Launch week' });
    expect((await api(server.url, alice, 'GET', `/api/sessions/${sessionId}`)).body.title).toBe('Launch week');
    expect((await api(server.url, alice, 'PATCH', `/api/sessions/${sessionId}`, { title: '   ' })).status).toBe(400);
    expect((await api(server.url, alice, 'PATCH', `/api/sessions/${sessionId}`, { title: 'x'.repeat(201) })).status).toBe(400);
    expect((await api(server.url, bob, 'PATCH', `/api/sessions/${sessionId}`, { title: 'mine' })).status).toBe(404);
  });

  test('GET /api/sessions gives each session a status and a preview of its last line', async () => {
    const fresh = await createSession(server.url, alice, 'Fresh');
    const talked = await createSession(server.url, alice, 'Talked');
    const c = await WsTestClient.connect(server.wsUrl, talked, alice);
    await c.waitForFrame('ready');
    c.send({ type: 'user.message', clientMessageId: 'm1', text: 'First line\nPlan my week please' });
    const end = await c.waitForEvent('assistant.end');
    await c.close();
    const list = (await api(server.url, alice, 'GET', '/api/sessions')).body.sessions as Array<Record<string, any>>;
    const byId = new Map(list.map((s) => [s.id, s]));
    expect(byId.get(fresh)).toMatchObject({ status: 'new', preview: null, title: 'Fresh' });
    const t = byId.get(talked)!;
    expect(t.status).toBe('your_turn');
    expect(t.preview.role).toBe('coach');
    expect(String(end.data.text)).toContain(t.preview.text.replace(/…$/, ''));
    expect(Date.parse(t.lastActiveAt)).toBeGreaterThanOrEqual(Date.parse(t.createdAt));
  });
});

// The notice travels through NOTIFY to every instance: a socket on B closes when A deletes.
describe.skipIf(DB_KIND !== 'postgres')('deleting a session on two instances (postgres)', () => {
  test('SL16: sockets on another instance are closed with 4404', async ({ server: a, peer, account: alice }) => {
    const b = peer!;
    const sessionId = await createSession(a.url, alice);
    const onB = await WsTestClient.connect(b.wsUrl, sessionId, alice);
    await onB.waitForFrame('ready');
    expect((await api(a.url, alice, 'DELETE', `/api/sessions/${sessionId}`)).status).toBe(204);
    await onB.waitFor((x) => x.closed, 5_000, 'socket on B closed');
    expect(onB.closed!.code).toBe(4404);
  });
});
