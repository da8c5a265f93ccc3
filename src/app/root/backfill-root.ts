import type { Container } from 'inversify';
import type { MarketSession } from '../../domain/market-session.ts';
import type { StageLauncher } from '../../ports/backfill-stages/stage-process.ts';
import type { Clock } from '../../ports/clock.ts';
import { CommandBusId, type CommandBus } from '../../ports/command-bus/command-bus.ts';
import type { Logger } from '../../ports/logger/logger.ts';
import type { Metrics } from '../../ports/metrics.ts';
import type { BackfillCoordinator } from '../backfill/backfill-coordinator.ts';
import type {
  BackfillInstruments,
  BackfillParent,
  BackfillParentOptions,
} from '../backfill/backfill-parent.ts';
import type { OwnedInstruments } from '../backfill/owned-instruments.ts';
import type { ServiceConfig } from './config/service-config.ts';
import type { Env } from './config/setting.ts';
import { buildBackfillContainer } from './container/backfill-container.ts';
import {
  BackfillCoordinatorId,
  BackfillInstrumentsId,
  BackfillParentId,
} from './container/backfill-tokens.ts';

/**
 * The backfill parent's composition root: `tickflow backfill` (`buildBackfillParent`) and the
 * coordinator inside `live` (`startBackfillCoordinator`). Everything comes from the backfill
 * container, resolved here; the stage processes have their own root (stage-root.ts).
 */

export interface BackfillRootOptions extends BackfillParentOptions {
  /** The environment the stage processes are forked with: the one `config` was decoded from. */
  readonly env: Env;
  readonly logger: Logger;
  /** The parent's registry: `/metrics` of the service. The stages' metrics are folded into it. */
  readonly metrics: Metrics;
  readonly clock?: Clock;
  readonly session?: MarketSession;
  /** Default: forked processes running scripts/batch_nifty50 and scripts/feed_kafka. */
  readonly launch?: StageLauncher;
}

/** What the live service adds: its command bus, and in a cluster the instruments it owns. */
export interface ServiceBackfillOptions extends BackfillRootOptions {
  readonly bus?: CommandBus;
  /** CLUSTER_GROUP: start-up and START_BACKFILL backfills cover only these instruments. */
  readonly owned?: OwnedInstruments;
  /** The service's selection (read at each use: INSTRUMENTS_QUERY refreshes it). */
  readonly instruments?: BackfillInstruments;
  /** Where REFRESH_INSTRUMENTS goes (a service with INSTRUMENTS_QUERY). */
  readonly refreshInstruments?: () => void;
}

const containerOf = (config: ServiceConfig, options: ServiceBackfillOptions): Container => {
  const { onProgress, progressLog } = options;
  return buildBackfillContainer({
    config,
    env: options.env,
    logger: options.logger,
    metrics: options.metrics,
    progress: {
      ...(onProgress === undefined ? {} : { onProgress }),
      ...(progressLog === undefined ? {} : { progressLog }),
    },
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    ...(options.session === undefined ? {} : { session: options.session }),
    ...(options.bus === undefined ? {} : { bus: options.bus }),
    ...(options.launch === undefined ? {} : { launch: options.launch }),
    ...(options.owned === undefined ? {} : { owned: options.owned }),
    ...(options.instruments === undefined ? {} : { instruments: options.instruments }),
    ...(options.refreshInstruments === undefined ? {} : { refreshInstruments: options.refreshInstruments }),
  });
};

/** The parent of `tickflow backfill`: its plans' store, its instruments, and a way to run a job. */
export const buildBackfillParent = async (
  config: ServiceConfig,
  options: BackfillRootOptions,
): Promise<BackfillParent> => {
  const container = containerOf(config, options);
  // The instruments first: a bad instruments file stops the start before the event log is opened.
  await container.getAsync(BackfillInstrumentsId);
  return container.getAsync(BackfillParentId);
};

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
 * Redis answers. Feed gaps go to `coordinator.fillGap`. Without `bus`, it has a Redis bus of its own.
 * With `owned` (a cluster member), its start-up backfill waits for the first assignment.
 */
export const startBackfillCoordinator = async (
  config: ServiceConfig,
  options: ServiceBackfillOptions,
): Promise<RunningBackfill> => {
  const format = config.app.logFormat;
  const container = containerOf(config, {
    progressLog: {
      everyMs: PROGRESS_LOG_EVERY_MS,
      bar: format === 'human' || (format === 'auto' && process.stderr.isTTY),
    },
    ...options,
  });
  // In this order, as each needs the one before: a failure leaves nothing open.
  await container.getAsync(BackfillInstrumentsId);
  const parent = await container.getAsync(BackfillParentId);
  let bus: CommandBus;
  let coordinator: BackfillCoordinator;
  try {
    bus = await container.getAsync(CommandBusId);
    coordinator = await container.getAsync(BackfillCoordinatorId);
  } catch (e) {
    await parent.close();
    throw e;
  }
  const closeOwnBus = async (): Promise<void> => {
    if (options.bus === undefined) await bus.close();
  };
  try {
    await coordinator.start();
  } catch (e) {
    await coordinator.stop().catch(() => undefined);
    await closeOwnBus().catch(() => undefined);
    await parent.close();
    throw e;
  }
  return {
    coordinator,
    stop: async () => {
      await coordinator.stop();
      await closeOwnBus();
      await parent.close();
    },
  };
};
