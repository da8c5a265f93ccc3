import type { EpochMs } from './units.ts';

/**
 * How often one instrument ticks, learned from its own ticks: an exponentially weighted mean of
 * the intervals between them. A quiet stock and the busiest index each get their own patience.
 */
export interface Cadence {
  readonly lastTickAt: EpochMs;
  /** Undefined until a second tick gives a first interval. */
  readonly meanIntervalMs: number | undefined;
  readonly samples: number;
}

export interface FreshnessRules {
  /** Silent for this many usual intervals counts as silent... */
  readonly factor: number;
  /** ...but never sooner than this, whatever the cadence. */
  readonly floorMs: number;
  /** Intervals seen before the cadence is trusted; until then the instrument is not judged. */
  readonly minSamples: number;
  /** Weight of the newest interval in the mean, in (0, 1]. */
  readonly alpha: number;
}

export const DEFAULT_FRESHNESS_TUNING = { minSamples: 5, alpha: 0.1 } as const;

/** The silence after which the instrument counts as silent; undefined while its cadence is unknown. */
export const silenceThresholdMs = (
  cadence: Cadence | undefined,
  rules: FreshnessRules,
): number | undefined =>
  cadence?.meanIntervalMs === undefined || cadence.samples < rules.minSamples
    ? undefined
    : Math.max(rules.floorMs, rules.factor * cadence.meanIntervalMs);

/**
 * The cadence after a tick at `at`. Ticks of one frame share a time and teach nothing. An interval
 * longer than the silence threshold is cut to it: a silence already reported (or a night) must not
 * teach the instrument to be silent.
 */
export const learnTick = (cadence: Cadence | undefined, at: EpochMs, rules: FreshnessRules): Cadence => {
  if (cadence === undefined) return { lastTickAt: at, meanIntervalMs: undefined, samples: 0 };
  const interval = at - cadence.lastTickAt;
  if (interval <= 0) return cadence;
  const cap = silenceThresholdMs(cadence, rules) ?? rules.floorMs;
  const x = Math.min(interval, cap);
  const mean =
    cadence.meanIntervalMs === undefined
      ? x
      : cadence.meanIntervalMs + rules.alpha * (x - cadence.meanIntervalMs);
  return { lastTickAt: at, meanIntervalMs: mean, samples: cadence.samples + 1 };
};

/**
 * Whether the instrument is silent at `now`: nothing since `max(lastTickAt, watchedSince)` for
 * longer than its threshold, while the feed as a whole spoke within that threshold (`lastAnyTickAt`):
 * when every instrument is silent, that is the socket, not the instrument.
 * Returns where its silence began, or undefined.
 */
export const silentSince = (
  cadence: Cadence | undefined,
  watchedSince: EpochMs,
  lastAnyTickAt: EpochMs | undefined,
  now: EpochMs,
  rules: FreshnessRules,
): EpochMs | undefined => {
  const threshold = silenceThresholdMs(cadence, rules);
  if (threshold === undefined || cadence === undefined) return undefined;
  const since = Math.max(cadence.lastTickAt, watchedSince) as EpochMs;
  if (now - since <= threshold) return undefined;
  if (lastAnyTickAt === undefined || now - lastAnyTickAt > threshold) return undefined;
  return since;
};
