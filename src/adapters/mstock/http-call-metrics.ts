import type { Counter, Histogram, Metrics } from '../../ports/metrics.ts';
import type { CallStatus, Endpoint } from './mstock-errors.ts';

const LATENCY_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * `external_api_calls_total{endpoint,status}` and `external_api_call_duration_seconds{endpoint}`.
 * Each series is created on first use and kept, so a call costs one map lookup, not label work.
 * Labels are route names and statuses only: never a URL, which could carry a token.
 */
export class HttpCallMetrics {
  private readonly metrics: Metrics;
  private readonly counters = new Map<string, Counter>();
  private readonly histograms = new Map<Endpoint, Histogram>();

  constructor(metrics: Metrics) {
    this.metrics = metrics;
  }

  record(endpoint: Endpoint, status: CallStatus | 'aborted', seconds: number): void {
    const statusLabel = String(status);
    const key = `${endpoint} ${statusLabel}`;
    let counter = this.counters.get(key);
    if (counter === undefined) {
      counter = this.metrics.counter(
        'external_api_calls_total',
        'Calls to the broker API by route and status',
        {
          endpoint,
          status: statusLabel,
        },
      );
      this.counters.set(key, counter);
    }
    counter.inc();
    let histogram = this.histograms.get(endpoint);
    if (histogram === undefined) {
      histogram = this.metrics.histogram(
        'external_api_call_duration_seconds',
        'Duration of calls to the broker API by route',
        LATENCY_BUCKETS,
        { endpoint },
      );
      this.histograms.set(endpoint, histogram);
    }
    histogram.observe(seconds);
  }
}
