import { Container } from 'inversify';
import { startTickSink } from './start-tick-sink.ts';
import { NdjsonTickSink } from '../../../adapters/ndjson/ndjson-tick-sink.ts';
import { PrometheusMetrics } from '../../../adapters/prometheus/prometheus-metrics.ts';
import { RedisCommandBus } from '../../../adapters/redis/redis-command-bus.ts';
import { ClockId, type Clock } from '../../../ports/clock.ts';
import { CommandBusId } from '../../../ports/command-bus/command-bus.ts';
import { LoggerId, type Logger } from '../../../ports/logger/logger.ts';
import { MetricsId, type Metrics } from '../../../ports/metrics.ts';
import { TickSinkId } from '../../../ports/tick-sink/tick-sink.ts';
import type { ServiceConfig } from '../config/service-config.ts';
import { bindBase } from './base-bindings.ts';
import { bindGapLedgerLog, bindReconciliationLog, bindSelectionLog } from './event-log-bindings.ts';
import { bindMstock, type MstockInputs } from './mstock-bindings.ts';
import type { InstrumentChoice } from '../startup.ts';
import { bindSelectionSource } from './selection-bindings.ts';
import { PrometheusMetricsId } from './tokens.ts';

/** Where ticks go: Kafka (the product), or an NDJSON file when no Kafka can be had (demo). */
export type SinkChoice = { readonly kind: 'kafka' } | { readonly kind: 'ndjson'; readonly path: string };

export interface ContainerInputs extends MstockInputs {
  readonly config: ServiceConfig;
  readonly instruments: InstrumentChoice;
  readonly logger: Logger;
  readonly sink: SinkChoice;
  readonly clock?: Clock;
  /** The registry behind /metrics, when the caller needs it before the container (the recorder). */
  readonly metrics?: PrometheusMetrics;
}

/**
 * Live and demo: one binding set (demo only points the m.Stock adapters at the simulator).
 * Adapters are singletons, so the feed and the candle reconciler share one m.Stock session, and
 * the tick sink one Kafka producer.
 */
export const buildContainer = (inputs: ContainerInputs): Container => {
  const { config } = inputs;
  const c = new Container({ defaultScope: 'Singleton' });
  const registry = inputs.metrics ?? new PrometheusMetrics();
  bindBase(c, {
    config,
    logger: inputs.logger,
    metrics: registry,
    ...(inputs.clock === undefined ? {} : { clock: inputs.clock }),
  });
  c.bind(PrometheusMetricsId).toConstantValue(registry);
  bindMstock(c, config, inputs);
  bindSelectionSource(c, inputs.instruments);
  const sink = inputs.sink;
  c.bind(TickSinkId).toResolvedValue(
    (logger: Logger, metrics: Metrics, clock: Clock) =>
      sink.kind === 'kafka'
        ? startTickSink(config.kafka, { logger, metrics, clock }, { mayStartWithoutKafka: true })
        : NdjsonTickSink.open(sink.path),
    [LoggerId, MetricsId, ClockId],
  );
  c.bind(CommandBusId).toResolvedValue(
    (logger: Logger, metrics: Metrics) => new RedisCommandBus(config.redis, { logger, metrics }),
    [LoggerId, MetricsId],
  );
  bindGapLedgerLog(c, config);
  bindReconciliationLog(c, config);
  bindSelectionLog(c, config);
  return c;
};
