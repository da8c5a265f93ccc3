import type { Exchange, InstrumentToken } from './instrument.ts';
import type { Tick } from './tick.ts';
import type { EpochMs, Rupees } from './units.ts';

export type CandleInterval =
  'minute' | '3minute' | '5minute' | '10minute' | '15minute' | '30minute' | '60minute' | 'day';

export const CANDLE_INTERVAL_MINUTES: Readonly<Record<CandleInterval, number>> = {
  minute: 1,
  '3minute': 3,
  '5minute': 5,
  '10minute': 10,
  '15minute': 15,
  '30minute': 30,
  '60minute': 60,
  day: 375,
};

/** One OHLC bar, labelled with its start time. */
export interface Candle {
  readonly token: InstrumentToken;
  readonly start: EpochMs;
  readonly open: Rupees;
  readonly high: Rupees;
  readonly low: Rupees;
  readonly close: Rupees;
  readonly volume: number;
}

/**
 * A candle as a tick on `market_ticks`: close as `ltp`, the bar's volume, the bar's start as its
 * time and `seq` 0, so a re-run backfill yields the same ids; `exchange`, the exchange the candles
 * were fetched from, when the caller knows it.
 */
export const candleToTick = (c: Candle, receivedAt: EpochMs, exchange?: Exchange): Tick => ({
  token: c.token,
  ...(exchange === undefined ? {} : { exchange }),
  ltp: c.close,
  volume: c.volume,
  exchangeTime: c.start,
  receivedAt,
  source: 'backfill',
  seq: 0,
  open: c.open,
  high: c.high,
  low: c.low,
});
