import type { Candle } from './candle.ts';
import { istDayNumber } from './ist.ts';
import type { MarketSession } from './market-session.ts';
import { tickTime, type Tick } from './tick.ts';
import { MS_PER_MINUTE, type EpochMs, type Rupees } from './units.ts';

/**
 * A 1-minute bar built from live ticks. Its volume is the rise of the cumulative volume over the
 * minute, from the last tick before it; `complete` says that tick was seen (else the first tick's
 * own trade is missing from the volume, and the bar is not used to judge volume).
 */
export interface MinuteBar extends Candle {
  readonly ticks: number;
  readonly complete: boolean;
}

interface Building {
  readonly start: EpochMs;
  readonly open: Rupees;
  readonly high: Rupees;
  readonly low: Rupees;
  readonly close: Rupees;
  readonly ticks: number;
  /** Cumulative volume before the minute (the previous minute's last tick), if seen. */
  readonly baseVolume: number | undefined;
  readonly firstVolume: number;
  readonly lastVolume: number;
}

/** One token's bar being built, and the last cumulative volume seen today. */
export interface TokenBars {
  readonly day: number;
  readonly building: Building | undefined;
  readonly lastVolume: number | undefined;
}

const finish = (tick: Pick<Tick, 'token'>, b: Building): MinuteBar => ({
  token: tick.token,
  start: b.start,
  open: b.open,
  high: b.high,
  low: b.low,
  close: b.close,
  volume: Math.max(0, b.lastVolume - (b.baseVolume ?? b.firstVolume)),
  ticks: b.ticks,
  complete: b.baseVolume !== undefined,
});

const begin = (tick: Tick, start: EpochMs, baseVolume: number | undefined): Building => ({
  start,
  open: tick.ltp,
  high: tick.ltp,
  low: tick.ltp,
  close: tick.ltp,
  ticks: 1,
  baseVolume,
  firstVolume: tick.volume,
  lastVolume: tick.volume,
});

/**
 * Adds a tick (by its exchange time) to its token's bars. Ticks outside the continuous session
 * build no bar (they still move the cumulative volume), and a tick older than the bar being built
 * is left out (bars only move forward). Returns the bar the tick completed, if any.
 */
export const addTick = (
  state: TokenBars | undefined,
  tick: Tick,
  session: MarketSession,
): { readonly state: TokenBars; readonly done: MinuteBar | undefined } => {
  const at = tickTime(tick);
  const day = istDayNumber(at);
  const s: TokenBars =
    state === undefined || state.day !== day ? { day, building: undefined, lastVolume: undefined } : state;
  if (!session.isOpen(at)) return { state: { ...s, lastVolume: tick.volume }, done: undefined };
  const start = (Math.floor(at / MS_PER_MINUTE) * MS_PER_MINUTE) as EpochMs;
  const b = s.building;
  if (b !== undefined && start < b.start) return { state: s, done: undefined };
  if (b !== undefined && start === b.start) {
    const next: Building = {
      ...b,
      high: tick.ltp > b.high ? tick.ltp : b.high,
      low: tick.ltp < b.low ? tick.ltp : b.low,
      close: tick.ltp,
      ticks: b.ticks + 1,
      lastVolume: tick.volume,
    };
    return { state: { ...s, building: next, lastVolume: tick.volume }, done: undefined };
  }
  const done = b === undefined ? undefined : finish(tick, b);
  return {
    state: { day, building: begin(tick, start, s.lastVolume), lastVolume: tick.volume },
    done,
  };
};

/** Completes the bar being built once its minute is over by `graceMs` (a token may tick rarely). */
export const flushBar = (
  state: TokenBars,
  token: Tick['token'],
  now: EpochMs,
  graceMs: number,
): { readonly state: TokenBars; readonly done: MinuteBar | undefined } => {
  const b = state.building;
  if (b === undefined || now < b.start + MS_PER_MINUTE + graceMs) return { state, done: undefined };
  return { state: { ...state, building: undefined }, done: finish({ token }, b) };
};
