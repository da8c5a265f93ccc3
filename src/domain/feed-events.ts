import type { InstrumentToken } from './instrument.ts';
import type { EpochMs } from './units.ts';

/**
 * Why data is missing for a stretch of time. The feed's own: a dropped or mute socket, a silent
 * instrument. The service's own (gap-downtime.ts): no tickflow ran, after a crash (`process-down`)
 * or a clean shutdown (`stopped`), so a consumer can tell a planned stop from a crash. The cluster's
 * (shard-checkpoint.ts): another instance died holding the instrument, and the group moved it here
 * only after its session timeout (`failover`).
 */
export type GapCause =
  'disconnect' | 'mute-socket' | 'silent-instrument' | 'process-down' | 'stopped' | 'failover';

/** The causes of a gap that lies between two runs of the service. */
export type DowntimeCause = Extract<GapCause, 'process-down' | 'stopped'>;

/** The causes of a gap no tickflow followed the instrument for: between runs, or after a member died. */
export type UnfollowedCause = Extract<GapCause, DowntimeCause | 'failover'>;

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
