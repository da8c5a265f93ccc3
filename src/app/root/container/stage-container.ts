import { Container } from 'inversify';
import type { KafkaSinkSettings } from '../../../adapters/kafka/kafka-settings.ts';
import { startTickSink } from './start-tick-sink.ts';
import { ClockId, type Clock } from '../../../ports/clock.ts';
import { LoggerId, type Logger } from '../../../ports/logger/logger.ts';
import { MetricsId, type Metrics } from '../../../ports/metrics.ts';
import { TickSinkId } from '../../../ports/tick-sink/tick-sink.ts';
import { backfillPaths } from '../../backfill/backfill-paths.ts';
import type { ServiceConfig } from '../config/service-config.ts';
import { bindBase } from './base-bindings.ts';
import { bindMstock } from './mstock-bindings.ts';

/** The publish stage's sink settings: the configured Kafka sink on the backfill's own journal. */
export const backfillSinkSettings = (config: ServiceConfig): KafkaSinkSettings => ({
  ...config.kafka,
  journal: { ...config.kafka.journal, dir: backfillPaths(config.app).tickJournal },
});

export interface StageInputs {
  /** Decoded from the environment the stage process was forked with. */
  readonly config: ServiceConfig;
  readonly logger: Logger;
  /** The stage's metrics channel to the parent. */
  readonly metrics: Metrics;
}

/**
 * A backfill stage process: the m.Stock historical data for the fetch stage, the Kafka tick sink
 * on the backfill journal for the publish stage. Each stage resolves only what it uses, so
 * neither opens the other's adapters.
 */
export const buildStageContainer = (inputs: StageInputs): Container => {
  const { config } = inputs;
  const c = new Container({ defaultScope: 'Singleton' });
  bindBase(c, inputs);
  bindMstock(c, config);
  c.bind(TickSinkId).toResolvedValue(
    (logger: Logger, metrics: Metrics, clock: Clock) =>
      startTickSink(backfillSinkSettings(config), { logger, metrics, clock }),
    [LoggerId, MetricsId, ClockId],
  );
  return c;
};
