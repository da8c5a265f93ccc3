import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryEventLog, MemoryEventStorage } from '../../../src/adapters/memory/memory-event-log.ts';
import { MemoryHistoricalData } from '../../../src/adapters/memory/memory-historical-data.ts';
import { MemoryLogger } from '../../../src/adapters/memory/memory-logger.ts';
import { MemoryMetrics } from '../../../src/adapters/memory/memory-metrics.ts';
import { MemoryTickSink } from '../../../src/adapters/memory/memory-tick-sink.ts';
import { ManualClock } from '../../../src/adapters/memory/manual-clock.ts';
import { ChunkFiles } from '../../../src/adapters/backfill-stages/chunk-files.ts';
import {
  inProcessStageLauncher,
  type StageBuilder,
} from '../../../src/adapters/backfill-stages/in-process-stages.ts';
import { BackfillLogEventC } from '../../../src/ports/event-log/streams/plan-event-codec.ts';
import { PlanStore } from '../../../src/app/backfill/plan-store.ts';
import { fetchWorker, publishWorker } from '../../../src/app/backfill/stage-workers.ts';
import type { StageLauncher } from '../../../src/ports/backfill-stages/stage-process.ts';
import {
  BackfillJob,
  type BackfillJobSettings,
  type JobTarget,
} from '../../../src/app/backfill/backfill-job.ts';
import {
  BackfillCoordinator,
  type CoordinatorSettings,
  type RunJob,
  type Schedule,
} from '../../../src/app/backfill/backfill-coordinator.ts';
import type { OwnedInstruments, OwnedShard } from '../../../src/app/backfill/owned-instruments.ts';
import type { HandoffSettings } from '../../../src/app/backfill/shard-handoff.ts';
import { MemoryCommandBus } from '../../../src/adapters/memory/memory-command-bus.ts';
import type { CommandBus } from '../../../src/ports/command-bus/command-bus.ts';
import { planProgress } from '../../../src/domain/backfill-plan-queries.ts';
import type { Candle, CandleInterval } from '../../../src/domain/candle.ts';
import { instrumentToken, type InstrumentToken } from '../../../src/domain/instrument.ts';
import { makeMarketSession, type SessionWindow } from '../../../src/domain/market-session.ts';
import { epochMs, rupees, type EpochMs } from '../../../src/domain/units.ts';
import type { FetchFailure } from '../../../src/app/backfill/fetch-stage.ts';

export const nse = makeMarketSession();
export const ist = (s: string): EpochMs => epochMs(Date.parse(`${s.replace(' ', 'T')}+05:30`));
export const NIFTY = instrumentToken(26000);
export const RELIANCE = instrumentToken(2885);
export const TCS = instrumentToken(11536);
/** Saturday 2026-11-21: the last five trading days are Mon 16 to Fri 20 November, all regular. */
export const SATURDAY = ist('2026-11-21 10:00:00');
export const FIVE_DAYS: readonly SessionWindow[] = nse
  .previousTradingDays(SATURDAY, 5)
  .reverse()
  .map(nse.sessionBounds);

/** One bar per interval of every window, with prices that say which bar it is. */
export const candlesFor = (
  tokens: readonly InstrumentToken[],
  windows: readonly SessionWindow[],
  stepMs = 60_000,
): Candle[] =>
  tokens.flatMap((token) =>
    windows.flatMap((w) => {
      const out: Candle[] = [];
      for (let t: number = w.open; t < w.close; t += stepMs) {
        const price = rupees(100 + ((t / stepMs) % 1000) / 100);
        out.push({
          token,
          start: epochMs(t),
          open: price,
          high: price,
          low: price,
          close: price,
          volume: 10,
        });
      }
      return out;
    }),
  );

export const JOB_SETTINGS: BackfillJobSettings = {
  hangMs: 2000,
  maxRestarts: 2,
  heartbeatMs: 50,
  stopTimeoutMs: 2000,
  stallMs: 60_000,
  maxAttempts: 3,
};

export interface Harness {
  readonly clock: ManualClock;
  readonly logger: MemoryLogger;
  readonly metrics: MemoryMetrics;
  readonly historical: MemoryHistoricalData;
  readonly storage: MemoryEventStorage;
  readonly store: PlanStore;
  readonly files: ChunkFiles;
  /** Every sink the publish stage opened (one per process start), in order. */
  readonly sinks: MemoryTickSink[];
  readonly launches: string[];
  readonly launch: StageLauncher;
  /** Every tick published, over all stage processes. */
  ticks(): ReturnType<MemoryTickSink['ticks']>;
  /** A new store over the same storage: what a restarted service would open. */
  reopen(): PlanStore;
}

export const makeHarness = (
  options: {
    readonly classify?: (e: unknown) => FetchFailure;
    readonly wrap?: (launch: StageLauncher) => StageLauncher;
    /** The first `times` fetch stages fail while starting (as with a broker unreachable at start). */
    readonly failingStarts?: number;
  } = {},
): Harness => {
  const clock = new ManualClock(SATURDAY);
  const logger = new MemoryLogger('debug');
  const metrics = new MemoryMetrics();
  const historical = new MemoryHistoricalData();
  const storage = new MemoryEventStorage();
  const reopen = (): PlanStore => new PlanStore(new MemoryEventLog(BackfillLogEventC, storage));
  const files = new ChunkFiles(mkdtempSync(join(tmpdir(), 'tickflow-backfill-')));
  const sinks: MemoryTickSink[] = [];
  const launches: string[] = [];
  let failingStarts = options.failingStarts ?? 0;
  const build: StageBuilder = (stage, context) => {
    if (stage === 'fetch' && failingStarts > 0) {
      failingStarts -= 1;
      return Promise.reject(new Error('cannot reach the broker'));
    }
    if (stage === 'fetch')
      return Promise.resolve(
        fetchWorker(context, { historical, files, classify: options.classify ?? (() => 'retry') }),
      );
    const sink = new MemoryTickSink();
    sinks.push(sink);
    return Promise.resolve(publishWorker(context, { sink, files, clock }));
  };
  const inner = inProcessStageLauncher(build, logger);
  const counted: StageLauncher = (stage, heartbeatMs) => {
    launches.push(stage);
    return inner(stage, heartbeatMs);
  };
  const launch = options.wrap?.(counted) ?? counted;
  return {
    clock,
    logger,
    metrics,
    historical,
    storage,
    store: reopen(),
    files,
    sinks,
    launches,
    launch,
    ticks: () => sinks.flatMap((s) => s.ticks()),
    reopen,
  };
};

export const loadMinuteBars = (
  h: Harness,
  tokens: readonly InstrumentToken[],
  interval: CandleInterval = 'minute',
): void => {
  h.historical.add(interval, candlesFor(tokens, FIVE_DAYS));
};

/** A job runner that runs nothing until told: `finish()` ends the oldest job. */
export const heldJobs = () => {
  const targets: JobTarget[] = [];
  const pending: (() => void)[] = [];
  const runJob: RunJob = (target) => {
    targets.push(target);
    const planId = target.kind === 'new' ? target.request.planId : target.planId;
    return new Promise((resolve) => {
      pending.push(() =>
        resolve({ status: 'succeeded', planId, progress: planProgress({ status: 'idle' }) }),
      );
    });
  };
  const finish = (): void => pending.shift()?.();
  return { targets, runJob, finish };
};

/** What a job needs of the harness: its memory adapters, every instrument on NSE. */
export const jobDepsOf = (h: Harness) => ({
  store: h.store,
  launch: h.launch,
  files: h.files,
  clock: h.clock,
  logger: h.logger,
  metrics: h.metrics,
  exchangeOf: () => 'NSE' as const,
});

/** Runs the real job with in-process stages over the harness's memory adapters. */
export const realJobs =
  (h: Harness): RunJob =>
  (target, signal) =>
    new BackfillJob(jobDepsOf(h), JOB_SETTINGS, target).run({ signal });

/** What a coordinator needs of the harness besides its jobs and bus: the store, NSE's calendar, clock and telemetry. */
export const coordinatorPortsOf = (h: Harness) => ({
  store: h.store,
  session: nse,
  clock: h.clock,
  logger: h.logger,
  metrics: h.metrics,
});

export const COORDINATOR_SETTINGS: CoordinatorSettings = {
  onStart: 'auto',
  defaultDays: 5,
  defaultTokens: [NIFTY, RELIANCE, TCS],
  defaultInterval: 'minute',
};

/** A coordinator over the harness; `owned` makes it a cluster member's. */
export const coordinatorOf = (
  h: Harness,
  runJob: RunJob,
  settings: Partial<CoordinatorSettings> = {},
  extra: {
    bus?: CommandBus;
    schedule?: Schedule;
    owned?: OwnedInstruments;
    handoff?: HandoffSettings;
    refreshInstruments?: () => void;
  } = {},
) =>
  new BackfillCoordinator(
    {
      ...coordinatorPortsOf(h),
      bus: extra.bus ?? new MemoryCommandBus(),
      listenRetryMs: 10,
      runJob,
      ...(extra.schedule === undefined ? {} : { schedule: extra.schedule }),
      ...(extra.owned === undefined ? {} : { owned: extra.owned }),
      ...(extra.handoff === undefined ? {} : { handoff: extra.handoff }),
      ...(extra.refreshInstruments === undefined ? {} : { refreshInstruments: extra.refreshInstruments }),
    },
    { ...COORDINATOR_SETTINGS, ...settings },
  );

/**
 * A cluster member's shards as the group hands them out: nothing until `assign` (tokens alone are
 * one shard, number 0; `assignShards` gives several).
 */
export const membership = () => {
  const first = Promise.withResolvers<undefined>();
  let now: readonly OwnedShard[] = [];
  const owned: OwnedInstruments = {
    ownedShards: async () => {
      await first.promise;
      return now;
    },
  };
  const assignShards = (shards: readonly OwnedShard[]): void => {
    now = shards;
    first.resolve(undefined);
  };
  const assign = (tokens: readonly InstrumentToken[]): void =>
    assignShards(tokens.length === 0 ? [] : [{ shard: 0, tokens }]);
  return { owned, assign, assignShards };
};
