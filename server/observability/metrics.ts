// A minimal Prometheus text-format (0.0.4) registry: gauges read on scrape, histograms
// with fixed buckets. Small on purpose — the app needs a handful of series, not a library.

export type Labels = Record<string, string>;

interface Sample {
  name: string;
  labels?: Labels;
  value: number;
}

interface Family {
  name: string;
  help: string;
  type: 'gauge' | 'counter' | 'histogram';
  collect(): Sample[];
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

function formatSample(s: Sample): string {
  const labels = s.labels && Object.keys(s.labels).length
    ? `{${Object.entries(s.labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}`
    : '';
  return `${s.name}${labels} ${formatValue(s.value)}`;
}

/** A cumulative histogram; `observe` is O(buckets), cheap enough for per-flush use. */
export class Histogram {
  private readonly counts: number[];
  private sum = 0;
  private count = 0;

  constructor(readonly bucketsUpperBounds: readonly number[]) {
    this.counts = bucketsUpperBounds.map(() => 0);
  }

  observe(value: number): void {
    this.sum += value;
    this.count++;
    this.bucketsUpperBounds.forEach((le, i) => {
      if (value <= le) this.counts[i]!++; // counts has one entry per bound
    });
  }

  samples(name: string): Sample[] {
    const out: Sample[] = this.bucketsUpperBounds.map((le, i) => ({ name: `${name}_bucket`, labels: { le: formatValue(le) }, value: this.counts[i]! }));
    out.push({ name: `${name}_bucket`, labels: { le: '+Inf' }, value: this.count });
    out.push({ name: `${name}_sum`, value: this.sum });
    out.push({ name: `${name}_count`, value: this.count });
    return out;
  }
}

/** A monotonically increasing count. */
export class Counter {
  private value = 0;
  inc(by = 1): void {
    this.value += by;
  }
  get(): number {
    return this.value;
  }
}

export class MetricsRegistry {
  private readonly families: Family[] = [];

  gauge(name: string, help: string, read: () => number): void {
    this.families.push({ name, help, type: 'gauge', collect: () => [{ name, value: read() }] });
  }

  counter(name: string, help: string): Counter {
    const c = new Counter();
    this.families.push({ name, help, type: 'counter', collect: () => [{ name, value: c.get() }] });
    return c;
  }

  histogram(name: string, help: string, bucketsUpperBounds: readonly number[]): Histogram {
    const h = new Histogram(bucketsUpperBounds);
    this.families.push({ name, help, type: 'histogram', collect: () => h.samples(name) });
    return h;
  }

  /** The exposition text served on GET /metrics. */
  render(): string {
    const lines: string[] = [];
    for (const f of this.families) {
      lines.push(`# HELP ${f.name} ${f.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`);
      lines.push(`# TYPE ${f.name} ${f.type}`);
      for (const s of f.collect()) lines.push(formatSample(s));
    }
    return lines.join('\n') + '\n';
  }
}

/** Latency buckets in seconds, from 1 ms to 5 s (Prometheus convention: base units). */
export const LATENCY_BUCKETS_S = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] as const;
