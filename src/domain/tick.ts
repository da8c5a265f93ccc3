import type { Exchange, InstrumentToken } from './instrument.ts';
import type { EpochMs, Rupees } from './units.ts';

/** Where a tick came from: the live feed, a historical candle, or a recorded session played back. */
export type TickSource = 'live' | 'backfill' | 'replay';

export interface DepthLevel {
  readonly quantity: number;
  readonly price: Rupees;
  readonly orders: number;
}

export interface MarketDepth {
  readonly bids: readonly DepthLevel[];
  readonly asks: readonly DepthLevel[];
}

/**
 * One normalized market-data update. Prices are rupees. `volume` is the cumulative volume traded
 * today for live ticks, and the bar's own volume for backfilled candles.
 *
 * Every tick has two clocks: `exchangeTime` as the exchange stamped it (absent when the feed sent
 * none) and `receivedAt` when tickflow read it. `seq` tells apart ticks of one token that share an
 * exchange time, so (token, time, seq) is a stable identity: see `tickId`.
 */
export interface Tick {
  readonly token: InstrumentToken;
  /**
   * The exchange of the instrument the tick is for, as the selection names it (the feed's packet
   * carries only the token). Absent, or undefined, when not known: ticks of old recordings, a
   * feed or replay given no `exchangeOf`. The live decoder always sets the field, undefined or not,
   * so each packet kind keeps one object shape.
   */
  readonly exchange?: Exchange | undefined;
  readonly ltp: Rupees;
  readonly volume: number;
  readonly exchangeTime?: EpochMs;
  readonly receivedAt: EpochMs;
  readonly source: TickSource;
  readonly seq: number;
  readonly lastTradedQuantity?: number;
  readonly averagePrice?: Rupees;
  readonly totalBuyQuantity?: number;
  readonly totalSellQuantity?: number;
  readonly open?: Rupees;
  readonly high?: Rupees;
  readonly low?: Rupees;
  /** The previous session's close, as the feed reports it (a candle's own close is `ltp`). */
  readonly close?: Rupees;
  /** Index packets only: change against the previous close, signed. */
  readonly change?: Rupees;
  readonly lastTradeTime?: EpochMs;
  readonly openInterest?: number;
  readonly openInterestDayHigh?: number;
  readonly openInterestDayLow?: number;
  readonly upperCircuit?: Rupees;
  readonly lowerCircuit?: Rupees;
  readonly yearHigh?: Rupees;
  readonly yearLow?: Rupees;
  readonly depth?: MarketDepth;
}

/** The time a tick is filed under: the exchange's when it sent one, else the receive time. */
export const tickTime = (t: Tick): EpochMs => t.exchangeTime ?? t.receivedAt;

/**
 * A stable id for de-duplication downstream. The same frames (live, or replayed) and the same
 * candles (a re-run backfill) always give the same ids.
 */
export const tickId = (t: Tick): string =>
  `${t.token}:${tickTime(t)}:${t.seq}:${t.source === 'backfill' ? 'b' : 'l'}`;
