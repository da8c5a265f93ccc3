import { CANDLE_INTERVAL_MINUTES, type CandleInterval } from '../../domain/candle.ts';
import { IST_OFFSET_MS, istDayNumber } from '../../domain/ist.ts';
import { MS_PER_DAY, MS_PER_MINUTE, MS_PER_SECOND, type EpochMs } from '../../domain/units.ts';

export interface WindowSettings {
  /** The broker's cap on bars per request (mstock-protocol.md: 1000). */
  readonly maxBarsPerRequest: number;
  /** Trading minutes in one day: NSE 09:15–15:30 is 375. No day is assumed to have more bars. */
  readonly sessionMinutesPerDay: number;
}

/** One request's time range, both ends inclusive, on whole seconds (the broker's resolution). */
export interface RequestWindow {
  readonly from: EpochMs;
  readonly to: EpochMs;
}

const ms = (n: number): EpochMs => n as EpochMs;

/**
 * Splits [from, to] into request windows that each hold at most `maxBarsPerRequest` bars, without
 * knowing the holiday calendar. Each IST calendar day in the range is weighed by the most bars it
 * can hold: the whole session's worth (375 one-minute bars), or fewer when the range covers only
 * part of the day; whole days are then packed into windows up to the cap. For 1-minute bars that
 * is two days a request, where splitting by wall time (1000 minutes) would need one or more per
 * day. A weekend or holiday costs a little room in a window, never an extra request of its own
 * unless it stands alone at the range's end. Windows are contiguous: each starts one second after
 * the previous ends, so no bar falls between two.
 */
export const requestWindows = (
  from: EpochMs,
  to: EpochMs,
  interval: CandleInterval,
  settings: WindowSettings,
): RequestWindow[] => {
  const start = Math.ceil(from / MS_PER_SECOND) * MS_PER_SECOND;
  const end = Math.floor(to / MS_PER_SECOND) * MS_PER_SECOND;
  if (start > end) return [];
  const max = Math.max(1, Math.floor(settings.maxBarsPerRequest));
  const barMs = interval === 'day' ? MS_PER_DAY : CANDLE_INTERVAL_MINUTES[interval] * MS_PER_MINUTE;
  const dayCap =
    interval === 'day' ? 1 : Math.ceil(settings.sessionMinutesPerDay / CANDLE_INTERVAL_MINUTES[interval]);
  // The most bar starts, `barMs` apart, that an inclusive span can hold.
  const barsIn = (a: number, b: number): number => Math.floor((b - a) / barMs) + 1;

  const windows: RequestWindow[] = [];
  let open: { from: number; to: number; bars: number } | undefined;
  const close = (): void => {
    if (open !== undefined) windows.push({ from: ms(open.from), to: ms(open.to) });
    open = undefined;
  };
  for (let day = istDayNumber(ms(start)); day <= istDayNumber(ms(end)); day++) {
    const dayStart = day * MS_PER_DAY - IST_OFFSET_MS;
    const segFrom = Math.max(start, dayStart);
    const segTo = Math.min(end, dayStart + MS_PER_DAY - MS_PER_SECOND);
    const bars = Math.min(dayCap, barsIn(segFrom, segTo));
    if (bars > max) {
      // Only when the cap is below one day's bars: cut the day by wall time, `max` bars a piece.
      close();
      for (let pieceFrom = segFrom; pieceFrom <= segTo; pieceFrom += max * barMs) {
        windows.push({
          from: ms(pieceFrom),
          to: ms(Math.min(segTo, pieceFrom + max * barMs - MS_PER_SECOND)),
        });
      }
      continue;
    }
    if (open !== undefined && open.bars + bars <= max) {
      open.to = segTo;
      open.bars += bars;
    } else {
      close();
      open = { from: segFrom, to: segTo, bars };
    }
  }
  close();
  return windows;
};
