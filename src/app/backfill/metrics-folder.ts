import type { Counter, Gauge, Histogram, Metrics } from '../../ports/metrics.ts';
import type { MetricUpdate, MetricsBatch } from '../../ports/backfill-stages/metrics-wire.ts';

type Instrument = Counter | Gauge | Histogram;

const keyOf = (u: MetricUpdate): string =>
  `${u.kind} ${u.name}{${Object.entries(u.labels ?? {})
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(',')}}`;

/** An update the parent's registry refused (a name already used with other labels or another kind). */
export interface FoldError {
  readonly name: string;
  readonly error: string;
}

/**
 * The parent's side of `IpcMetrics`: applies a child's batches to the parent's own Metrics, so
 * `/metrics` shows the children's series beside the parent's. Instruments are kept per series,
 * created on first sight. One bad update is reported and skipped; the rest of the batch applies.
 */
export class MetricsFolder {
  private readonly target: Metrics;
  private readonly instruments = new Map<string, Instrument>();

  constructor(target: Metrics) {
    this.target = target;
  }

  apply(batch: MetricsBatch): FoldError[] {
    const errors: FoldError[] = [];
    for (const u of batch.updates) {
      try {
        this.applyOne(u);
      } catch (e) {
        errors.push({ name: u.name, error: e instanceof Error ? e.message : String(e) });
      }
    }
    return errors;
  }

  private applyOne(u: MetricUpdate): void {
    const key = keyOf(u);
    switch (u.kind) {
      case 'counter': {
        const c = this.instrument(key, () => this.target.counter(u.name, u.help, u.labels)) as Counter;
        if (u.inc > 0) c.inc(u.inc);
        return;
      }
      case 'gauge': {
        const g = this.instrument(key, () => this.target.gauge(u.name, u.help, u.labels)) as Gauge;
        g.set(u.value);
        return;
      }
      case 'histogram': {
        const h = this.instrument(key, () =>
          this.target.histogram(u.name, u.help, u.buckets, u.labels),
        ) as Histogram;
        for (const v of u.values) h.observe(v);
        return;
      }
    }
  }

  private instrument(key: string, make: () => Instrument): Instrument {
    let i = this.instruments.get(key);
    if (i === undefined) {
      i = make();
      this.instruments.set(key, i);
    }
    return i;
  }
}
