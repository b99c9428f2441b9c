import { CLOSE_NOT_FOUND, CLOSE_SIGNED_OUT } from '../../server/contract/index.ts';
import { createDemoAgent } from '../../server/agent/demo-agent.ts';
import type { Agent } from '../../server/agent/port.ts';
import type { SessionEvent } from '../../server/session/types.ts';
import { api, createSession, seqsOf, signup, textOf, WsTestClient, type Account } from '../support/client.ts';
import { DB_KIND } from '../support/db.ts';
import { describe, expect, test as base } from '../support/fixtures.ts';
import type { TestServer } from '../support/server.ts';
import { nth } from '../support/nth.ts';

// A paced demo agent that also records whether its AbortSignal fired.
const aborted = new Set<string>();
const spyAgent = (): Agent => {
  const inner = createDemoAgent({ paceMs: 4, words: 150 });
  return {
    async respond(turn) {
      turn.signal.addEventListener('abort', () => aborted.add(turn.runId));
      await inner.respond(turn);
    },
  };
};

const ended = (c: WsTestClient, n = 1) => c.waitFor((x) => x.events.filter((e) => e.type === 'assistant.end').length >= n && x.events, 15_000, `assistant.end #${n}`);

function assertGapFree(events: SessionEvent[]) {
  expect(seqsOf(events)).toEqual(events.map((_, i) => i + 1));
}

const test = base.override('serverOptions', { agent: spyAgent });

describe(`session over WebSocket (${DB_KIND})`, () => {
  let server: TestServer;
  let alice: Account;

  test.beforeAll(async ({ server: s }) => {
    server = s;
    alice = await signup(server.url);
  });

  test('SL4: a client that drops mid-answer and resumes from its last seq ends with the full transcript, no gaps or duplicates', async () => {
    const sessionId = await createSession(server.url, alice);
    const first = await WsTestClient.connect(server.wsUrl, sessionId, alice);
    await first.waitForFrame('ready');
    first.send({ type: 'user.message', clientMessageId: 'm1', text: 'Help me plan' });
    await first.waitFor((c) => c.events.filter((e) => e.type === 'assistant.delta').length >= 3, 10_000, 'some deltas');
    first.kill();
    const resumeFrom = first.lastSeq;

    const second = await WsTestClient.connect(server.wsUrl, sessionId, alice, { after: resumeFrom });
    const all = await ended(second);
    const stitched = [...first.events.filter((e) => e.seq <= resumeFrom), ...all];
    assertGapFree(stitched);
    expect(nth(all, 0).seq).toBe(resumeFrom + 1);

    const fresh = await WsTestClient.connect(server.wsUrl, sessionId, alice);
    const ready = (await fresh.waitForFrame('ready')) as unknown as { lastSeq: number };
    expect(ready.lastSeq).toBe(stitched.length);
    expect(fresh.events).toEqual(stitched);
    const start = stitched.find((e) => e.type === 'assistant.start')!;
    const end = stitched.find((e) => e.type === 'assistant.end')!;
    expect(end.data.status).toBe('complete');
    expect(textOf(stitched, String(start.data.messageId))).toBe(end.data.text);
    expect(String(end.data.text)).toContain('word149');
    await Promise.all([second.close(), fresh.close()]);
  });

  test('SL4: replay=batch resumes in events frames of consecutive events, then ready, then live event frames; an unknown mode is 400', async () => {
    const sessionId = await createSession(server.url, alice);
    const total = 600;
    for (let i = 0; i < total; i++) await server.services.log.append(sessionId, 'plan.updated', { i });
    const after = 37;
    const c = await WsTestClient.connect(server.wsUrl, sessionId, alice, { after, replay: 'batch' });
    const ready = (await c.waitForFrame('ready')) as unknown as { lastSeq: number };
    expect(ready.lastSeq).toBe(total);
    const readyAt = c.frames.findIndex((f) => f.type === 'ready');
    const replayFrames = c.frames.slice(0, readyAt).filter((f) => f.type !== 'presence');
    // Everything before ready came batched, each batch consecutive, together exactly after+1..total.
    expect(replayFrames.every((f) => f.type === 'events')).toBe(true);
    expect(replayFrames.length).toBeGreaterThan(1);
    expect(replayFrames.length).toBeLessThan(total - after);
    expect(seqsOf(c.events)).toEqual(Array.from({ length: total - after }, (_, i) => after + 1 + i));
    expect(c.events[0]).toMatchObject({ type: 'plan.updated', data: { i: after } });
    await server.services.log.append(sessionId, 'plan.updated', { i: total });
    const live = await c.waitFor((x) => x.frames.slice(readyAt).find((f) => (f as SessionEvent).seq === total + 1), 5_000, 'live event');
    expect(live).toMatchObject({ seq: total + 1, type: 'plan.updated' });
    await c.close();
    await expect(WsTestClient.connect(server.wsUrl, sessionId, alice, { replay: 'pages' })).rejects.toMatchObject({ statusCode: 400 });
  });

  test('SL18: replay=compact folds a finished answer into few delta events covering every seq exactly, with the same text', async () => {
    const sessionId = await createSession(server.url, alice);
    const writer = await WsTestClient.connect(server.wsUrl, sessionId, alice);
    await writer.waitForFrame('ready');
    writer.send({ type: 'user.message', clientMessageId: 'c1', text: 'Help me plan' });
    const full = await ended(writer);
    await writer.close();
    const deltas = full.filter((e) => e.type === 'assistant.delta');
    expect(deltas.length).toBeGreaterThan(3);
    const end = full.find((e) => e.type === 'assistant.end');

    const c = await WsTestClient.connect(server.wsUrl, sessionId, alice, { replay: 'compact' });
    const ready = (await c.waitForFrame('ready')) as unknown as { lastSeq: number };
    const replayed = c.events;
    const folded = replayed.filter((e) => e.type === 'assistant.delta');
    expect(folded.length).toBeLessThan(deltas.length);
    expect(folded.some((e) => typeof e.data.fromSeq === 'number')).toBe(true);
    // Exact coverage: every seq 1..lastSeq once, in order, whether folded or not.
    const covered = replayed.flatMap((e) => {
      const from = typeof e.data.fromSeq === 'number' ? e.data.fromSeq : e.seq;
      return Array.from({ length: e.seq - from + 1 }, (_, i) => from + i);
    });
    expect(covered).toEqual(Array.from({ length: ready.lastSeq }, (_, i) => i + 1));
    expect(folded.map((e) => e.data.text).join('')).toBe(end?.data.text);
    // Non-delta events come through exactly as the log has them.
    expect(replayed.filter((e) => e.type !== 'assistant.delta')).toEqual(full.filter((e) => e.type !== 'assistant.delta'));
    await c.close();
  });

  test('SL4: a client connected before the first token and one connecting after the end see the same events', async () => {
    const sessionId = await createSession(server.url, alice);
    const early = await WsTestClient.connect(server.wsUrl, sessionId, alice);
    await early.waitForFrame('ready');
    const post = await api(server.url, alice, 'POST', `/api/sessions/${sessionId}/messages`, { clientMessageId: 'x1', text: 'hello' });
    expect(post).toEqual({ status: 202, body: { seq: 1, duplicate: false } });
    const earlyEvents = await ended(early);
    const late = await WsTestClient.connect(server.wsUrl, sessionId, alice, { after: 0 });
    await late.waitForFrame('ready');
    expect(late.events).toEqual(earlyEvents);
    assertGapFree(earlyEvents);
    // ready comes after the replay, exactly once
    expect(late.frames.filter((f) => f.type === 'ready')).toHaveLength(1);
    const readyAt = late.frames.findIndex((f) => f.type === 'ready');
    expect(late.frames.slice(0, readyAt).filter((f) => typeof (f as SessionEvent).seq === 'number')).toHaveLength(earlyEvents.length);
    expect(late.frames.slice(readyAt).filter((f) => typeof (f as SessionEvent).seq === 'number')).toEqual([]);
    await Promise.all([early.close(), late.close()]);
  });

  test('two clients on one session (laptop and phone) see identical live events', async () => {
    const sessionId = await createSession(server.url, alice);
    const laptop = await WsTestClient.connect(server.wsUrl, sessionId, alice);
    const phone = await WsTestClient.connect(server.wsUrl, sessionId, alice);
    await Promise.all([laptop.waitForFrame('ready'), phone.waitForFrame('ready')]);
    laptop.send({ type: 'user.message', clientMessageId: 'p1', text: 'from the laptop' });
    const [a, b] = await Promise.all([ended(laptop), ended(phone)]);
    expect(b).toEqual(a);
    assertGapFree(a);
    expect(a[0]).toMatchObject({ type: 'user.message', data: { text: 'from the laptop', clientMessageId: 'p1' } });
    await Promise.all([laptop.close(), phone.close()]);
  });

  test('SL10: cancel from a second client stops the run: signal aborted, status cancelled, no later deltas', async () => {
    const sessionId = await createSession(server.url, alice);
    const laptop = await WsTestClient.connect(server.wsUrl, sessionId, alice);
    const phone = await WsTestClient.connect(server.wsUrl, sessionId, alice);
    await Promise.all([laptop.waitForFrame('ready'), phone.waitForFrame('ready')]);
    laptop.send({ type: 'user.message', clientMessageId: 'c1', text: 'write a lot' });
    const start = await phone.waitForEvent('assistant.start');
    await phone.waitFor((c) => c.events.filter((e) => e.type === 'assistant.delta').length >= 2, 10_000, 'deltas');
    phone.send({ type: 'cancel' });
    const end = await laptop.waitForEvent('assistant.end', undefined, 10_000);
    expect(end.data.status).toBe('cancelled');
    expect(aborted.has(String(start.data.runId))).toBe(true);
    const cancelSeq = laptop.events.find((e) => e.type === 'cancel.requested')!.seq;
    expect(laptop.events.filter((e) => e.type === 'assistant.delta' && e.seq > cancelSeq)).toEqual([]);
    expect(textOf(laptop.events, String(start.data.messageId))).toBe(end.data.text);
    expect(String(end.data.text)).not.toContain('word149');
    // Nothing else arrives afterwards.
    await new Promise((r) => setTimeout(r, 200));
    expect(laptop.events.at(-1)!.seq).toBe(end.seq);
    // A cancel with nothing running is answered, not ignored.
    const n = phone.frames.length;
    phone.send({ type: 'cancel' });
    expect(await phone.waitFor((c) => c.frames.slice(n).find((f) => f.type === 'error'))).toMatchObject({ code: 'no_active_run' });
    await Promise.all([laptop.close(), phone.close()]);
  });

  test('SL10: sending while the coach answers interrupts it and the coach answers the new message', async () => {
    const sessionId = await createSession(server.url, alice);
    const c = await WsTestClient.connect(server.wsUrl, sessionId, alice);
    await c.waitForFrame('ready');
    c.send({ type: 'user.message', clientMessageId: 'i1', text: 'first question' });
    await c.waitFor((x) => x.events.filter((e) => e.type === 'assistant.delta').length >= 2, 10_000, 'deltas');
    c.send({ type: 'user.message', clientMessageId: 'i2', text: 'second question' });
    const events = await ended(c, 2);
    const ends = events.filter((e) => e.type === 'assistant.end');
    expect(ends.map((e) => e.data.status)).toEqual(['interrupted', 'complete']);
    const second = events.find((e) => e.type === 'user.message' && e.data.clientMessageId === 'i2')!;
    const firstMessageId = nth(ends, 0).data.messageId;
    expect(events.filter((e) => e.type === 'assistant.delta' && e.data.messageId === firstMessageId && e.seq > second.seq)).toEqual([]);
    expect(String(nth(ends, 1).data.text)).toContain('You said: "second question"');
    assertGapFree(events);
    await c.close();
  });

  test('SL5: retrying a user message (HTTP or WebSocket) never creates a second one', async () => {
    const sessionId = await createSession(server.url, alice);
    const body = { clientMessageId: 'retry-1', text: 'only once please' };
    const first = await api(server.url, alice, 'POST', `/api/sessions/${sessionId}/messages`, body);
    const again = await api(server.url, alice, 'POST', `/api/sessions/${sessionId}/messages`, body);
    expect(first.body).toEqual({ seq: 1, duplicate: false });
    expect(again).toEqual({ status: 202, body: { seq: 1, duplicate: true } });
    const c = await WsTestClient.connect(server.wsUrl, sessionId, alice);
    c.send({ type: 'user.message', ...body });
    await ended(c);
    await new Promise((r) => setTimeout(r, 100));
    expect(c.events.filter((e) => e.type === 'user.message')).toHaveLength(1);
    expect(c.events.filter((e) => e.type === 'assistant.start')).toHaveLength(1);
    await c.close();
  });

  test('malformed and unknown frames get error frames; the connection and session stay intact', async () => {
    const sessionId = await createSession(server.url, alice);
    const c = await WsTestClient.connect(server.wsUrl, sessionId, alice);
    await c.waitForFrame('ready');
    const bad = ['not json', '[]', '{"type":"nope"}', '{"type":"user.message","text":"no id"}', '{"type":"user.message","clientMessageId":"a","text":"   "}', JSON.stringify({ type: 'user.message', clientMessageId: 'a', text: 'x'.repeat(9000) }), 'null'];
    for (const f of bad) c.send(f);
    const errors = (await c.waitFor((x) => x.frames.filter((f) => f.type === 'error').length >= bad.length && x.frames.filter((f) => f.type === 'error'))) as unknown as Array<{ code: string; message: string }>;
    expect(errors.map((e) => e.code)).toEqual(['invalid_json', 'invalid_frame', 'unknown_type', 'invalid_frame', 'invalid_frame', 'message_too_long', 'invalid_frame']);
    for (const e of errors) expect(typeof e.message).toBe('string');
    c.send({ type: 'ping' });
    await c.waitForFrame('pong');
    expect(c.closed).toBeUndefined();
    expect(c.events).toEqual([]);
    await c.close();
  });

  test('presence: each device sees which of the user’s devices have the session open, and who left', async () => {
    const sessionId = await createSession(server.url, alice);
    const phoneLogin = await api(server.url, null, 'POST', '/api/auth/login', { email: alice.email, password: 'correct horse battery', deviceName: 'Alice’s phone' });
    expect(phoneLogin.status).toBe(200);
    const laptop = await WsTestClient.connect(server.wsUrl, sessionId, alice);
    type Presence = { you: string; devices: Array<{ deviceId: string; label: string; connections: number }> };
    const presence = (c: WsTestClient) => c.frames.filter((f) => f.type === 'presence') as unknown as Presence[];
    await laptop.waitFor((c) => presence(c).length > 0, 5_000, 'presence');
    const phoneCookie = (await fetch(`${server.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: alice.email, password: 'correct horse battery', deviceName: 'Alice’s phone' }),
    })).headers.getSetCookie()[0]?.split(';')[0];
    if (!phoneCookie) throw new Error('login set no cookie');
    const phone = await WsTestClient.connect(server.wsUrl, sessionId, { ...alice, cookie: phoneCookie });
    const both = await laptop.waitFor((c) => presence(c).find((p) => p.devices.length === 2), 5_000, 'two devices');
    expect(both.devices.map((d) => d.label).sort()).toContain('Alice’s phone');
    expect(both.devices.find((d) => d.deviceId === both.you)).toBeDefined();
    const phoneView = await phone.waitFor((c) => presence(c).find((p) => p.devices.length === 2), 5_000, 'phone sees two');
    expect(phoneView.you).not.toBe(both.you);
    expect(phone.events).toEqual([]); // presence is ephemeral: no seq, nothing stored
    await phone.close();
    const after = await laptop.waitFor((c) => presence(c).at(-1)!.devices.length === 1 && presence(c).at(-1), 5_000, 'phone left');
    expect(nth(after.devices, 0).deviceId).toBe(both.you);
    expect((await api(server.url, alice, 'GET', `/api/sessions/${sessionId}`)).body.lastSeq).toBe(0);
    await laptop.close();
  });

  test("another user's session is 404 on every route and on the WebSocket; no login is 401", async () => {
    const sessionId = await createSession(server.url, alice);
    const mallory = await signup(server.url);
    const routes: Array<[string, string, unknown?]> = [
      ['GET', `/api/sessions/${sessionId}`],
      ['GET', `/api/sessions/${sessionId}/events?after=0`],
      ['POST', `/api/sessions/${sessionId}/messages`, { clientMessageId: 'z', text: 'hi' }],
      ['POST', `/api/sessions/${sessionId}/cancel`],
    ];
    for (const [method, path, body] of routes) {
      expect((await api(server.url, mallory, method, path, body)).status, `${method} ${path}`).toBe(404);
      expect((await api(server.url, null, method, path, body)).status, `${method} ${path} anonymous`).toBe(401);
    }
    // Refused after the upgrade, with a close code a browser can read (it never sees an HTTP status).
    expect((await WsTestClient.refusal(server.wsUrl, sessionId, mallory)).code).toBe(CLOSE_NOT_FOUND);
    expect((await WsTestClient.refusal(server.wsUrl, sessionId, null)).code).toBe(CLOSE_SIGNED_OUT);
    expect((await WsTestClient.refusal(server.wsUrl, 'not-a-session-id', alice)).code).toBe(CLOSE_NOT_FOUND);
    // Plain HTTP (no upgrade) still gets the plain status.
    expect((await api(server.url, mallory, 'GET', `/api/sessions/${sessionId}/ws`)).status).toBe(404);
    expect((await api(server.url, null, 'GET', `/api/sessions/${sessionId}/ws`)).status).toBe(401);
    await expect(WsTestClient.connect(server.wsUrl, sessionId, alice, { origin: 'https://evil.example' })).rejects.toMatchObject({ statusCode: 403 });
    expect((await api(server.url, mallory, 'GET', '/api/sessions')).body).toEqual({ sessions: [] });
    expect((await api(server.url, alice, 'GET', `/api/sessions/${sessionId}/events?after=0`)).body).toEqual({ events: [], lastSeq: 0 });
  });

  test('HTTP contract: auth, listing, paging events, validation errors name the field', async () => {
    const bob = await signup(server.url);
    expect((await api(server.url, bob, 'GET', '/api/me')).body.user.email).toBe(bob.email);
    const dup = await api(server.url, null, 'POST', '/api/auth/signup', { email: bob.email, password: 'another password' });
    expect(dup.status).toBe(409);
    const wrong = await api(server.url, null, 'POST', '/api/auth/login', { email: bob.email, password: 'wrong password' });
    expect(wrong).toMatchObject({ status: 401, body: { error: { code: 'invalid_credentials' } } });
    const badEmail = await api(server.url, null, 'POST', '/api/auth/signup', { email: 'nope', password: 'long enough pw' });
    expect(badEmail.status).toBe(400);
    expect(badEmail.body.error.message).toContain('email');
    const s = await api(server.url, bob, 'POST', '/api/sessions', { title: 'Week 48' });
    expect(s.status).toBe(201);
    expect(s.body).toMatchObject({ title: 'Week 48', kind: 'plan' });
    const tooLong = await api(server.url, bob, 'POST', `/api/sessions/${s.body.id}/messages`, { clientMessageId: 'a', text: 'x'.repeat(8001) });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.error.field).toBe('text');
    const c = await WsTestClient.connect(server.wsUrl, s.body.id, bob);
    c.send({ type: 'user.message', clientMessageId: 'q', text: 'hi' });
    const all = await ended(c);
    const page = await api(server.url, bob, 'GET', `/api/sessions/${s.body.id}/events?after=2&limit=3`);
    expect(page.body.events.map((e: SessionEvent) => e.seq)).toEqual([3, 4, 5]);
    expect(page.body.lastSeq).toBe(all.length);
    expect((await api(server.url, bob, 'GET', `/api/sessions/${s.body.id}/events?after=-1`)).status).toBe(400);
    const list = await api(server.url, bob, 'GET', '/api/sessions');
    expect(list.body.sessions.map((x: { id: string }) => x.id)).toEqual([s.body.id]);
    const out = await api(server.url, bob, 'POST', '/api/auth/logout');
    expect(out.status).toBe(204);
    expect((await api(server.url, bob, 'GET', '/api/me')).status).toBe(401);
    await c.close();
  });
});
