/** Maps the runs this process executes to their AbortControllers, so a stop from anywhere can abort the LLM request. */
export class AbortRegistry {
  private readonly controllers = new Map<string, AbortController>();

  register(runId: string): AbortController {
    const c = new AbortController();
    this.controllers.set(runId, c);
    return c;
  }

  /** Returns whether this process was running it. */
  abort(runId: string, reason: string): boolean {
    const c = this.controllers.get(runId);
    if (!c) return false;
    if (!c.signal.aborted) c.abort(new Error(reason));
    return true;
  }

  unregister(runId: string): void {
    this.controllers.delete(runId);
  }

  abortAll(reason: string): void {
    for (const id of this.controllers.keys()) this.abort(id, reason);
  }

  get size(): number {
    return this.controllers.size;
  }

  ids(): string[] {
    return [...this.controllers.keys()];
  }
}
