import type { SessionEvent } from '../../server/session/types.ts';
import { api, createSession, signup, WsTestClient, type Account } from '../support/client.ts';
import { DB_KIND } from '../support/db.ts';
import { describe, expect, test as base } from '../support/fixtures.ts';
import type { TestServer } from '../support/server.ts';

const test = base.override('serverOptions', { config: { coach: 'offline', coachPaceMs: 15 } });

// SL15 (retry, continue, open) through HTTP and the WebSocket, with the real offline coach.

const userMessages = (events: SessionEvent[]) => events.filter((e) => e.type === 'user.message');
const ends = (events: SessionEvent[]) => events.filter((e) => e.type === 'assistant.end');

describe(`turn requests: retry, continue, open (${DB_KIND})`, () => {
  let server: TestServer;
  let alice: Account;
  let bob: Account;

  test.beforeAll(async ({ server: s }) => {
    server = s;
    [alice, bob] = await Promise.all([signup(server.url), signup(server.url)]);
  });

  async function connected(sessionId: string, who = alice) {
    const c = await WsTestClient.connect(server.wsUrl, sessionId, who);
    await c.waitForFrame('ready');
    return c;
  }
  const endCount = (c: WsTestClient, n: number) => c.waitFor((x) => ends(x.events).length >= n && ends(x.events), 20_000, `assistant.end #${n}`);
  const turn = (sessionId: string, body: Record<string, unknown>, who = alice) => api(server.url, who, 'POST', `/api/sessions/${sessionId}/turns`, body);

  test('SL15: open lets the coach speak first, once, without a user message', async () => {
    const sessionId = await createSession(server.url, alice, 'Weekly plan');
    const c = await connected(sessionId);
    const r = await turn(sessionId, { requestId: 'open-1', mode: 'open' });
    expect(r).toMatchObject({ status: 202, body: { seq: 1, duplicate: false } });
    const [end] = await endCount(c, 1);
    expect(end!.data.status).toBe('complete');
    expect(String(end!.data.text)).toMatch(/\?/); // it opens with a question
    expect(userMessages(c.events)).toHaveLength(0);
    expect(c.events[0]).toMatchObject({ seq: 1, type: 'turn.requested', data: { requestId: 'open-1', mode: 'open' } });
    // A resend is the same request (SL5); a second open is refused.
    expect((await turn(sessionId, { requestId: 'open-1', mode: 'open' })).body).toEqual({ seq: 1, duplicate: true });
    const again = await turn(sessionId, { requestId: 'open-2', mode: 'open' });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('turn_not_allowed');
    await c.close();
  });

  test('SL15: retry answers the same message again and adds no user message', async () => {
    const sessionId = await createSession(server.url, alice);
    const c = await connected(sessionId);
    c.send({ type: 'user.message', clientMessageId: 'm1', text: 'Hello' });
    const [first] = await endCount(c, 1);
    const firstId = String(first!.data.messageId);

    const r = await turn(sessionId, { requestId: 'retry-1', mode: 'retry', messageId: firstId });
    expect(r.status).toBe(202);
    const all = await endCount(c, 2);
    const second = all[1]!;
    expect(second.data.messageId).not.toBe(firstId);
    expect(second.data.status).toBe('complete');
    // The coach answered the same message: same words (deterministic coach), no new user message.
    expect(second.data.text).toBe(first!.data.text);
    expect(userMessages(c.events)).toHaveLength(1);
    const req = c.events.find((e) => e.type === 'turn.requested')!;
    expect(req.data).toEqual({ requestId: 'retry-1', mode: 'retry', messageId: firstId });

    // Only the latest answer may be retried.
    const stale = await turn(sessionId, { requestId: 'retry-2', mode: 'retry', messageId: firstId });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('turn_not_allowed');
    await c.close();
  });

  test('SL15: continue resumes a stopped answer; its parts join into the uninterrupted answer', async () => {
    // Reference: the whole opening, uninterrupted, in another session of the same week.
    const ref = await createSession(server.url, alice);
    const rc = await connected(ref);
    await turn(ref, { requestId: 'ref-open', mode: 'open' });
    const [whole] = await endCount(rc, 1);
    await rc.close();

    const sessionId = await createSession(server.url, alice);
    const c = await connected(sessionId);
    await turn(sessionId, { requestId: 'o', mode: 'open' });
    await c.waitFor((x) => x.events.filter((e) => e.type === 'assistant.delta').length >= 2, 10_000, 'some deltas');
    c.send({ type: 'cancel' });
    const [stopped] = await endCount(c, 1);
    expect(stopped!.data.status).toBe('cancelled');
    const stoppedId = String(stopped!.data.messageId);
    expect(String(stopped!.data.text).length).toBeGreaterThan(0);

    // A complete answer cannot be continued; the stopped one can.
    c.send({ type: 'turn.request', requestId: 'c1', mode: 'continue', messageId: stoppedId });
    const [, rest] = await endCount(c, 2);
    expect(rest!.data.status).toBe('complete');
    expect(String(stopped!.data.text) + String(rest!.data.text)).toBe(whole!.data.text);
    expect(userMessages(c.events)).toHaveLength(0);

    const done = await turn(sessionId, { requestId: 'c2', mode: 'continue', messageId: String(rest!.data.messageId) });
    expect(done.status).toBe(409);
    await c.close();
  });

  test('SL15: cancel.requested names the device that pressed Stop', async () => {
    const sessionId = await createSession(server.url, alice);
    const c = await connected(sessionId);
    await turn(sessionId, { requestId: 'o', mode: 'open' });
    await c.waitForEvent('assistant.delta');
    c.send({ type: 'cancel' });
    const cancel = await c.waitForEvent('cancel.requested');
    expect(cancel.data.by).toMatchObject({ deviceId: expect.any(String), label: expect.any(String) });
    expect(String((cancel.data.by as { label: string }).label).length).toBeGreaterThan(0);
    await endCount(c, 1);
    await c.close();
  });

  test('SL15: refused while an answer runs, over the socket with an error frame', async () => {
    const sessionId = await createSession(server.url, alice);
    const c = await connected(sessionId);
    c.send({ type: 'user.message', clientMessageId: 'm1', text: 'Hello' });
    const start = await c.waitForEvent('assistant.start');
    c.send({ type: 'turn.request', requestId: 'r-busy', mode: 'retry', messageId: String(start.data.messageId) });
    const err = (await c.waitForFrame("error")) as unknown as { code: string; requestId?: string };
    expect(err).toMatchObject({ code: 'turn_not_allowed', requestId: 'r-busy' });
    await endCount(c, 1);
    expect(c.events.some((e) => e.type === 'turn.requested')).toBe(false);
    await c.close();
  });

  test('SL15: bad requests are 400 naming the field; another user’s session is 404', async () => {
    const sessionId = await createSession(server.url, alice);
    const noTarget = await turn(sessionId, { requestId: 'x', mode: 'retry' });
    expect(noTarget.status).toBe(400);
    expect(noTarget.body.error.field).toBe('messageId');
    expect((await turn(sessionId, { requestId: 'x', mode: 'rewind' })).status).toBe(400);
    expect((await turn(sessionId, { mode: 'open' })).status).toBe(400);
    expect((await turn(sessionId, { requestId: 'x', mode: 'open' }, bob)).status).toBe(404);
  });
});
