import { LATENCY_BUCKETS_S, MetricsRegistry, type Counter, type Histogram } from './metrics.ts';

/** The series this app exports; owned by buildApp, fed by the hub, run manager and ws route. */
export interface AppMetrics {
  registry: MetricsRegistry;
  /** Time from a delta flush starting to its commit (one SQL statement). */
  flushSeconds: Histogram;
  /** Delivery lag: event commit time (`at`) to the moment it is written to a socket, on this instance. */
  deliveryLagSeconds: Histogram;
  wsConnections: Counter;
  slowConsumerCloses: Counter;
  runsFailed: Counter;
}

export function createAppMetrics(read: { sessions(): number; subscribers(): number; runs(): number }): AppMetrics {
  // Process series (process_resident_memory_bytes among them) come from prom-client's defaults.
  const registry = new MetricsRegistry({ processMetrics: true });
  registry.gauge('focus_active_sessions', 'Sessions with at least one subscriber on this instance.', read.sessions);
  registry.gauge('focus_subscribers', 'Open session subscriptions (WebSockets) on this instance.', read.subscribers);
  registry.gauge('focus_active_runs', 'Coach runs executing on this instance.', read.runs);
  return {
    registry,
    flushSeconds: registry.histogram('focus_delta_flush_seconds', 'Latency of one assistant.delta append (commit included).', LATENCY_BUCKETS_S),
    deliveryLagSeconds: registry.histogram('focus_delivery_lag_seconds', 'Event commit to socket write on this instance.', LATENCY_BUCKETS_S),
    wsConnections: registry.counter('focus_ws_connections_total', 'WebSocket connections accepted.'),
    slowConsumerCloses: registry.counter('focus_ws_slow_consumer_closes_total', 'Sockets closed with 4008 for falling behind.'),
    runsFailed: registry.counter('focus_runs_failed_total', 'Runs that ended as failed.'),
  };
}
