import { describe, expect, it } from 'vitest';
import { transcriptOfLog, verifySession, type SessionRecord } from '../../faults/soak/verify.ts';
import type { WireEvent } from '../../support/node-session-client.ts';

const at = (seq: number) => new Date(Date.UTC(2026, 10, 25, 9, 0, 0, seq)).toISOString();
function logOf(...events: Array<[string, Record<string, unknown>]>): WireEvent[] {
  return events.map(([type, data], i) => ({ seq: i + 1, type, at: at(i + 1), data }));
}

/** A healthy session: a message over HTTP, an answer, a steering message over the socket that interrupts it. */
const good = logOf(
  ['user.message', { clientMessageId: 'h1', text: 'plan my week' }],
  ['assistant.start', { messageId: 'm1', runId: 'r1' }],
  ['assistant.delta', { messageId: 'm1', text: 'Let us ' }],
  ['user.message', { clientMessageId: 'w1', text: 'focus on work' }],
  ['assistant.end', { messageId: 'm1', status: 'interrupted', text: 'Let us ' }],
  ['assistant.start', { messageId: 'm2', runId: 'r2' }],
  ['assistant.delta', { messageId: 'm2', text: 'Sure' }],
  ['cancel.requested', { messageId: 'm2', runId: 'r2' }],
  ['assistant.end', { messageId: 'm2', status: 'cancelled', text: 'Sure' }],
);

function record(log: WireEvent[], over: Partial<SessionRecord> = {}): SessionRecord {
  return {
    sessionId: 's',
    label: 's0',
    httpAcks: new Map([['h1', [1]]]),
    sent: new Map([
      ['h1', 'plan my week'],
      ['w1', 'focus on work'],
    ]),
    viaSocket: new Set(['w1']),
    clients: [0, 1].map((i) => ({ name: `c${i}`, applied: log, queued: 0, transcript: transcriptOfLog(log) })),
    ...over,
  };
}

const rules = (log: WireEvent[], rec: SessionRecord = record(log)) => verifySession(log, rec).map((v) => v.rule);

describe('soak end-of-run checks', () => {
  it('a healthy session passes', () => {
    expect(verifySession(good, record(good))).toEqual([]);
  });

  it('a gap in the log', () => {
    const log = good.filter((e) => e.seq !== 3);
    expect(rules(log)).toContain('gap-free');
  });

  it('an acknowledged message missing, doubled, or at another seq', () => {
    expect(rules(good, record(good, { httpAcks: new Map([['h1', [1, 4]]]) }))).toContain('acked-once');
    const doubled = [...good, { seq: 10, type: 'user.message', at: at(10), data: { clientMessageId: 'h1', text: 'plan my week' } }];
    expect(rules(doubled, record(doubled))).toContain('acked-once');
    const lost = good.map((e) => (e.seq === 4 ? { ...e, data: { clientMessageId: 'other', text: 'x' } } : e));
    expect(rules(lost, record(lost))).toEqual(expect.arrayContaining(['sent-once', 'no-ghost-message']));
  });

  it('an answer without an end, or two runs at once', () => {
    expect(rules(good.slice(0, 8))).toContain('answer-ends');
    const overlapping = logOf(
      ['user.message', { clientMessageId: 'h1', text: 'plan my week' }],
      ['assistant.start', { messageId: 'm1', runId: 'r1' }],
      ['assistant.start', { messageId: 'm2', runId: 'r2' }],
      ['assistant.end', { messageId: 'm1', status: 'complete', text: '' }],
      ['assistant.end', { messageId: 'm2', status: 'complete', text: '' }],
    );
    expect(rules(overlapping, record(overlapping, { viaSocket: new Set() }))).toContain('one-active-run');
  });

  it('a delta after the cancel.requested of its message', () => {
    const log = logOf(
      ['user.message', { clientMessageId: 'h1', text: 'plan my week' }],
      ['assistant.start', { messageId: 'm1', runId: 'r1' }],
      ['cancel.requested', { messageId: 'm1', runId: 'r1' }],
      ['assistant.delta', { messageId: 'm1', text: 'late' }],
      ['assistant.end', { messageId: 'm1', status: 'cancelled', text: 'late' }],
    );
    expect(rules(log, record(log, { viaSocket: new Set() }))).toEqual(['no-delta-after-cancel']);
  });

  it("an end whose text is not its deltas'", () => {
    const log = good.map((e) => (e.seq === 9 ? { ...e, data: { ...e.data, text: 'Sure thing' } } : e));
    expect(rules(log)).toContain('end-text');
  });

  it('a client that missed, doubled or reordered an event, or still holds a message', () => {
    const missed = good.filter((e) => e.seq !== 7);
    const doubled = [...good.slice(0, 5), good[4]!, ...good.slice(5)];
    const swapped = [...good.slice(0, 2), good[3]!, good[2]!, ...good.slice(4)];
    for (const applied of [missed, doubled, swapped, good.slice(0, -1)]) {
      const rec = record(good);
      const out = rules(good, { ...rec, clients: [{ ...rec.clients[0]!, applied }, rec.clients[1]!] });
      expect(new Set(out)).toEqual(new Set(['client-equals-log']));
    }
    const rec = record(good);
    const behind = transcriptOfLog(good.slice(0, 6));
    const out = rules(good, { ...rec, clients: [{ ...rec.clients[0]!, queued: 1, transcript: behind }] });
    expect(out).toEqual(['client-outbox', 'client-transcript']);
  });
});
