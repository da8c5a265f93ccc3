import { Container } from 'inversify';
import { ChunkFiles } from '../../../adapters/backfill-stages/chunk-files.ts';
import { forkStageLauncher } from '../../../adapters/backfill-stages/fork-stage-launcher.ts';
import { RedisCommandBus } from '../../../adapters/redis/redis-command-bus.ts';
import type { MarketSession } from '../../../domain/market-session.ts';
import { ChunkFileStoreId, type ChunkFileStore } from '../../../ports/backfill-stages/chunk-file-store.ts';
import { StageLauncherId, type StageLauncher } from '../../../ports/backfill-stages/stage-process.ts';
import { ClockId, type Clock } from '../../../ports/clock.ts';
import { CommandBusId, type CommandBus } from '../../../ports/command-bus/command-bus.ts';
import type { EventLog } from '../../../ports/event-log/event-log.ts';
import type { BackfillLogEvent } from '../../../ports/event-log/streams/plan-event-codec.ts';
import { LoggerId, type Logger } from '../../../ports/logger/logger.ts';
import { MetricsId, type Metrics } from '../../../ports/metrics.ts';
import { BackfillCoordinator } from '../../backfill/backfill-coordinator.ts';
import type { OwnedInstruments } from '../../backfill/owned-instruments.ts';
import {
  makeBackfillParent,
  type BackfillInstruments,
  type BackfillParent,
  type BackfillParentOptions,
} from '../../backfill/backfill-parent.ts';
import { PlanStore } from '../../backfill/plan-store.ts';
import { loadBackfillInstruments } from '../backfill-instruments.ts';
import { backfillPaths } from '../config/backfill-paths.ts';
import { coordinatorSettingsOf, jobSettingsOf } from '../config/backfill-settings.ts';
import type { ServiceConfig } from '../config/service-config.ts';
import type { Env } from '../config/setting.ts';
import { bindBase } from './base-bindings.ts';
import {
  BackfillCoordinatorId,
  BackfillInstrumentsId,
  BackfillParentId,
  PlanStoreId,
} from './backfill-tokens.ts';
import { bindBackfillLog } from './event-log-bindings.ts';
import { BackfillLogId, MarketSessionId } from './tokens.ts';

export interface BackfillInputs {
  readonly config: ServiceConfig;
  /** The environment the stage processes are forked with: the one `config` was decoded from. */
  readonly env: Env;
  readonly logger: Logger;
  /** The parent's registry: the stages' metrics are folded into it. */
  readonly metrics: Metrics;
  readonly clock?: Clock;
  readonly session?: MarketSession;
  /** The live service's command bus, shared; without it the backfill has a Redis bus of its own. */
  readonly bus?: CommandBus;
  /** Default: forked processes running scripts/batch_nifty50 and scripts/feed_kafka. */
  readonly launch?: StageLauncher;
  /** How jobs report their progress (the CLI's printer, the service's log). */
  readonly progress?: BackfillParentOptions;
  /** A cluster member's instruments (CLUSTER_GROUP): the coordinator backfills only these. */
  readonly owned?: OwnedInstruments;
  /** The live service's selection, read at each use (it is refreshed); absent: INSTRUMENTS_FILE / the master's copy. */
  readonly instruments?: BackfillInstruments;
  /** REFRESH_INSTRUMENTS from the command bus goes here (a service with INSTRUMENTS_QUERY). */
  readonly refreshInstruments?: () => void;
}

/**
 * The backfill's parent side (`tickflow backfill`, and the coordinator inside `live`): the plans'
 * event log and store, the chunk data folder, the stage processes, the command bus, and the
 * parent and coordinator made of them. The stages' own adapters are in the stage container.
 */
export const buildBackfillContainer = (inputs: BackfillInputs): Container => {
  const { config } = inputs;
  const c = new Container({ defaultScope: 'Singleton' });
  bindBase(c, inputs);
  bindBackfillLog(c, config);
  if (inputs.bus === undefined) {
    c.bind(CommandBusId).toResolvedValue(
      (logger: Logger, metrics: Metrics) => new RedisCommandBus(config.redis, { logger, metrics }),
      [LoggerId, MetricsId],
    );
  } else c.bind(CommandBusId).toConstantValue(inputs.bus);
  const given = inputs.instruments;
  c.bind(BackfillInstrumentsId).toResolvedValue(() => given ?? loadBackfillInstruments(config.app));
  c.bind(PlanStoreId).toResolvedValue(
    (log: EventLog<BackfillLogEvent>) => new PlanStore(log, { sharedByMembers: inputs.owned !== undefined }),
    [BackfillLogId],
  );
  c.bind(ChunkFileStoreId).toConstantValue(new ChunkFiles(backfillPaths(config.app).chunks));
  c.bind(StageLauncherId).toConstantValue(inputs.launch ?? forkStageLauncher({ env: inputs.env }));
  c.bind(BackfillParentId).toResolvedValue(
    (
      instruments: BackfillInstruments,
      log: EventLog<BackfillLogEvent>,
      store: PlanStore,
      files: ChunkFileStore,
      launch: StageLauncher,
      session: MarketSession,
      clock: Clock,
      logger: Logger,
      metrics: Metrics,
    ) =>
      makeBackfillParent(
        { instruments, store, files, launch, session, clock, logger, metrics, close: () => log.close() },
        jobSettingsOf(config.app),
        inputs.progress ?? {},
      ),
    [
      BackfillInstrumentsId,
      BackfillLogId,
      PlanStoreId,
      ChunkFileStoreId,
      StageLauncherId,
      MarketSessionId,
      ClockId,
      LoggerId,
      MetricsId,
    ],
  );
  c.bind(BackfillCoordinatorId).toResolvedValue(
    (parent: BackfillParent, bus: CommandBus, logger: Logger, metrics: Metrics) =>
      new BackfillCoordinator(
        {
          bus,
          store: parent.store,
          runJob: parent.runJob,
          session: parent.session,
          clock: parent.clock,
          logger,
          metrics,
          ...(inputs.owned === undefined ? {} : { owned: inputs.owned }),
          ...(inputs.refreshInstruments === undefined
            ? {}
            : { refreshInstruments: inputs.refreshInstruments }),
        },
        coordinatorSettingsOf(config.app, parent.instruments),
      ),
    [BackfillParentId, CommandBusId, LoggerId, MetricsId],
  );
  return c;
};
