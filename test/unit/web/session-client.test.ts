import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { outboxKey } from '../../../web/src/session-client/outbox.ts';
import { CLOSE_CLIENT_RESYNC } from '../../../server/contract/close-codes.ts';
import { SessionClient, type SessionClientOptions } from '../../../web/src/session-client/session-client.ts';
import type { AssistantMessage, UserMessage } from '../../../web/src/session-client/transcript.ts';
import { FakeWebSocket, MemoryStorage, ScriptedServer } from './fake-websocket.ts';

let ids = 0;
let clients: SessionClient[] = [];

function makeClient(over: Partial<SessionClientOptions> = {}) {
  const events = new EventTarget();
  const fetch = vi.fn(async () => new Response(null, { status: 202 }));
  const client = new SessionClient({
    sessionId: 's1',
    baseUrl: 'http://coach.test',
    WebSocketImpl: FakeWebSocket,
    storage: new MemoryStorage(),
    random: () => 0.5,
    uuid: () => `cmid-${++ids}`,
    eventSource: events,
    isOnline: () => true,
    fetch,
    ...over,
  });
  clients.push(client);
  return { client, events, fetch };
}

const assistant = (c: SessionClient, id: string) => c.getMessage(id) as AssistantMessage;

beforeEach(() => {
  vi.useFakeTimers();
  FakeWebSocket.reset();
  ids = 0;
});
afterEach(() => {
  for (const c of clients) c.dispose();
  clients = [];
  vi.useRealTimers();
});

describe('SessionClient connection', () => {
  it('connects from after=0, is live after ready, and resumes from the last applied seq after a drop', () => {
    const server = new ScriptedServer();
    server.append('user.message', { clientMessageId: 'x', text: 'hi' });
    server.append('assistant.start', { messageId: 'm1', runId: 'r1' });
    const { client } = makeClient();
    expect(client.getSnapshot().connection).toEqual({ status: 'idle' });
    client.connect();
    expect(client.getSnapshot().connection).toEqual({ status: 'connecting' });
    const ws1 = FakeWebSocket.last;
    expect(ws1.url).toBe('ws://coach.test/api/sessions/s1/ws?after=0&replay=batch');
    server.accept(ws1);
    expect(client.getSnapshot().connection).toEqual({ status: 'live' });
    expect(client.getSnapshot().serverLastSeq).toBe(2);
    server.push(ws1, 'assistant.delta', { messageId: 'm1', text: 'abc' });

    ws1.serverClose(1006);
    const now = Date.now();
    expect(client.getSnapshot().connection).toEqual({ status: 'reconnecting', attempt: 1, retryAt: now + 250 });
    vi.advanceTimersByTime(249);
    expect(FakeWebSocket.instances).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(FakeWebSocket.instances).toHaveLength(2);
    expect(FakeWebSocket.last.after).toBe(3);
    expect(client.getSnapshot().connection).toEqual({ status: 'reconnecting', attempt: 1, retryAt: null });
  });

  it('close mid-answer, overlapping replay: no missing and no doubled text', () => {
    const server = new ScriptedServer();
    const { client } = makeClient();
    client.connect();
    const ws1 = FakeWebSocket.last;
    server.accept(ws1);
    server.push(ws1, 'user.message', { clientMessageId: 'x', text: 'plan' });
    server.push(ws1, 'assistant.start', { messageId: 'm1', runId: 'r1' });
    server.push(ws1, 'assistant.delta', { messageId: 'm1', text: 'Hel' });
    server.push(ws1, 'assistant.delta', { messageId: 'm1', text: 'lo' });
    // Written while the client is away:
    ws1.serverClose(1006);
    server.append('assistant.delta', { messageId: 'm1', text: ' wor' });
    vi.advanceTimersByTime(250);
    const ws2 = FakeWebSocket.last;
    expect(ws2.after).toBe(4);

    const textSeen: string[] = [];
    const unsub = client.subscribeMessage('m1', () => textSeen.push(assistant(client, 'm1').text));
    // The server replays from seq 2 (overlap of 3 events the client already has), one
    // event per frame: a real server folds deltas only after the client's own `after`.
    server.accept(ws2, { from: 1, batchSize: 1 });
    server.push(ws2, 'assistant.delta', { messageId: 'm1', text: 'ld' });
    server.push(ws2, 'assistant.end', { messageId: 'm1', status: 'complete', text: 'Hello world' });
    unsub();

    expect(textSeen).toEqual(['Hello wor', 'Hello world', 'Hello world']);
    expect(assistant(client, 'm1')).toMatchObject({ text: 'Hello world', status: 'complete' });
    expect(client.getSnapshot().transcript.lastSeq).toBe(7);
    expect(client.getSnapshot().transcript.messageIds).toEqual(['user:x', 'm1']);
  });

  it('backoff grows with jitter, reports offline after repeated failures, and resets once live', () => {
    const server = new ScriptedServer();
    const { client } = makeClient({ random: () => 0.5 });
    client.connect();
    const delays: number[] = [];
    const statuses: string[] = [];
    for (let i = 0; i < 8; i++) {
      FakeWebSocket.last.serverClose(1006);
      const c = client.getSnapshot().connection;
      expect(c).toMatchObject({ attempt: i + 1 });
      statuses.push(c.status);
      const delay = ((c as { retryAt: number }).retryAt) - Date.now();
      delays.push(delay);
      const before = FakeWebSocket.instances.length;
      vi.advanceTimersByTime(delay - 1);
      expect(FakeWebSocket.instances.length).toBe(before);
      vi.advanceTimersByTime(1);
      expect(FakeWebSocket.instances.length).toBe(before + 1);
    }
    expect(delays).toEqual([250, 500, 1000, 2000, 4000, 8000, 15_000, 15_000]);
    expect(statuses).toEqual(['reconnecting', 'reconnecting', 'reconnecting', 'reconnecting', 'reconnecting', 'offline', 'offline', 'offline']);
    expect(client.getSnapshot().connection).toEqual({ status: 'offline', reason: 'unreachable', attempt: 8, retryAt: null });

    server.accept(FakeWebSocket.last);
    expect(client.getSnapshot().connection).toEqual({ status: 'live' });
    FakeWebSocket.last.serverClose(1006);
    expect(client.getSnapshot().connection).toMatchObject({ status: 'reconnecting', attempt: 1, retryAt: Date.now() + 250 });
  });

  it('uses the injected random for jitter', () => {
    const rolls = [0.1, 0.9];
    const { client } = makeClient({ random: () => rolls.shift() ?? 0 });
    client.connect();
    FakeWebSocket.last.serverClose(1006);
    expect(client.getSnapshot().connection).toMatchObject({ retryAt: Date.now() + 50 });
    vi.advanceTimersByTime(50);
    FakeWebSocket.last.serverClose(1006);
    expect(client.getSnapshot().connection).toMatchObject({ attempt: 2, retryAt: Date.now() + 900 });
  });

  it.each([4404, 4401])('close %i: denied, never retried', (code) => {
    const { client } = makeClient();
    client.connect();
    FakeWebSocket.last.serverOpen();
    FakeWebSocket.last.serverClose(code, 'nope');
    expect(client.getSnapshot().connection).toEqual({ status: 'denied', code, reason: 'nope' });
    vi.advanceTimersByTime(10 * 60_000);
    client.connect();
    expect(FakeWebSocket.instances).toHaveLength(1);
    expect(client.send('hello?')).toBeNull();
  });

  it('close 4008 (slow consumer): reconnects and resumes', () => {
    const server = new ScriptedServer();
    server.append('assistant.start', { messageId: 'm1', runId: 'r1' });
    const { client } = makeClient();
    client.connect();
    server.accept(FakeWebSocket.last);
    FakeWebSocket.last.serverClose(4008, 'slow consumer');
    vi.advanceTimersByTime(250);
    expect(FakeWebSocket.instances).toHaveLength(2);
    expect(FakeWebSocket.last.after).toBe(1);
  });

  it('heartbeat: pings, stays up while pongs come, reconnects when a pong is missing', () => {
    const server = new ScriptedServer();
    const { client } = makeClient({ heartbeatIntervalMs: 20_000, pongTimeoutMs: 10_000 });
    client.connect();
    const ws1 = FakeWebSocket.last;
    server.accept(ws1);
    vi.advanceTimersByTime(20_000);
    expect(ws1.framesOfType('ping')).toHaveLength(1);
    ws1.serverSend({ type: 'pong' });
    vi.advanceTimersByTime(20_000);
    expect(ws1.framesOfType('ping')).toHaveLength(2);
    ws1.serverSend({ type: 'pong' });
    vi.advanceTimersByTime(20_000);
    expect(ws1.framesOfType('ping')).toHaveLength(3);
    expect(ws1.closedByClient).toBeNull();
    vi.advanceTimersByTime(10_000); // no pong
    expect(ws1.closedByClient).toEqual({ code: CLOSE_CLIENT_RESYNC, reason: 'heartbeat timeout' });
    expect(client.getSnapshot().connection).toMatchObject({ status: 'reconnecting', attempt: 1 });
    vi.advanceTimersByTime(250);
    expect(FakeWebSocket.instances).toHaveLength(2);
  });

  it('a socket that never opens is abandoned after the connect timeout', () => {
    const { client } = makeClient({ connectTimeoutMs: 10_000 });
    client.connect();
    vi.advanceTimersByTime(9_999);
    expect(FakeWebSocket.last.closedByClient).toBeNull();
    vi.advanceTimersByTime(1);
    expect(FakeWebSocket.last.closedByClient).toMatchObject({ reason: 'connect timeout' });
    expect(client.getSnapshot().connection).toMatchObject({ status: 'reconnecting', attempt: 1 });
  });

  it('gap: never papered over; resyncs from the last applied seq at once', () => {
    const server = new ScriptedServer();
    server.append('assistant.start', { messageId: 'm1', runId: 'r1' });
    server.append('assistant.delta', { messageId: 'm1', text: 'A' });
    server.append('assistant.delta', { messageId: 'm1', text: 'B' });
    const { client } = makeClient();
    client.connect();
    const ws1 = FakeWebSocket.last;
    ws1.serverOpen();
    ws1.serverSend(server.log[0]);
    ws1.serverSend(server.log[2]); // seq 3 without 2
    expect(client.getSnapshot().transcript.gap).toEqual({ afterSeq: 1, receivedSeq: 3 });
    expect(assistant(client, 'm1').text).toBe('');
    expect(ws1.closedByClient).toMatchObject({ code: CLOSE_CLIENT_RESYNC, reason: 'gap' });
    vi.advanceTimersByTime(0);
    const ws2 = FakeWebSocket.last;
    expect(FakeWebSocket.instances).toHaveLength(2);
    expect(ws2.after).toBe(1);
    server.accept(ws2);
    expect(client.getSnapshot().transcript.gap).toBeNull();
    expect(assistant(client, 'm1').text).toBe('AB');
    expect(client.getSnapshot().connection).toEqual({ status: 'live' });
  });

  it('replay=batch: an events frame is applied in order, overlap dropped; a gap inside it resyncs and the rest is not applied', () => {
    const server = new ScriptedServer();
    server.append('assistant.start', { messageId: 'm1', runId: 'r1' });
    for (const t of ['A', 'B', 'C', 'D']) server.append('assistant.delta', { messageId: 'm1', text: t });
    const { client } = makeClient();
    client.connect();
    const ws1 = FakeWebSocket.last;
    ws1.serverOpen();
    const [e1, e2, e3, e4, e5] = server.log;
    ws1.serverSend({ type: 'events', events: [e1, e2] });
    ws1.serverSend({ type: 'events', events: [e2, e3] }); // overlap: e2 again
    expect(assistant(client, 'm1').text).toBe('AB');
    ws1.serverSend({ type: 'events', events: [e5, e4] }); // seq 5 before 4: a gap
    expect(client.getSnapshot().transcript.gap).toEqual({ afterSeq: 3, receivedSeq: 5 });
    expect(assistant(client, 'm1').text).toBe('AB');
    expect(ws1.closedByClient).toMatchObject({ code: CLOSE_CLIENT_RESYNC, reason: 'gap' });
    vi.advanceTimersByTime(0);
    const ws2 = FakeWebSocket.last;
    expect(ws2.after).toBe(3);
    server.accept(ws2, { batchSize: 1 });
    expect(assistant(client, 'm1').text).toBe('ABCD');
    expect(client.getSnapshot().connection).toEqual({ status: 'live' });
  });

  it('SL18 replay=compact: a folded delta covers fromSeq…seq exactly; one that does not start at lastSeq + 1 is a gap', () => {
    const server = new ScriptedServer();
    server.append('user.message', { clientMessageId: 'x', text: 'plan' });
    server.append('assistant.start', { messageId: 'm1', runId: 'r1' });
    for (const t of ['He', 'll', 'o ', 'wo', 'rld']) server.append('assistant.delta', { messageId: 'm1', text: t });
    server.append('assistant.end', { messageId: 'm1', status: 'complete', text: 'Hello world' });
    const { client } = makeClient({ replay: 'compact' });
    client.connect();
    const ws1 = FakeWebSocket.last;
    expect(ws1.url).toBe('ws://coach.test/api/sessions/s1/ws?after=0&replay=compact');
    server.accept(ws1, { batchSize: 10 });
    // The five deltas came as one event (seq 7, fromSeq 3).
    const replayed = ws1.received.flatMap((f) => (f as { events?: Array<{ seq: number; data: { fromSeq?: number } }> }).events ?? []);
    expect(replayed.map((e) => [e.seq, e.data.fromSeq])).toEqual([
      [1, undefined],
      [2, undefined],
      [7, 3],
      [8, undefined],
    ]);
    expect(assistant(client, 'm1')).toMatchObject({ text: 'Hello world', status: 'complete' });
    expect(client.getSnapshot().transcript.lastSeq).toBe(8);
    expect(client.getSnapshot().connection).toEqual({ status: 'live' });

    // A fold that starts past lastSeq + 1 is never applied.
    server.push(ws1, 'assistant.start', { messageId: 'm2', runId: 'r2' });
    ws1.serverSend({ seq: 12, type: 'assistant.delta', at: new Date().toISOString(), data: { messageId: 'm2', text: 'xyz', fromSeq: 11 } });
    expect(client.getSnapshot().transcript.gap).toEqual({ afterSeq: 9, receivedSeq: 12 });
    expect(assistant(client, 'm2').text).toBe('');
  });

  it('a gap that persists at the same seq backs off instead of spinning', () => {
    const { client } = makeClient({ random: () => 0.5 });
    client.connect();
    const gapOnce = () => {
      const ws = FakeWebSocket.last;
      ws.serverOpen();
      ws.serverSend({ seq: 1, type: 'assistant.start', at: 'x', data: { messageId: 'm1', runId: 'r1' } });
      ws.serverSend({ seq: 3, type: 'assistant.delta', at: 'x', data: { messageId: 'm1', text: 'x' } });
      ws.serverSend({ type: 'ready', lastSeq: 3 });
    };
    gapOnce();
    expect(client.getSnapshot().connection).toMatchObject({ status: 'reconnecting', attempt: 1, retryAt: Date.now() });
    vi.advanceTimersByTime(0);
    gapOnce(); // the resumed replay (after=1) still skips seq 2
    expect(FakeWebSocket.last.after).toBe(1);
    const c = client.getSnapshot().connection as { attempt: number; retryAt: number };
    expect(c.attempt).toBe(2);
    expect(c.retryAt - Date.now()).toBe(250);
    expect(client.getSnapshot().transcript.gap).toEqual({ afterSeq: 1, receivedSeq: 3 });
  });

  it('ready with a lastSeq beyond what was replayed is treated as a gap', () => {
    const { client } = makeClient();
    client.connect();
    FakeWebSocket.last.serverOpen();
    FakeWebSocket.last.serverSend({ type: 'ready', lastSeq: 5 });
    expect(client.getSnapshot().transcript.gap).toEqual({ afterSeq: 0, receivedSeq: 5 });
    expect(client.getSnapshot().connection.status).not.toBe('live');
    vi.advanceTimersByTime(0);
    expect(FakeWebSocket.instances).toHaveLength(2);
    // The resumed connection agrees with what was applied: the gap is resolved.
    FakeWebSocket.last.serverOpen();
    FakeWebSocket.last.serverSend({ type: 'ready', lastSeq: 0 });
    expect(client.getSnapshot().transcript.gap).toBeNull();
    expect(client.getSnapshot().connection).toEqual({ status: 'live' });
  });

  it('ignores invalid frames, unknown types, and exposes error and presence frames', () => {
    const { client } = makeClient();
    client.connect();
    const ws = FakeWebSocket.last;
    ws.serverOpen();
    ws.serverSend('garbage');
    ws.serverSend({ type: 'typing' });
    ws.serverSend({ seq: 1, type: 'future.thing', at: 'x', data: {} });
    ws.serverSend({ type: 'error', code: 'bad_frame', message: 'what' });
    ws.serverSend({ type: 'presence', devices: ['phone', 'laptop'] });
    ws.serverSend({ type: 'ready', lastSeq: 1 });
    const s = client.getSnapshot();
    expect(s.connection.status).toBe('live');
    expect(s.transcript.lastSeq).toBe(1);
    expect(s.transcript.ignoredEvents).toBe(1);
    expect(s.lastError).toEqual({ code: 'bad_frame', message: 'what' });
    expect(s.presence).toEqual({ type: 'presence', devices: ['phone', 'laptop'] });
  });
});

describe('SessionClient outbox', () => {
  it('messages typed while offline survive a reload and are delivered exactly once', () => {
    const storage = new MemoryStorage();
    const server = new ScriptedServer();
    server.append('user.message', { clientMessageId: 'old', text: 'earlier' });

    const page1 = makeClient({ storage }).client;
    page1.connect();
    FakeWebSocket.last.serverClose(1006); // server unreachable
    const cmid = page1.send('Block Tuesday morning for deep work');
    expect(cmid).toBe('cmid-1');
    expect(page1.getSnapshot().queued).toBe(1);
    expect(FakeWebSocket.last.sent).toEqual([]);
    page1.dispose();

    // Reload: a new client with the same storage.
    const page2 = makeClient({ storage }).client;
    expect(page2.getSnapshot().queued).toBe(1);
    expect(page2.getMessage('user:cmid-1')).toMatchObject({ status: 'pending', text: 'Block Tuesday morning for deep work' });
    page2.connect();
    const ws = FakeWebSocket.last;
    server.accept(ws);
    expect(ws.framesOfType('user.message')).toEqual([
      { type: 'user.message', clientMessageId: 'cmid-1', text: 'Block Tuesday morning for deep work' },
    ]);
    server.ingest(ws);
    expect(page2.getSnapshot().queued).toBe(0);
    expect(storage.getItem(outboxKey('s1'))).toBeNull();
    expect(page2.getSnapshot().transcript.messageIds).toEqual(['user:old', 'user:cmid-1']);
    expect((page2.getMessage('user:cmid-1') as UserMessage).status).toBe('confirmed');

    // A later reconnect does not send it again.
    ws.serverClose(1006);
    vi.advanceTimersByTime(250);
    server.accept(FakeWebSocket.last);
    expect(FakeWebSocket.last.framesOfType('user.message')).toEqual([]);
    expect(server.userMessages().map((e) => e.data.clientMessageId)).toEqual(['old', 'cmid-1']);
  });

  it('a message sent live but unconfirmed before a drop is resent with the same clientMessageId', () => {
    const server = new ScriptedServer();
    const { client } = makeClient();
    client.connect();
    const ws1 = FakeWebSocket.last;
    server.accept(ws1);
    client.send('first');
    expect(ws1.framesOfType('user.message')).toEqual([{ type: 'user.message', clientMessageId: 'cmid-1', text: 'first' }]);
    // The server committed it, but the socket died before the echo reached the client.
    server.append('user.message', { clientMessageId: 'cmid-1', text: 'first' });
    ws1.serverClose(1006);
    vi.advanceTimersByTime(250);
    const ws2 = FakeWebSocket.last;
    server.accept(ws2); // the replay carries the echo, so nothing is left to flush
    expect(ws2.framesOfType('user.message')).toEqual([]);
    expect(client.getSnapshot().queued).toBe(0);

    client.send('second');
    ws2.serverClose(1006); // before the server saw it
    vi.advanceTimersByTime(250);
    const ws3 = FakeWebSocket.last;
    server.accept(ws3);
    expect(ws3.framesOfType('user.message')).toEqual([{ type: 'user.message', clientMessageId: 'cmid-2', text: 'second' }]);
    server.ingest(ws3);
    server.ingest(ws3); // a duplicate send is deduplicated by the server
    expect(server.userMessages().map((e) => e.data.text)).toEqual(['first', 'second']);
    expect(client.getSnapshot().transcript.messageIds).toEqual(['user:cmid-1', 'user:cmid-2']);
  });

  it('an internal error frame while live resends the outbox after a backoff, with the same clientMessageId', () => {
    const server = new ScriptedServer();
    const { client } = makeClient();
    client.connect();
    const ws = FakeWebSocket.last;
    server.accept(ws);
    client.send('during the outage');
    expect(ws.framesOfType('user.message')).toHaveLength(1);
    // The server could not store it (its database was down); the socket stays open.
    ws.serverSend({ type: 'error', code: 'internal', message: 'Something went wrong on our side. Try again.' });
    expect(client.getSnapshot().lastError?.code).toBe('internal');
    vi.advanceTimersByTime(499);
    expect(ws.framesOfType('user.message')).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(ws.framesOfType('user.message')).toEqual([
      { type: 'user.message', clientMessageId: 'cmid-1', text: 'during the outage' },
      { type: 'user.message', clientMessageId: 'cmid-1', text: 'during the outage' },
    ]);
    // Still failing: the next resend backs off further.
    ws.serverSend({ type: 'error', code: 'internal', message: 'again' });
    vi.advanceTimersByTime(999);
    expect(ws.framesOfType('user.message')).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(ws.framesOfType('user.message')).toHaveLength(3);
    server.ingest(ws);
    expect(client.getSnapshot().queued).toBe(0);
    expect(server.userMessages().map((e) => e.data.clientMessageId)).toEqual(['cmid-1']);
    // Nothing queued: an error frame sends nothing.
    ws.serverSend({ type: 'error', code: 'internal', message: 'unrelated' });
    vi.advanceTimersByTime(60_000);
    expect(ws.framesOfType('user.message')).toHaveLength(3);
  });

  it('other error frames do not resend the outbox', () => {
    const { client } = makeClient();
    client.connect();
    const ws = FakeWebSocket.last;
    new ScriptedServer().accept(ws);
    client.send('x'.repeat(10));
    ws.serverSend({ type: 'error', code: 'message_too_long', message: 'too long' });
    vi.advanceTimersByTime(60_000);
    expect(ws.framesOfType('user.message')).toHaveLength(1);
  });

  it('blank messages are not queued', () => {
    const { client } = makeClient();
    expect(client.send('   ')).toBeNull();
    expect(client.getSnapshot().queued).toBe(0);
  });
});

describe('SessionClient network and cancel', () => {
  it('offline event closes and waits; online reconnects at once from lastSeq and flushes', () => {
    const server = new ScriptedServer();
    server.append('assistant.start', { messageId: 'm1', runId: 'r1' });
    const { client, events } = makeClient();
    client.connect();
    const ws1 = FakeWebSocket.last;
    server.accept(ws1);
    events.dispatchEvent(new Event('offline'));
    expect(ws1.closedByClient).not.toBeNull();
    expect(client.getSnapshot().connection).toEqual({ status: 'offline', reason: 'network', attempt: 0 });
    client.send('written on the train');
    expect(client.getSnapshot().queued).toBe(1);
    vi.advanceTimersByTime(120_000);
    expect(FakeWebSocket.instances).toHaveLength(1);

    events.dispatchEvent(new Event('online'));
    expect(FakeWebSocket.instances).toHaveLength(2);
    const ws2 = FakeWebSocket.last;
    expect(ws2.after).toBe(1);
    server.accept(ws2);
    expect(ws2.framesOfType('user.message')).toHaveLength(1);
  });

  it('starting while the browser is offline waits for online', () => {
    const { client, events } = makeClient({ isOnline: () => false });
    client.connect();
    expect(FakeWebSocket.instances).toHaveLength(0);
    expect(client.getSnapshot().connection).toEqual({ status: 'offline', reason: 'network', attempt: 0 });
    events.dispatchEvent(new Event('online'));
    expect(FakeWebSocket.instances).toHaveLength(1);
  });

  it('cancel goes over the socket when live and over HTTP otherwise', () => {
    const server = new ScriptedServer();
    const { client, fetch } = makeClient();
    client.connect();
    const ws = FakeWebSocket.last;
    server.accept(ws);
    expect(client.cancel()).toBe('ws');
    expect(ws.framesOfType('cancel')).toEqual([{ type: 'cancel' }]);
    ws.serverClose(1006);
    expect(client.cancel()).toBe('http');
    expect(fetch).toHaveBeenCalledWith('http://coach.test/api/sessions/s1/cancel', { method: 'POST', credentials: 'same-origin' });
  });

  it('dispose closes the socket, stops retrying and reports closed', () => {
    const { client } = makeClient();
    client.connect();
    const ws = FakeWebSocket.last;
    ws.serverOpen();
    client.dispose();
    expect(ws.closedByClient).toEqual({ code: 1000, reason: 'client disposed' });
    expect(client.getSnapshot().connection).toEqual({ status: 'closed' });
    vi.advanceTimersByTime(60_000);
    expect(FakeWebSocket.instances).toHaveLength(1);
  });

  it('per-message listeners fire only for their message', () => {
    const server = new ScriptedServer();
    const { client } = makeClient();
    client.connect();
    const ws = FakeWebSocket.last;
    server.accept(ws);
    server.push(ws, 'assistant.start', { messageId: 'm1', runId: 'r1' });
    server.push(ws, 'assistant.end', { messageId: 'm1', status: 'complete', text: '' });
    server.push(ws, 'assistant.start', { messageId: 'm2', runId: 'r2' });
    const m1 = vi.fn();
    const m2 = vi.fn();
    const all = vi.fn();
    client.subscribeMessage('m1', m1);
    client.subscribeMessage('m2', m2);
    client.subscribe(all);
    for (const t of ['a', 'b', 'c']) server.push(ws, 'assistant.delta', { messageId: 'm2', text: t });
    expect(m1).not.toHaveBeenCalled();
    expect(m2).toHaveBeenCalledTimes(3);
    expect(all).toHaveBeenCalledTimes(3);
    expect(assistant(client, 'm2').text).toBe('abc');
  });
});
