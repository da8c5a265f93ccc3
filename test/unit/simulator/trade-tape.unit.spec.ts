import { describe, expect, it } from 'vitest';
import { makeMarketSession } from '../../../src/domain/market-session.ts';
import { epochMs, MS_PER_DAY, MS_PER_MINUTE, type EpochMs } from '../../../src/domain/units.ts';
import { makeCandleModel, type SimBar } from '../../../src/simulator/candle-model.ts';
import type { SimInstrument } from '../../../src/simulator/instrument-list.ts';
import { makeSimMarket } from '../../../src/simulator/market-model.ts';
import { makeRandom } from '../../../src/simulator/seeded-random.ts';
import { makeTradeTape, tapedMarket } from '../../../src/simulator/trade-tape.ts';

const AT_1000 = epochMs(Date.parse('2025-11-20T10:00:00+05:30'));
const at = (ms: number): EpochMs => epochMs(AT_1000 + ms);
const minute = (n: number): EpochMs => at(n * MS_PER_MINUTE);
const bar = (start: EpochMs, open: number, high: number, low: number, close: number, volume: number) => ({
  start,
  open,
  high,
  low,
  close,
  volume,
});

describe('trade tape', () => {
  it('covers from the first whole minute after the start', () => {
    expect(makeTradeTape(at(20_000)).coversFrom).toBe(minute(1));
    expect(makeTradeTape(at(0)).coversFrom).toBe(minute(0));
    expect(makeTradeTape(at(59_999)).coversFrom).toBe(minute(1));
  });

  it('builds per-token minute bars from trades: OHLC in paise, summed quantity, no bar without a trade', () => {
    const tape = makeTradeTape(AT_1000);
    tape.record(2885, 140_000, 10, at(1_000));
    tape.record(26000, 2_600_000, 0, at(2_000));
    tape.record(2885, 140_100, 5, at(30_000));
    tape.record(2885, 139_900, 7, at(45_000));
    tape.record(2885, 140_050, 1, at(59_999));
    tape.record(2885, 140_200, 3, at(2 * MS_PER_MINUTE + 5_000));
    expect(tape.bars(2885, minute(0), minute(3))).toEqual([
      bar(minute(0), 140_000, 140_100, 139_900, 140_050, 23),
      bar(minute(2), 140_200, 140_200, 140_200, 140_200, 3),
    ]);
    expect(tape.bars(26000, minute(0), minute(3))).toEqual([
      bar(minute(0), 2_600_000, 2_600_000, 2_600_000, 2_600_000, 0),
    ]);
    // [from, to): the bar of minute 2 starts at `to` here.
    expect(tape.bars(2885, minute(1), minute(2))).toEqual([]);
    expect(tape.bars(11536, minute(0), minute(3))).toEqual([]);
  });

  it('hands out copies: later trades do not change a reply already taken', () => {
    const tape = makeTradeTape(AT_1000);
    tape.record(2885, 140_000, 10, at(1_000));
    const [before] = tape.bars(2885, minute(0), minute(1));
    tape.record(2885, 150_000, 10, at(2_000));
    expect(before).toEqual(bar(minute(0), 140_000, 140_000, 140_000, 140_000, 10));
    expect(tape.bars(2885, minute(0), minute(1))[0]?.high).toBe(150_000);
  });

  it('files a trade at an earlier minute (a clock set back) in order, merging with its minute', () => {
    const tape = makeTradeTape(AT_1000);
    tape.record(2885, 100, 1, minute(0));
    tape.record(2885, 300, 1, minute(5));
    tape.record(2885, 200, 1, minute(3));
    tape.record(2885, 50, 2, at(5_000));
    expect(tape.bars(2885, minute(0), minute(10))).toEqual([
      bar(minute(0), 100, 100, 50, 50, 3),
      bar(minute(3), 200, 200, 200, 200, 1),
      bar(minute(5), 300, 300, 300, 300, 1),
    ]);
  });

  it('keeps the newest IST day and the five before it, and drops older ones', () => {
    const tape = makeTradeTape(AT_1000);
    const day = (n: number): EpochMs => epochMs(AT_1000 + n * MS_PER_DAY);
    const all = (): SimBar[] => tape.bars(2885, day(0), day(10));
    tape.record(2885, 100, 1, day(0));
    tape.record(2885, 101, 1, day(1));
    tape.record(2885, 105, 1, day(5));
    expect(all().map((b) => b.start)).toEqual([day(0), day(1), day(5)]);
    tape.record(2885, 106, 1, day(6));
    expect(all().map((b) => b.start)).toEqual([day(1), day(5), day(6)]);
    // A trade older than what is kept (the clock set back a week) is not taped.
    tape.record(2885, 99, 1, day(0));
    expect(all().map((b) => b.start)).toEqual([day(1), day(5), day(6)]);
  });
});

describe('taped market', () => {
  const session = makeMarketSession();
  const instruments: SimInstrument[] = [
    { token: 26000, symbol: 'NIFTY 50', exchange: 'NSE', kind: 'index' },
    { token: 2885, symbol: 'RELIANCE', exchange: 'NSE', kind: 'equity' },
    { token: 11536, symbol: 'TCS', exchange: 'NSE', kind: 'equity' },
  ];

  it('tapes every step as a trade: the bars are the ones the steps make', () => {
    const tape = makeTradeTape(AT_1000);
    const market = tapedMarket(
      makeSimMarket(instruments, makeCandleModel(1, session), session, makeRandom(1), AT_1000),
      tape,
    );
    // The bars the steps make, built here by hand: one list of bars per token, in minute order.
    const expected = new Map<number, SimBar[]>(market.quotes.map((q) => [q.instrument.token, []]));
    for (let i = 0; i < 3000; i++) {
      const t = at(i * 97);
      const q = market.step(t);
      const start = epochMs(Math.floor(t / MS_PER_MINUTE) * MS_PER_MINUTE);
      const bars = expected.get(q.instrument.token) ?? [];
      const last = bars.at(-1);
      const price = q.ltp;
      if (last?.start === start) {
        bars[bars.length - 1] = {
          ...last,
          high: Math.max(last.high, price),
          low: Math.min(last.low, price),
          close: price,
          volume: last.volume + q.lastTradedQuantity,
        };
      } else {
        bars.push(bar(start, price, price, price, price, q.lastTradedQuantity));
      }
    }
    for (const [token, want] of expected) {
      expect(want.length).toBeGreaterThan(1);
      expect(tape.bars(token, AT_1000, at(3000 * 97))).toEqual(want);
    }
    expect(tape.bars(26000, AT_1000, at(3000 * 97)).every((b) => b.volume === 0)).toBe(true);
    expect(market.quote(2885)).toBe(market.quotes[1]);
  });
});
