import { describe, expect, it } from 'vitest';
import type { SessionEvent } from '../../../web/src/session-client/protocol.ts';
import { parseServerFrame } from '../../../web/src/session-client/protocol.ts';
import {
  addPending,
  applyEvent,
  applyEvents,
  createTranscript,
  pendingUserMessages,
  type AssistantMessage,
  type Transcript,
  type UserMessage,
} from '../../../web/src/session-client/transcript.ts';

/** Builds events through the real parser so tests exercise the same path as the client. */
function ev(seq: number, type: string, data: Record<string, unknown>): SessionEvent {
  const f = parseServerFrame({ seq, type, at: `2026-11-25T12:00:${String(seq).padStart(2, '0')}Z`, data });
  if (f.kind !== 'event') throw new Error(`not an event: ${JSON.stringify(f)}`);
  return f.event;
}

function run(events: SessionEvent[], t: Transcript = createTranscript()): Transcript {
  const r = applyEvents(t, events);
  expect(r.outcome).not.toBe('gap');
  return r.transcript;
}

const assistant = (t: Transcript, id: string) => t.byId.get(id) as AssistantMessage;

describe('transcript assembly', () => {
  it('builds a complete exchange: user message, streamed answer, authoritative end text', () => {
    const t = run([
      ev(1, 'user.message', { clientMessageId: 'c1', text: 'Plan my week' }),
      ev(2, 'assistant.start', { messageId: 'm1', runId: 'r1' }),
      ev(3, 'assistant.delta', { messageId: 'm1', text: 'Let us ' }),
      ev(4, 'assistant.delta', { messageId: 'm1', text: 'start.' }),
    ]);
    expect(t.lastSeq).toBe(4);
    expect(t.messageIds).toEqual(['user:c1', 'm1']);
    expect(t.activeMessageId).toBe('m1');
    expect(assistant(t, 'm1')).toMatchObject({ text: 'Let us start.', status: 'streaming', runId: 'r1', startSeq: 2 });

    const done = run([ev(5, 'assistant.end', { messageId: 'm1', status: 'complete', text: 'Let us start.' })], t);
    expect(assistant(done, 'm1')).toMatchObject({
      status: 'complete',
      text: 'Let us start.',
      endSeq: 5,
      reason: null,
      stoppedByCancel: false,
      cancelRequested: false,
    });
    expect(done.activeMessageId).toBeNull();
    expect(done.byId.get('user:c1')).toMatchObject({ status: 'confirmed', seq: 1, text: 'Plan my week' });
  });

  it('marks a cancelled answer as stopped by cancel and keeps the partial text', () => {
    const t = run([
      ev(1, 'user.message', { clientMessageId: 'c1', text: 'hi' }),
      ev(2, 'assistant.start', { messageId: 'm1', runId: 'r1' }),
      ev(3, 'assistant.delta', { messageId: 'm1', text: 'Hel' }),
      ev(4, 'cancel.requested', { messageId: 'm1', runId: 'r1' }),
    ]);
    expect(assistant(t, 'm1')).toMatchObject({ cancelRequested: true, status: 'streaming', stoppedByCancel: false });
    const end = run([ev(5, 'assistant.end', { messageId: 'm1', status: 'cancelled', text: 'Hel' })], t);
    expect(assistant(end, 'm1')).toMatchObject({ status: 'cancelled', text: 'Hel', stoppedByCancel: true, cancelRequested: true });
  });

  it('records interrupted (new user message mid-answer) and failed with its reason', () => {
    const t = run([
      ev(1, 'user.message', { clientMessageId: 'c1', text: 'one' }),
      ev(2, 'assistant.start', { messageId: 'm1', runId: 'r1' }),
      ev(3, 'assistant.delta', { messageId: 'm1', text: 'Fir' }),
      ev(4, 'user.message', { clientMessageId: 'c2', text: 'two' }),
      ev(5, 'assistant.end', { messageId: 'm1', status: 'interrupted', text: 'Fir' }),
      ev(6, 'assistant.start', { messageId: 'm2', runId: 'r2' }),
      ev(7, 'assistant.end', { messageId: 'm2', status: 'failed', text: '', reason: 'The model is unavailable' }),
    ]);
    expect(t.messageIds).toEqual(['user:c1', 'm1', 'user:c2', 'm2']);
    expect(assistant(t, 'm1')).toMatchObject({ status: 'interrupted', text: 'Fir', stoppedByCancel: false });
    expect(assistant(t, 'm2')).toMatchObject({ status: 'failed', text: '', reason: 'The model is unavailable' });
    expect(t.activeMessageId).toBeNull();
  });

  it('ignores deltas and second ends after a message ended', () => {
    const t = run([
      ev(1, 'assistant.start', { messageId: 'm1', runId: 'r1' }),
      ev(2, 'assistant.end', { messageId: 'm1', status: 'cancelled', text: '' }),
      ev(3, 'assistant.delta', { messageId: 'm1', text: 'late' }),
      ev(4, 'assistant.end', { messageId: 'm1', status: 'complete', text: 'late' }),
    ]);
    expect(assistant(t, 'm1')).toMatchObject({ status: 'cancelled', text: '', endSeq: 2 });
    expect(t.lastSeq).toBe(4);
  });

  it('keeps the latest plan and counts unknown and malformed events without stalling', () => {
    const plan = { weekKey: '2026-W48', timeZone: 'Europe/Berlin', vision: null, rocks: [], blocks: [], environment: [], reflections: [] };
    const t = run([
      ev(1, 'plan.updated', { weekKey: '2026-W48', plan: { ...plan, rocks: [] } }),
      ev(2, 'note.added', { anything: true }),
      ev(3, 'assistant.delta', { messageId: 'm1' }), // malformed: no text
      ev(4, 'plan.updated', { weekKey: '2026-W48', plan }),
    ]);
    expect(t.lastSeq).toBe(4);
    expect(t.ignoredEvents).toBe(2);
    expect(t.plan).toEqual({ weekKey: '2026-W48', plan, seq: 4 });
    expect(t.messages).toHaveLength(0);
  });
});

describe('transcript ordering and dedupe', () => {
  it('drops seq at or below lastSeq and returns the same object', () => {
    const t = run([ev(1, 'assistant.start', { messageId: 'm1', runId: 'r1' }), ev(2, 'assistant.delta', { messageId: 'm1', text: 'a' })]);
    const again = applyEvent(t, ev(2, 'assistant.delta', { messageId: 'm1', text: 'a' }));
    expect(again.outcome).toBe('duplicate');
    expect(again.transcript).toBe(t);
    expect(assistant(again.transcript, 'm1').text).toBe('a');
  });

  it('exposes a gap and applies nothing past it until the missing seq arrives', () => {
    const t = run([ev(1, 'assistant.start', { messageId: 'm1', runId: 'r1' })]);
    const g = applyEvent(t, ev(3, 'assistant.delta', { messageId: 'm1', text: 'LATE' }));
    expect(g.outcome).toBe('gap');
    expect(g.transcript.gap).toEqual({ afterSeq: 1, receivedSeq: 3 });
    expect(g.transcript.lastSeq).toBe(1);
    expect(assistant(g.transcript, 'm1').text).toBe('');

    const filled = applyEvents(g.transcript, [
      ev(2, 'assistant.delta', { messageId: 'm1', text: 'A' }),
      ev(3, 'assistant.delta', { messageId: 'm1', text: 'B' }),
    ]);
    expect(filled.outcome).toBe('applied');
    expect(filled.transcript.gap).toBeNull();
    expect(assistant(filled.transcript, 'm1').text).toBe('AB');
  });

  it('applyEvents stops at the first gap', () => {
    const r = applyEvents(createTranscript(), [
      ev(1, 'assistant.start', { messageId: 'm1', runId: 'r1' }),
      ev(3, 'assistant.delta', { messageId: 'm1', text: 'x' }),
      ev(2, 'assistant.delta', { messageId: 'm1', text: 'y' }),
    ]);
    expect(r.outcome).toBe('gap');
    expect(r.transcript.lastSeq).toBe(1);
  });
});

describe('pending user messages', () => {
  it('shows pending messages after confirmed ones and moves them into log order on confirmation', () => {
    let t = addPending(createTranscript(), 'c-local', 'typed offline');
    expect(pendingUserMessages(t).map((m) => m.clientMessageId)).toEqual(['c-local']);
    t = run([ev(1, 'user.message', { clientMessageId: 'c-other', text: 'from another device' })], t);
    expect(t.messageIds).toEqual(['user:c-other', 'user:c-local']);
    expect((t.byId.get('user:c-local') as UserMessage).status).toBe('pending');

    t = run(
      [
        ev(2, 'assistant.start', { messageId: 'm1', runId: 'r1' }),
        ev(3, 'user.message', { clientMessageId: 'c-local', text: 'typed offline' }),
      ],
      t,
    );
    expect(t.messageIds).toEqual(['user:c-other', 'm1', 'user:c-local']);
    expect(t.byId.get('user:c-local')).toMatchObject({ status: 'confirmed', seq: 3 });
    expect(pendingUserMessages(t)).toEqual([]);
    expect(t.confirmedCount).toBe(3);
  });

  it('addPending is a no-op for a message already known', () => {
    const t = run([ev(1, 'user.message', { clientMessageId: 'c1', text: 'x' })]);
    expect(addPending(t, 'c1', 'x')).toBe(t);
  });
});

describe('identity stability while streaming', () => {
  it('a delta replaces only its own message; messageIds and other messages keep identity', () => {
    const t = run([
      ev(1, 'user.message', { clientMessageId: 'c1', text: 'q' }),
      ev(2, 'assistant.start', { messageId: 'm1', runId: 'r1' }),
      ev(3, 'assistant.end', { messageId: 'm1', status: 'complete', text: 'answer' }),
      ev(4, 'user.message', { clientMessageId: 'c2', text: 'q2' }),
      ev(5, 'assistant.start', { messageId: 'm2', runId: 'r2' }),
    ]);
    const next = run([ev(6, 'assistant.delta', { messageId: 'm2', text: 'tok' })], t);
    expect(next.messageIds).toBe(t.messageIds);
    for (const id of ['user:c1', 'm1', 'user:c2']) expect(next.byId.get(id)).toBe(t.byId.get(id));
    expect(next.byId.get('m2')).not.toBe(t.byId.get('m2'));
    expect(next.messages[3]).toBe(next.byId.get('m2'));
    expect(next.messages[0]).toBe(t.messages[0]);
  });
});
