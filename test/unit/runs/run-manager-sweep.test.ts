import { describe, expect, it } from 'vitest';
import type { Agent } from '../../../server/agent/port.ts';
import { REASON_LOST_INSTANCE, RunManager } from '../../../server/runs/run-manager.ts';
import { MemorySessionLog } from '../../../server/session/memory-log.ts';
import type { SessionEvent } from '../../../server/session/types.ts';

const silentAgent: Agent = { async respond() {} };

describe('RunManager sweeper', () => {
  it('SL13: a dead instance’s run ended by the sweeper is reported like its own ends (push hangs off it)', async () => {
    const log = new MemorySessionLog();
    await log.createSession({ id: 's', userId: 'u', title: '' });
    await log.appendUserMessage('s', { clientMessageId: 'a', text: 'plan my week' });
    // Another instance claimed the turn and died: its lease runs out.
    const claim = await log.claimRun({ sessionId: 's', runId: 'dead-run', messageId: 'm1', instanceId: 'dead', leaseMs: 1 });
    expect(claim.kind).toBe('claimed');
    const ended: Array<{ sessionId: string; end: SessionEvent }> = [];
    const statuses: string[] = [];
    const runs = new RunManager({
      store: log,
      agent: silentAgent,
      instanceId: 'alive',
      describeTurn: async (sessionId) => ({ userId: 'u', sessionId, kind: 'plan', weekKey: '2026-W48', timeZone: 'UTC' }),
      observer: { answerEnded: (sessionId, end) => ended.push({ sessionId, end }), runEnded: (s) => statuses.push(s) },
      sweepIntervalMs: 20,
    });
    try {
      const deadline = Date.now() + 5_000;
      while (ended.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(ended).toHaveLength(1);
      expect(ended[0]!.sessionId).toBe('s');
      expect(ended[0]!.end.data).toMatchObject({ messageId: 'm1', status: 'interrupted', reason: REASON_LOST_INSTANCE });
      expect(statuses[0]).toBe('interrupted');
    } finally {
      await runs.close(0);
    }
  });

  it('sweepNow runs a sweep at once (no waiting for the interval); orphanAfterMs decides what counts as orphaned', async () => {
    let clock = 1_000_000;
    const log = new MemorySessionLog(() => clock);
    await log.createSession({ id: 's', userId: 'u', title: '' });
    // Written before the runner exists: its notification is missed, only a sweep can find it.
    await log.appendUserMessage('s', { clientMessageId: 'a', text: 'plan my week' });
    clock += 10;
    const runs = new RunManager({
      store: log,
      agent: silentAgent,
      instanceId: 'alive',
      describeTurn: async (sessionId) => ({ userId: 'u', sessionId, kind: 'plan', weekKey: '2026-W48', timeZone: 'UTC' }),
      // The interval never fires during this test.
      sweepIntervalMs: 3_600_000,
    });
    const starts = async () => (await log.read('s', 0, 100) as SessionEvent[]).filter((e) => e.type === 'assistant.start').length;
    try {
      // 10 ms old is not yet orphaned by the default rule…
      await runs.sweepNow();
      expect(await starts()).toBe(0);
      // …but is when every unanswered turn counts: claimed before sweepNow returns.
      await runs.sweepNow({ orphanAfterMs: 0 });
      expect(await starts()).toBe(1);
    } finally {
      await runs.close(0);
    }
  });
});
