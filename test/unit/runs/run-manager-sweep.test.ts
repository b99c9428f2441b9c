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
});
