// A human in the session: invites, what a partner may and may not reach (HTTP, WebSocket,
// /ds), authorship, presence roles, take-over and hand-back (SL19), and removal.
import { CLOSE_NOT_FOUND } from '../../server/contract/index.ts';
import { REASON_NOT_FOUND } from '../../server/http/routes/ws.ts';
import { createDemoAgent } from '../../server/agent/demo-agent.ts';
import { api, createSession, signup, WsTestClient, type Account } from '../support/client.ts';
import { DB_KIND } from '../support/db.ts';
import { describe, expect, test as base } from '../support/fixtures.ts';
import type { TestServer } from '../support/server.ts';

const ds = (server: TestServer, sessionId: string) => `${server.url}/ds/v1/stream/sessions/${sessionId}`;

const test = base.override('serverOptions', { agent: () => createDemoAgent({ paceMs: 15, words: 40 }) });

describe(`handoff: a partner in the session (${DB_KIND})`, () => {
  let server: TestServer;
  let owner: Account;
  let partner: Account;
  let shared: string;
  let other: string;

  test.beforeAll(async ({ server: s }) => {
    server = s;
    owner = await signup(server.url, `sam-${Date.now()}@example.test`);
    partner = await signup(server.url, `alex-${Date.now()}@example.test`);
    expect((await api(server.url, partner, 'PATCH', '/api/me', { displayName: 'Alex' })).status).toBe(200);
    shared = await createSession(server.url, owner, 'Shared week');
    other = await createSession(server.url, owner, 'Private diary');
  }, 60_000);

  async function invite(sessionId = shared, who = owner) {
    const r = await api(server.url, who, 'POST', `/api/sessions/${sessionId}/invites`);
    return r;
  }

  test('an invite is one use and valid 7 days; the partner finds the session marked as shared', async () => {
    const r = await invite();
    expect(r.status).toBe(201);
    expect(r.body.code).toMatch(/^[0-9A-Z]{16}$/);
    expect(r.body.url).toBe(`${server.url}/invite/${r.body.code}`);
    const days = (Date.parse(r.body.expiresAt) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(6.99);
    expect(days).toBeLessThanOrEqual(7);
    expect((await api(server.url, null, 'POST', '/api/invites/redeem', { code: r.body.code })).status).toBe(401);
    const joined = await api(server.url, partner, 'POST', '/api/invites/redeem', { code: r.body.code.toLowerCase() });
    expect(joined.status).toBe(200);
    expect(joined.body).toEqual({ sessionId: shared });
    // Used: nobody else gets in with it, not even the same partner again.
    const eve = await signup(server.url);
    const again = await api(server.url, eve, 'POST', '/api/invites/redeem', { code: r.body.code });
    expect(again.status).toBe(410);
    expect(again.body.error.code).toBe('invite_used');
    expect((await api(server.url, partner, 'POST', '/api/invites/redeem', { code: r.body.code })).status).toBe(410);
    expect((await api(server.url, eve, 'POST', '/api/invites/redeem', { code: '0000000000000000' })).status).toBe(404);

    const list = (await api(server.url, partner, 'GET', '/api/sessions')).body.sessions;
    expect(list).toEqual([expect.objectContaining({ id: shared, title: 'Shared week', shared: true, role: 'partner' })]);
    const mine = (await api(server.url, owner, 'GET', '/api/sessions')).body.sessions;
    expect(mine.find((s: { id: string }) => s.id === shared)).toMatchObject({ shared: false, role: 'owner' });
    expect((await api(server.url, owner, 'GET', `/api/sessions/${shared}/partners`)).body.partners).toEqual([
      { userId: partner.userId, displayName: 'Alex', createdAt: expect.any(String) },
    ]);
  });

  test('an expired invite is 410 and a stranger cannot make one', async () => {
    const r = await invite();
    await server.services.db.prisma.sessionInvite.updateMany({ where: { sessionId: shared, usedAt: null }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const eve = await signup(server.url);
    const late = await api(server.url, eve, 'POST', '/api/invites/redeem', { code: r.body.code });
    expect(late.status).toBe(410);
    expect(late.body.error.code).toBe('invite_expired');
    expect((await invite(shared, eve)).status).toBe(404);
    expect((await invite(shared, partner)).status).toBe(404);
  });

  test("a partner of session X gets 404 on the owner's session Y over HTTP, WebSocket and /ds", async () => {
    for (const [method, path, body] of [
      ['GET', `/api/sessions/${other}`],
      ['GET', `/api/sessions/${other}/events`],
      ['GET', `/api/sessions/${other}/plan`],
      ['POST', `/api/sessions/${other}/messages`, { clientMessageId: 'x', text: 'let me in' }],
      ['POST', `/api/sessions/${other}/cancel`],
      ['POST', `/api/sessions/${other}/takeover`],
      ['POST', `/api/sessions/${other}/handback`],
      ['POST', `/api/sessions/${other}/invites`],
      ['GET', `/api/sessions/${other}/partners`],
      ['DELETE', `/api/sessions/${other}/partners/${partner.userId}`],
      // Owner-only on the shared session too.
      ['POST', `/api/sessions/${shared}/invites`],
      ['GET', `/api/sessions/${shared}/partners`],
      ['DELETE', `/api/sessions/${shared}/partners/${partner.userId}`],
      // …and the shared session itself is not theirs to rename, delete or pair a device into.
      ['PATCH', `/api/sessions/${shared}`, { title: 'Renamed by the partner' }],
      ['DELETE', `/api/sessions/${shared}`],
      ['POST', '/api/pairing', { sessionId: shared }],
      ['POST', '/api/pairing', { sessionId: other }],
    ] as const) {
      const r = await api(server.url, partner, method, path, body);
      expect(r.status, `${method} ${path}`).toBe(404);
      expect(JSON.stringify(r.body)).not.toContain('Private diary');
    }
    expect((await api(server.url, owner, 'GET', `/api/sessions/${shared}`)).body).toMatchObject({ id: shared, title: 'Shared week' });
    expect(await WsTestClient.refusal(server.wsUrl, other, partner)).toEqual({ code: CLOSE_NOT_FOUND, reason: REASON_NOT_FOUND, frames: 0 });
    expect((await fetch(ds(server, other), { headers: { cookie: partner.cookie } })).status).toBe(404);
    // X itself is open to them on all three.
    expect((await fetch(ds(server, shared), { headers: { cookie: partner.cookie } })).status).toBe(200);
    expect((await api(server.url, partner, 'GET', `/api/sessions/${shared}`)).body).toMatchObject({ id: shared, shared: true });
    expect((await api(server.url, partner, 'GET', `/api/sessions/${shared}/plan`)).status).toBe(200);
    const ws = await WsTestClient.connect(server.wsUrl, shared, partner);
    await ws.waitForFrame('ready');
    await ws.close();
  });

  test('messages carry their author; presence shows who is in the session and in which role', async () => {
    const ownerWs = await WsTestClient.connect(server.wsUrl, shared, owner);
    const partnerWs = await WsTestClient.connect(server.wsUrl, shared, partner);
    await Promise.all([ownerWs.waitForFrame('ready'), partnerWs.waitForFrame('ready')]);
    const presence = await ownerWs.waitFor(
      (c) => [...c.frames].reverse().find((f) => f.type === 'presence' && (f as unknown as { devices: unknown[] }).devices.length === 2) as unknown as { devices: Array<Record<string, unknown>> } | undefined,
      5_000,
      'both in presence',
    );
    expect(presence.devices.map((d) => [d.role, d.name, d.userId]).sort()).toEqual([
      ['owner', owner.email.split('@')[0], owner.userId],
      ['partner', 'Alex', partner.userId],
    ]);

    partnerWs.send({ type: 'user.message', clientMessageId: 'p1', text: 'How is the week going?' });
    const fromPartner = await ownerWs.waitForEvent('user.message', (e) => e.data.clientMessageId === 'p1');
    expect(fromPartner.data.author).toEqual({ userId: partner.userId, displayName: 'Alex', role: 'partner' });
    await ownerWs.waitForEvent('assistant.end');
    const r = await api(server.url, owner, 'POST', `/api/sessions/${shared}/messages`, { clientMessageId: 'o1', text: 'Pretty good' });
    expect(r.status).toBe(202);
    const fromOwner = await partnerWs.waitForEvent('user.message', (e) => e.data.clientMessageId === 'o1');
    expect(fromOwner.data.author).toEqual({ userId: owner.userId, displayName: owner.email.split('@')[0], role: 'owner' });
    await partnerWs.waitFor((c) => c.events.filter((e) => e.type === 'assistant.end').length === 2, 20_000, 'second answer');
    await Promise.all([ownerWs.close(), partnerWs.close()]);
  });

  test('SL19: take-over stops the coach and keeps it silent; messages wait; after the hand-back it answers again', async () => {
    const ws = await WsTestClient.connect(server.wsUrl, shared, owner);
    await ws.waitForFrame('ready');
    // The coach is mid-answer when the partner takes over: that answer is stopped.
    ws.send({ type: 'user.message', clientMessageId: 't1', text: 'start answering' });
    await ws.waitForEvent('assistant.delta', (e) => e.seq > ws.lastSeq - 1);
    const t = await api(server.url, partner, 'POST', `/api/sessions/${shared}/takeover`);
    expect(t.status).toBe(202);
    const started = await ws.waitForEvent('handoff.started');
    expect(started.data).toEqual({ by: { userId: partner.userId, displayName: 'Alex', role: 'partner' } });
    const stopped = await ws.waitForEvent('assistant.end', (e) => e.seq > started.seq);
    expect(stopped.data.status).toBe('cancelled');
    // Taking over again as the holder is fine; someone else is refused.
    expect((await api(server.url, partner, 'POST', `/api/sessions/${shared}/takeover`)).status).toBe(202);
    expect((await api(server.url, owner, 'POST', `/api/sessions/${shared}/takeover`)).status).toBe(409);

    const startsBefore = ws.events.filter((e) => e.type === 'assistant.start').length;
    ws.send({ type: 'user.message', clientMessageId: 't2', text: 'Alex, what do you think?' });
    await ws.waitForEvent('user.message', (e) => e.data.clientMessageId === 't2');
    // The coach's sweeper picks up unanswered messages (after two seconds); a held one it must not.
    // One sweep now that counts every unanswered message as orphaned, instead of sleeping past the interval.
    await server.services.runs.sweepNow({ orphanAfterMs: 0 });
    expect(ws.events.filter((e) => e.type === 'assistant.start')).toHaveLength(startsBefore);
    expect((await server.services.db.prisma.session.findUnique({ where: { id: shared } }))!.activeRunId).toBeNull();

    const h = await api(server.url, partner, 'POST', `/api/sessions/${shared}/handback`);
    expect(h.status).toBe(202);
    const ended = await ws.waitForEvent('handoff.ended');
    expect(ended.data).toEqual({ by: { userId: partner.userId, displayName: 'Alex', role: 'partner' } });
    const answer = await ws.waitForEvent('assistant.end', (e) => e.seq > ended.seq, 20_000);
    expect(answer.data.status).toBe('complete');
    expect(String(answer.data.text)).toContain('Alex, what do you think?');
    expect((await api(server.url, partner, 'POST', `/api/sessions/${shared}/handback`)).status).toBe(409);
    // One start and one end each.
    expect(ws.events.filter((e) => e.type === 'handoff.started')).toHaveLength(1);
    await ws.close();
  }, 40_000);

  test('removing a partner closes their sockets at once; every later request is 404', async () => {
    const ws = await WsTestClient.connect(server.wsUrl, shared, partner);
    await ws.waitForFrame('ready');
    // They held the session when removed: it goes back to the coach.
    expect((await api(server.url, partner, 'POST', `/api/sessions/${shared}/takeover`)).status).toBe(202);
    // …and a live /ds read of it, parked at the tail.
    const readers = server.services.sockets.readers;
    const readersBefore = readers.size;
    const poll = fetch(`${ds(server, shared)}?offset=now&live=long-poll`, { headers: { cookie: partner.cookie } }).then((r) => ({ status: r.status, at: Date.now() }));
    for (let i = 0; i < 200 && readers.size <= readersBefore; i++) await new Promise((r) => setTimeout(r, 10));
    expect(readers.size).toBe(readersBefore + 1);
    const mallory = await signup(server.url);
    expect((await api(server.url, mallory, 'DELETE', `/api/sessions/${shared}/partners/${partner.userId}`)).status).toBe(404);
    const removedAt = Date.now();
    expect((await api(server.url, owner, 'DELETE', `/api/sessions/${shared}/partners/${partner.userId}`)).status).toBe(204);
    const ended = await poll;
    expect(ended.status).toBe(404);
    expect(ended.at - removedAt).toBeLessThan(2_000);
    await ws.waitFor((c) => c.closed, 2_000, 'close');
    expect(ws.closed!.code).toBe(4404);
    expect(Date.now() - removedAt).toBeLessThan(2_000);
    for (const [method, path] of [
      ['GET', `/api/sessions/${shared}`],
      ['GET', `/api/sessions/${shared}/events`],
      ['POST', `/api/sessions/${shared}/takeover`],
    ] as const) {
      expect((await api(server.url, partner, method, path)).status, path).toBe(404);
    }
    expect((await api(server.url, partner, 'GET', '/api/sessions')).body.sessions).toEqual([]);
    expect(await WsTestClient.refusal(server.wsUrl, shared, partner)).toEqual({ code: CLOSE_NOT_FOUND, reason: REASON_NOT_FOUND, frames: 0 });
    expect((await fetch(ds(server, shared), { headers: { cookie: partner.cookie } })).status).toBe(404);
    const events = (await api(server.url, owner, 'GET', `/api/sessions/${shared}/events?limit=1000`)).body.events;
    const lastHandoff = events.filter((e: { type: string }) => e.type.startsWith('handoff.')).at(-1);
    expect(lastHandoff).toMatchObject({ type: 'handoff.ended', data: { by: { userId: owner.userId, role: 'owner' } } });
    expect((await server.services.db.prisma.session.findUnique({ where: { id: shared } }))!.handoffUserId).toBeNull();
    expect((await api(server.url, owner, 'DELETE', `/api/sessions/${shared}/partners/${partner.userId}`)).status).toBe(404);
  });
});
