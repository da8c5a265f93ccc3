import type { Counter, Gauge, Histogram, Labels, Metrics } from '../../ports/metrics.ts';

const seriesKey = (name: string, labels: Labels | undefined): string =>
  labels === undefined
    ? name
    : `${name}{${Object.keys(labels)
        .sort()
        .map((k) => `${k}=${labels[k] ?? ''}`)
        .join(',')}}`;

/** Metrics kept in plain maps, for tests to read back: `value('name{label=x}')`. */
export class MemoryMetrics implements Metrics {
  private readonly values = new Map<string, number>();
  private readonly observations = new Map<string, number[]>();

  counter(name: string, _help: string, labels?: Labels): Counter {
    const key = seriesKey(name, labels);
    this.values.set(key, this.values.get(key) ?? 0);
    return { inc: (by = 1) => this.values.set(key, (this.values.get(key) ?? 0) + by) };
  }

  gauge(name: string, _help: string, labels?: Labels): Gauge {
    const key = seriesKey(name, labels);
    this.values.set(key, this.values.get(key) ?? 0);
    return {
      set: (v) => this.values.set(key, v),
      inc: (by = 1) => this.values.set(key, (this.values.get(key) ?? 0) + by),
      dec: (by = 1) => this.values.set(key, (this.values.get(key) ?? 0) - by),
    };
  }

  histogram(name: string, _help: string, _buckets: readonly number[], labels?: Labels): Histogram {
    const key = seriesKey(name, labels);
    const list = this.observations.get(key) ?? [];
    this.observations.set(key, list);
    return { observe: (v) => list.push(v) };
  }

  /** The current value of a counter or gauge series, e.g. `value('x_total', { status: '200' })`. */
  value(name: string, labels?: Labels): number | undefined {
    return this.values.get(seriesKey(name, labels));
  }

  observed(name: string, labels?: Labels): readonly number[] {
    return this.observations.get(seriesKey(name, labels)) ?? [];
  }
}
