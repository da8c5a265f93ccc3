import type { Counter, Gauge, Histogram, Labels, Metrics } from '../../ports/metrics.ts';
import type { MetricUpdate, MetricsBatch } from '../../ports/backfill-stages/metrics-wire.ts';

export interface IpcMetricsOptions {
  /** Hands a batch to the parent (`process.send`); it must not throw. */
  readonly send: (batch: MetricsBatch) => void;
  /** How often pending updates are sent; 0 sends only on `flush()`. */
  readonly flushMs: number;
}

type Series =
  | { readonly kind: 'counter'; readonly head: Head; pending: number }
  | { readonly kind: 'gauge'; readonly head: Head; value: number }
  | { readonly kind: 'histogram'; readonly head: Head; readonly buckets: number[]; values: number[] };

interface Head {
  readonly name: string;
  readonly help: string;
  readonly labels?: Labels;
}

const keyOf = (name: string, labels: Labels | undefined): string =>
  labels === undefined
    ? name
    : `${name}{${Object.keys(labels)
        .sort()
        .map((k) => `${k}=${JSON.stringify(labels[k])}`)
        .join(',')}}`;

const headOf = (name: string, help: string, labels: Labels | undefined): Head =>
  labels === undefined ? { name, help } : { name, help, labels: { ...labels } };

/**
 * The Metrics port in a child process: instruments only record, in plain numbers, and a timer
 * sends what changed to the parent as one `metrics` message (counter increases, gauge values,
 * histogram observations), where `foldMetrics` applies it to the parent's registry. So a child's
 * adapters are measured as if they ran in the parent, at one IPC message per `flushMs`.
 */
export class IpcMetrics implements Metrics {
  private readonly options: IpcMetricsOptions;
  private readonly series = new Map<string, Series>();
  private readonly dirty = new Set<Series>();
  private timer: NodeJS.Timeout | undefined;

  constructor(options: IpcMetricsOptions) {
    this.options = options;
    if (options.flushMs > 0) {
      this.timer = setInterval(() => this.flush(), options.flushMs);
      // The flush timer alone must not keep a finished child alive.
      this.timer.unref();
    }
  }

  counter(name: string, help: string, labels?: Labels): Counter {
    const s = this.get(name, labels, 'counter', () => ({
      kind: 'counter',
      head: headOf(name, help, labels),
      pending: 0,
    }));
    return {
      inc: (by = 1) => {
        if (!(by > 0)) return;
        s.pending += by;
        this.dirty.add(s);
      },
    };
  }

  gauge(name: string, help: string, labels?: Labels): Gauge {
    const s = this.get(name, labels, 'gauge', () => ({
      kind: 'gauge',
      head: headOf(name, help, labels),
      value: 0,
    }));
    const set = (v: number): void => {
      s.value = v;
      this.dirty.add(s);
    };
    // Sent once even if never set, so the series shows up in the parent as it would locally.
    this.dirty.add(s);
    return { set, inc: (by = 1) => set(s.value + by), dec: (by = 1) => set(s.value - by) };
  }

  histogram(name: string, help: string, buckets: readonly number[], labels?: Labels): Histogram {
    const s = this.get(name, labels, 'histogram', () => ({
      kind: 'histogram',
      head: headOf(name, help, labels),
      buckets: [...buckets],
      values: [],
    }));
    return {
      observe: (v) => {
        s.values.push(v);
        this.dirty.add(s);
      },
    };
  }

  /** Sends every update pending since the last flush, in one message; nothing when nothing changed. */
  flush(): void {
    if (this.dirty.size === 0) return;
    const updates: MetricUpdate[] = [];
    for (const s of this.dirty) {
      switch (s.kind) {
        case 'counter':
          updates.push({ ...s.head, kind: 'counter', inc: s.pending });
          s.pending = 0;
          break;
        case 'gauge':
          updates.push({ ...s.head, kind: 'gauge', value: s.value });
          break;
        case 'histogram':
          updates.push({ ...s.head, kind: 'histogram', buckets: s.buckets, values: s.values });
          s.values = [];
          break;
      }
    }
    this.dirty.clear();
    this.options.send({ type: 'metrics', updates });
  }

  /** Sends what is pending and stops the timer. */
  close(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.flush();
  }

  private get<K extends Series['kind']>(
    name: string,
    labels: Labels | undefined,
    kind: K,
    make: () => Extract<Series, { kind: K }>,
  ): Extract<Series, { kind: K }> {
    const key = keyOf(name, labels);
    const existing = this.series.get(key);
    if (existing !== undefined) {
      if (existing.kind !== kind)
        throw new Error(`metric ${name} is a ${existing.kind}, asked for a ${kind}`);
      return existing as Extract<Series, { kind: K }>;
    }
    const made = make();
    this.series.set(key, made);
    return made;
  }
}
