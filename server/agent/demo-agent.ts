import type { Agent, AgentTurn } from './port.ts';

/**
 * A minimal agent that streams a long, paced answer word by word. The session core's
 * tests use it because its output is deterministic and long enough to interrupt.
 */
export function createDemoAgent(opts: { paceMs: number; words?: number }): Agent {
  const wordCount = opts.words ?? 120;
  return {
    async respond(turn: AgentTurn) {
      const lastUser = [...turn.history].reverse().find((e) => e.type === 'user.message');
      const topic = String(lastUser?.data.text ?? '').slice(0, 60);
      const words = [`You said: "${topic}".`];
      for (let i = 1; i < wordCount; i++) words.push(`word${i}`);
      for (const [i, word] of words.entries()) {
        if (turn.signal.aborted) return;
        turn.write(i === 0 ? word : ` ${word}`);
        if (opts.paceMs > 0) await sleep(opts.paceMs, turn.signal);
      }
    },
  };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
