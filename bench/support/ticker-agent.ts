import type { Agent } from '../../server/agent/port.ts';
import { nowMs } from './stats.ts';

/** Token text carrying its emit time; subscribers parse it to measure emit → receipt. */
export const tokenText = (t: number) => `<e:${t.toFixed(3)}>`;
export const TOKEN_RE = /<e:([\d.]+)>/g;

/**
 * A bench agent: streams `tokensPerSecond` tokens for `durationMs`, on a fixed schedule
 * (no drift from timer lateness), each token stamped with its emit time.
 */
export function createTickerAgent(opts: { tokensPerSecond: number; durationMs: number }): Agent {
  const intervalMs = 1000 / opts.tokensPerSecond;
  const total = Math.max(1, Math.round((opts.durationMs / 1000) * opts.tokensPerSecond));
  return {
    async respond(turn) {
      const start = nowMs();
      for (let i = 0; i < total && !turn.signal.aborted; i++) {
        turn.write(tokenText(nowMs()));
        const wait = start + (i + 1) * intervalMs - nowMs();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      }
    },
  };
}
