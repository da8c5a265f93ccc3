import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { makeMarketSession } from '../../../src/domain/market-session.ts';
import { epochMs } from '../../../src/domain/units.ts';
import { makeCandleModel } from '../../../src/simulator/candle-model.ts';
import type { SimInstrument } from '../../../src/simulator/instrument-list.ts';
import { makeSimMarket, type LiveQuote } from '../../../src/simulator/market-model.ts';
import { makeRandom } from '../../../src/simulator/seeded-random.ts';

const session = makeMarketSession();
const INSTRUMENTS: SimInstrument[] = [
  { token: 26000, symbol: 'NIFTY 50', exchange: 'NSE', kind: 'index' },
  { token: 2885, symbol: 'RELIANCE', exchange: 'NSE', kind: 'equity' },
  { token: 11536, symbol: 'TCS', exchange: 'NSE', kind: 'equity' },
  { token: 3499, symbol: 'TATASTEEL', exchange: 'NSE', kind: 'equity' },
];
const AT_1000_IST = epochMs(Date.parse('2025-11-20T10:00:00+05:30'));

const run = (seed: number, steps: number, start = AT_1000_IST) => {
  const candles = makeCandleModel(seed, session);
  const market = makeSimMarket(INSTRUMENTS, candles, session, makeRandom(seed), start);
  const seen: { token: number; ltp: number; qty: number; volume: number }[] = [];
  for (let i = 0; i < steps; i++) {
    const q = market.step(epochMs(start + i * 10));
    seen.push({ token: q.instrument.token, ltp: q.ltp, qty: q.lastTradedQuantity, volume: q.volume });
  }
  return { market, candles, seen };
};

const snapshot = (q: LiveQuote) => ({ ...q, instrument: q.instrument.token });

describe('simulator market model', () => {
  it('is deterministic for a seed', () => {
    expect(run(3, 2000).seen).toEqual(run(3, 2000).seen);
    expect(run(4, 2000).seen).not.toEqual(run(3, 2000).seen);
  });

  it('starts the day where the historical minute bars up to now leave it', () => {
    const { market, candles } = run(5, 0);
    const q = market.quote(2885)!;
    const bars = candles.minuteBars(INSTRUMENTS[1]!, '2025-11-20' as never).slice(0, 45);
    expect(q.open).toBe(bars[0]!.open);
    expect(q.ltp).toBe(bars.at(-1)!.close);
    expect(q.high).toBe(Math.max(...bars.map((b) => b.high)));
    expect(q.volume).toBe(bars.reduce((s, b) => s + b.volume, 0));
    expect(q.close).toBe(
      candles.previousClose(INSTRUMENTS[1]!, Date.parse('2025-11-20T00:00:00Z') / 86_400_000),
    );
  });

  it('keeps prices in whole 5-paise ticks, inside the circuit, with OHLC and volume that agree with the ticks', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), (seed) => {
        const { market, seen } = run(seed, 3000);
        const start = new Map(run(seed, 0).market.quotes.map((q) => [q.instrument.token, snapshot(q)]));
        for (const q of market.quotes) {
          const mine = seen.filter((s) => s.token === q.instrument.token);
          const s0 = start.get(q.instrument.token)!;
          expect(q.ltp % 5).toBe(0);
          expect(q.ltp).toBeGreaterThanOrEqual(q.lowerCircuit);
          expect(q.ltp).toBeLessThanOrEqual(q.upperCircuit);
          expect(q.high).toBe(Math.max(s0.high, ...mine.map((s) => s.ltp)));
          expect(q.low).toBe(Math.min(s0.low, ...mine.map((s) => s.ltp)));
          expect(q.yearHigh).toBeGreaterThanOrEqual(q.high);
          expect(q.yearLow).toBeLessThanOrEqual(q.low);
          if (q.instrument.kind === 'equity') {
            expect(q.volume).toBe(s0.volume + mine.reduce((v, s) => v + s.qty, 0));
          } else {
            expect(q.volume).toBe(0);
          }
        }
      }),
      { numRuns: 20 },
    );
  });

  it('moves the index with its constituents', () => {
    const { market } = run(9, 20_000);
    const nifty = market.quote(26000)!;
    const equities = market.quotes.filter((q) => q.instrument.kind === 'equity');
    const level = equities.reduce((s, q) => s + q.ltp / q.base, 0) / equities.length;
    expect(Math.abs(nifty.ltp / (nifty.base * level) - 1)).toBeLessThan(0.001);
  });

  it('starts a new day with the last price as the previous close and fresh OHLC and volume', () => {
    const candles = makeCandleModel(2, session);
    const market = makeSimMarket(INSTRUMENTS, candles, session, makeRandom(2), AT_1000_IST);
    const tcs = market.quote(11536)!;
    let q: LiveQuote;
    do q = market.step(AT_1000_IST);
    while (q !== tcs);
    const lastPrice = tcs.ltp;
    const nextDay = epochMs(AT_1000_IST + 86_400_000);
    do q = market.step(nextDay);
    while (q !== tcs);
    expect(tcs.close).toBe(lastPrice);
    expect(tcs.open).toBe(tcs.ltp);
    expect(tcs.volume).toBe(tcs.lastTradedQuantity);
    expect(tcs.upperCircuit).toBe(Math.round((lastPrice * 1.2) / 5) * 5);
  });
});
