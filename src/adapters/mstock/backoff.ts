/** Capped exponential backoff (settings shared by the feed's reconnects and the historical retries). */
export interface BackoffSettings {
  /** The ceiling of the first wait. */
  readonly initialMs: number;
  /** No wait is longer than this. */
  readonly maxMs: number;
  /** Growth of the ceiling per failed attempt. */
  readonly multiplier: number;
}

/**
 * The wait before retry number `attempt` (0 for the first retry): "full jitter", a uniform draw
 * between 0 and min(max, initial × multiplier^attempt). Spreading the waits over the whole range
 * keeps many clients that failed together from retrying together. `random` returns [0, 1) and is
 * injected, so tests choose the draw.
 */
export const backoffDelay = (settings: BackoffSettings, attempt: number, random: () => number): number =>
  Math.floor(random() * backoffCeiling(settings, attempt));

/** The longest wait before retry number `attempt`: min(max, initial × multiplier^attempt). */
export const backoffCeiling = (settings: BackoffSettings, attempt: number): number =>
  Math.min(settings.maxMs, settings.initialMs * settings.multiplier ** Math.max(0, attempt));
