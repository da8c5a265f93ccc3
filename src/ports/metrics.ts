import type { ServiceIdentifier } from 'inversify';

export type Labels = Readonly<Record<string, string>>;

export interface Counter {
  inc(by?: number): void;
}
export interface Gauge {
  set(value: number): void;
  inc(by?: number): void;
  dec(by?: number): void;
}
export interface Histogram {
  observe(value: number): void;
}

/**
 * Metrics as the core needs them. Instruments are created once with their labels bound, so the hot
 * path only calls `inc`/`observe` on a held object: no per-tick label work. Creating the same name
 * and labels twice returns the same series.
 */
export interface Metrics {
  counter(name: string, help: string, labels?: Labels): Counter;
  gauge(name: string, help: string, labels?: Labels): Gauge;
  histogram(name: string, help: string, buckets: readonly number[], labels?: Labels): Histogram;
}
export const MetricsId: ServiceIdentifier<Metrics> = Symbol.for('tickflow.Metrics');
