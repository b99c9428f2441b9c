// Streams text a word at a time, like a model would, so clients exercise the same path
// for both coaches. Nothing is written once the turn's signal aborts.

export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0 || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Words with their trailing whitespace, so the pieces concatenate back to `text`. */
export function words(text: string): string[] {
  return text.match(/\s*\S+\s*/g) ?? [];
}

export async function speak(text: string, write: (t: string) => void, paceMs: number, signal: AbortSignal): Promise<void> {
  const pieces = words(text);
  for (const [i, piece] of pieces.entries()) {
    if (signal.aborted) return;
    write(piece);
    if (i < pieces.length - 1) await sleep(paceMs, signal);
  }
}
