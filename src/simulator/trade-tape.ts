import { istDayNumber } from '../domain/ist.ts';
import { MS_PER_MINUTE, type EpochMs } from '../domain/units.ts';
import type { SimBar } from './candle-model.ts';
import type { SimMarket } from './market-model.ts';

/** IST days kept before the newest one traded in: enough for a backfill of the last few sessions. */
export const TAPE_PREVIOUS_DAYS_KEPT = 5;

/**
 * Every trade the simulated market made, as per-token 1-minute bars in paise, as the exchange
 * would build its official candles. Delivery faults (a silenced token, a dropped packet, a fake
 * out-of-band price) change what clients receive, never the tape.
 */
export interface TradeTape {
  /**
   * The first minute the tape holds every trade of: the first whole minute after the simulator
   * started. The minute it started in was partly traded before anyone recorded it.
   */
  readonly coversFrom: EpochMs;
  /** One trade: `price` in paise, `quantity` shares (0 for an index), at market time `at`. */
  record(token: number, price: number, quantity: number, at: EpochMs): void;
  /** The token's bars starting in [from, to), oldest first; a minute with no trade has none. */
  bars(token: number, from: EpochMs, to: EpochMs): SimBar[];
}

interface TapeBar {
  readonly start: EpochMs;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

const minuteOf = (at: number): EpochMs => (Math.floor(at / MS_PER_MINUTE) * MS_PER_MINUTE) as EpochMs;

const firstTrade = (start: EpochMs, price: number, quantity: number): TapeBar => ({
  start,
  open: price,
  high: price,
  low: price,
  close: price,
  volume: quantity,
});

const trade = (bar: TapeBar, price: number, quantity: number): void => {
  bar.high = Math.max(bar.high, price);
  bar.low = Math.min(bar.low, price);
  bar.close = price;
  bar.volume += quantity;
};

/** Index of the first bar starting at or after `start` (bars are sorted by start). */
const firstAtOrAfter = (bars: readonly TapeBar[], start: number): number => {
  let lo = 0;
  let hi = bars.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((bars[mid]?.start ?? 0) < start) lo = mid + 1;
    else hi = mid;
  }
  return lo;
};

/** A trade in a minute before the newest bar's: only when a test set the clock back. */
const tradeInEarlierMinute = (bars: TapeBar[], start: EpochMs, price: number, quantity: number): void => {
  const i = firstAtOrAfter(bars, start);
  const found = bars[i];
  if (found?.start === start) trade(found, price, quantity);
  else bars.splice(i, 0, firstTrade(start, price, quantity));
};

export const makeTradeTape = (
  startedAt: EpochMs,
  previousDaysKept: number = TAPE_PREVIOUS_DAYS_KEPT,
): TradeTape => {
  /** IST day number → token → that day's bars, sorted by start. */
  const days = new Map<number, Map<number, TapeBar[]>>();
  let newestDay = Number.NEGATIVE_INFINITY;

  const dropOldDays = (): void => {
    for (const day of days.keys()) if (day < newestDay - previousDaysKept) days.delete(day);
  };

  const barsOf = (day: number, token: number): TapeBar[] => {
    let tokens = days.get(day);
    if (tokens === undefined) {
      tokens = new Map();
      days.set(day, tokens);
    }
    let bars = tokens.get(token);
    if (bars === undefined) {
      bars = [];
      tokens.set(token, bars);
    }
    return bars;
  };

  const record = (token: number, price: number, quantity: number, at: EpochMs): void => {
    const day = istDayNumber(at);
    if (day > newestDay) {
      newestDay = day;
      dropOldDays();
    } else if (day < newestDay - previousDaysKept) {
      return;
    }
    const bars = barsOf(day, token);
    const start = minuteOf(at);
    const last = bars.at(-1);
    if (last?.start === start) trade(last, price, quantity);
    else if (last === undefined || last.start < start) bars.push(firstTrade(start, price, quantity));
    else tradeInEarlierMinute(bars, start, price, quantity);
  };

  const bars = (token: number, from: EpochMs, to: EpochMs): SimBar[] => {
    const out: SimBar[] = [];
    for (let day = istDayNumber(from); day <= istDayNumber(to); day++) {
      const list = days.get(day)?.get(token);
      if (list === undefined) continue;
      for (let i = firstAtOrAfter(list, from); i < list.length; i++) {
        const b = list[i];
        if (b === undefined || b.start >= to) break;
        // A copy: the tape goes on trading into its newest bar after the reply is built.
        out.push({ ...b });
      }
    }
    return out;
  };

  return {
    coversFrom: (Math.ceil(startedAt / MS_PER_MINUTE) * MS_PER_MINUTE) as EpochMs,
    record,
    bars,
  };
};

/** The market, with each of its trades recorded on the tape as it happens. */
export const tapedMarket = (market: SimMarket, tape: TradeTape): SimMarket => ({
  quotes: market.quotes,
  quote: (token) => market.quote(token),
  step: (at) => {
    const q = market.step(at);
    tape.record(q.instrument.token, q.ltp, q.lastTradedQuantity, at);
    return q;
  },
  canStep: () => market.canStep(),
  follow: (tokens) => {
    market.follow(tokens);
  },
  delist: (tokens) => {
    market.delist(tokens);
  },
});
