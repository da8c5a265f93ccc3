import type { InstrumentToken } from './instrument.ts';
import type { EpochMs } from './units.ts';

/** Why data is missing for a stretch of time. */
export type GapCause = 'disconnect' | 'mute-socket' | 'silent-instrument';

/**
 * A stretch of time for which tickflow knows it lacks ticks of some instruments. Gaps are data:
 * they travel in the same stream as ticks and are filled later by a targeted backfill.
 */
export interface FeedGap {
  readonly tokens: readonly InstrumentToken[];
  readonly from: EpochMs;
  readonly to: EpochMs;
  readonly cause: GapCause;
}

/** The life of a feed connection, as events. A disconnect and the next connect bound a gap. */
export type FeedEvent =
  | { readonly type: 'FeedConnected'; readonly data: { readonly at: EpochMs; readonly attempt: number } }
  | {
      readonly type: 'FeedDisconnected';
      readonly data: { readonly at: EpochMs; readonly reason: string };
    }
  | { readonly type: 'FeedGapDetected'; readonly data: FeedGap };
