import { CANDLE_INTERVAL_MINUTES, type CandleInterval } from './candle.ts';
import type { InstrumentToken } from './instrument.ts';
import type { SessionWindow } from './market-session.ts';
import { MS_PER_MINUTE, type Brand, type EpochMs } from './units.ts';

/** The broker's cap on bars per historical request (mstock-protocol.md, "Historical candles"). */
export const MAX_BARS_PER_REQUEST = 1000;

export type ChunkId = Brand<string, 'ChunkId'>;

/**
 * One historical request of a plan: bars of one token whose start lies in [from, to], both ends
 * inclusive as `CandleRequest` takes them. `to` is 1 ms before the end of the covered range, so
 * neighbouring chunks never share a bar. `bars` is the most the range can hold.
 */
export interface Chunk {
  readonly id: ChunkId;
  readonly token: InstrumentToken;
  readonly interval: CandleInterval;
  readonly from: EpochMs;
  readonly to: EpochMs;
  readonly bars: number;
}

/** The same id for the same request, so a re-planned backfill names its chunks as before. */
export const chunkIdOf = (
  token: InstrumentToken,
  interval: CandleInterval,
  from: EpochMs,
  to: EpochMs,
): ChunkId => `${token}:${interval}:${from}:${to}` as ChunkId;

const intervalMs = (interval: CandleInterval): number => CANDLE_INTERVAL_MINUTES[interval] * MS_PER_MINUTE;

/**
 * Bars a session holds: bars start at the open every interval, the last one may run past the close
 * (09:15–15:30 in 60-minute bars is 7 bars, the last at 15:15). A session is one daily bar.
 */
export const barsInSession = (window: SessionWindow, interval: CandleInterval): number =>
  interval === 'day' ? 1 : Math.ceil((window.close - window.open) / intervalMs(interval));

/** A stretch of time that one request per token covers: [from, end). */
interface Span {
  readonly from: number;
  end: number;
  bars: number;
}

const splitSession = (window: SessionWindow, interval: CandleInterval, maxBars: number): Span[] => {
  const step = maxBars * intervalMs(interval);
  const spans: Span[] = [];
  for (let from: number = window.open; from < window.close; from += step) {
    const end = Math.min(from + step, window.close);
    spans.push({ from, end, bars: Math.ceil((end - from) / intervalMs(interval)) });
  }
  return spans;
};

/**
 * Splits a backfill into requests of at most `maxBars` bars. Whole sessions are packed together
 * in order (1-minute bars: 375 a session, so two sessions a request); a session is split by time
 * only when it alone holds more than `maxBars` bars.
 *
 * `windows` must be consecutive trading days in ascending order, as `previousTradingDays` gives
 * them (reversed): a request spans from its first session's open to its last one's close, so a
 * trading day missing between two listed ones would be fetched too and could overflow the cap.
 */
export const planChunks = (
  tokens: readonly InstrumentToken[],
  windows: readonly SessionWindow[],
  interval: CandleInterval,
  maxBars: number = MAX_BARS_PER_REQUEST,
): Chunk[] => {
  const spans: Span[] = [];
  let current: Span | undefined;
  for (const w of windows) {
    const bars = barsInSession(w, interval);
    if (bars > maxBars) {
      current = undefined;
      spans.push(...splitSession(w, interval, maxBars));
    } else if (current !== undefined && current.bars + bars <= maxBars) {
      current.end = w.close;
      current.bars += bars;
    } else {
      current = { from: w.open, end: w.close, bars };
      spans.push(current);
    }
  }
  return tokens.flatMap((token) =>
    spans.map((s) => {
      const from = s.from as EpochMs;
      const to = (s.end - 1) as EpochMs;
      return { id: chunkIdOf(token, interval, from, to), token, interval, from, to, bars: s.bars };
    }),
  );
};
