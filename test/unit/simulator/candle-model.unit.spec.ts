import { describe, expect, it } from 'vitest';
import { makeMarketSession, type TradingDay } from '../../../src/domain/market-session.ts';
import { makeCandleModel } from '../../../src/simulator/candle-model.ts';
import type { SimInstrument } from '../../../src/simulator/instrument-list.ts';

const session = makeMarketSession();
const RELIANCE: SimInstrument = { token: 2885, symbol: 'RELIANCE', exchange: 'NSE', kind: 'equity' };
const NIFTY: SimInstrument = { token: 26000, symbol: 'NIFTY 50', exchange: 'NSE', kind: 'index' };
const THURSDAY = '2025-11-20' as TradingDay;
const MONDAY = '2025-11-17' as TradingDay;

describe('simulator candle model', () => {
  it('gives the same bars for the same seed, token and day, and other bars for another seed', () => {
    const a = makeCandleModel(7, session).minuteBars(RELIANCE, THURSDAY);
    const b = makeCandleModel(7, session).minuteBars(RELIANCE, THURSDAY);
    const c = makeCandleModel(8, session).minuteBars(RELIANCE, THURSDAY);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  it('gives 375 one-minute bars from 09:15 to 15:29 IST, in whole ticks, each with sane OHLC', () => {
    const bars = makeCandleModel(1, session).minuteBars(RELIANCE, THURSDAY);
    expect(bars).toHaveLength(375);
    expect(bars[0]!.start).toBe(Date.parse('2025-11-20T09:15:00+05:30'));
    expect(bars.at(-1)!.start).toBe(Date.parse('2025-11-20T15:29:00+05:30'));
    for (const b of bars) {
      for (const p of [b.open, b.high, b.low, b.close]) expect(p % 5).toBe(0);
      expect(b.low).toBeLessThanOrEqual(Math.min(b.open, b.close));
      expect(b.high).toBeGreaterThanOrEqual(Math.max(b.open, b.close));
      expect(b.volume).toBeGreaterThan(0);
    }
    // Around the reference price (₹1400), within the knots' ±8% and a day's swing.
    expect(bars[0]!.open / 100).toBeGreaterThan(1150);
    expect(bars[0]!.open / 100).toBeLessThan(1650);
  });

  it('aggregates longer intervals from the minute bars, aligned to 09:15', () => {
    const model = makeCandleModel(1, session);
    const minutes = model.minuteBars(RELIANCE, THURSDAY);
    const hours = model.bars(RELIANCE, THURSDAY, '60minute');
    expect(hours.map((b) => new Date(b.start).toISOString().slice(11, 16))).toEqual([
      '03:45',
      '04:45',
      '05:45',
      '06:45',
      '07:45',
      '08:45',
      '09:45',
    ]);
    const [day] = model.bars(RELIANCE, THURSDAY, 'day');
    expect(day).toEqual({
      start: Date.parse('2025-11-20T00:00:00+05:30'),
      open: minutes[0]!.open,
      high: Math.max(...minutes.map((b) => b.high)),
      low: Math.min(...minutes.map((b) => b.low)),
      close: minutes.at(-1)!.close,
      volume: minutes.reduce((s, b) => s + b.volume, 0),
    });
    expect(hours.at(-1)!.close).toBe(day!.close);
  });

  it('labels day bars at the session open when configured', () => {
    const [day] = makeCandleModel(1, session, 'open').bars(RELIANCE, THURSDAY, 'day');
    expect(day!.start).toBe(Date.parse('2025-11-20T09:15:00+05:30'));
  });

  it('takes the previous close from the last trading day, over a weekend', () => {
    const model = makeCandleModel(1, session);
    const friday = model.minuteBars(RELIANCE, '2025-11-14' as TradingDay);
    const mondayDayNumber = Date.parse('2025-11-17T00:00:00Z') / 86_400_000;
    expect(model.previousTradingDay(mondayDayNumber)).toBe('2025-11-14');
    expect(model.previousClose(RELIANCE, mondayDayNumber)).toBe(friday.at(-1)!.close);
    expect(model.minuteBars(RELIANCE, MONDAY)).toHaveLength(375);
  });

  it('gives the index no volume', () => {
    const bars = makeCandleModel(1, session).minuteBars(NIFTY, THURSDAY);
    expect(bars.every((b) => b.volume === 0)).toBe(true);
    expect(bars[0]!.open / 100).toBeGreaterThan(23_000);
  });
});
