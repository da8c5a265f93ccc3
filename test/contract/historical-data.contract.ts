import { describe, expect, it } from 'vitest';
import type { Candle } from '../../src/domain/candle.ts';
import type { EpochMs } from '../../src/domain/units.ts';
import type { CandleRequest, HistoricalData } from '../../src/ports/historical-data.ts';

export interface HistoricalDataHarness {
  readonly data: HistoricalData;
  /** A range of several trading days for which the source has candles. */
  readonly request: CandleRequest;
  /** The same instrument and interval over a range with no trading (a weekend, say). */
  readonly emptyRequest: CandleRequest;
  close(): Promise<void>;
}

const expectWellFormed = (candles: readonly Candle[], request: CandleRequest): void => {
  for (const [i, c] of candles.entries()) {
    expect(c.token).toBe(request.token);
    expect(c.start).toBeGreaterThanOrEqual(request.from);
    expect(c.start).toBeLessThanOrEqual(request.to);
    if (i > 0) expect(c.start).toBeGreaterThan(candles[i - 1]!.start);
    expect(c.low).toBeLessThanOrEqual(Math.min(c.open, c.close));
    expect(c.high).toBeGreaterThanOrEqual(Math.max(c.open, c.close));
    expect(c.volume).toBeGreaterThanOrEqual(0);
  }
};

/**
 * What every `HistoricalData` promises (src/ports/historical-data.ts), run against the in-memory
 * store and against the m.Stock adapter talking to the simulator.
 */
export const historicalDataContract = (
  name: string,
  makeHarness: () => Promise<HistoricalDataHarness>,
): void => {
  describe(`HistoricalData: ${name}`, () => {
    const withHarness = async (test: (h: HistoricalDataHarness) => Promise<void>): Promise<void> => {
      const harness = await makeHarness();
      try {
        await test(harness);
      } finally {
        await harness.close();
      }
    };

    it('gives candles of the token, inside the range, sorted by start, each start once', () =>
      withHarness(async ({ data, request }) => {
        const candles = await data.candles(request);
        expect(candles.length).toBeGreaterThan(0);
        expectWellFormed(candles, request);
      }));

    it('gives for a part of the range exactly the candles of the whole range inside that part', () =>
      withHarness(async ({ data, request }) => {
        const whole = await data.candles(request);
        const third = Math.floor((request.to - request.from) / 3);
        const part = {
          ...request,
          from: (request.from + third) as EpochMs,
          to: (request.to - third) as EpochMs,
        };
        const inside = whole.filter((c) => c.start >= part.from && c.start <= part.to);
        expect(inside.length).toBeGreaterThan(0);
        expect(await data.candles(part)).toEqual(inside);
      }));

    it('gives the same candles when asked twice', () =>
      withHarness(async ({ data, request }) => {
        expect(await data.candles(request)).toEqual(await data.candles(request));
      }));

    it('gives no candles for a range without trading', () =>
      withHarness(async ({ data, emptyRequest }) => {
        expect(await data.candles(emptyRequest)).toEqual([]);
      }));

    it('rejects when the signal is already aborted', () =>
      withHarness(async ({ data, request }) => {
        await expect(data.candles(request, AbortSignal.abort())).rejects.toThrow();
      }));
  });
};
