import type { Writable } from 'node:stream';
import { Container } from 'inversify';
import type { Sleep } from '../../../adapters/mstock/abortable.ts';
import type { KafkaSinkSettings } from '../../../adapters/kafka/kafka-settings.ts';
import { startTickSink } from './start-tick-sink.ts';
import { NdjsonTickSink } from '../../../adapters/ndjson/ndjson-tick-sink.ts';
import { PrometheusMetrics } from '../../../adapters/prometheus/prometheus-metrics.ts';
import { ReplayBrokerFeed } from '../../../adapters/replay/replay-broker-feed.ts';
import type { ReplaySource } from '../../../adapters/replay/replay-source.ts';
import { StreamTickSink } from '../../../adapters/replay/stream-tick-sink.ts';
import { BrokerFeedId } from '../../../ports/broker-feed.ts';
import { ClockId, type Clock } from '../../../ports/clock.ts';
import { LoggerId, type Logger } from '../../../ports/logger/logger.ts';
import { MetricsId, type Metrics } from '../../../ports/metrics.ts';
import { TickSinkId } from '../../../ports/tick-sink/tick-sink.ts';
import type { ServiceConfig } from '../config/service-config.ts';
import type { ReplayRequest } from '../../replay-session.ts';
import { bindBase } from './base-bindings.ts';
import { ReplayFeedId } from './tokens.ts';

/** Where replayed ticks go: NDJSON on a stream (stdout), an NDJSON file, or Kafka. */
export type ReplaySinkChoice =
  | { readonly kind: 'stream'; readonly out: Writable; readonly onBroken: (e: Error) => void }
  | { readonly kind: 'ndjson'; readonly path: string }
  | { readonly kind: 'kafka'; readonly settings: KafkaSinkSettings };

export interface ReplayInputs {
  readonly config: ServiceConfig;
  readonly logger: Logger;
  /** Opened and checked (`openReplaySources`), so no sink is opened for a bad file. */
  readonly sources: readonly ReplaySource[];
  readonly request: ReplayRequest;
  readonly sink: ReplaySinkChoice;
  readonly clock?: Clock;
  readonly sleep?: Sleep;
}

/** `tickflow replay`: the recorded files as the broker feed, into the chosen sink. */
export const buildReplayContainer = (inputs: ReplayInputs): Container => {
  const { request, sink } = inputs;
  const c = new Container({ defaultScope: 'Singleton' });
  bindBase(c, {
    config: inputs.config,
    logger: inputs.logger,
    metrics: new PrometheusMetrics({ defaultMetrics: false }),
    ...(inputs.clock === undefined ? {} : { clock: inputs.clock }),
  });
  c.bind(ReplayFeedId).toResolvedValue(
    (clock: Clock) =>
      new ReplayBrokerFeed({
        sources: inputs.sources,
        speed: request.speed,
        markReplay: request.markReplay,
        clock,
        ...(request.from === undefined ? {} : { from: request.from }),
        ...(request.to === undefined ? {} : { to: request.to }),
        ...(request.tickTimeZone === undefined ? {} : { decode: { tickTimeZone: request.tickTimeZone } }),
        ...(inputs.sleep === undefined ? {} : { sleep: inputs.sleep }),
      }),
    [ClockId],
  );
  c.bind(BrokerFeedId).toResolvedValue((feed: ReplayBrokerFeed) => feed, [ReplayFeedId]);
  c.bind(TickSinkId).toResolvedValue(
    (logger: Logger, metrics: Metrics, clock: Clock) => {
      switch (sink.kind) {
        case 'stream':
          return new StreamTickSink(sink.out, sink.onBroken);
        case 'ndjson':
          return NdjsonTickSink.open(sink.path);
        case 'kafka':
          return startTickSink(sink.settings, { logger, metrics, clock });
      }
    },
    [LoggerId, MetricsId, ClockId],
  );
  return c;
};
