// Prometheus metrics through prom-client: the app's own series per app instance (tests build
// many apps in one process), plus the process-wide default series (CPU, memory, event-loop
// lag, GC, handles), which describe the process and so are collected once per process.
import { collectDefaultMetrics, Counter as PromCounter, Gauge, Histogram as PromHistogram, Registry } from 'prom-client';

/** A monotonically increasing count; `get` reads it back synchronously (tests, logs). */
export interface Counter {
  inc(by?: number): void;
  get(): number;
}

/** A cumulative histogram with fixed buckets. */
export interface Histogram {
  observe(value: number): void;
}

let processRegistry: Registry | undefined;

/** process_*, nodejs_* (event loop, GC, heap): one set per process, started on first use. */
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

export class MetricsRegistry {
  private readonly registry = new Registry();
  private readonly includeProcess: boolean;

  constructor(opts: { processMetrics?: boolean } = {}) {
    this.includeProcess = opts.processMetrics ?? false;
    if (this.includeProcess) processMetrics();
  }

  /** The exposition's content type (text format 0.0.4). */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** A value read at scrape time. */
  gauge(name: string, help: string, read: () => number): void {
    new Gauge({
      name,
      help,
      registers: [this.registry],
      collect() {
        this.set(read());
      },
    });
  }

  counter(name: string, help: string): Counter {
    const exported = new PromCounter({ name, help, registers: [this.registry] });
    let value = 0;
    return {
      inc(by = 1) {
        exported.inc(by);
        value += by;
      },
      get: () => value,
    };
  }

  histogram(name: string, help: string, bucketsUpperBounds: readonly number[]): Histogram {
    return new PromHistogram({ name, help, buckets: [...bucketsUpperBounds], registers: [this.registry] });
  }

  /** The exposition text served on GET /metrics. */
  async render(): Promise<string> {
    const parts = [await this.registry.metrics()];
    if (this.includeProcess) parts.push(await processMetrics().metrics());
    // prom-client separates families with blank lines; the format allows them, but some strict parsers don't.
    return `${parts.join('\n').split('\n').filter((line) => line !== '').join('\n')}\n`;
  }
}

/** Latency buckets in seconds, from 1 ms to 5 s (Prometheus convention: base units). */
export const LATENCY_BUCKETS_S = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] as const;
