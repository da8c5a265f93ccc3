import { either as E } from 'fp-ts';
import type { Container } from 'inversify';
import { KafkaSinkStartError } from '../../adapters/kafka/kafka-start-error.ts';
import { ConsoleLogger } from '../../adapters/logging/console-logger.ts';
import { isMstockError } from '../../adapters/mstock/mstock-errors.ts';
import { OtpUnavailable } from '../../adapters/mstock/session-manager.ts';
import type { Exchange, Instrument, InstrumentToken } from '../../domain/instrument.ts';
import type { MarketSession } from '../../domain/market-session.ts';
import { ClockId, type Clock } from '../../ports/clock.ts';
import { CommandBusId, type CommandBus } from '../../ports/command-bus/command-bus.ts';
import { HistoricalDataId } from '../../ports/historical-data.ts';
import { LoggerId, type Logger } from '../../ports/logger/logger.ts';
import { MetricsId, type Metrics } from '../../ports/metrics.ts';
import { TickSinkId } from '../../ports/tick-sink/tick-sink.ts';
import type { AppConfig } from './config/app-config.ts';
import { decodeServiceConfig, type ServiceConfig } from './config/service-config.ts';
import type { Env } from './config/setting.ts';
import {
  BackfillLogId,
  MarketSessionId,
  backfillSinkSettings,
  buildBackfillContainer,
  buildStageContainer,
  mstockCredentialsOf,
} from './container.ts';
import { resolveInstruments } from './resolve-instruments.ts';
import { backfillPaths } from '../backfill/backfill-paths.ts';
import {
  BackfillCoordinator,
  type CoordinatorSettings,
  type RunJob,
} from '../backfill/backfill-coordinator.ts';
import { BackfillJob, type BackfillJobSettings, type JobRunOptions } from '../backfill/backfill-job.ts';
import { ChunkFiles } from '../backfill/chunk-files.ts';
import { acquireLockFile } from '../../adapters/system/lock-file.ts';
import type { FetchFailure } from '../backfill/fetch-stage.ts';
import { forkStageLauncher } from '../backfill/fork-stage-launcher.ts';
import { PlanStore } from '../backfill/plan-store.ts';
import { startProgressLog } from '../backfill/progress-log.ts';
import { StageFatal, type StageChildContext, type StageWorker } from '../backfill/stage-child.ts';
import type { StageLauncher } from '../backfill/stage-process.ts';
import { fetchWorker, publishWorker } from '../backfill/stage-workers.ts';

/**
 * The backfill's use of its adapters, all of which come from the composition root: the parent's
 * (the plans' event log, the command bus) from the backfill container, each stage process's (the
 * m.Stock historical data, the Kafka tick sink) from the stage container, built from the
 * environment the stage was forked with. The chunk data folder and the forked stage processes are
 * the backfill's own machinery.
 */

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

export interface BackfillInstruments {
  readonly tokens: readonly InstrumentToken[];
  readonly exchangeOf: (token: InstrumentToken) => Exchange;
}

/** The configured instruments (`resolveInstruments`), as the backfill uses them. */
export const loadBackfillInstruments = async (config: AppConfig): Promise<BackfillInstruments> => {
  const resolved = await resolveInstruments(config);
  if (E.isLeft(resolved)) throw new Error(resolved.left.join('; '));
  const byToken = new Map<string, Instrument>(resolved.right.map((i) => [i.token, i]));
  return {
    tokens: resolved.right.map((i) => i.token),
    exchangeOf: (token) => byToken.get(token)?.exchange ?? 'NSE',
  };
};

export interface BackfillParentOptions {
  /** The environment the stage processes are forked with: the one `config` was decoded from. */
  readonly env: Env;
  readonly logger: Logger;
  /** The parent's registry: `/metrics` of the service. The stages' metrics are folded into it. */
  readonly metrics: Metrics;
  readonly clock?: Clock;
  readonly session?: MarketSession;
  /** Default: forked processes running scripts/batch_nifty50 and scripts/feed_kafka. */
  readonly launch?: StageLauncher;
  readonly onProgress?: JobRunOptions['onProgress'];
  /** Log each job's progress at info every few seconds (the service; the CLI prints its own). */
  readonly progressLog?: { readonly everyMs: number; readonly bar: boolean };
}

/** What the coordinator and the CLI share: the store, the data folder, and how to run a job. */
export interface BackfillParent {
  readonly store: PlanStore;
  readonly files: ChunkFiles;
  readonly instruments: BackfillInstruments;
  readonly session: MarketSession;
  readonly clock: Clock;
  readonly runJob: RunJob;
  close(): Promise<void>;
}

const containerOf = (
  config: ServiceConfig,
  options: BackfillParentOptions & { readonly bus?: CommandBus },
): Container =>
  buildBackfillContainer({
    config,
    logger: options.logger,
    metrics: options.metrics,
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    ...(options.session === undefined ? {} : { session: options.session }),
    ...(options.bus === undefined ? {} : { bus: options.bus }),
  });

const parentOf = async (
  container: Container,
  config: AppConfig,
  options: BackfillParentOptions,
): Promise<BackfillParent> => {
  const logger = container.get(LoggerId);
  const metrics = container.get(MetricsId);
  const clock = container.get(ClockId);
  const session = container.get(MarketSessionId);
  const instruments = await loadBackfillInstruments(config);
  const log = await container.getAsync(BackfillLogId);
  const store = new PlanStore(log);
  const files = new ChunkFiles(backfillPaths(config).chunks);
  const launch = options.launch ?? forkStageLauncher({ env: options.env });
  const settings = jobSettingsOf(config);
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
    session,
    clock,
    runJob,
    close: () => log.close(),
  };
};

export const buildBackfillParent = (
  service: ServiceConfig,
  options: BackfillParentOptions,
): Promise<BackfillParent> => parentOf(containerOf(service, options), service.app, options);

export const coordinatorSettingsOf = (
  config: AppConfig,
  instruments: BackfillInstruments,
): CoordinatorSettings => ({
  onStart: config.backfillOnStart,
  defaultDays: config.backfillDays,
  defaultTokens: instruments.tokens,
  defaultInterval: config.backfillInterval,
});

/** How often a running job's progress is logged by the service. */
const PROGRESS_LOG_EVERY_MS = 5_000;

export interface RunningBackfill {
  readonly coordinator: BackfillCoordinator;
  /** Stops the coordinator (a running job's plan stays resumable) and closes what it opened. */
  stop(): Promise<void>;
}

/**
 * The backfill of the live service: a coordinator that resumes or starts a backfill as
 * BACKFILL_ON_START says, without waiting for Redis, and listens on the Redis command channel once
 * Redis answers. Feed gaps go to `coordinator.fillGap`.
 */
export const startBackfillCoordinator = async (
  config: ServiceConfig,
  options: BackfillParentOptions & { readonly bus?: CommandBus },
): Promise<RunningBackfill> => {
  const container = containerOf(config, options);
  const format = config.app.logFormat;
  const parent = await parentOf(container, config.app, {
    progressLog: {
      everyMs: PROGRESS_LOG_EVERY_MS,
      bar: format === 'human' || (format === 'auto' && process.stderr.isTTY),
    },
    ...options,
  });
  const bus = container.get(CommandBusId);
  const coordinator = new BackfillCoordinator(
    {
      bus,
      store: parent.store,
      runJob: parent.runJob,
      session: parent.session,
      clock: parent.clock,
      logger: options.logger,
      metrics: options.metrics,
    },
    coordinatorSettingsOf(config.app, parent.instruments),
  );
  try {
    await coordinator.start();
  } catch (e) {
    await coordinator.stop().catch(() => undefined);
    if (options.bus === undefined) await bus.close().catch(() => undefined);
    await parent.close();
    throw e;
  }
  return {
    coordinator,
    stop: async () => {
      await coordinator.stop();
      if (options.bus === undefined) await bus.close();
      await parent.close();
    },
  };
};

// The stage processes.

/** The configuration a stage process is forked with; a bad one is fatal (a restart cannot fix it). */
export const stageConfig = (env: Env): ServiceConfig => {
  const config = decodeServiceConfig(env, 'backfill');
  if (E.isLeft(config)) throw new StageFatal(`bad settings: ${config.left.join('; ')}`);
  return config.right;
};

/** A stage's logger: to stderr, so a CLI's progress on stdout stays readable. */
export const stageLogger = (env: Env, stage: string): Logger => {
  const config = decodeServiceConfig(env, 'backfill');
  const level = E.isRight(config) ? config.right.app.logLevel : 'info';
  const format = E.isRight(config) ? config.right.app.logFormat : 'auto';
  return new ConsoleLogger({
    level,
    format: format === 'auto' ? (process.stderr.isTTY ? 'human' : 'json') : format,
    out: process.stderr,
    base: { stage, pid: process.pid },
  });
};

/** A stage's adapters: its metrics and logger are the stage process's own, sent to the parent. */
const stageContainerOf = (config: ServiceConfig, context: StageChildContext): Container =>
  buildStageContainer({ config, logger: context.logger, metrics: context.metrics });

/** m.Stock's failures as the fetch stage acts on them. */
export const classifyMstockFailure = (e: unknown): FetchFailure => {
  if (e instanceof OtpUnavailable) return 'fatal';
  if (!isMstockError(e)) return 'retry';
  switch (e.kind) {
    case 'InvalidCredentials':
    case 'InvalidOtp':
    case 'ApiKeyRejected':
      return 'fatal';
    case 'UnexpectedResponse':
      return 'give-up';
    case 'SessionExpired':
    case 'RateLimited':
    case 'BrokerUnavailable':
      return 'retry';
  }
};

/** The fetch stage: m.Stock historical candles, measured through the IPC metrics. */
export const buildFetchWorker = (env: Env, context: StageChildContext): Promise<StageWorker> => {
  const config = stageConfig(env);
  if (mstockCredentialsOf(config.app) === undefined)
    throw new StageFatal('MSTOCK_USER, MSTOCK_PASS and MSTOCK_API_KEY are required');
  const historical = stageContainerOf(config, context).get(HistoricalDataId);
  return Promise.resolve(fetchWorker(context, historical, classifyMstockFailure));
};

/** The publish stage: the Kafka tick sink on its own journal, locked against a second writer. */
export const buildPublishWorker = async (env: Env, context: StageChildContext): Promise<StageWorker> => {
  const config = stageConfig(env);
  const settings = backfillSinkSettings(config);
  // An orphan of a killed parent may still be closing this journal: wait for it.
  const release = await acquireLockFile(`${settings.journal.dir}.lock`, settings.closeTimeoutMs + 10_000);
  try {
    const container = stageContainerOf(config, context);
    const sink = await container.getAsync(TickSinkId);
    const worker = publishWorker(context, sink, container.get(ClockId));
    return {
      handle: (m) => worker.handle(m),
      close: async () => {
        try {
          await worker.close();
        } finally {
          await release();
        }
      },
    };
  } catch (e) {
    await release();
    if (e instanceof KafkaSinkStartError && e.kind !== 'BrokerUnreachable')
      throw new StageFatal(e.message, { cause: e });
    throw e;
  }
};
