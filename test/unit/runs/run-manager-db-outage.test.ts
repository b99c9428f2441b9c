import { afterEach, describe, expect, it } from 'vitest';
import type { Agent } from '../../../server/agent/port.ts';
import { RunManager } from '../../../server/runs/run-manager.ts';
import { MemorySessionLog } from '../../../server/session/memory-log.ts';

// Found by the chaos soak: two instances exited with code 1 during a PostgreSQL restart. A
// run_ended notice for a session with a waiting message started a claim that failed (the
// database was gone), and nothing caught the rejection, so Node ended the process.

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
process.on('unhandledRejection', onUnhandled);
afterEach(() => {
  unhandled.length = 0;
});

/** Answers until aborted. */
const endlessAgent: Agent = {
  async respond(turn) {
    while (!turn.signal.aborted) {
      turn.write('word ');
      await new Promise((r) => setTimeout(r, 5));
    }
  },
};

describe('RunManager during a database outage', () => {
  it('a claim that fails after a run_ended notice is logged, not left to crash the process; the sweeper answers later', async () => {
    const log = new MemorySessionLog();
    let databaseDown = false;
    const claimRun = log.claimRun.bind(log);
    log.claimRun = async (req) => {
      if (databaseDown) throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
      return claimRun(req);
    };
    const errors: string[] = [];
    const runs = new RunManager({
      store: log,
      agent: endlessAgent,
      instanceId: 'i',
      describeTurn: async (sessionId) => ({ userId: 'u', sessionId, kind: 'plan', weekKey: '2026-W48', timeZone: 'UTC' }),
      logger: { error: (_obj, msg) => errors.push(String(msg)) },
      sweepIntervalMs: 50,
    });
    try {
      await log.createSession({ id: 's', userId: 'u', title: '' });
      await log.appendUserMessage('s', { clientMessageId: 'a', text: 'first' });
      await runs.requestTurn('s');
      const first = await waitFor(async () => (await log.read('s', 0, 100)) as { type: string; data: Record<string, unknown> }[], (ev) => ev.some((e) => e.type === 'assistant.delta'));
      const runId = String(first.find((e) => e.type === 'assistant.start')!.data.runId);
      // A second message waits for the first run (this log does not interrupt on its own).
      await log.appendUserMessage('s', { clientMessageId: 'b', text: 'second' });
      await runs.requestTurn('s');

      databaseDown = true;
      await log.endRun(runId, 'interrupted', 'test');
      await new Promise((r) => setTimeout(r, 200));
      expect(unhandled).toEqual([]);
      expect(errors.length).toBeGreaterThan(0);

      databaseDown = false;
      await waitFor(async () => (await log.read('s', 0, 1000)) as { type: string }[], (ev) => ev.filter((e) => e.type === 'assistant.start').length === 2);
    } finally {
      await runs.close(0);
    }
  });
});

async function waitFor<T>(read: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out; last: ${JSON.stringify(v).slice(0, 300)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
