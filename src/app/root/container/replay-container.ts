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
import type { MarketSession } from '../../../domain/market-session.ts';
import type { RecordPublisher } from '../../../ports/record-publisher.ts';
import type { ServiceConfig } from '../config/service-config.ts';
import { validationRulesOf } from '../config/validation-rules.ts';
import { makeReplayScreen } from '../../replay-screen.ts';
import type { ReplayRequest } from '../../replay-session.ts';
import { bindBase } from './base-bindings.ts';
import { startControlPublishers } from './control-publishers.ts';
import { QuarantinePublisherId, ReplayScreenId } from './replay-tokens.ts';
import { MarketSessionId, ReplayFeedId } from './tokens.ts';

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

/**
 * The quarantine topic of a replay into Kafka: the configured one when the replay goes to the
 * configured tick topic, else `<topic>_quarantine`, so a replay into a topic of its own keeps its
 * quarantine beside it instead of mixing into the live one.
 */
export const replayQuarantineTopic = (config: ServiceConfig, tickTopic: string): string =>
  tickTopic === config.app.tickTopic ? config.app.quarantineTopic : `${tickTopic}_quarantine`;

/**
 * `tickflow replay`: the recorded files as the broker feed, into the chosen sink, screened as live
 * screens (quarantined ticks to the quarantine topic into Kafka, else only counted and logged).
 */
export const buildReplayContainer = (inputs: ReplayInputs): Container => {
  const { config, request, sink } = inputs;
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
  c.bind(QuarantinePublisherId).toResolvedValue(
    async (logger: Logger, metrics: Metrics) =>
      (
        await startControlPublishers(
          sink.kind === 'kafka' ? { kind: 'kafka', settings: sink.settings } : { kind: 'memory' },
          { quarantine: sink.kind === 'kafka' ? replayQuarantineTopic(config, sink.settings.topic) : '' },
          { logger, metrics },
        )
      ).quarantine,
    [LoggerId, MetricsId],
  );
  c.bind(ReplayScreenId).toResolvedValue(
    (quarantine: RecordPublisher, session: MarketSession, logger: Logger, metrics: Metrics) =>
      makeReplayScreen({ quarantine, session, logger, metrics }, validationRulesOf(config.app)),
    [QuarantinePublisherId, MarketSessionId, LoggerId, MetricsId],
  );
  return c;
};
