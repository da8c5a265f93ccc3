import type { Tick } from '../../src/domain/tick.ts';
import type { TickSink } from '../../src/ports/tick-sink/tick-sink.ts';

/** Latencies in whole milliseconds, counted per tick in fixed buckets: no growth with run length. */
export class LatencyHistogram {
  static readonly LIMIT_MS = 120_000;
  private readonly counts = new Float64Array(LatencyHistogram.LIMIT_MS + 1);
  private n = 0;
  private maxMs = 0;

  record(ms: number, ticks: number): void {
    const bucket = Math.min(LatencyHistogram.LIMIT_MS, Math.max(0, Math.round(ms)));
    this.counts[bucket] = (this.counts[bucket] ?? 0) + ticks;
    this.n += ticks;
    if (ms > this.maxMs) this.maxMs = ms;
  }

  get count(): number {
    return this.n;
  }

  /** The latency (ms) at or below which `p` percent of ticks were acknowledged. */
  percentile(p: number): number {
    if (this.n === 0) return Number.NaN;
    const rank = Math.max(1, Math.ceil((p / 100) * this.n));
    let seen = 0;
    for (let ms = 0; ms < this.counts.length; ms++) {
      seen += this.counts[ms] ?? 0;
      if (seen >= rank) return ms;
    }
    return LatencyHistogram.LIMIT_MS;
  }

  get max(): number {
    return this.maxMs;
  }

  reset(): void {
    this.counts.fill(0);
    this.n = 0;
    this.maxMs = 0;
  }
}

/**
 * Wraps the sink under test and records, for every tick, the time from frame receipt
 * (`tick.receivedAt`, stamped by the feed when the frame arrived) to the sink's resolution of
 * its publish: with the Kafka sink in memory mode that is the broker's acknowledgement (acks=all).
 */
export class LatencySink implements TickSink {
  private readonly inner: TickSink;
  private readonly now: () => number;
  readonly latency = new LatencyHistogram();
  refused = 0;

  constructor(inner: TickSink, now: () => number = Date.now) {
    this.inner = inner;
    this.now = now;
  }

  publish(batch: readonly Tick[]): Promise<void> {
    const first = batch[0];
    const published = this.inner.publish(batch);
    if (first === undefined) return published;
    // One frame's ticks share their receipt time; a batch spanning frames is timed from its oldest.
    let receivedAt: number = first.receivedAt;
    for (const t of batch) if (t.receivedAt < receivedAt) receivedAt = t.receivedAt;
    return published.then(
      () => {
        this.latency.record(this.now() - receivedAt, batch.length);
      },
      (e: unknown) => {
        this.refused += batch.length;
        throw e;
      },
    );
  }

  flush(): Promise<void> {
    return this.inner.flush();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
