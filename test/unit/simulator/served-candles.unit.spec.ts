import { describe, expect, it } from 'vitest';
import { makeMarketSession, type TradingDay } from '../../../src/domain/market-session.ts';
import { epochMs, type EpochMs } from '../../../src/domain/units.ts';
import { sessionBars } from '../../../src/simulator/bar-aggregation.ts';
import { makeCandleModel, type SimBar } from '../../../src/simulator/candle-model.ts';
import type { SimInstrument } from '../../../src/simulator/instrument-list.ts';
import { makeServedCandles } from '../../../src/simulator/served-candles.ts';
import { makeTradeTape } from '../../../src/simulator/trade-tape.ts';

const session = makeMarketSession();
const RELIANCE: SimInstrument = { token: 2885, symbol: 'RELIANCE', exchange: 'NSE', kind: 'equity' };
const WEDNESDAY = '2025-11-19' as TradingDay;
const THURSDAY = '2025-11-20' as TradingDay;
const ist = (time: string, date = '2025-11-20'): EpochMs => epochMs(Date.parse(`${date}T${time}+05:30`));
const minuteBar = (start: EpochMs, price: number, volume = 1): SimBar => ({
  start,
  open: price,
  high: price,
  low: price,
  close: price,
  volume,
});

describe('session bars from minute bars', () => {
  it('aligns bars of n minutes to the session open and gives none for a window with no minute bar', () => {
    const minutes = [
      minuteBar(ist('09:15:00'), 100, 1),
      minuteBar(ist('09:16:00'), 110, 2),
      minuteBar(ist('09:22:00'), 90, 3),
      minuteBar(ist('09:31:00'), 95, 4),
    ];
    expect(sessionBars(minutes, '5minute', session, THURSDAY, 'midnight')).toEqual([
      { start: ist('09:15:00'), open: 100, high: 110, low: 100, close: 110, volume: 3 },
      { start: ist('09:20:00'), open: 90, high: 90, low: 90, close: 90, volume: 3 },
      { start: ist('09:30:00'), open: 95, high: 95, low: 95, close: 95, volume: 4 },
    ]);
    expect(sessionBars(minutes, 'minute', session, THURSDAY, 'midnight')).toBe(minutes);
  });

  it('labels the day bar at midnight or the open, and gives none for a session with no trade', () => {
    const minutes = [minuteBar(ist('11:00:00'), 100, 1), minuteBar(ist('14:00:00'), 120, 2)];
    const day = { open: 100, high: 120, low: 100, close: 120, volume: 3 };
    expect(sessionBars(minutes, 'day', session, THURSDAY, 'midnight')).toEqual([
      { start: ist('00:00:00'), ...day },
    ]);
    expect(sessionBars(minutes, 'day', session, THURSDAY, 'open')).toEqual([
      { start: ist('09:15:00'), ...day },
    ]);
    expect(sessionBars([], 'day', session, THURSDAY, 'midnight')).toEqual([]);
  });
});

describe('served candles', () => {
  const generated = makeCandleModel(1, session);
  // Started at 10:00:20: 10:00 stays generated, the tape covers from 10:01.
  const setup = () => {
    const tape = makeTradeTape(ist('10:00:20'));
    return { tape, served: makeServedCandles(generated, tape, session, 'midnight') };
  };

  it('serves generated bars for days before the start', () => {
    const { tape, served } = setup();
    tape.record(RELIANCE.token, 100_000, 5, ist('10:05:00'));
    expect(served.bars(RELIANCE, WEDNESDAY, 'minute')).toEqual(generated.minuteBars(RELIANCE, WEDNESDAY));
    expect(served.bars(RELIANCE, WEDNESDAY, '15minute')).toEqual(
      generated.bars(RELIANCE, WEDNESDAY, '15minute'),
    );
  });

  it('serves generated bars up to the start minute, then only the minutes the tape traded in', () => {
    const { tape, served } = setup();
    tape.record(RELIANCE.token, 100_000, 5, ist('10:00:40')); // in the start minute: generated wins
    tape.record(RELIANCE.token, 100_100, 5, ist('10:01:10'));
    tape.record(RELIANCE.token, 100_300, 2, ist('10:03:10'));
    tape.record(RELIANCE.token, 100_200, 1, ist('10:03:50'));
    tape.record(RELIANCE.token, 100_400, 9, ist('16:10:00')); // after the close: no candle
    const before = generated.minuteBars(RELIANCE, THURSDAY).filter((b) => b.start <= ist('10:00:00'));
    expect(before).toHaveLength(46);
    const bars = served.bars(RELIANCE, THURSDAY, 'minute');
    expect(bars).toEqual([
      ...before,
      { start: ist('10:01:00'), open: 100_100, high: 100_100, low: 100_100, close: 100_100, volume: 5 },
      { start: ist('10:03:00'), open: 100_300, high: 100_300, low: 100_200, close: 100_200, volume: 3 },
    ]);
  });

  it('aggregates a window that straddles the start from both, and the day from both', () => {
    const { tape, served } = setup();
    tape.record(RELIANCE.token, 100_100, 5, ist('10:01:10'));
    tape.record(RELIANCE.token, 100_300, 2, ist('10:03:10'));
    const tenOClock = generated.minuteBars(RELIANCE, THURSDAY).find((b) => b.start === ist('10:00:00'));
    const windows = served.bars(RELIANCE, THURSDAY, '15minute');
    expect(windows.at(-1)).toEqual({
      start: ist('10:00:00'),
      open: tenOClock?.open,
      high: Math.max(tenOClock?.high ?? 0, 100_300),
      low: Math.min(tenOClock?.low ?? 0, 100_100),
      close: 100_300,
      volume: (tenOClock?.volume ?? 0) + 7,
    });
    expect(windows.map((b) => b.start)).toEqual(
      generated
        .bars(RELIANCE, THURSDAY, '15minute')
        .filter((b) => b.start <= ist('10:00:00'))
        .map((b) => b.start),
    );
    const [day] = served.bars(RELIANCE, THURSDAY, 'day');
    expect(day?.start).toBe(ist('00:00:00'));
    expect(day?.close).toBe(100_300);
    expect(day?.open).toBe(generated.minuteBars(RELIANCE, THURSDAY)[0]?.open);
  });

  it('serves nothing for a later day with no trade, and the tape for one with trades', () => {
    const { tape, served } = setup();
    const friday = '2025-11-21' as TradingDay;
    expect(served.bars(RELIANCE, friday, 'minute')).toEqual([]);
    expect(served.bars(RELIANCE, friday, 'day')).toEqual([]);
    tape.record(RELIANCE.token, 100_000, 4, ist('09:15:30', '2025-11-21'));
    expect(served.bars(RELIANCE, friday, 'minute')).toEqual([
      minuteBar(ist('09:15:00', '2025-11-21'), 100_000, 4),
    ]);
    expect(served.bars(RELIANCE, friday, '60minute')).toEqual([
      minuteBar(ist('09:15:00', '2025-11-21'), 100_000, 4),
    ]);
  });
});
