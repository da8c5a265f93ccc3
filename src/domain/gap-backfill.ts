import { CANDLE_INTERVAL_MINUTES, type CandleInterval } from './candle.ts';
import type { FeedGap } from './feed-events.ts';
import type { InstrumentToken } from './instrument.ts';
import { istDateOfDayNumber, istDayNumber } from './ist.ts';
import type { MarketSession, SessionWindow } from './market-session.ts';
import { MS_PER_MINUTE, type EpochMs } from './units.ts';

/**
 * What a feed gap asks of the backfill: its tokens, and the sessions it touched cut down to the
 * bars it overlaps. The windows fit `RequestBackfill.days` as they are (consecutive trading days,
 * oldest first, each within its session), so the plan decider needs no variant for gaps.
 */
export interface GapBackfill {
  readonly tokens: readonly InstrumentToken[];
  readonly windows: readonly SessionWindow[];
  readonly interval: CandleInterval;
  /** When the broker's bars of the last window are final: fetching earlier could store partial bars. */
  readonly readyAt: EpochMs;
}

/**
 * The bars to refetch for a gap: every bar whose time overlaps [from, to], both ends counted (a
 * tick may be missing at either edge, and refetching one bar too many is harmless). Days the gap
 * spans whole are taken whole. Undefined when the gap touches no session (a disconnect at night)
 * or names no token.
 */
export const gapBackfill = (
  gap: FeedGap,
  session: MarketSession,
  interval: CandleInterval = 'minute',
): GapBackfill | undefined => {
  if (gap.tokens.length === 0 || gap.to < gap.from) return undefined;
  const windows: SessionWindow[] = [];
  for (let d = istDayNumber(gap.from); d <= istDayNumber(gap.to); d++) {
    const day = session.tradingDay(istDateOfDayNumber(d));
    if (day === undefined) continue;
    const w = session.sessionBounds(day);
    if (gap.to < w.open || gap.from >= w.close) continue;
    // Bars start at the open every `bar` ms; a day bar is the whole session.
    const bar = interval === 'day' ? w.close - w.open : CANDLE_INTERVAL_MINUTES[interval] * MS_PER_MINUTE;
    const first = Math.max(0, Math.floor((gap.from - w.open) / bar));
    const last = Math.floor((Math.min(gap.to, w.close - 1) - w.open) / bar);
    windows.push({
      day,
      open: (w.open + first * bar) as EpochMs,
      close: Math.min(w.close, w.open + (last + 1) * bar) as EpochMs,
    });
  }
  const lastWindow = windows.at(-1);
  if (lastWindow === undefined) return undefined;
  return {
    tokens: [...new Set(gap.tokens)],
    windows,
    interval,
    readyAt: session.barsFinalAt(lastWindow.day),
  };
};
