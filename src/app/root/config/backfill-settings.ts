import type { BackfillInstruments } from '../../backfill/backfill-parent.ts';
import type { CoordinatorSettings } from '../../backfill/backfill-coordinator.ts';
import type { BackfillJobSettings } from '../../backfill/backfill-job.ts';
import type { AppConfig } from './app-config.ts';

/** A backfill job's limits, from BACKFILL_CHILD_HANG_MS, BACKFILL_CHILD_MAX_RESTARTS and the rest. */
export const jobSettingsOf = (config: AppConfig): BackfillJobSettings => ({
  hangMs: config.backfillChildHangMs,
  maxRestarts: config.backfillChildMaxRestarts,
  // Several heartbeats per hang window, so one late timer is not a hang.
  heartbeatMs: Math.min(5_000, Math.max(20, Math.floor(config.backfillChildHangMs / 6))),
  // Enough for the publish stage to flush its sink (SINK_CLOSE_TIMEOUT_MS, 10 s by default).
  stopTimeoutMs: 30_000,
  stallMs: config.backfillStageStallMs,
  maxAttempts: config.backfillChunkMaxAttempts,
});

/** What the coordinator starts and asks for by default: BACKFILL_ON_START, BACKFILL_DAYS, the instruments. */
export const coordinatorSettingsOf = (
  config: AppConfig,
  instruments: BackfillInstruments,
): CoordinatorSettings => ({
  onStart: config.backfillOnStart,
  defaultDays: config.backfillDays,
  // Read at each use: a live service's selection may have been refreshed since the start.
  get defaultTokens() {
    return instruments.tokens;
  },
  defaultInterval: config.backfillInterval,
});
