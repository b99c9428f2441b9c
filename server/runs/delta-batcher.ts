/** SL7: at most one assistant.delta append per message per interval. */
export const FLUSH_INTERVAL_MS = 40;

export type FlushResult = 'appended' | 'run_stopped';

/**
 * Buffers streamed text and writes it with one append per FLUSH_INTERVAL_MS.
 * Writes are strictly sequential, so deltas commit in the order they were written.
 */
export class DeltaBatcher {
  private buffer = '';
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly appendDelta: (text: string) => Promise<FlushResult>,
    private readonly onStopped: () => void,
    private readonly onError: (err: unknown) => void,
    private readonly intervalMs = FLUSH_INTERVAL_MS,
  ) {}

  write(text: string): void {
    if (this.stopped || text === '') return;
    this.buffer += text;
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, this.intervalMs);
  }

  /** Writes whatever is buffered now; resolves when every earlier write has committed. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const text = this.buffer;
    this.buffer = '';
    if (text !== '' && !this.stopped) {
      this.writing = this.writing.then(async () => {
        if (this.stopped) return;
        try {
          if ((await this.appendDelta(text)) === 'run_stopped') this.stop();
        } catch (err) {
          this.onError(err);
        }
      });
    }
    return this.writing;
  }

  /** The run was stopped (SL10): drop what is buffered, write nothing more. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.timer);
    this.buffer = '';
    this.onStopped();
  }

  get isStopped(): boolean {
    return this.stopped;
  }
}
