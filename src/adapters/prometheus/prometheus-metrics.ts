import {
  Counter as PromCounter,
  Gauge as PromGauge,
  Histogram as PromHistogram,
  Registry,
  collectDefaultMetrics,
} from 'prom-client';
import type { Counter, Gauge, Histogram, Labels, Metrics } from '../../ports/metrics.ts';

type Family = PromCounter | PromGauge | PromHistogram;

const labelNames = (labels: Labels | undefined): string[] =>
  labels === undefined ? [] : Object.keys(labels).sort();

/**
 * The Metrics port over prom-client. A family is registered the first time its name is seen; each
 * call returns a child bound to its labels, so the hot path holds it and only calls inc/observe.
 */
export class PrometheusMetrics implements Metrics {
  readonly registry: Registry;
  private readonly families = new Map<string, { family: Family; labels: string[] }>();

  constructor(options: { readonly defaultMetrics?: boolean; readonly registry?: Registry } = {}) {
    this.registry = options.registry ?? new Registry();
    if (options.defaultMetrics ?? true) this.registerProcessMetrics();
  }

  /**
   * prom-client's default process metrics, less three gauges whose `_total` names fail
   * `promtool check metrics`; `nodejs_active_resources{type}` already carries what they count.
   */
  private registerProcessMetrics(): void {
    collectDefaultMetrics({ register: this.registry });
    for (const name of [
      'nodejs_active_handles_total',
      'nodejs_active_requests_total',
      'nodejs_active_resources_total',
    ]) {
      this.registry.removeSingleMetric(name);
    }
  }

  private family<F extends Family>(
    name: string,
    labels: Labels | undefined,
    make: (names: string[]) => F,
  ): F {
    const names = labelNames(labels);
    const existing = this.families.get(name);
    if (existing) {
      if (existing.labels.join(',') !== names.join(',')) {
        throw new Error(
          `metric ${name} registered with labels [${existing.labels.join(',')}], asked for [${names.join(',')}]`,
        );
      }
      return existing.family as F;
    }
    const family = make(names);
    this.families.set(name, { family, labels: names });
    return family;
  }

  counter(name: string, help: string, labels?: Labels): Counter {
    const family = this.family(
      name,
      labels,
      (names) => new PromCounter({ name, help, labelNames: names, registers: [this.registry] }),
    );
    return labels === undefined ? family : family.labels(labels);
  }

  gauge(name: string, help: string, labels?: Labels): Gauge {
    const family = this.family(
      name,
      labels,
      (names) => new PromGauge({ name, help, labelNames: names, registers: [this.registry] }),
    );
    return labels === undefined ? family : family.labels(labels);
  }

  histogram(name: string, help: string, buckets: readonly number[], labels?: Labels): Histogram {
    const family = this.family(
      name,
      labels,
      (names) =>
        new PromHistogram({
          name,
          help,
          buckets: [...buckets],
          labelNames: names,
          registers: [this.registry],
        }),
    );
    return labels === undefined ? family : family.labels(labels);
  }

  /** The text exposition format, for `/metrics`. */
  async exposition(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
