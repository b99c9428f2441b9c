import { afterEach, describe, expect, it } from 'vitest';
import { answerActions } from '../../../web/src/app/chat-actions.ts';
import { latestAnswerId } from '../../../web/src/app/MessageList.tsx';
import { parseServerFrame, type SessionEvent } from '../../../web/src/session-client/protocol.ts';
import { SessionClient } from '../../../web/src/session-client/session-client.ts';
import { applyEvents, createTranscript, type AssistantMessage, type Transcript } from '../../../web/src/session-client/transcript.ts';
import { FakeWebSocket, MemoryStorage, ScriptedServer } from './fake-websocket.ts';

// SL15 on the client: turn.requested events, the transcript's in-place retry and continue,
// and SessionClient.requestTurn.

function ev(seq: number, type: string, data: Record<string, unknown>): SessionEvent {
  const f = parseServerFrame({ seq, type, at: `2026-11-25T12:00:${String(seq).padStart(2, '0')}Z`, data });
  if (f.kind !== 'event') throw new Error(`not an event: ${JSON.stringify(f)}`);
  return f.event;
}
const run = (events: SessionEvent[], t: Transcript = createTranscript()) => applyEvents(t, events).transcript;
const a = (t: Transcript, id: string) => t.byId.get(id) as AssistantMessage;

const stoppedAnswer = () => [
  ev(1, 'user.message', { clientMessageId: 'c1', text: 'Plan my week' }),
  ev(2, 'assistant.start', { messageId: 'm1', runId: 'r1' }),
  ev(3, 'assistant.delta', { messageId: 'm1', text: 'What matters ' }),
  ev(4, 'cancel.requested', { messageId: 'm1', runId: 'r1', by: { deviceId: 'd2', label: 'Alice’s phone' } }),
  ev(5, 'assistant.end', { messageId: 'm1', status: 'cancelled', text: 'What matters ' }),
];

describe('turn.requested on the wire', () => {
  it('SL15: parses retry, continue and open; a retry without messageId is malformed, not a crash', () => {
    expect(ev(1, 'turn.requested', { requestId: 'q', mode: 'open' })).toMatchObject({ type: 'turn.requested', data: { requestId: 'q', mode: 'open' } });
    expect(ev(1, 'turn.requested', { requestId: 'q', mode: 'retry', messageId: 'm1' }).data).toEqual({ requestId: 'q', mode: 'retry', messageId: 'm1' });
    expect(ev(1, 'turn.requested', { requestId: 'q', mode: 'retry' })).toMatchObject({ type: 'unknown', malformed: 'bad messageId' });
    expect(ev(1, 'turn.requested', { requestId: 'q', mode: 'rewind', messageId: 'm' })).toMatchObject({ type: 'unknown', malformed: 'bad mode' });
    // cancel.requested names who stopped; a bad `by` is dropped, the event still counts.
    expect(ev(1, 'cancel.requested', { messageId: 'm', runId: 'r', by: { deviceId: 'd', label: 'Phone' } }).data).toEqual({ messageId: 'm', runId: 'r', by: { deviceId: 'd', label: 'Phone' } });
    expect(ev(1, 'cancel.requested', { messageId: 'm', runId: 'r', by: 'x' }).data).toEqual({ messageId: 'm', runId: 'r' });
    expect(parseServerFrame({ type: 'error', code: 'turn_not_allowed', message: 'no', requestId: 'q' })).toEqual({ kind: 'error', code: 'turn_not_allowed', message: 'no', requestId: 'q' });
  });
});

describe('transcript: retry and continue in place (SL15)', () => {
  it('a retry replaces the old answer where it stood; no user message is added', () => {
    const t = run([...stoppedAnswer(), ev(6, 'turn.requested', { requestId: 'q1', mode: 'retry', messageId: 'm1' })]);
    expect(t.pendingRequest).toEqual({ mode: 'retry', targetId: 'm1' });
    expect(t.messageIds).toEqual(['user:c1', 'm1']); // the old answer stays until the new one starts
    const t2 = run([ev(7, 'assistant.start', { messageId: 'm2', runId: 'r2' }), ev(8, 'assistant.delta', { messageId: 'm2', text: 'Hi' })], t);
    expect(t2.messageIds).toEqual(['user:c1', 'm2']);
    expect(t2.activeMessageId).toBe('m2');
    expect(t2.pendingRequest).toBeNull();
    expect(t2.messages.filter((m) => m.kind === 'user')).toHaveLength(1);
  });

  it('a continue streams into the stopped answer; its end text follows the earlier text; retry and stop name the latest part', () => {
    let t = run([...stoppedAnswer(), ev(6, 'turn.requested', { requestId: 'q1', mode: 'continue', messageId: 'm1' })]);
    expect(a(t, 'm1').stoppedBy).toEqual({ deviceId: 'd2', label: 'Alice’s phone' });
    t = run([ev(7, 'assistant.start', { messageId: 'm2', runId: 'r2' }), ev(8, 'assistant.delta', { messageId: 'm2', text: 'most this week?' })], t);
    expect(t.messageIds).toEqual(['user:c1', 'm1']);
    expect(t.activeMessageId).toBe('m1');
    expect(a(t, 'm1')).toMatchObject({ status: 'streaming', text: 'What matters most this week?', serverId: 'm2', stoppedBy: null, cancelRequested: false });
    t = run([ev(9, 'cancel.requested', { messageId: 'm2', runId: 'r2' }), ev(10, 'assistant.end', { messageId: 'm2', status: 'cancelled', text: 'most this week?' })], t);
    expect(a(t, 'm1')).toMatchObject({ status: 'cancelled', text: 'What matters most this week?', cancelRequested: true, endSeq: 10 });
    expect(t.activeMessageId).toBeNull();
    // A second continue names the latest part (m2), which resolves to the same bubble.
    t = run([ev(11, 'turn.requested', { requestId: 'q2', mode: 'continue', messageId: 'm2' }), ev(12, 'assistant.start', { messageId: 'm3', runId: 'r3' }), ev(13, 'assistant.end', { messageId: 'm3', status: 'complete', text: ' Pick three.' })], t);
    expect(t.messageIds).toEqual(['user:c1', 'm1']);
    expect(a(t, 'm1')).toMatchObject({ status: 'complete', text: 'What matters most this week? Pick three.', serverId: 'm3' });
  });

  it('only the conversation’s last word offers Retry; Continue only when it did not complete', () => {
    const t = run(stoppedAnswer());
    expect(latestAnswerId(t)).toBe('m1');
    expect(answerActions(a(t, 'm1'), true)).toEqual({ retry: true, continue: true });
    expect(answerActions({ kind: 'assistant', status: 'complete' }, true)).toEqual({ retry: true, continue: false });
    expect(answerActions({ kind: 'assistant', status: 'streaming' }, true)).toEqual({ retry: false, continue: false });
    expect(answerActions(a(t, 'm1'), false)).toEqual({ retry: false, continue: false });
    const after = run([ev(6, 'user.message', { clientMessageId: 'c2', text: 'Something else' })], t);
    expect(latestAnswerId(after)).toBeNull();
  });

  it('a session with any turn has begun (so the coach is not asked to open it again)', () => {
    expect(createTranscript().begun).toBe(false);
    expect(run([ev(1, 'turn.requested', { requestId: 'o', mode: 'open' })]).begun).toBe(true);
    expect(run([ev(1, 'user.message', { clientMessageId: 'c', text: 'hi' })]).begun).toBe(true);
  });
});

describe('SessionClient.requestTurn', () => {
  let client: SessionClient | undefined;
  afterEach(() => client?.dispose());

  it('SL15: sends turn.request frames with a fresh requestId only while live, naming the latest part', () => {
    FakeWebSocket.reset();
    const server = new ScriptedServer();
    let n = 0;
    client = new SessionClient({ sessionId: 's', baseUrl: 'http://coach.test', WebSocketImpl: FakeWebSocket, storage: new MemoryStorage(), eventSource: null, isOnline: () => true, uuid: () => `id${++n}` });
    client.connect();
    expect(client.requestTurn('open')).toBeNull(); // not live yet
    const ws = FakeWebSocket.last;
    server.accept(ws);
    expect(client.requestTurn('open')).toBe('id1');
    expect(ws.framesOfType('turn.request')).toEqual([{ type: 'turn.request', requestId: 'id1', mode: 'open' }]);
    server.push(ws, 'turn.requested', { requestId: 'id1', mode: 'open' });
    server.push(ws, 'assistant.start', { messageId: 'm1', runId: 'r1' });
    // Streaming answers cannot be retried or continued; unknown ids neither.
    expect(client.requestTurn('retry', 'm1')).toBeNull();
    expect(client.requestTurn('retry', 'nope')).toBeNull();
    server.push(ws, 'assistant.end', { messageId: 'm1', status: 'failed', text: '', reason: 'x' });
    expect(client.requestTurn('continue', 'm1')).toBe('id2');
    server.push(ws, 'turn.requested', { requestId: 'id2', mode: 'continue', messageId: 'm1' });
    server.push(ws, 'assistant.start', { messageId: 'm2', runId: 'r2' });
    server.push(ws, 'assistant.end', { messageId: 'm2', status: 'complete', text: 'Done.' });
    expect(client.requestTurn('retry', 'm1')).toBe('id3');
    expect(ws.framesOfType('turn.request').at(-1)).toEqual({ type: 'turn.request', requestId: 'id3', mode: 'retry', messageId: 'm2' });
    expect(ws.framesOfType('user.message')).toHaveLength(0);
  });
});
