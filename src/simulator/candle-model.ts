import type { CandleInterval } from '../domain/candle.ts';
import { dayNumberOfIstDate, istDateOfDayNumber } from '../domain/ist.ts';
import type { MarketSession, TradingDay } from '../domain/market-session.ts';
import { MS_PER_MINUTE, type EpochMs } from '../domain/units.ts';
import { sessionBars, type DayCandleLabel } from './bar-aggregation.ts';
import type { SimInstrument } from './instrument-list.ts';
import { referencePaise, roundToTick, TICK_PAISE } from './reference-prices.ts';
import { hashSeed, makeRandom } from './seeded-random.ts';

/** One bar in paise, labelled with its start. */
export interface SimBar {
  readonly start: EpochMs;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
}

export interface CandleModel {
  /** The 1-minute bars of a whole session, deterministic from (seed, token, day). */
  minuteBars(instrument: SimInstrument, day: TradingDay): readonly SimBar[];
  /** Bars of `interval`, aggregated from the minute bars and aligned to the session open (09:15). */
  bars(instrument: SimInstrument, day: TradingDay, interval: CandleInterval): readonly SimBar[];
  /** The close of the trading day before `dayNumber` (IST days since 1970). */
  previousClose(instrument: SimInstrument, dayNumber: number): number;
  /** The last trading day strictly before `dayNumber`. */
  previousTradingDay(dayNumber: number): TradingDay;
  /** The lowest and highest minute-bar prices of the 52 weeks before `dayNumber` (approximated). */
  yearRange(instrument: SimInstrument, dayNumber: number): { readonly low: number; readonly high: number };
}

/** Days between the knots of the slow price path; prices glide from knot to knot. */
const KNOT_DAYS = 7;
const DAILY_VOLATILITY = 0.012;
const OPENING_GAP = 0.004;
const CACHE_LIMIT = 1024;

const anchorPaise = (instrument: SimInstrument): number =>
  instrument.referencePaise ?? referencePaise(instrument.symbol);

export const makeCandleModel = (
  seed: number,
  session: MarketSession,
  dayLabel: DayCandleLabel = 'midnight',
): CandleModel => {
  const cache = new Map<string, readonly SimBar[]>();

  const knot = (instrument: SimInstrument, k: number): number => {
    const amplitude = instrument.kind === 'index' ? 0.05 : 0.08;
    const u = hashSeed(seed, 'knot', instrument.token, k) / 4_294_967_296;
    return anchorPaise(instrument) * (1 + amplitude * (2 * u - 1));
  };

  /** The slow path a price follows from day to day: smooth between weekly knots. */
  const anchor = (instrument: SimInstrument, day: number): number => {
    const k = Math.floor(day / KNOT_DAYS);
    const f = (day - k * KNOT_DAYS) / KNOT_DAYS;
    const s = (1 - Math.cos(Math.PI * f)) / 2;
    return knot(instrument, k) * (1 - s) + knot(instrument, k + 1) * s;
  };

  const dailyVolume = (instrument: SimInstrument): number =>
    instrument.kind === 'index'
      ? 0
      : 10 ** (5.5 + (1.5 * hashSeed(seed, 'volume', instrument.token)) / 4_294_967_296);

  const minuteBars = (instrument: SimInstrument, day: TradingDay): readonly SimBar[] => {
    const key = `${instrument.token}:${day}`;
    const hit = cache.get(key);
    if (hit !== undefined) return hit;
    const d = dayNumberOfIstDate(day);
    const { open: sessionOpen, close: sessionClose } = session.sessionBounds(day);
    const n = Math.max(1, Math.round((sessionClose - sessionOpen) / MS_PER_MINUTE));
    const rng = makeRandom(hashSeed(seed, 'day', instrument.token, d));
    const start = anchor(instrument, d) * (1 + OPENING_GAP * rng.normal());
    const end = anchor(instrument, d + 1);
    const sigma = (start * DAILY_VOLATILITY) / Math.sqrt(n);
    // A Brownian bridge from the day's start to the next day's anchor: random, yet it never drifts off.
    const walk = new Float64Array(n + 1);
    for (let i = 1; i <= n; i++) walk[i] = (walk[i - 1] ?? 0) + sigma * rng.normal();
    const total = walk[n] ?? 0;
    // The bridge ends exactly at the next day's anchor, so a day's close is known without its bars.
    const path = (i: number): number =>
      i === n ? end : start + ((end - start) * i) / n + (walk[i] ?? 0) - (total * i) / n;
    const volume = dailyVolume(instrument);
    const bars: SimBar[] = [];
    for (let i = 0; i < n; i++) {
      const open = roundToTick(path(i));
      const close = roundToTick(path(i + 1));
      const high = roundToTick(Math.max(open, close) + Math.abs(rng.normal()) * sigma * 0.5);
      const low = Math.max(
        TICK_PAISE,
        roundToTick(Math.min(open, close) - Math.abs(rng.normal()) * sigma * 0.5),
      );
      const x = (2 * i) / n - 1;
      // U-shaped intraday volume: busy at the open and the close.
      const weight = (1 + 1.5 * x * x) / (2 * n);
      const v = volume === 0 ? 0 : Math.round(volume * weight * Math.exp(0.3 * rng.normal()));
      bars.push({
        start: (sessionOpen + i * MS_PER_MINUTE) as EpochMs,
        open,
        high: Math.max(high, open, close),
        low: Math.min(low, open, close),
        close,
        volume: v,
      });
    }
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(key, bars);
    return bars;
  };

  const bars = (instrument: SimInstrument, day: TradingDay, interval: CandleInterval): readonly SimBar[] =>
    sessionBars(minuteBars(instrument, day), interval, session, day, dayLabel);

  const previousTradingDay = (dayNumber: number): TradingDay => {
    for (let d = dayNumber - 1; d > dayNumber - 60; d--) {
      const day = session.tradingDay(istDateOfDayNumber(d));
      if (day !== undefined) return day;
    }
    throw new RangeError(`no trading day in the 60 days before day ${dayNumber}`);
  };

  return {
    minuteBars,
    bars,
    // The last minute bar's close, without generating the day's bars (a large universe starts
    // thousands of quotes): `minuteBars` ends each day at the next day's anchor.
    previousClose: (instrument, dayNumber) =>
      roundToTick(anchor(instrument, dayNumberOfIstDate(previousTradingDay(dayNumber)) + 1)),
    previousTradingDay,
    yearRange: (instrument, dayNumber) => {
      // The slow path plus a margin for the days' own swings: cheap, and consistent from day to day.
      // Between two knots the path is monotone, so its extremes over the 364 days lie at the
      // range's two ends or at a knot: ~54 points instead of every day (a large universe quotes thousands).
      const first = dayNumber - 364;
      const last = dayNumber - 1;
      let low = Math.min(anchor(instrument, first), anchor(instrument, last));
      let high = Math.max(anchor(instrument, first), anchor(instrument, last));
      for (let k = Math.ceil(first / KNOT_DAYS); k * KNOT_DAYS <= last; k++) {
        const a = knot(instrument, k);
        low = Math.min(low, a);
        high = Math.max(high, a);
      }
      return {
        low: roundToTick(low * (1 - 2 * DAILY_VOLATILITY)),
        high: roundToTick(high * (1 + 2 * DAILY_VOLATILITY)),
      };
    },
  };
};
