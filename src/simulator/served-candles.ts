import type { CandleInterval } from '../domain/candle.ts';
import type { MarketSession, TradingDay } from '../domain/market-session.ts';
import { epochMs, type EpochMs } from '../domain/units.ts';
import { sessionBars, type DayCandleLabel } from './bar-aggregation.ts';
import type { CandleModel, SimBar } from './candle-model.ts';
import type { SimInstrument } from './instrument-list.ts';
import type { TradeTape } from './trade-tape.ts';

/** The candles the historical and intraday routes answer with. */
export interface ServedCandles {
  /**
   * One trading day's bars of `interval`, ended or not. Minutes before the tape covers are
   * generated (there was no simulator then); from there on they are the tape's, so the candles
   * agree with the trades the feed reported, as a broker's do.
   */
  bars(instrument: SimInstrument, day: TradingDay, interval: CandleInterval): readonly SimBar[];
}

export const makeServedCandles = (
  generated: CandleModel,
  tape: TradeTape,
  session: MarketSession,
  dayLabel: DayCandleLabel,
): ServedCandles => {
  const minuteBars = (instrument: SimInstrument, day: TradingDay, from: EpochMs): SimBar[] => {
    const { open, close } = session.sessionBounds(day);
    const before = generated.minuteBars(instrument, day).filter((b) => b.start < from);
    // Session minutes only: a trade outside them (alwaysOpen, emitTicks at night) is no candle.
    return [...before, ...tape.bars(instrument.token, epochMs(Math.max(open, from)), close)];
  };

  return {
    bars: (instrument, day, interval) => {
      const from = tape.coversFrom;
      if (session.sessionBounds(day).close <= from) return generated.bars(instrument, day, interval);
      return sessionBars(minuteBars(instrument, day, from), interval, session, day, dayLabel);
    },
  };
};
