import type { Candle } from './candle.ts';
import type { InstrumentToken } from './instrument.ts';
import type { MinuteBar } from './minute-bars.ts';
import { MS_PER_MINUTE, type EpochMs } from './units.ts';

/** One minute where the live bars and the broker's candles disagree. */
export type BarDifference =
  | { readonly kind: 'missing-live'; readonly minute: EpochMs; readonly brokerVolume: number }
  | { readonly kind: 'missing-broker'; readonly minute: EpochMs }
  | { readonly kind: 'volume'; readonly minute: EpochMs; readonly live: number; readonly broker: number }
  | { readonly kind: 'ohlc'; readonly minute: EpochMs; readonly field: 'open' | 'high' | 'low' | 'close' };

export interface ReconciliationReport {
  readonly token: InstrumentToken;
  /** Minutes the broker has bars for. */
  readonly brokerMinutes: number;
  readonly missingLive: number;
  readonly missingBroker: number;
  /** Sum over compared minutes of |live volume − broker volume|. */
  readonly volumeDelta: number;
  readonly ohlcMismatches: number;
  /** Every difference, oldest first. */
  readonly differences: readonly BarDifference[];
}

/** A stretch of time the live feed was connected: [from, to). */
export interface WatchSpan {
  readonly from: EpochMs;
  readonly to: EpochMs;
}

/**
 * Whether the feed was connected for the whole minute starting at `minute`. A minute it joined or
 * left midway cannot be judged: its bar lacks the ticks before the connect (or after the drop), and
 * that loss is already on record as a gap or as the time before the service started.
 */
export const watchedMinute = (spans: readonly WatchSpan[], minute: number): boolean =>
  spans.some((s) => s.from <= minute && minute + MS_PER_MINUTE <= s.to);

/**
 * The watched spans with announced gaps cut out: a minute inside a gap already on record (a mute
 * socket, a silent instrument) is not judged again, so the reconciliation reports only losses no
 * gap announced.
 */
export const withoutGaps = (
  spans: readonly WatchSpan[],
  gaps: readonly { readonly from: EpochMs; readonly to: EpochMs }[],
): WatchSpan[] => {
  let out: WatchSpan[] = [...spans];
  for (const g of gaps) {
    const next: WatchSpan[] = [];
    for (const s of out) {
      if (g.to <= s.from || g.from >= s.to) {
        next.push(s);
        continue;
      }
      if (g.from > s.from) next.push({ from: s.from, to: g.from });
      if (g.to < s.to) next.push({ from: g.to, to: s.to });
    }
    out = next;
  }
  return out;
};

/**
 * Compares one token's live minute bars with the broker's official candles for the same session,
 * over the minutes the feed watched whole (`spans`; `'all'` compares every minute). A minute the
 * broker traded in and the live feed has no bar for is a loss no disconnect announced. Prices differ
 * when they differ by more than `priceTolerance` (rupees); volume is compared only on bars whose
 * opening volume was seen (`complete`).
 */
export const reconcileBars = (
  token: InstrumentToken,
  allLive: readonly MinuteBar[],
  allBroker: readonly Candle[],
  priceTolerance: number,
  spans: readonly WatchSpan[] | 'all' = 'all',
): ReconciliationReport => {
  const watched = (minute: number): boolean => spans === 'all' || watchedMinute(spans, minute);
  const live = allLive.filter((b) => watched(b.start));
  const broker = allBroker.filter((c) => watched(c.start));
  const liveByMinute = new Map(live.map((b) => [b.start as number, b]));
  const brokerMinutes = new Set(broker.map((c) => c.start as number));
  const differences: BarDifference[] = [];
  let volumeDelta = 0;
  for (const c of [...broker].sort((a, b) => a.start - b.start)) {
    const l = liveByMinute.get(c.start);
    if (l === undefined) {
      if (c.volume > 0) differences.push({ kind: 'missing-live', minute: c.start, brokerVolume: c.volume });
      continue;
    }
    for (const field of ['open', 'high', 'low', 'close'] as const)
      if (Math.abs(l[field] - c[field]) > priceTolerance)
        differences.push({ kind: 'ohlc', minute: c.start, field });
    if (l.complete && l.volume !== c.volume) {
      volumeDelta += Math.abs(l.volume - c.volume);
      differences.push({ kind: 'volume', minute: c.start, live: l.volume, broker: c.volume });
    }
  }
  for (const l of live)
    if (!brokerMinutes.has(l.start)) differences.push({ kind: 'missing-broker', minute: l.start });
  differences.sort((a, b) => a.minute - b.minute);
  return {
    token,
    brokerMinutes: brokerMinutes.size,
    missingLive: differences.filter((d) => d.kind === 'missing-live').length,
    missingBroker: differences.filter((d) => d.kind === 'missing-broker').length,
    volumeDelta,
    ohlcMismatches: differences.filter((d) => d.kind === 'ohlc').length,
    differences,
  };
};
