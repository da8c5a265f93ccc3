import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_BARS_PER_REQUEST, barsInSession, planChunks } from '../../../src/domain/backfill-plan-chunks.ts';
import { CANDLE_INTERVAL_MINUTES, type CandleInterval } from '../../../src/domain/candle.ts';
import { instrumentToken } from '../../../src/domain/instrument.ts';
import {
  makeMarketSession,
  type SessionWindow,
  type TradingDay,
} from '../../../src/domain/market-session.ts';
import { epochMs, type EpochMs } from '../../../src/domain/units.ts';

const ist = (s: string): EpochMs => epochMs(Date.parse(`${s.replace(' ', 'T')}+05:30`));
const nse = makeMarketSession();
const RELIANCE = instrumentToken(2885);
const TCS = instrumentToken(11536);
const MIN = 60_000;

/** Five trading days, oldest first, as a backfill on Monday evening 2025-06-09 would take them. */
const fiveDays = nse.previousTradingDays(ist('2025-06-09 18:00:00'), 5).reverse().map(nse.sessionBounds);

describe('planChunks', () => {
  it('puts two whole sessions of 1-minute bars in a request (750 bars), the fifth day alone', () => {
    const chunks = planChunks([RELIANCE], fiveDays, 'minute');
    expect(chunks.map((c) => c.bars)).toEqual([750, 750, 375]);
    expect(chunks[0]).toEqual({
      id: `2885:minute:${ist('2025-06-03 09:15:00')}:${ist('2025-06-04 15:30:00') - 1}`,
      token: RELIANCE,
      interval: 'minute',
      from: ist('2025-06-03 09:15:00'),
      to: ist('2025-06-04 15:29:59.999'),
      bars: 750,
    });
    expect(chunks[2]).toMatchObject({ from: ist('2025-06-09 09:15:00'), to: ist('2025-06-09 15:29:59.999') });
  });

  it('packs more sessions for longer intervals', () => {
    expect(planChunks([RELIANCE], fiveDays, '5minute').map((c) => c.bars)).toEqual([375]);
    expect(barsInSession(fiveDays[0]!, '60minute')).toBe(7);
    expect(barsInSession(fiveDays[0]!, '3minute')).toBe(125);
    expect(barsInSession(fiveDays[0]!, 'day')).toBe(1);
    expect(planChunks([RELIANCE], fiveDays, 'day').map((c) => c.bars)).toEqual([5]);
  });

  it('repeats the same requests for every token', () => {
    const chunks = planChunks([RELIANCE, TCS], fiveDays, 'minute');
    expect(chunks.map((c) => c.token)).toEqual([RELIANCE, RELIANCE, RELIANCE, TCS, TCS, TCS]);
    expect(chunks.slice(3).map((c) => [c.from, c.to])).toEqual(chunks.slice(0, 3).map((c) => [c.from, c.to]));
    expect(new Set(chunks.map((c) => c.id)).size).toBe(6);
  });

  it('splits a session by time only when it alone holds more bars than a request may', () => {
    const long: SessionWindow = {
      day: '2025-06-02' as TradingDay,
      open: ist('2025-06-02 00:00:00'),
      close: ist('2025-06-03 00:00:00'),
    };
    const chunks = planChunks([RELIANCE], [long], 'minute');
    expect(chunks.map((c) => c.bars)).toEqual([1000, 440]);
    expect(chunks[0]).toMatchObject({ from: long.open, to: long.open + 1000 * MIN - 1 });
    expect(chunks[1]).toMatchObject({ from: long.open + 1000 * MIN, to: long.close - 1 });
  });

  it('gives the same ids when planned again', () => {
    expect(planChunks([RELIANCE], fiveDays, 'minute')).toEqual(planChunks([RELIANCE], fiveDays, 'minute'));
  });
});

/** Bars of a session that start in [from, to]. */
const barsIn = (w: SessionWindow, interval: CandleInterval, from: number, to: number): number => {
  if (interval === 'day') return from <= w.open && w.open <= to ? 1 : 0;
  const step = CANDLE_INTERVAL_MINUTES[interval] * MIN;
  const last = w.open + (barsInSession(w, interval) - 1) * step;
  const lo = Math.max(from, w.open);
  const hi = Math.min(to, last);
  if (lo > hi) return 0;
  return Math.floor((hi - w.open) / step) - Math.ceil((lo - w.open) / step) + 1;
};

const intervals = fc.constantFrom<CandleInterval>(
  'minute',
  '3minute',
  '5minute',
  '10minute',
  '15minute',
  '30minute',
  '60minute',
  'day',
);

/** Consecutive sessions of random length (a minute to a whole day), with random gaps between. */
const sessions = fc
  .array(
    fc.record({
      gap: fc.integer({ min: 0, max: 3 * 24 * 60 }),
      length: fc.integer({ min: 1, max: 24 * 60 }),
    }),
    {
      minLength: 1,
      maxLength: 30,
    },
  )
  .map((specs) => {
    let t: number = ist('2025-01-01 09:15:00');
    return specs.map(({ gap, length }, i): SessionWindow => {
      const open = t + gap * MIN;
      t = open + length * MIN;
      return { day: `d${i}` as TradingDay, open: epochMs(open), close: epochMs(t) };
    });
  });

describe('planChunks properties', () => {
  it('keeps every request within the cap and covers every (token, day) bar exactly once', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        sessions,
        intervals,
        fc.oneof(fc.constant(MAX_BARS_PER_REQUEST), fc.integer({ min: 1, max: 1000 })),
        (tokenCount, windows, interval, maxBars) => {
          const tokens = Array.from({ length: tokenCount }, (_, i) => instrumentToken(1000 + i));
          const chunks = planChunks(tokens, windows, interval, maxBars);
          expect(new Set(chunks.map((c) => c.id)).size).toBe(chunks.length);
          for (const token of tokens) {
            const mine = chunks.filter((c) => c.token === token);
            for (const [i, c] of mine.entries()) {
              expect(c.bars).toBeLessThanOrEqual(maxBars);
              expect(c.from).toBeLessThanOrEqual(c.to);
              // Requests of a token never overlap, so no bar is asked for twice.
              if (i > 0) expect(c.from).toBeGreaterThan(mine[i - 1]!.to);
              // `bars` is the bars the range really holds.
              expect(c.bars).toBe(windows.reduce((n, w) => n + barsIn(w, interval, c.from, c.to), 0));
            }
            for (const w of windows) {
              const total = barsInSession(w, interval);
              const holding = mine.filter((c) => barsIn(w, interval, c.from, c.to) > 0);
              expect(holding.reduce((n, c) => n + barsIn(w, interval, c.from, c.to), 0)).toBe(total);
              // A session is split only if it alone is over the cap.
              if (total <= maxBars) expect(holding).toHaveLength(1);
            }
          }
        },
      ),
    );
  });
});
