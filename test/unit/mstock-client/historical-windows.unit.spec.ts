import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { requestWindows } from '../../../src/adapters/mstock/historical-windows.ts';
import { CANDLE_INTERVAL_MINUTES, type CandleInterval } from '../../../src/domain/candle.ts';
import { istInstant, istTime, parseIstDate } from '../../../src/domain/ist.ts';
import { epochMs, MS_PER_DAY, MS_PER_MINUTE, type EpochMs } from '../../../src/domain/units.ts';

const NSE = { maxBarsPerRequest: 1000, sessionMinutesPerDay: 375 };
const at = (date: string, h: number, m: number, s = 0): EpochMs =>
  istInstant(parseIstDate(date)!, istTime(h, m, s));
const INTERVALS = Object.keys(CANDLE_INTERVAL_MINUTES) as CandleInterval[];

/**
 * The bars an NSE-like broker holds over [from, to]: every calendar day (weekends too, the worst
 * case), from 09:15 IST, `interval` apart, 375 minutes' worth; a `day` bar at 00:00 IST.
 */
const barsBetween = (from: number, to: number, interval: CandleInterval): number[] => {
  const bars: number[] = [];
  const first = Math.floor((from + 5.5 * 3_600_000) / MS_PER_DAY) - 1;
  const last = Math.floor((to + 5.5 * 3_600_000) / MS_PER_DAY) + 1;
  for (let day = first; day <= last; day++) {
    const midnight = day * MS_PER_DAY - 5.5 * 3_600_000;
    if (interval === 'day') bars.push(midnight);
    else {
      const step = CANDLE_INTERVAL_MINUTES[interval] * MS_PER_MINUTE;
      for (
        let t = midnight + (9 * 60 + 15) * MS_PER_MINUTE;
        t < midnight + (15 * 60 + 30) * MS_PER_MINUTE;
        t += step
      ) {
        bars.push(t);
      }
    }
  }
  return bars.filter((t) => t >= from && t <= to);
};

describe('requestWindows', () => {
  it('fetches a Monday–Friday week of 1-minute bars in three requests of two, two and one days', () => {
    const windows = requestWindows(at('2025-03-03', 9, 15), at('2025-03-07', 15, 30), 'minute', NSE);
    expect(windows).toEqual([
      { from: at('2025-03-03', 9, 15), to: at('2025-03-04', 23, 59, 59) },
      { from: at('2025-03-05', 0, 0), to: at('2025-03-06', 23, 59, 59) },
      { from: at('2025-03-07', 0, 0), to: at('2025-03-07', 15, 30) },
    ]);
  });

  it('fetches a year of daily bars in one request', () => {
    expect(requestWindows(at('2024-03-01', 0, 0), at('2025-02-28', 23, 59), 'day', NSE)).toHaveLength(1);
  });

  it('cuts a day by wall time when even one day exceeds the cap', () => {
    const windows = requestWindows(at('2025-03-03', 9, 15), at('2025-03-03', 15, 29), 'minute', {
      ...NSE,
      maxBarsPerRequest: 100,
    });
    expect(windows[0]).toEqual({ from: at('2025-03-03', 9, 15), to: at('2025-03-03', 10, 54, 59) });
    expect(windows).toHaveLength(4);
  });

  it('gives nothing for an empty or reversed range, and rounds to whole seconds inward', () => {
    expect(requestWindows(epochMs(2000), epochMs(1000), 'minute', NSE)).toEqual([]);
    expect(requestWindows(epochMs(1500), epochMs(1700), 'minute', NSE)).toEqual([]);
    expect(requestWindows(epochMs(1500), epochMs(3700), 'minute', NSE)).toEqual([{ from: 2000, to: 3000 }]);
  });

  it('never asks for more bars than the cap, and every bar falls in exactly one window', () => {
    const start = at('2024-12-20', 0, 0);
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 40 * 1440 }),
        fc.integer({ min: 0, max: 20 * 1440 }),
        fc.constantFrom(...INTERVALS),
        fc.integer({ min: 1, max: 1000 }),
        (offsetMin, lengthMin, interval, max) => {
          const from = start + offsetMin * MS_PER_MINUTE;
          const to = from + lengthMin * MS_PER_MINUTE;
          const windows = requestWindows(epochMs(from), epochMs(to), interval, {
            ...NSE,
            maxBarsPerRequest: max,
          });
          for (const [i, w] of windows.entries()) {
            if (i > 0) expect(w.from).toBe(windows[i - 1]!.to + 1000);
            expect(barsBetween(w.from, w.to, interval).length).toBeLessThanOrEqual(max);
          }
          const covered = windows.flatMap((w) => barsBetween(w.from, w.to, interval));
          expect(covered).toEqual(barsBetween(from, to, interval));
        },
      ),
      { numRuns: 300 },
    );
  });
});
