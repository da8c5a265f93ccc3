import { CANDLE_INTERVAL_MINUTES, type CandleInterval } from '../domain/candle.ts';
import { dayNumberOfIstDate, IST_OFFSET_MS } from '../domain/ist.ts';
import type { MarketSession, TradingDay } from '../domain/market-session.ts';
import { MS_PER_DAY, MS_PER_MINUTE, type EpochMs } from '../domain/units.ts';
import type { SimBar } from './candle-model.ts';

/** How day bars are labelled: Kite labels them 00:00 IST (inferred for m.Stock), or the session open. */
export type DayCandleLabel = 'midnight' | 'open';

/** One bar from consecutive bars: first open, last close, extreme prices, summed volume. */
export const mergeBars = (group: readonly SimBar[], start: EpochMs): SimBar => {
  let high = 0;
  let low = Number.POSITIVE_INFINITY;
  let volume = 0;
  for (const b of group) {
    high = Math.max(high, b.high);
    low = Math.min(low, b.low);
    volume += b.volume;
  }
  return { start, open: group[0]?.open ?? 0, high, low, close: group.at(-1)?.close ?? 0, volume };
};

/**
 * A session's bars of `interval` from its minute bars (oldest first). Bars of n minutes start at
 * the session open plus a multiple of n, whatever minute their first trade fell in; a window with
 * no minute bar gives no bar, as a broker answers for a minute nobody traded in. The day bar holds
 * the whole session, labelled as `dayLabel` says.
 */
export const sessionBars = (
  minutes: readonly SimBar[],
  interval: CandleInterval,
  session: MarketSession,
  day: TradingDay,
  dayLabel: DayCandleLabel,
): readonly SimBar[] => {
  if (interval === 'minute') return minutes;
  const open = session.sessionBounds(day).open;
  if (interval === 'day') {
    if (minutes.length === 0) return [];
    const label =
      dayLabel === 'midnight' ? ((dayNumberOfIstDate(day) * MS_PER_DAY - IST_OFFSET_MS) as EpochMs) : open;
    return [mergeBars(minutes, label)];
  }
  const width = CANDLE_INTERVAL_MINUTES[interval] * MS_PER_MINUTE;
  const out: SimBar[] = [];
  let group: SimBar[] = [];
  let groupStart = 0;
  for (const b of minutes) {
    const start = open + Math.floor((b.start - open) / width) * width;
    if (group.length > 0 && start !== groupStart) {
      out.push(mergeBars(group, groupStart as EpochMs));
      group = [];
    }
    groupStart = start;
    group.push(b);
  }
  if (group.length > 0) out.push(mergeBars(group, groupStart as EpochMs));
  return out;
};
