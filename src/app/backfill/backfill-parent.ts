import type { InstrumentToken, Exchange } from '../../domain/instrument.ts';
import type { MarketSession } from '../../domain/market-session.ts';
import type { ChunkFileStore } from '../../ports/backfill-stages/chunk-file-store.ts';
import type { StageLauncher } from '../../ports/backfill-stages/stage-process.ts';
import type { Clock } from '../../ports/clock.ts';
import type { Logger } from '../../ports/logger/logger.ts';
import type { Metrics } from '../../ports/metrics.ts';
import type { RunJob } from './backfill-coordinator.ts';
import { BackfillJob, type BackfillJobSettings, type JobRunOptions } from './backfill-job.ts';
import type { PlanStore } from './plan-store.ts';
import { startProgressLog } from './progress-log.ts';

/** The configured instruments, as the backfill uses them. */
export interface BackfillInstruments {
  readonly tokens: readonly InstrumentToken[];
  readonly exchangeOf: (token: InstrumentToken) => Exchange;
}

/** What the coordinator and the CLI share: the store, the data folder, and how to run a job. */
export interface BackfillParent {
  readonly store: PlanStore;
  readonly files: ChunkFileStore;
  readonly instruments: BackfillInstruments;
  readonly session: MarketSession;
  readonly clock: Clock;
  readonly runJob: RunJob;
  close(): Promise<void>;
}

export interface BackfillParentDeps {
  readonly store: PlanStore;
  readonly files: ChunkFileStore;
  readonly instruments: BackfillInstruments;
  readonly session: MarketSession;
  readonly clock: Clock;
  readonly launch: StageLauncher;
  readonly logger: Logger;
  /** The parent's registry: the stages' metrics are folded into it. */
  readonly metrics: Metrics;
  /** Releases what the parent opened (the plans' event log). */
  readonly close: () => Promise<void>;
}

export interface BackfillParentOptions {
  readonly onProgress?: JobRunOptions['onProgress'];
  /** Log each job's progress at info every few seconds (the service; the CLI prints its own). */
  readonly progressLog?: { readonly everyMs: number; readonly bar: boolean };
}

/** The parent side of the backfill: each job supervises the two stage processes `launch` starts. */
export const makeBackfillParent = (
  deps: BackfillParentDeps,
  settings: BackfillJobSettings,
  options: BackfillParentOptions,
): BackfillParent => {
  const { store, files, clock, logger, metrics, launch, instruments } = deps;
  const runJob: RunJob = async (target, signal) => {
    const shown = options.progressLog;
    const progressLog =
      shown === undefined
        ? undefined
        : startProgressLog({ logger: logger.child({ component: 'backfill' }), ...shown });
    const onProgress: JobRunOptions['onProgress'] = (planId, progress) => {
      progressLog?.update(planId, progress);
      options.onProgress?.(planId, progress);
    };
    try {
      return await new BackfillJob(
        { store, launch, files, clock, logger, metrics, exchangeOf: instruments.exchangeOf },
        settings,
        target,
      ).run({ signal, onProgress });
    } finally {
      progressLog?.stop();
    }
  };
  return {
    store,
    files,
    instruments,
    session: deps.session,
    clock,
    runJob,
    close: deps.close,
  };
};
