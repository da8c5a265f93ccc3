import type { Candle, CandleInterval } from '../../domain/candle.ts';
import type { CandleRequest, HistoricalData } from '../../ports/historical-data.ts';

/**
 * `HistoricalData` over candles held in memory, for tests and the demo. It answers as the broker
 * adapter does: the requested token and interval, inside the range, sorted by start, each start
 * once (the first one added wins), whatever order and duplicates were added.
 */
export class MemoryHistoricalData implements HistoricalData {
  private readonly series = new Map<string, Map<number, Candle>>();
  private readonly failures: Error[] = [];
  /** Every request received, in order. */
  readonly requests: CandleRequest[] = [];

  add(interval: CandleInterval, candles: readonly Candle[]): this {
    for (const candle of candles) {
      const key = `${candle.token}/${interval}`;
      let byStart = this.series.get(key);
      if (byStart === undefined) {
        byStart = new Map();
        this.series.set(key, byStart);
      }
      if (!byStart.has(candle.start)) byStart.set(candle.start, candle);
    }
    return this;
  }

  /** The next request rejects with `error` (then the one after with the next queued error, ...). */
  failNextWith(error: Error): this {
    this.failures.push(error);
    return this;
  }

  candles(request: CandleRequest, signal?: AbortSignal): Promise<readonly Candle[]> {
    if (signal?.aborted === true) {
      return Promise.reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    }
    this.requests.push(request);
    const failure = this.failures.shift();
    if (failure !== undefined) return Promise.reject(failure);
    const byStart = this.series.get(`${request.token}/${request.interval}`);
    const found = [...(byStart?.values() ?? [])]
      .filter((c) => c.start >= request.from && c.start <= request.to)
      .sort((a, b) => a.start - b.start);
    return Promise.resolve(found);
  }
}
