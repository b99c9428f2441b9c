import { describe, expect, it } from 'vitest';
import { MetricsRegistry } from '../../server/observability/metrics.ts';
import { openTestDatabase } from '../support/db.ts';
import { startTestServer } from '../support/server.ts';

/** A strict-enough parser of the Prometheus text format: every line is a comment or `name{labels} value`. */
function parseExposition(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  const types = new Map<string, string>();
  for (const line of text.trimEnd().split('\n')) {
    if (line.startsWith('# HELP ')) continue;
    const t = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(line);
    if (t) {
      types.set(t[1]!, t[2]!);
      continue;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*",?)*\})? (-?[0-9.e+-]+|NaN|\+Inf|-Inf)$/.exec(line);
    if (!m) throw new Error(`not a sample line: ${line}`);
    const [, name, labels, value] = m as unknown as [string, string, string | undefined, string];
    const family = name.replace(/_(bucket|sum|count)$/, '');
    if (!types.has(name) && !types.has(family)) throw new Error(`sample before its TYPE: ${line}`);
    samples.set(name + (labels ?? ''), Number(value.replace('+Inf', 'Infinity')));
  }
  return samples;
}

describe('metrics exposition', () => {
  it('renders gauges, counters and cumulative histograms in the text format', () => {
    const r = new MetricsRegistry();
    r.gauge('g', 'a gauge', () => 3);
    r.counter('c_total', 'a counter').inc(2);
    const h = r.histogram('h_seconds', 'a histogram', [0.01, 0.1]);
    h.observe(0.005);
    h.observe(0.05);
    h.observe(5);
    const s = parseExposition(r.render());
    expect(s.get('g')).toBe(3);
    expect(s.get('c_total')).toBe(2);
    expect(s.get('h_seconds_bucket{le="0.01"}')).toBe(1);
    expect(s.get('h_seconds_bucket{le="0.1"}')).toBe(2);
    expect(s.get('h_seconds_bucket{le="+Inf"}')).toBe(3);
    expect(s.get('h_seconds_count')).toBe(3);
  });

  it('GET /metrics serves parseable text with the app series', async () => {
    const t = await openTestDatabase();
    const server = await startTestServer({ db: t.db });
    try {
      const res = await fetch(`${server.url}/metrics`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/text\/plain/);
      const s = parseExposition(await res.text());
      for (const name of ['focus_active_sessions', 'focus_subscribers', 'focus_active_runs', 'focus_delta_flush_seconds_count', 'focus_delivery_lag_seconds_count']) {
        expect(s.has(name), name).toBe(true);
      }
      // From another host: hidden without the token.
      const remote = await server.app.inject({ method: 'GET', url: '/metrics', remoteAddress: '10.1.2.3' });
      expect(remote.statusCode).toBe(404);
    } finally {
      await server.close();
      await t.cleanup();
    }
  });

  it('GET /metrics from another host needs METRICS_TOKEN', async () => {
    const t = await openTestDatabase();
    const server = await startTestServer({ db: t.db, config: { metricsToken: 'scrape-secret' } });
    try {
      const asRemote = (authorization?: string) =>
        server.app.inject({ method: 'GET', url: '/metrics', remoteAddress: '10.1.2.3', headers: authorization ? { authorization } : {} });
      expect((await asRemote()).statusCode).toBe(404);
      expect((await asRemote('Bearer wrong')).statusCode).toBe(404);
      const ok = await asRemote('Bearer scrape-secret');
      expect(ok.statusCode).toBe(200);
      expect(ok.body).toContain('focus_active_sessions');
    } finally {
      await server.close();
      await t.cleanup();
    }
  });
});
