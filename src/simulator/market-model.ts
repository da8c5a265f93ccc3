import { istDateOfDayNumber, istDayNumber } from '../domain/ist.ts';
import type { MarketSession } from '../domain/market-session.ts';
import { MS_PER_MINUTE, type EpochMs } from '../domain/units.ts';
import type { CandleModel, SimBar } from './candle-model.ts';
import type { SimInstrument } from './instrument-list.ts';
import { roundToTick, TICK_PAISE } from './reference-prices.ts';
import { hashSeed, type Random } from './seeded-random.ts';

/**
 * The live state of one instrument, in feed units: prices in paise, times in epoch ms (whole
 * seconds, as the feed carries them). Mutable: the market updates it in place on every tick.
 */
export interface LiveQuote {
  readonly instrument: SimInstrument;
  ltp: number;
  lastTradedQuantity: number;
  volume: number;
  /** Σ price × quantity today, for the average traded price. */
  turnover: number;
  totalBuyQuantity: number;
  totalSellQuantity: number;
  open: number;
  high: number;
  low: number;
  /** The previous session's close. */
  close: number;
  /** The IST day (days since 1970) the OHLC and volume belong to. */
  dayNumber: number;
  lastTradeTime: number;
  exchangeTime: number;
  upperCircuit: number;
  lowerCircuit: number;
  yearHigh: number;
  yearLow: number;
  /** The price the walk reverts to, and (for the index) each constituent's weight base. */
  readonly base: number;
  /** Ticks generated for this instrument since start. */
  ticks: number;
  /** Futures and options only (0 for the rest): open contracts, and their range today. */
  openInterest: number;
  openInterestDayHigh: number;
  openInterestDayLow: number;
}

export const averagePrice = (q: LiveQuote): number =>
  q.volume === 0 ? q.ltp : Math.round(q.turnover / q.volume);

/** Index packets carry the change against the previous close. */
export const changeOf = (q: LiveQuote): number => q.ltp - q.close;

/** Price bands around the previous close: ±20% for equities, ±10% for the index (market-wide breaker). */
const BAND = { equity: 0.2, index: 0.1 } as const;
/** Per-tick volatility and pull back to the base: ~1.5% a day at 1 tick/s per instrument. */
const VOL_PER_TICK = 0.00015;
const REVERSION = 0.00005;

export interface SimMarket {
  /** The instruments quoted so far (in a large universe, those asked for since start). */
  readonly quotes: readonly LiveQuote[];
  /** The instrument's quote; in a large universe it is started here, on first use. */
  quote(token: number): LiveQuote | undefined;
  /** Moves one randomly chosen instrument at `at` and returns it; throws when none ticks. */
  step(at: EpochMs): LiveQuote;
  /** Whether `step` has an instrument to move. */
  canStep(): boolean;
  /** In a large universe, the instruments that tick from now on: those some connection follows. */
  follow(tokens: ReadonlySet<number>): void;
  /** Stops quoting these instruments (contracts that expired). */
  delist(tokens: readonly number[]): void;
}

/**
 * A universe too large to tick as a whole: instruments are found by token and quoted from their
 * first use, and only the followed ones tick, so a tick costs the same with 50 or 5,000 rows.
 */
export interface LazyUniverse {
  find(token: number): SimInstrument | undefined;
}

const setBands = (q: LiveQuote): void => {
  const band = BAND[q.instrument.kind];
  q.upperCircuit = roundToTick(q.close * (1 + band));
  q.lowerCircuit = roundToTick(q.close * (1 - band));
};

/** Today's state as the candles tell it: the market opens where the historical bars say it is. */
const initialQuote = (
  instrument: SimInstrument,
  candles: CandleModel,
  session: MarketSession,
  now: EpochMs,
): LiveQuote => {
  const today = istDayNumber(now);
  const tradingToday = session.tradingDay(istDateOfDayNumber(today));
  const openToday = tradingToday !== undefined && now >= session.sessionBounds(tradingToday).open;
  const day = openToday ? tradingToday : candles.previousTradingDay(today);
  const dayNumber = openToday ? today : istDayNumber(session.sessionBounds(day).open);
  const bars: readonly SimBar[] = candles
    .minuteBars(instrument, day)
    .filter((b) => b.start + MS_PER_MINUTE <= now);
  const close = candles.previousClose(instrument, dayNumber);
  const last = bars.at(-1);
  const ltp = last?.close ?? close;
  let volume = 0;
  let turnover = 0;
  for (const b of bars) {
    volume += b.volume;
    turnover += b.volume * (b.open + b.close) * 0.5;
  }
  const year = candles.yearRange(instrument, dayNumber);
  const lastTime = last === undefined ? 0 : last.start + MS_PER_MINUTE - 1000;
  const q: LiveQuote = {
    instrument,
    ltp,
    lastTradedQuantity: 0,
    volume,
    turnover,
    totalBuyQuantity: Math.round(volume / 20),
    totalSellQuantity: Math.round(volume / 19),
    open: bars[0]?.open ?? 0,
    high: bars.reduce((m, b) => Math.max(m, b.high), 0),
    low: bars.reduce((m, b) => Math.min(m, b.low), Number.POSITIVE_INFINITY),
    close,
    dayNumber,
    lastTradeTime: lastTime,
    exchangeTime: lastTime,
    upperCircuit: 0,
    lowerCircuit: 0,
    yearHigh: Math.max(year.high, ltp),
    yearLow: Math.min(year.low, ltp),
    base: ltp,
    ticks: 0,
    openInterest: 0,
    openInterestDayHigh: 0,
    openInterestDayLow: 0,
  };
  if (instrument.derivative === true) {
    const oi = 1_000 * (50 + (hashSeed('open-interest', instrument.token, dayNumber) % 5_000));
    q.openInterest = oi;
    q.openInterestDayHigh = oi;
    q.openInterestDayLow = oi;
  }
  if (bars.length === 0) q.low = 0;
  setBands(q);
  return q;
};

/** A new IST day: yesterday's last price becomes the previous close; OHLC and volume start over. */
const rollDay = (q: LiveQuote, dayNumber: number): void => {
  q.close = q.ltp;
  q.open = 0;
  q.high = 0;
  q.low = 0;
  q.volume = 0;
  q.turnover = 0;
  q.dayNumber = dayNumber;
  q.openInterestDayHigh = q.openInterest;
  q.openInterestDayLow = q.openInterest;
  setBands(q);
};

/** Contracts opened or closed by a trade: OI wanders by a share of the traded quantity. */
const moveOpenInterest = (q: LiveQuote, quantity: number, rng: Random): void => {
  q.openInterest = Math.max(0, q.openInterest + Math.round(quantity * rng.normal()));
  q.openInterestDayHigh = Math.max(q.openInterestDayHigh, q.openInterest);
  q.openInterestDayLow = Math.min(q.openInterestDayLow, q.openInterest);
};

const trade = (q: LiveQuote, price: number, quantity: number, at: EpochMs): void => {
  const seconds = Math.floor(at / 1000) * 1000;
  q.ltp = price;
  q.open = q.open === 0 ? price : q.open;
  q.high = Math.max(q.high, price);
  q.low = q.low === 0 ? price : Math.min(q.low, price);
  q.yearHigh = Math.max(q.yearHigh, price);
  q.yearLow = Math.min(q.yearLow, price);
  q.lastTradedQuantity = quantity;
  q.volume += quantity;
  q.turnover += price * quantity;
  q.lastTradeTime = seconds;
  q.exchangeTime = seconds;
  q.ticks += 1;
};

export const makeSimMarket = (
  instruments: readonly SimInstrument[],
  candles: CandleModel,
  session: MarketSession,
  rng: Random,
  now: EpochMs,
  lazy?: LazyUniverse,
): SimMarket => {
  const quotes: LiveQuote[] = [];
  const byToken = new Map<number, LiveQuote>();
  /** What `step` picks from: every quote, or (lazy) the followed ones. */
  let ticking: LiveQuote[] = lazy === undefined ? quotes : [];
  /** Σ ltp/base over the (non-derivative) equities: the index level, kept as they trade. */
  let equityRatioSum = 0;
  let equityCount = 0;
  const tracksIndex = (q: LiveQuote): boolean =>
    q.instrument.kind === 'equity' && q.instrument.derivative !== true;

  const add = (i: SimInstrument): LiveQuote => {
    const q = initialQuote(i, candles, session, now);
    quotes.push(q);
    byToken.set(i.token, q);
    if (tracksIndex(q)) {
      equityRatioSum += q.ltp / q.base;
      equityCount += 1;
    }
    return q;
  };
  for (const i of instruments) add(i);

  const quote = (token: number): LiveQuote | undefined => {
    const q = byToken.get(token);
    if (q !== undefined || lazy === undefined) return q;
    const i = lazy.find(token);
    return i === undefined ? undefined : add(i);
  };

  const stepEquity = (q: LiveQuote, at: EpochMs): void => {
    const sigma = (q.ltp * VOL_PER_TICK) / TICK_PAISE;
    let move = Math.round(rng.normal() * sigma + (REVERSION * (q.base - q.ltp)) / TICK_PAISE);
    if (move === 0 && rng.next() < 0.5) move = rng.next() < 0.5 ? -1 : 1;
    const price = Math.min(q.upperCircuit, Math.max(q.lowerCircuit, q.ltp + move * TICK_PAISE));
    const quantity = Math.max(1, Math.round(Math.exp(3.5 + 1.1 * rng.normal())));
    const ratioBefore = q.ltp / q.base;
    trade(q, price, quantity, at);
    if (tracksIndex(q)) equityRatioSum += q.ltp / q.base - ratioBefore;
    else moveOpenInterest(q, quantity, rng);
    const drift = Math.round(quantity * 4 * rng.normal());
    q.totalBuyQuantity = Math.max(0, q.totalBuyQuantity + drift);
    q.totalSellQuantity = Math.max(0, q.totalSellQuantity - drift + Math.round(quantity * rng.normal()));
  };

  /** The index follows the equities quoted (equal weights against their start prices), plus noise. */
  const stepIndex = (q: LiveQuote, at: EpochMs): void => {
    const level = equityCount === 0 ? 1 : equityRatioSum / equityCount;
    const noise = Math.round(rng.normal() * 2) * TICK_PAISE;
    const price = Math.min(q.upperCircuit, Math.max(q.lowerCircuit, roundToTick(q.base * level + noise)));
    trade(q, price, 0, at);
    q.volume = 0;
  };

  return {
    quotes,
    quote,
    step: (at) => {
      const q = ticking[rng.int(ticking.length)];
      if (q === undefined) throw new RangeError('the simulated market has no instruments to tick');
      const day = istDayNumber(at);
      if (day !== q.dayNumber) rollDay(q, day);
      if (q.instrument.kind === 'index') stepIndex(q, at);
      else stepEquity(q, at);
      return q;
    },
    canStep: () => ticking.length > 0,
    follow: (tokens) => {
      if (lazy === undefined) return;
      ticking = [];
      for (const t of tokens) {
        const q = quote(t);
        if (q !== undefined) ticking.push(q);
      }
    },
    delist: (tokens) => {
      const gone = new Set(tokens);
      for (const t of gone) {
        const q = byToken.get(t);
        if (q === undefined) continue;
        byToken.delete(t);
        if (tracksIndex(q)) {
          equityRatioSum -= q.ltp / q.base;
          equityCount -= 1;
        }
      }
      const kept = quotes.filter((q) => !gone.has(q.instrument.token));
      quotes.splice(0, quotes.length, ...kept);
      if (ticking !== quotes) ticking = ticking.filter((q) => !gone.has(q.instrument.token));
    },
  };
};
