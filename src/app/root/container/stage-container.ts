import { Container } from 'inversify';
import { ChunkFiles } from '../../../adapters/backfill-stages/chunk-files.ts';
import type { KafkaSinkSettings } from '../../../adapters/kafka/kafka-settings.ts';
import { ChunkFileStoreId, type ChunkFileStore } from '../../../ports/backfill-stages/chunk-file-store.ts';
import type { StageChildContext } from '../../../ports/backfill-stages/stage-worker.ts';
import { ClockId, type Clock } from '../../../ports/clock.ts';
import { HistoricalDataId, type HistoricalData } from '../../../ports/historical-data.ts';
import { LoggerId, type Logger } from '../../../ports/logger/logger.ts';
import { MetricsId, type Metrics } from '../../../ports/metrics.ts';
import { TickSinkId, type TickSink } from '../../../ports/tick-sink/tick-sink.ts';
import { fetchWorker, publishWorker } from '../../backfill/stage-workers.ts';
import { backfillPaths } from '../config/backfill-paths.ts';
import type { ServiceConfig } from '../config/service-config.ts';
import { bindBase } from './base-bindings.ts';
import { FetchWorkerId, PublishWorkerId } from './backfill-tokens.ts';
import { bindMstock } from './mstock-bindings.ts';
import { classifyMstockFailure } from './mstock-fetch-failure.ts';
import { startTickSink } from './start-tick-sink.ts';

/** The publish stage's sink settings: the configured Kafka sink on the backfill's own journal. */
export const backfillSinkSettings = (config: ServiceConfig): KafkaSinkSettings => ({
  ...config.kafka,
  journal: { ...config.kafka.journal, dir: backfillPaths(config.app).tickJournal },
});

export interface StageInputs {
  /** Decoded from the environment the stage process was forked with. */
  readonly config: ServiceConfig;
  /** What the stage process gives its worker: its logger, its metrics channel to the parent. */
  readonly context: StageChildContext;
}

/**
 * A backfill stage process: the m.Stock historical data for the fetch stage, the Kafka tick sink
 * on the backfill journal for the publish stage, the chunk data files for both, and each stage's
 * worker made of them. Each stage resolves only its worker, so neither opens the other's adapters.
 */
export const buildStageContainer = (inputs: StageInputs): Container => {
  const { config, context } = inputs;
  const c = new Container({ defaultScope: 'Singleton' });
  bindBase(c, { config, logger: context.logger, metrics: context.metrics });
  bindMstock(c, config);
  c.bind(TickSinkId).toResolvedValue(
    (logger: Logger, metrics: Metrics, clock: Clock) =>
      startTickSink(backfillSinkSettings(config), { logger, metrics, clock }),
    [LoggerId, MetricsId, ClockId],
  );
  c.bind(ChunkFileStoreId).toConstantValue(new ChunkFiles(backfillPaths(config.app).chunks));
  c.bind(FetchWorkerId).toResolvedValue(
    (historical: HistoricalData, files: ChunkFileStore) =>
      fetchWorker(context, { historical, files, classify: classifyMstockFailure }),
    [HistoricalDataId, ChunkFileStoreId],
  );
  c.bind(PublishWorkerId).toResolvedValue(
    (sink: TickSink, files: ChunkFileStore, clock: Clock) => publishWorker(context, { sink, files, clock }),
    [TickSinkId, ChunkFileStoreId, ClockId],
  );
  return c;
};
