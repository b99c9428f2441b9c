import { describe, expect, it } from 'vitest';
import type { Agent } from '../../../server/agent/port.ts';
import { RunManager } from '../../../server/runs/run-manager.ts';
import { MemorySessionLog } from '../../../server/session/memory-log.ts';

const RENEW_MS = 60;

/** A store that records which runs each renewal statement carried. */
class RecordingLog extends MemorySessionLog {
  readonly renewals: string[][] = [];
  override async renewLeases(runIds: readonly string[], leaseMs: number) {
    this.renewals.push([...runIds]);
    return super.renewLeases(runIds, leaseMs);
  }
}

async function started(log: MemorySessionLog, id: string) {
  await log.createSession({ id, userId: 'u', title: '' });
  await log.appendUserMessage(id, { clientMessageId: 'a', text: 'plan my week' });
}

describe('RunManager leases (SL13)', () => {
  it('SL13: all of an instance\'s runs, streaming or idle, are renewed together by one renewal statement per interval; no lease runs out', async () => {
    const log = new RecordingLog();
    let ended = false;
    const runIds = new Map<string, string>();
    const agent: Agent = {
      async respond(turn) {
        runIds.set(turn.sessionId, turn.runId);
        if (turn.sessionId === 'streaming') {
          // A token every 10 ms until the test ends: a flush every interval.
          while (!ended && !turn.signal.aborted) {
            turn.write('x');
            await new Promise((r) => setTimeout(r, 10));
          }
        } else while (!ended && !turn.signal.aborted) await new Promise((r) => setTimeout(r, 10));
      },
    };
    const runs = new RunManager({
      store: log,
      agent,
      instanceId: 'i',
      describeTurn: async (sessionId) => ({ userId: 'u', sessionId, kind: 'plan', weekKey: '2026-W48', timeZone: 'UTC' }),
      leaseRenewMs: RENEW_MS,
      leaseTtlMs: 10 * RENEW_MS,
    });
    try {
      await started(log, 'streaming');
      await started(log, 'idle');
      await runs.requestTurn('streaming');
      await runs.requestTurn('idle');
      await new Promise((r) => setTimeout(r, 8 * RENEW_MS));
      const streaming = runIds.get('streaming')!;
      const idle = runIds.get('idle')!;
      expect(log.renewals.length).toBeGreaterThanOrEqual(3);
      expect(log.renewals.length).toBeLessThanOrEqual(10);
      // One statement carries both runs: a delta statement does not renew (it writes no run row).
      for (const ids of log.renewals) expect([...ids].sort()).toEqual([idle, streaming].sort());
      expect(await log.expiredRuns()).toEqual([]);
    } finally {
      ended = true;
      await runs.close(0);
    }
  });
});
